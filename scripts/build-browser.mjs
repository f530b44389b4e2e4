#!/usr/bin/env node
// Bundles the pages' scripts (src/apps/*/page.ts) for the browser into dist/pages/NAME.js, so the
// installed `reed snek` / `reed button` serve prebuilt files. Run after tsc (see package.json "build").
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/** The pages and their entry points, relative to the package root. */
export const pages = {
  snek: "src/apps/snek/page.ts",
  button: "src/apps/button/page.ts",
};

/** Bundle options (src/apps/_pages.ts uses the same ones when it bundles on the fly). */
const pageBuildOptions = {
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  sourcemap: false,
  logLevel: "warning",
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build({
    ...pageBuildOptions,
    absWorkingDir: root,
    entryPoints: pages,
    outdir: "dist/pages",
  });
  console.log(`Built ${Object.keys(pages).length} page scripts into dist/pages/`);
}
