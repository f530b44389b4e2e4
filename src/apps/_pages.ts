/**
 * Serving the apps' web pages (`reed snek`, `reed button`): an HTTP server on 127.0.0.1 with the
 * page's HTML at `/` and its bundled script at `/NAME.js`.
 *
 * The script is prebuilt by `npm run build` (scripts/build-browser.mjs → dist/pages/NAME.js). When
 * it is missing, as when running from `src/` through tsx, it is bundled on the fly with esbuild (a
 * devDependency) from `src/apps/NAME/page.ts`.
 */
import { createServer, type Server } from "node:http";
import { readFile, access } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import { wantsHelp, type Command } from "./command.js";

/** The pages reed serves. */
export type PageName = "snek" | "button";

const cache = new Map<PageName, Promise<string>>();

/** The browser script of page `name`: prebuilt if present, else bundled now (cached). */
export function pageScript(name: PageName): Promise<string> {
  let p = cache.get(name);
  if (!p) {
    p = loadPageScript(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

async function loadPageScript(name: PageName): Promise<string> {
  // From dist/apps/_pages.js, the prebuilt file is dist/pages/NAME.js.
  const prebuilt = fileURLToPath(new URL(`../pages/${name}.js`, import.meta.url));
  try {
    await access(prebuilt);
    return await readFile(prebuilt, "utf8");
  } catch {
    // Not built (running from src/): bundle it now.
  }
  const entry = fileURLToPath(new URL(`./${name}/page.ts`, import.meta.url));
  const esbuild = await import("esbuild").catch((e: unknown) => {
    throw new Error(`Cannot build the ${name} page: dist/pages/${name}.js is missing and esbuild is not installed: ${String(e)}`);
  });
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** A running page server. */
export interface PageServer {
  /** The HTTP server (share it with `listenWS({server})` for WebSocket endpoints). */
  readonly server: Server;
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Closes the server and every connection to it. */
  close(): Promise<void>;
}

/** Options for `servePage`. */
export interface ServePageOptions {
  /** Which page. */
  name: PageName;
  /** The page's HTML (it loads `/NAME.js` as a module). */
  html: string;
  /** Port (0 = any free port). */
  port: number;
  /** Interface (default 127.0.0.1). */
  host?: string;
}

/**
 * Starts an HTTP server for one page. Unknown paths get 404; WebSocket upgrades are left to
 * whoever listens for them on `server`.
 * @throws (rejects) when the port cannot be bound; the script is built before listening, so a
 *   build error is reported here too.
 */
export async function servePage(options: ServePageOptions): Promise<PageServer> {
  const script = await pageScript(options.name);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(options.html);
    } else if (path === `/${options.name}.js`) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(script);
    } else if (path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not found\n");
    }
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = addr && typeof addr === "object" ? addr.port : options.port;
  return {
    server,
    port,
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Resolves on SIGINT or SIGTERM (Ctrl-C), for apps that serve until told to stop. */
export function untilInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string): void => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/**
 * Runs one command on the process's streams, as the `reed` CLI would (help, usage errors → 2).
 * @returns the exit code.
 */
export async function runCommand(command: Command, argv: string[]): Promise<number> {
  const prog = `reed ${command.name}`;
  if (wantsHelp(argv)) {
    process.stdout.write(command.help.replaceAll("{prog}", prog));
    return 0;
  }
  try {
    return await command.run(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, prog);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${prog}: ${e.message}\nRun '${prog} --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}
