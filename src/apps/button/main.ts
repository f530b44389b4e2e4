/**
 * `reed button [--port N] [--poetry HOST:PORT]`: serves "just a button" on 127.0.0.1: a page with one
 * button that fetches a poem over a WebSocket and shows its first line. The WebSocket endpoint
 * (`/poetry`, on the page's own port) relays each connection to the poetry server; without
 * `--poetry`, a slow poetry server of its own (the poetry suite's) is started on a free port.
 */
import { numberOption, parseCommandArgs, parseHostPort, type Command, type CommandIO } from "../command.js";
import { runCommand, servePage, untilInterrupted } from "../_pages.js";
import { listenWS, type WebSocketPort } from "../../node/websocket.js";
import type { IListeningPort } from "../../interfaces.js";
import { defaultReactor, listen, type PoetryReactor } from "../poetry/reactor.js";
import { SlowPoetryFactory } from "../poetry/server.js";
import { readPoem } from "../poetry/poems.js";
import { PoetryRelayFactory, type PoetryAddress } from "./bridge.js";

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
  /** How the slow poetry server it starts behaves (default: Yeats's "The Fascination of What's Difficult", 10 bytes every 0.1 s). */
  slow?: { poem?: string; numBytes?: number; delay?: number };
  /** The reactor for the servers and connections (default: reed/node's reactor, embedded). */
  reactor?: PoetryReactor;
}

/** Starts the page server, its WebSocket relay, and (without `poetry`) a slow poetry server. */
export async function serveButton(options: ServeButtonOptions = {}): Promise<ButtonServer> {
  const reactor = options.reactor ?? defaultReactor;
  let own: IListeningPort | null = null;
  if (!options.poetry) {
    const poem = readPoem(options.slow?.poem ?? "fascination");
    const slow = new SlowPoetryFactory(reactor, poem, { numBytes: options.slow?.numBytes ?? 10, delay: options.slow?.delay ?? 0.1 });
    own = await listen(reactor, 0, slow, "127.0.0.1").asPromise();
  }
  const ownAddress = own?.getHost();
  const poetry = options.poetry ?? { host: "127.0.0.1", port: ownAddress && "port" in ownAddress ? ownAddress.port : 0 };
  let page;
  let ws: WebSocketPort;
  try {
    page = await servePage({ name: "button", html: BUTTON_HTML, port: options.port ?? 0 });
    ws = await listenWS(reactor, { server: page.server, path: "/poetry" }, new PoetryRelayFactory(reactor, poetry));
  } catch (e) {
    await own?.stopListening().asPromise();
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
      await own?.stopListening().asPromise();
    },
  };
}

/** The `reed button` command. */
export const buttonCommand: Command = {
  name: "button",
  summary: "serve \"just a button\": a page that fetches a poem over a WebSocket without locking up",
  help: `\
Usage: {prog} [--port N] [--poetry [HOST:]PORT]

Serves a page with one button on http://127.0.0.1:PORT/ and prints its URL; runs until
interrupted (Ctrl-C). Clicking the button fetches a poem over a WebSocket, which this server
relays to the poetry server, and shows the poem's first line.

Options:
  --port N               port to listen on (default 0: any free port)
  --poetry [HOST:]PORT   the poetry server (default: start a slow one here)
  -h, --help             show this help
`,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(args, { port: { type: "string" }, poetry: { type: "string" } }, { max: 0 });
    const port = numberOption("port", values.port as string | undefined, 0, 0, 65535, true);
    const poetry = values.poetry === undefined ? undefined : parseHostPort(values.poetry as string);
    let app: ButtonServer;
    try {
      app = await serveButton(poetry ? { port, poetry } : { port });
    } catch (e) {
      io.stderr.write(`Cannot serve the button: ${(e as Error).message}\n`);
      return 1;
    }
    if (!poetry) io.stdout.write(`Serving a slow poem on 127.0.0.1:${app.poetry.port}.\n`);
    io.stdout.write(`Just a button is at ${app.url} (poems from ${app.poetry.host}:${app.poetry.port})\n`);
    await untilInterrupted();
    await app.close();
    return 0;
  },
};

/**
 * Runs `reed button` with `argv` (the arguments after `button`), on the process's streams.
 * @returns the exit code (0 after Ctrl-C, 1 when it cannot serve, 2 for a usage error).
 */
export function main(argv: string[]): Promise<number> {
  return runCommand(buttonCommand, argv);
}
