// REAL-NETWORK, REAL-PROCESS SOAK TEST: several in-process LogShippers flood a `reed log-collector`
// child process over TCP on 127.0.0.1; the collector is killed (SIGKILL) mid-flood and restarted on
// the same port. Bounded to a few seconds; every child is killed and every timer cancelled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { LogShipper } from "../../src/protocols/amp/log-shipper.js";
import { Logger, LogPublisher } from "../../src/logger.js";
import { connectTCP } from "../../src/node/tcp.js";
import { TestReactor, waitFor } from "../node/_reactor.js";
import { main } from "../../src/apps/log-collector.js";

const RUNNER = new URL("../fixtures/run-log-collector.ts", import.meta.url).pathname;

interface Collector {
  child: ChildProcess;
  port: Promise<number>;
  lines: string[];
  exited: Promise<void>;
}

function startCollector(port: number): Collector {
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    const parts = (partial + d.toString()).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const portP = new Promise<number>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on [^:]*:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`collector exited (${code}): ${err}`)));
  });
  portP.catch(() => {});
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, port: portP, lines, exited };
}

const EVENT_RE = /^\S+ (\S+) #(\d+) \[[^\]]*\] .*?(?: \[repeated (\d+) more times?\])?$/;
const DROP_RE = /^\S+ (\S+) \.\.\. and (\d+) more \(dropped/;

test("main() prints usage for --help and refuses a bad port or option", async () => {
  let out = "";
  let err = "";
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } };
  assert.equal(await main(["--help"], io), 0);
  assert.match(out, /Usage: reed log-collector/);
  assert.equal(await main(["--port", "99999"], io), 2);
  assert.match(err, /Invalid port: 99999/);
  assert.equal(await main(["--bogus"], io), 2);
});

test("soak: senders flood the collector, it is killed and restarted, nobody stalls, every event is delivered or counted as dropped", { timeout: 60_000 }, async () => {
  const reactor = new TestReactor();
  let first = startCollector(0);
  const port = await first.port;
  const SENDERS = 3;
  const PER_PHASE = 1500;
  const shippers: LogShipper[] = [];
  const loggers: Logger[] = [];
  const factories = [];
  for (let s = 0; s < SENDERS; s++) {
    const shipper = new LogShipper({ sender: `sender-${s}`, maxQueue: 200, maxInFlight: 32 });
    const publisher = new LogPublisher();
    publisher.addObserver(shipper.observer);
    shippers.push(shipper);
    loggers.push(new Logger("soak", publisher));
    const f = shipper.factory(reactor, { initialDelay: 0.05, maxDelay: 0.3 });
    factories.push(f);
    connectTCP(reactor, "127.0.0.1", port, f);
  }
  let maxCallMs = 0;
  let n = 0;
  // One burst: every sender logs `count` events; every 7th repeats the one before (coalescing).
  const burst = (count: number): void => {
    for (let k = 0; k < count; k++, n++) {
      for (let s = 0; s < SENDERS; s++) {
        const t0 = performance.now();
        if (n % 7 === 0) loggers[s]!.info("repeat of the previous line");
        else loggers[s]!.info("event {n} from {s}", { n, s });
        maxCallMs = Math.max(maxCallMs, performance.now() - t0);
      }
    }
  };
  const flood = async (events: number): Promise<void> => {
    for (let done = 0; done < events; done += 50) {
      burst(50);
      await new Promise((r) => setImmediate(r));
    }
  };
  let second: Collector | null = null;
  try {
    await flood(PER_PHASE);
    first.child.kill("SIGKILL");
    await first.exited;
    const emittedBeforeDowntime = shippers.map((s) => s.emitted);
    await flood(PER_PHASE); // nobody listening: this must not wait for anything
    assert.ok(shippers.every((s, i) => s.emitted === emittedBeforeDowntime[i]! + PER_PHASE), "senders kept logging while the collector was down");
    assert.ok(shippers.every((s) => s.maxQueueSeen <= 200), "queues stayed bounded");
    second = startCollector(port);
    await second.port;
    await flood(PER_PHASE);
    await waitFor(() => shippers.every((s) => s.pending === 0 && s.droppedReported === s.dropped), 30_000, "senders to drain");
  } finally {
    for (const f of factories) f.stopTrying();
    first.child.kill("SIGKILL");
    second?.child.kill("SIGKILL");
    await Promise.all([first.exited, second?.exited]);
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
  const lines = [...first.lines, ...second!.lines];
  for (let s = 0; s < SENDERS; s++) {
    const shipper = shippers[s]!;
    const seen = new Map<number, number>();
    let dropsReported = 0;
    for (const line of lines) {
      const drop = DROP_RE.exec(line);
      if (drop && drop[1] === `sender-${s}`) dropsReported += Number(drop[2]);
      const m = EVENT_RE.exec(line);
      if (m && m[1] === `sender-${s}`) seen.set(Number(m[2]), 1 + Number(m[3] ?? 0));
    }
    const delivered = [...seen.values()].reduce((a, b) => a + b, 0);
    assert.equal(shipper.emitted, 3 * PER_PHASE);
    assert.equal(delivered, shipper.delivered, `sender-${s}: the collectors printed exactly what was acknowledged`);
    assert.equal(shipper.delivered + shipper.dropped, shipper.emitted, `sender-${s}: delivered + dropped = emitted (${String(shipper)})`);
    assert.ok(shipper.dropped > 0, `sender-${s}: the downtime forced drops`);
    assert.ok(dropsReported >= shipper.dropped, `sender-${s}: the drops were reported as 'and N more'`);
  }
  assert.ok(maxCallMs < 1000, `no log call stalled (slowest ${maxCallMs.toFixed(2)} ms)`);
});
