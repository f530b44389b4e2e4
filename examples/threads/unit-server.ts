/**
 * A TCP unit-conversion server that stays responsive while slow conversions run on worker threads
 * (seed 002's "unit conversion that takes a really long time", seed 004's "why GUIs lock up").
 *
 *   node --import tsx examples/threads/unit-server.ts --demo            # server + scripted client, then exit
 *   node --import tsx examples/threads/unit-server.ts --demo --inline   # the same, slow work on the reactor thread
 *   node --import tsx examples/threads/unit-server.ts --port 8123       # a plain server; try `nc 127.0.0.1 8123`
 *
 * Requests, one per line (LF or CRLF):
 *   convert 12 km mi        answered at once, on the reactor thread
 *   slow 12 km mi 2000      the same conversion after 2000 ms of CPU work: with deferToThread on a
 *                           worker thread, or (with --inline) right here on the reactor thread
 *   stats                   the worst lateness of the server's 10 ms timer while slow work ran
 *   quit                    closes the connection
 *
 * The measurement: a 10 ms LoopingCall on the reactor records the longest gap between its ticks
 * beyond 10 ms while any slow conversion is running; the scripted client (unit-client.ts, run as a
 * child process so its clock is not the server's) measures round trips of quick requests on a
 * second connection while its slow request runs. On threads both stay small; inline, the whole
 * reactor (every connection, every timer) waits for the slow job.
 *
 * Options: --slow-ms N (the demo's slow job, default 2000), --inline, --port N (default 8123),
 * --interface ADDR (default 127.0.0.1).
 */
import { parseArgs } from "node:util";
import { Deferred, maybeDeferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { ServerFactory } from "../../src/protocols/factory.js";
import type { IPv4Address } from "../../src/protocols/address.js";
import { ProcessProtocol } from "../../src/protocols/process-protocol.js";
import { LoopingCall } from "../../src/task/looping-call.js";
import { react } from "../../src/node/react.js";
import type { NodeReactor } from "../../src/node/reactor.js";
import { spawnProcess } from "../../src/node/process.js";
import { deferToThread } from "../../src/node/threads.js";
import { convert, convertSlowly } from "./units.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const UNITS = new URL("./units.ts", import.meta.url);
/** The longest slow job a client may ask for, in ms (a server should not burn CPU on request forever). */
const MAX_SLOW_MS = 60_000;
/** The probe's interval, in seconds. */
const TICK = 0.01;

/**
 * Watches the reactor's responsiveness: a 10 ms LoopingCall whose ticks are checked for lateness
 * (the gap since the previous tick, beyond 10 ms) whenever a slow job ran at any time in between.
 */
class ResponsivenessProbe {
  /** The worst lateness seen while slow jobs ran, in ms. */
  worstMs = 0;
  /** How many ticks were checked (ticks whose interval overlapped a slow job). */
  ticks = 0;
  private running = 0;
  private ranSinceTick = false;
  private last = 0;
  private readonly loop: LoopingCall;

  constructor(private readonly reactor: NodeReactor) {
    this.loop = LoopingCall.on(reactor, () => this.tick());
  }

  /** Starts ticking. */
  start(): void {
    this.last = this.reactor.seconds();
    void this.loop.start(TICK, false);
  }

  /** Stops ticking. */
  stop(): void {
    if (this.loop.running) this.loop.stop();
  }

  /** A slow job started (inline ones start and end inside one reactor turn). */
  slowStarted(): void {
    this.running++;
    this.ranSinceTick = true;
  }

  /** A slow job ended. */
  slowEnded(): void {
    this.running--;
  }

  private tick(): void {
    const now = this.reactor.seconds();
    if (this.ranSinceTick) {
      this.worstMs = Math.max(this.worstMs, (now - this.last - TICK) * 1000);
      this.ticks++;
    }
    this.ranSinceTick = this.running > 0;
    this.last = now;
  }
}

/** What the server's connections share: the reactor, where slow jobs run, and the probe. */
class UnitServerFactory extends ServerFactory<UnitProtocol> {
  readonly probe: ResponsivenessProbe;
  /** The open connections. */
  readonly connections = new Set<UnitProtocol>();

  constructor(
    readonly reactor: NodeReactor,
    readonly inline: boolean,
  ) {
    super();
    this.probe = new ResponsivenessProbe(reactor);
  }

  override buildProtocol(): UnitProtocol {
    return new UnitProtocol(this);
  }

  override startFactory(): void {
    this.probe.start();
  }

  override stopFactory(): void {
    this.probe.stop();
  }

  /** Where slow jobs run, for messages. */
  get where(): string {
    return this.inline ? "inline, on the reactor thread" : "on a worker thread";
  }

  /** Converts after `ms` of CPU work: on the thread pool, or inline (freezing the reactor). */
  convertSlowly(value: number, from: string, to: string, ms: number): Deferred<number> {
    this.probe.slowStarted();
    const d = this.inline
      ? maybeDeferred(convertSlowly, value, from, to, ms)
      : deferToThread<number>(this.reactor, { module: UNITS, name: "convertSlowly" }, value, from, to, ms);
    return d.addBoth((r) => {
      this.probe.slowEnded();
      return r;
    });
  }
}

/** One client connection: a line per request, a line per answer. */
class UnitProtocol extends LineReceiver {
  /** Slow jobs still running for this connection; cancelled (their worker terminated) if it goes away. */
  private readonly slowJobs = new Set<Deferred<unknown>>();

  constructor(private readonly server: UnitServerFactory) {
    super();
    this.delimiter = enc.encode("\n"); // `nc` sends LF; a trailing CR is dropped below
  }

  override connectionMade(): void {
    this.server.connections.add(this);
    this.say(`unit server: slow conversions run ${this.server.where}; try: convert 12 km mi | slow 12 km mi 2000 | stats | quit`);
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = dec.decode(bytes).replace(/\r$/, "").trim();
    const [command, ...args] = line.split(/\s+/);
    try {
      if (command === "convert" && args.length === 3) this.convert(args);
      else if (command === "slow" && (args.length === 3 || args.length === 4)) this.slow(args);
      else if (command === "stats" && args.length === 0) this.stats();
      else if (command === "quit" && args.length === 0) {
        this.say("bye");
        this.transport.loseConnection();
      } else if (line !== "") this.say(`error: unknown request: ${line}`);
    } catch (e) {
      this.say(`error: ${(e as Error).message}`);
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.server.connections.delete(this);
    for (const d of this.slowJobs) d.cancel();
  }

  private convert([v, from, to]: string[]): void {
    const value = number(v!);
    this.say(`${value} ${from} = ${convert(value, from!, to!).toFixed(3)} ${to}`);
  }

  private slow([v, from, to, ms = "2000"]: string[]): void {
    const value = number(v!);
    const work = number(ms);
    if (!(work >= 0 && work <= MAX_SLOW_MS)) throw new RangeError(`Slow time out of range: ${ms} ms, limit ${MAX_SLOW_MS}`);
    convert(value, from!, to!); // bad units fail now, not after the slow part
    const started = this.server.reactor.seconds();
    const d = this.server.convertSlowly(value, from!, to!, work);
    this.slowJobs.add(d);
    d.addCallbacks(
      (r) => {
        const took = Math.round((this.server.reactor.seconds() - started) * 1000);
        this.say(`${value} ${from} = ${r.toFixed(3)} ${to} (slow: ${work} ms of work ${this.server.where}, answered in ${took} ms)`);
      },
      (f) => this.say(`error: ${f.getErrorMessage()}`),
    ).addBoth(() => void this.slowJobs.delete(d));
  }

  private stats(): void {
    const p = this.server.probe;
    this.say(`stats: worst timer lateness ${p.worstMs.toFixed(1)} ms over ${p.ticks} tick${p.ticks === 1 ? "" : "s"} of ${TICK * 1000} ms while slow conversions ran`);
  }

  private say(line: string): void {
    if (this.connected) this.sendLine(enc.encode(line));
  }
}

function number(s: string): number {
  const n = Number(s);
  if (s.trim() === "" || !Number.isFinite(n)) throw new RangeError(`Not a number: ${s}`);
  return n;
}

/** Relays the client's output and fires with its exit code when it has ended. */
class ClientRelay extends ProcessProtocol {
  readonly ended = new Deferred<number>();

  override outReceived(data: Uint8Array): void {
    process.stdout.write(data);
  }

  override errReceived(data: Uint8Array): void {
    process.stderr.write(data);
  }

  override processEnded(reason: Failure): void {
    const code = (reason.value as { exitCode?: number | null }).exitCode;
    this.ended.callback(typeof code === "number" ? code : 1);
  }
}

/** The demo: a server on a free port, the scripted client session against it (a child process), exit. */
async function demo(reactor: NodeReactor, inline: boolean, slowMs: number): Promise<void> {
  const server = new UnitServerFactory(reactor, inline);
  server.noisy = false;
  const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
  const { host, port: portNumber } = port.getHost() as IPv4Address;
  console.log(`unit server on ${host}:${portNumber}, slow conversions ${server.where}`);
  // Start a worker before the session, so the slow request measures the job, not a worker's start.
  if (!inline) await deferToThread(reactor, { module: UNITS, name: "convert" }, 1, "m", "m");
  const client = new URL("./unit-client.ts", import.meta.url).pathname;
  const relay = new ClientRelay();
  const args = [...process.execArgv, client, `${host}:${portNumber}`, "--slow-ms", String(slowMs)];
  spawnProcess(reactor, relay, process.execPath, [process.execPath, ...args], { env: null });
  const code = await relay.ended;
  await port.stopListening();
  if (code !== 0) throw Object.assign(new Error(`The client session failed: exit code ${code}`), { exitCode: code });
}

/** A plain server until interrupted. */
function serve(reactor: NodeReactor, inline: boolean, iface: string, portNumber: number): Deferred<void> {
  const server = new UnitServerFactory(reactor, inline);
  const port = reactor.listenTCP(portNumber, server, { interface: iface });
  const { host, port: bound } = port.getHost() as IPv4Address;
  console.log(`unit server on ${host}:${bound}, slow conversions ${server.where}; Ctrl-C stops it`);
  // The reactor does not close ports and connections at shutdown (yet), and open sockets would
  // keep Node running after Ctrl-C: close them here.
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    for (const c of server.connections) c.transport.loseConnection();
    return port.stopListening();
  });
  return new Deferred<void>(); // never fires: the reactor runs until a signal stops it
}

const { values } = parseArgs({
  options: {
    demo: { type: "boolean", default: false },
    inline: { type: "boolean", default: false },
    port: { type: "string", default: "8123" },
    interface: { type: "string", default: "127.0.0.1" },
    "slow-ms": { type: "string", default: "2000" },
  },
});

react((reactor) =>
  values.demo ? demo(reactor, values.inline, number(values["slow-ms"])) : serve(reactor, values.inline, values.interface, number(values.port)),
);
