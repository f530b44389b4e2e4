// A unit-conversion server on standard input/output that stays responsive while slow conversions
// run on worker threads (seed 002's "unit conversion that takes a really long time").
//
//   node --import tsx examples/threads/unit-server.ts            # slow conversions on threads
//   node --import tsx examples/threads/unit-server.ts --inline   # ...or inline, blocking the reactor
//
// Requests, one per line:
//   quick 3 mi km     answered at once, on the reactor thread
//   slow 3 mi km      a conversion that takes SLOW_MS (default 1000) ms of CPU
// A 10 ms LoopingCall measures how late the reactor's timers run; at EOF the server waits for
// slow answers, prints the worst lateness, and stops the reactor (which stops the thread pool).
//
// It speaks over StandardIO because reed's TCP transport lives on another branch; the protocol is
// the same one a TCP factory would build. Lines are split here with a few lines of framing
// (LineReceiver will replace it once merged).
import { Protocol, gatherResults, maybeDeferred, type Deferred } from "../../src/index.js";
import { LoopingCall } from "../../src/task/looping-call.js";
import { createReactor } from "../../src/node/reactor.js";
import { StandardIO } from "../../src/node/stdio.js";
import { deferToThread } from "../../src/node/threads.js";
import { convert, convertSlowly } from "./units.js";

const reactor = createReactor();
const inline = process.argv.includes("--inline");
const SLOW_MS = Number(process.env.SLOW_MS ?? 1000);
const UNITS = { module: new URL("./units.ts", import.meta.url), name: "convertSlowly" };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// --- responsiveness probe ------------------------------------------------------------------------
const TICK = 0.01;
let last = reactor.seconds();
let worstLateMs = 0;
let ticks = 0;
const probe = LoopingCall.on(reactor, () => {
  const now = reactor.seconds();
  worstLateMs = Math.max(worstLateMs, (now - last - TICK) * 1000);
  last = now;
  ticks++;
});

class UnitProtocol extends Protocol {
  private buffer = "";
  private readonly pending: Deferred<void>[] = [];

  override connectionMade(): void {
    this.sendLine(`ready (${inline ? "slow conversions inline" : "slow conversions on threads"})`);
  }

  override dataReceived(data: Uint8Array): void {
    this.buffer += decoder.decode(data, { stream: true });
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, "").trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.lineReceived(line);
    }
  }

  lineReceived(line: string): void {
    const [kind, v, from, to] = line.split(/\s+/);
    const value = Number(v);
    const label = `${kind} ${value} ${from} -> ${to}`;
    const started = reactor.seconds();
    let d: Deferred<number>;
    if (kind === "quick") d = maybeDeferred(convert, value, from!, to!);
    else if (kind === "slow" && inline) d = maybeDeferred(convertSlowly, value, from!, to!, SLOW_MS);
    else if (kind === "slow") d = deferToThread<number>(reactor, UNITS, value, from, to, SLOW_MS);
    else {
      this.sendLine(`error: unknown request: ${line}`);
      return;
    }
    const done = d.addCallbacks(
      (r) => this.sendLine(`${label}: ${r.toFixed(3)} ${to} (${Math.round((reactor.seconds() - started) * 1000)} ms)`),
      (f) => this.sendLine(`${label}: error: ${f.getErrorMessage()}`),
    );
    this.pending.push(done);
  }

  /** Input ended: finish the slow answers, report, and shut down. */
  readConnectionLost(): void {
    // Let the probe tick a few more times first, so a stall that just ended is measured.
    gatherResults(this.pending).addBoth(() => void reactor.callLater(3 * TICK, () => this.report()));
  }

  private report(): void {
    probe.stop();
    this.sendLine(`worst timer lateness: ${worstLateMs.toFixed(1)} ms over ${ticks} ticks of ${TICK * 1000} ms`);
    this.transport.loseConnection();
    reactor.stop();
  }

  private sendLine(line: string): void {
    this.transport.write(encoder.encode(line + "\n"));
  }
}

reactor.callWhenRunning(() => {
  last = reactor.seconds();
  void probe.start(TICK);
  new StandardIO(new UnitProtocol(), { reactor });
});
await reactor.run();
