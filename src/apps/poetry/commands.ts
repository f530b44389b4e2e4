/**
 * `reed poetry ...`: the tutorial's programs as commands: `serve` (the slow poetry server), `get`
 * (the client), `transform` (the Cummingsify server), `proxy` (the caching proxy) and `demo`.
 */
import { readFileSync } from "node:fs";
import type { Deferred } from "../../deferred.js";
import { UsageError } from "../../errors.js";
import type { IListeningPort } from "../../interfaces.js";
import type { IProtocolFactory } from "../../interfaces.js";
import { numberOption, parseCommandArgs, parseHostPort, type Command, type CommandGroup, type CommandIO } from "../command.js";
import { demoCommand } from "./demo.js";
import { addressText } from "./download.js";
import { getCommand } from "./get.js";
import { findPoem } from "./poems.js";
import { PoetryProxyFactory, ProxyService } from "./proxy.js";
import { defaultReactor, listen, type PoetryReactor } from "./reactor.js";
import { SlowPoetryFactory } from "./server.js";
import { TransformFactory } from "./transform.js";

/** Resolves when the process is told to stop (SIGINT or SIGTERM). */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

function port(d: Deferred<IListeningPort>): Promise<IListeningPort> {
  return d.asPromise();
}

function hostPort(p: IListeningPort): number {
  const a = p.getHost();
  return "port" in a ? a.port : 0;
}

async function serveUntilInterrupted(reactor: PoetryReactor, portNumber: number, iface: string, factory: IProtocolFactory, announce: (port: number) => string, io: CommandIO): Promise<number> {
  let listening: IListeningPort;
  try {
    listening = await port(listen(reactor, portNumber, factory, iface));
  } catch (e) {
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  io.stdout.write(announce(hostPort(listening)) + "\n");
  await interrupted();
  await listening.stopListening().asPromise();
  return 0;
}

const serveCommand: Command = {
  name: "serve",
  summary: "the slow poetry server: sends a poem N bytes every S seconds, then closes",
  help: `\
Usage: {prog} [--port N] [--iface ADDR] [--num-bytes N] [--delay S] [--one-at-a-time] POEM_FILE

Serves POEM_FILE slowly: NUM_BYTES bytes every DELAY seconds, then closes the connection.
POEM_FILE may also name a poem shipped with reed: ecstasy, fascination, science, alla_sera.
Prints "Serving POEM_FILE on port N." once listening; runs until interrupted (Ctrl-C).

Options:
  --port N          port to listen on (default 0: any free port)
  --iface ADDR      interface to listen on (default 127.0.0.1)
  --num-bytes N     bytes per chunk (default 10)
  --delay S         seconds between chunks (default 0.1)
  --one-at-a-time   serve one client at a time, like the tutorial's blocking server
  --verbose         print a line for every chunk sent
  -h, --help        show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        port: { type: "string" },
        iface: { type: "string" },
        "num-bytes": { type: "string" },
        delay: { type: "string" },
        "one-at-a-time": { type: "boolean" },
        verbose: { type: "boolean" },
      },
      { min: 1, max: 1 },
    );
    const file = positionals[0]!;
    const path = findPoem(file);
    if (!path) throw new UsageError(`No such file: ${file}`);
    const portNumber = numberOption("port", values.port as string | undefined, 0, 0, 65535, true);
    const numBytes = numberOption("num-bytes", values["num-bytes"] as string | undefined, 10, 1, Infinity, true);
    const delay = numberOption("delay", values.delay as string | undefined, 0.1, 0);
    const verbose = values.verbose === true;
    const factory = new SlowPoetryFactory(defaultReactor, readFileSync(path), {
      numBytes,
      delay,
      oneAtATime: values["one-at-a-time"] === true,
      onEvent: (e) => {
        if (e.kind === "connected") io.stdout.write(`Somebody at ${e.peer} wants poetry!${e.waiting ? " (waiting for the client before)" : ""}\n`);
        else if (e.kind === "sent" && verbose) io.stdout.write(`Sending ${e.bytes} bytes to ${e.peer}\n`);
        else if (e.kind === "finished") io.stdout.write(e.complete ? `Sent the whole poem to ${e.peer}.\n` : `${e.peer} left before the end of the poem.\n`);
      },
    });
    return serveUntilInterrupted(defaultReactor, portNumber, (values.iface as string | undefined) ?? "127.0.0.1", factory, (p) => `Serving ${file} on port ${p}.`, io);
  },
};

const transformCommand: Command = {
  name: "transform",
  summary: "the poetry transform server (netstring NAME.POEM in, transformed poem out)",
  help: `\
Usage: {prog} [--port N] [--iface ADDR]

Serves poetry transforms: a client sends one netstring "NAME.POEM" and gets one netstring back
with the transformed poem. The transform is "cummingsify" (lower-cases the poem). An unknown
transform or a malformed request closes the connection without a reply (and is logged).
Prints "Serving transforms on port N." once listening; runs until interrupted.

Options:
  --port N      port to listen on (default 0: any free port)
  --iface ADDR  interface to listen on (default 127.0.0.1)
  -h, --help    show this help
`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { port: { type: "string" }, iface: { type: "string" } }, { max: 0 });
    const portNumber = numberOption("port", values.port as string | undefined, 0, 0, 65535, true);
    return serveUntilInterrupted(defaultReactor, portNumber, (values.iface as string | undefined) ?? "127.0.0.1", new TransformFactory(), (p) => `Serving transforms on port ${p}.`, io);
  },
};

const proxyCommand: Command = {
  name: "proxy",
  summary: "the caching poetry proxy: fetches the poem once, then serves the cached copy",
  help: `\
Usage: {prog} [--port N] [--iface ADDR] [HOST:]PORT

Looks like a poetry server. The first client's request fetches the poem from the server at
[HOST:]PORT; later clients get the cached poem at once. A client that leaves before the poem
arrived cancels its download. Prints "Proxying HOST:PORT on port N." once listening.

Options:
  --port N      port to listen on (default 0: any free port)
  --iface ADDR  interface to listen on (default 127.0.0.1)
  -h, --help    show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { port: { type: "string" }, iface: { type: "string" } }, { min: 1, max: 1 });
    const upstream = parseHostPort(positionals[0]!);
    const portNumber = numberOption("port", values.port as string | undefined, 0, 0, 65535, true);
    const messages = {
      cached: "Using cached poem.",
      fetching: "Fetching poem from server.",
      cancelled: "Canceling poem download.",
      fetched: "Poem fetched and cached.",
      failed: "Could not fetch the poem.",
    } as const;
    const service = new ProxyService(defaultReactor, upstream.host, upstream.port, (e) => io.stdout.write(messages[e] + "\n"));
    return serveUntilInterrupted(defaultReactor, portNumber, (values.iface as string | undefined) ?? "127.0.0.1", new PoetryProxyFactory(service), (p) => `Proxying ${addressText(upstream.host, upstream.port)} on port ${p}.`, io);
  },
};

/** The `reed poetry` group. */
export const poetryCommands: CommandGroup = {
  name: "poetry",
  summary: "the Twisted tutorial's poetry servers and clients (start with 'reed poetry demo')",
  commands: [demoCommand, serveCommand, getCommand, transformCommand, proxyCommand],
};
