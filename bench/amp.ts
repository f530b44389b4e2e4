/**
 * AMP round trips per second on loopback TCP: reed client → reed server against Twisted client →
 * Twisted server (Twisted 22.4 under /usr/bin/python3), same pattern: CONCURRENCY callers, each
 * calling `Sum(a, b)` and waiting for the answer before the next call, CALLS calls in all, on one
 * connection. Higher is better; the ratio is reed / Twisted.
 * Run: node --import tsx bench/amp.ts   (reed runs from source through tsx)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AMP, command, Deferred, Factory, ClientFactory, gatherResults, amp } from "../src/index.js";
import { NodeReactor } from "../src/node/reactor.js";
import { connectTCP, listenTCP } from "../src/node/tcp.js";

const CALLS = 40_000;
const CONCURRENCY = 8;
const ROUNDS = 3;

const Sum = command({ commandName: "Sum", arguments: { a: amp.Integer(), b: amp.Integer() }, response: { total: amp.Integer() } });

class SumServer extends AMP {
  constructor() {
    super();
    this.responder(Sum, ({ a, b }) => ({ total: a + b }));
  }
}

async function reedRate(): Promise<number> {
  const reactor = new NodeReactor();
  const port = listenTCP(reactor, 0, Factory.forProtocol(SumServer), { interface: "127.0.0.1" });
  const ready = new Deferred<AMP>();
  class Once extends ClientFactory<AMP> {
    override buildProtocol(): AMP {
      const p = new AMP();
      p.connectionMade = () => ready.callback(p);
      return p;
    }
  }
  connectTCP(reactor, "127.0.0.1", (port.getHost() as { port: number }).port, new Once());
  const client = await ready;
  await client.callRemote(Sum, { a: 1, b: 2 });
  const worker = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++) await client.callRemote(Sum, { a: k, b: 1 });
  };
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    await gatherResults(Array.from({ length: CONCURRENCY }, () => Deferred.fromPromise(worker(CALLS / CONCURRENCY))));
    best = Math.max(best, CALLS / ((performance.now() - t0) / 1000));
  }
  client.transport.loseConnection();
  await port.stopListening();
  return best;
}

function twistedRate(): number | null {
  const fixture = fileURLToPath(new URL("../test/fixtures/amp_peer.py", import.meta.url));
  let best: number | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    const p = spawnSync("/usr/bin/python3", [fixture, "bench", String(CALLS), String(CONCURRENCY)], { encoding: "utf8", timeout: 60_000 });
    const m = /RATE ([\d.]+)/.exec(p.stdout ?? "");
    if (!m) {
      console.error(`Twisted run failed: ${p.stderr || p.error}`);
      return best;
    }
    best = Math.max(best ?? 0, Number(m[1]));
  }
  return best;
}

const reed = await reedRate();
const twisted = twistedRate();
console.log(`\nAMP Sum round trips/s, loopback TCP, ${CONCURRENCY} concurrent callers, ${CALLS} calls, best of ${ROUNDS}`);
console.log(`${"".padEnd(34)}${"round trips/s".padStart(16)}  ${"vs Twisted".padStart(12)}`);
console.log(`${"reed ↔ reed (Node, via tsx)".padEnd(34)}${reed.toFixed(0).padStart(16)}  ${(twisted ? `${(reed / twisted).toFixed(2)}x` : "n/a").padStart(12)}`);
console.log(`${"Twisted ↔ Twisted (CPython)".padEnd(34)}${(twisted?.toFixed(0) ?? "unavailable").padStart(16)}  ${"1.00x".padStart(12)}`);
// A never-run NodeReactor keeps its Node timer armed for the cancelled connect timeout (30 s): leave now.
process.exit(0);
