/**
 * `reed snek [--port N]`: serves the DrawSnek page on 127.0.0.1 and prints its URL.
 */
import { parseArgs } from "node:util";
import { servePage, untilInterrupted, type PageServer } from "../_pages.js";

/** The page's HTML: a 1280×960 canvas on black, scaled down to fit the window. */
export const SNEK_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>DrawSnek — reed</title>
<style>
  html, body { margin: 0; background: #000; color: #9f9; font: 14px ui-monospace, monospace; }
  canvas { display: block; margin: 0 auto; max-width: 100vw; max-height: calc(100vh - 24px); image-rendering: pixelated; }
  #status { text-align: center; height: 24px; line-height: 24px; }
</style>
</head>
<body>
<canvas id="screen" width="1280" height="960"></canvas>
<div id="status">loading…</div>
<script type="module" src="/snek.js"></script>
</body>
</html>
`;

const USAGE = `Usage: reed snek [--port N]

Serves DrawSnek on http://127.0.0.1:PORT/ (port 0, the default, picks a free one).
Keys in the page: s snek, Shift+s coloured snek, d remove, h hiccup, q stop the reactor.
Add ?seed=N to the URL to make the random choices reproducible.`;

/** Starts the DrawSnek page server (for tests and `main`). */
export function serveSnek(port = 0): Promise<PageServer> {
  return servePage({ name: "snek", html: SNEK_HTML, port });
}

/**
 * Runs `reed snek`: serves until interrupted.
 * @returns the exit code (0 after Ctrl-C, 2 for a usage error, 1 when the port cannot be bound).
 */
export async function main(argv: string[]): Promise<number> {
  let port: number;
  try {
    const { values } = parseArgs({ args: argv, options: { port: { type: "string", default: "0" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port}`);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let server: PageServer;
  try {
    server = await serveSnek(port);
  } catch (e) {
    console.error(`Cannot serve DrawSnek: ${(e as Error).message}`);
    return 1;
  }
  console.log(`DrawSnek is at ${server.url} (Ctrl-C to stop)`);
  await untilInterrupted();
  await server.close();
  return 0;
}
