// The core entry (`reed`), `reed/browser` and `reed/testing` must run in a browser: bundle each for
// platform "browser" with esbuild and fail on any import of a Node builtin (`node:fs`, `fs`, ...).
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { build, type Plugin } from "esbuild";

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundles `entry` for the browser; returns the Node builtins it imports, with their importers. */
async function nodeImportsOf(entry: string): Promise<string[]> {
  const found: string[] = [];
  const catchBuiltins: Plugin = {
    name: "catch-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split("/")[0]!;
        if (args.path.startsWith("node:") || builtins.has(args.path) || builtins.has(bare)) {
          found.push(`${args.path} (imported by ${args.importer})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
    plugins: [catchBuiltins],
  });
  assert.equal(result.errors.length, 0);
  assert.ok(result.outputFiles[0]!.text.length > 1000, "the bundle has content");
  return found;
}

for (const entry of ["src/index.ts", "src/browser/index.ts", "src/testing/index.ts"]) {
  test(`${entry} bundles for the browser without importing a Node builtin`, async () => {
    assert.deepEqual(await nodeImportsOf(entry), []);
  });
}

test("the check catches a Node builtin when one creeps in", async () => {
  const found = await nodeImportsOf("src/node/websocket.ts");
  assert.ok(found.some((f) => f.startsWith("node:http")), found.join(", "));
});

test("the page scripts bundle for the browser without importing a Node builtin", async () => {
  const { pages } = await import("../../scripts/build-browser.mjs");
  for (const entry of Object.values(pages)) assert.deepEqual(await nodeImportsOf(entry), [], entry);
});
