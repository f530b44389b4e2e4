/**
 * `reed button [--port N] [--poetry HOST:PORT]`: serves "just a button" on 127.0.0.1: a page with one
 * button that fetches a poem over a WebSocket and shows its first line. The WebSocket endpoint
 * (`/poetry`, on the page's own port) relays each connection to the poetry server; without
 * `--poetry`, a slow poetry server of its own is started on a free port.
 */
import { parseArgs } from "node:util";
import { servePage, untilInterrupted } from "../_pages.js";
import { listenWS, type WebSocketPort } from "../../node/websocket.js";
import { NodeReactor } from "../../node/reactor.js";
import type { ReactorTime } from "../../interfaces.js";
import { PoetryRelayFactory, type PoetryAddress } from "./bridge.js";
import { serveSlowPoetry, type SlowPoetryOptions } from "./slow-poetry.js";

/** The page: one button, one label (✗ until a poem has come). */
export const BUTTON_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Just a button — reed</title>
<style>
  body { font: 18px system-ui, sans-serif; margin: 3em auto; max-width: 40em; color: #222; }
  button { font-size: 1.1em; padding: 0.4em 1.2em; }
  #label { margin-left: 1em; font-weight: 600; }
  #progress, #heartbeat { color: #777; font-size: 0.85em; }
  #heartbeat { display: inline-block; width: 1.5em; }
</style>
</head>
<body>
<p><button id="fetch" disabled>Get a poem</button><span id="label">✗</span></p>
<p><span id="heartbeat"></span><span id="progress"></span></p>
<script type="module" src="/button.js"></script>
</body>
</html>
`;

const USAGE = `Usage: reed button [--port N] [--poetry HOST:PORT]

Serves a page with one button on http://127.0.0.1:PORT/ (port 0, the default, picks a free one).
Clicking it fetches a poem from the poetry server at HOST:PORT (default: a slow one started here).`;

/** A running button app. */
export interface ButtonServer {
  /** The page's URL. */
  readonly url: string;
  /** Where poems come from. */
  readonly poetry: PoetryAddress;
  /** Stops everything it started. */
  close(): Promise<void>;
}

/** Options for `serveButton`. */
export interface ServeButtonOptions {
  /** The page's port (0: any free port). */
  port?: number;
  /** The poetry server; without it a slow one is started. */
  poetry?: PoetryAddress;
  /** How the slow poetry server it starts behaves. */
  slow?: SlowPoetryOptions;
  /** The reactor for the WebSocket endpoint (default: a fresh NodeReactor, never run). */
  reactor?: ReactorTime;
}

/** Starts the page server, its WebSocket relay, and (without `poetry`) a slow poetry server. */
export async function serveButton(options: ServeButtonOptions = {}): Promise<ButtonServer> {
  const own = options.poetry ? null : await serveSlowPoetry(options.slow);
  const poetry = options.poetry ?? { host: "127.0.0.1", port: own!.port };
  let page;
  let ws: WebSocketPort;
  try {
    page = await servePage({ name: "button", html: BUTTON_HTML, port: options.port ?? 0 });
    ws = await listenWS(options.reactor ?? new NodeReactor(), { server: page.server, path: "/poetry" }, new PoetryRelayFactory(poetry));
  } catch (e) {
    await own?.close();
    throw e;
  }
  const pageServer = page;
  return {
    url: pageServer.url,
    poetry,
    async close() {
      for (const c of ws.connections) c.abortConnection();
      await ws.stopListening();
      await pageServer.close();
      await own?.close();
    },
  };
}

function parseAddress(text: string): PoetryAddress {
  const m = /^(?:(.*):)?(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`Invalid poetry server address: ${text} (expected HOST:PORT or PORT)`);
  return { host: m[1] || "127.0.0.1", port };
}

/**
 * Runs `reed button`: serves until interrupted.
 * @returns the exit code (0 after Ctrl-C, 2 for a usage error, 1 when it cannot serve).
 */
export async function main(argv: string[]): Promise<number> {
  let port: number;
  let poetry: PoetryAddress | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { port: { type: "string", default: "0" }, poetry: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port}`);
    if (values.poetry !== undefined) poetry = parseAddress(values.poetry);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let app: ButtonServer;
  try {
    app = await serveButton(poetry ? { port, poetry } : { port });
  } catch (e) {
    console.error(`Cannot serve the button: ${(e as Error).message}`);
    return 1;
  }
  if (!poetry) console.log(`Serving a slow poem on 127.0.0.1:${app.poetry.port}.`);
  console.log(`Just a button is at ${app.url} (poems from ${app.poetry.host}:${app.poetry.port}; Ctrl-C to stop)`);
  await untilInterrupted();
  await app.close();
  return 0;
}
