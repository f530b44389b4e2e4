/**
 * `reed log-collector [--port N] [--interface ADDR]`: receives log events that `LogShipper`s send
 * over AMP and prints them, one line each, to standard output:
 *
 *     2026-11-22T21:50:21.319Z web-1 #42 [poetry.server#info] Serving ecstasy.txt on port 10000.
 *     2026-11-22T21:50:21.320Z web-1 #43 [poetry.server#warn] Slow client [repeated 17 more times]
 *     2026-11-22T21:50:21.325Z web-1 ... and 120 more (dropped by the sender: queue full)
 *
 * Runs until SIGINT/SIGTERM. Plugged into the `reed` command as the `log-collector` subcommand.
 */
import { parseArgs } from "node:util";
import { AMP } from "../protocols/amp/amp.js";
import { ShipLogEvent, ShipLogsDropped } from "../protocols/amp/log-shipper.js";
import { Factory } from "../protocols/factory.js";
import { NodeReactor } from "../node/reactor.js";
import { listenTCP } from "../node/tcp.js";
import { CannotListenError } from "../errors.js";

/** The port the collector listens on by default. */
export const DEFAULT_PORT = 7010;

/** Where the collector writes: event lines, and its own status lines. */
export interface CollectorOutput {
  /** One received event (or drop report) as a line, without the newline. */
  line(text: string): void;
  /** A status message for the operator (listening, errors). */
  status(text: string): void;
}

function iso(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? "(no time)" : d.toISOString();
}

/**
 * The collector's side of a connection: an AMP that answers `ShipLogEvent` and `ShipLogsDropped`
 * by writing a line to `out`.
 */
export class LogCollectorProtocol extends AMP {
  constructor(out: CollectorOutput, clock: { seconds(): number }) {
    super();
    this.responder(ShipLogEvent, ({ sender, seq, time, namespace, level, text, repeats }) => {
      const more = repeats > 0 ? ` [repeated ${repeats} more time${repeats === 1 ? "" : "s"}]` : "";
      out.line(`${iso(time)} ${sender} #${seq} [${namespace}#${level}] ${text}${more}`);
      return {};
    });
    this.responder(ShipLogsDropped, ({ sender, count }) => {
      out.line(`${iso(clock.seconds())} ${sender} ... and ${count} more (dropped by the sender: queue full)`);
      return {};
    });
  }
}

/** A server factory building `LogCollectorProtocol`s that write to `out`. */
export function collectorFactory(out: CollectorOutput, clock: { seconds(): number }): Factory<LogCollectorProtocol> {
  const f = new Factory<LogCollectorProtocol>();
  f.noisy = false;
  f.buildProtocol = () => {
    const p = new LogCollectorProtocol(out, clock);
    p.factory = f;
    return p;
  };
  return f;
}

const USAGE = `Usage: reed log-collector [--port N] [--interface ADDR]

Receives log events shipped by reed's LogShipper over AMP and prints them.
  --port N          TCP port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --interface ADDR  address to listen on (default 127.0.0.1)
  --help            show this help`;

/** Streams the collector writes to (the `reed` command's `CommandIO` fits). */
export interface CollectorIO {
  /** Event lines and `--help`. */
  stdout: { write(text: string): unknown };
  /** Status and usage errors. */
  stderr: { write(text: string): unknown };
}

/**
 * Runs the collector until SIGINT/SIGTERM.
 * @param argv the arguments after `log-collector`.
 * @param io where to write (default: the process's stdout and stderr).
 * @returns the exit status: 0 after a clean shutdown, 1 when it cannot listen, 2 for bad usage.
 */
export async function main(argv: readonly string[], io: CollectorIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let values: { port?: string; interface?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: "string" }, interface: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (e) {
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const portNumber = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    io.stderr.write(`Invalid port: ${values.port}\n${USAGE}\n`);
    return 2;
  }
  const reactor = new NodeReactor();
  const out: CollectorOutput = {
    line: (text) => void io.stdout.write(`${text}\n`),
    status: (text) => void io.stderr.write(`${text}\n`),
  };
  let port;
  try {
    port = listenTCP(reactor, portNumber, collectorFactory(out, reactor), { interface: values.interface ?? "127.0.0.1" });
  } catch (e) {
    if (e instanceof CannotListenError) {
      out.status(`reed log-collector: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const host = port.getHost();
  out.status(`reed log-collector: listening on ${"host" in host ? host.host : ""}:${"port" in host ? host.port : ""}`);
  reactor.addSystemEventTrigger("before", "shutdown", () => port.stopListening());
  await reactor.run();
  return 0;
}
