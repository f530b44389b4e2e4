/**
 * Echo benchmark: reed's TCP transport against raw `node:net` (the anchor) and, when
 * `/usr/bin/python3` can import it, real Twisted — all serving the same echo protocol on
 * 127.0.0.1 to the same load generator (bench/_echo-load.mjs, in its own process).
 *
 * 1. Round trips/s: CLIENTS concurrent clients each sending a 64-byte message and waiting for it
 *    to come back, for SECONDS per run; raw and reed alternate RUNS times (default 3) to even
 *    out noise, and the best run of each is compared. Ratio = reed / raw node:net (goal ≥ 0.9).
 *    On a shared machine single runs vary by ±30%, so the server's CPU time per round trip
 *    (process.cpuUsage in the server, divided by all round trips it served) is printed too: a
 *    steadier measure of the cost reed adds.
 * 2. Memory per idle connection: IDLE connections are opened to a server process, which then
 *    reports its RSS and JS heap growth (after a GC) divided by the connection count.
 *
 * Run: node --import tsx bench/echo.ts   (about 30 s; env CLIENTS, SECONDS, RUNS, IDLE override;
 *   ONLY=throughput or ONLY=memory runs one half)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { IDelayedCall, ReactorTime } from "../src/interfaces.js";
import { Protocol } from "../src/protocols/protocol.js";
import { Factory } from "../src/protocols/factory.js";
import { listenTCP } from "../src/node/tcp.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const self = fileURLToPath(import.meta.url);

// --- server child ---------------------------------------------------------------------------

/** The smallest real-time ReactorTime (the benchmark needs no timers). */
const reactor: ReactorTime = {
  seconds: () => performance.now() / 1000,
  callLater(delay, fn, ...args): IDelayedCall {
    let live = true;
    const h = setTimeout(() => {
      live = false;
      fn(...args);
    }, delay * 1000);
    return {
      getTime: () => 0,
      cancel: () => {
        live = false;
        clearTimeout(h);
      },
      reset: () => {},
      delay: () => {},
      active: () => live,
    };
  },
  getDelayedCalls: () => [],
};

let connections = 0;

class Echo extends Protocol {
  override connectionMade(): void {
    connections++;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
  override connectionLost(): void {
    connections--;
  }
}

function serve(kind: string): void {
  let port: number;
  const ready = () => {
    console.log(JSON.stringify({ port }));
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      if (line === "cpu") {
        const u = process.cpuUsage();
        console.log(JSON.stringify({ cpu: u.user + u.system }));
      }
      if (line === "mem") {
        (globalThis as { gc?: () => void }).gc?.();
        const m = process.memoryUsage();
        console.log(JSON.stringify({ connections, rss: m.rss, heapUsed: m.heapUsed, external: m.external }));
      }
    });
    rl.on("close", () => process.exit(0));
  };
  if (kind === "reed") {
    port = listenTCP(reactor, 0, Factory.forProtocol(Echo), { interface: "127.0.0.1", backlog: 4096 }).getHost().port;
    ready();
  } else {
    const server = net.createServer((s) => {
      connections++;
      s.on("data", (d) => s.write(d));
      s.on("error", () => {});
      s.on("close", () => connections--);
    });
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
      port = (server.address() as net.AddressInfo).port;
      ready();
    });
  }
}

// --- orchestration --------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  port: number;
  next(): Promise<Record<string, number>>;
  send(line: string): void;
  stop(): void;
}

function startServer(kind: "reed" | "raw" | "twisted"): Promise<Server> {
  const child =
    kind === "twisted"
      ? spawn("/usr/bin/python3", ["-c", TWISTED_ECHO], { stdio: ["pipe", "pipe", "inherit"] })
      : spawn(process.execPath, ["--expose-gc", "--import", "tsx", self, "--server", kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  lines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const next = () =>
    new Promise<Record<string, number>>((resolve) => {
      const l = queue.shift();
      if (l !== undefined) resolve(JSON.parse(l));
      else waiters.push((x) => resolve(JSON.parse(x)));
    });
  return next().then(({ port }) => ({
    child,
    port: port!,
    next,
    send: (line: string) => child.stdin!.write(`${line}\n`),
    stop: () => {
      child.stdin!.end();
      child.kill();
    },
  }));
}

const TWISTED_ECHO = `
import sys, json
from twisted.internet import reactor, protocol
class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)
f = protocol.Factory.forProtocol(Echo)
p = reactor.listenTCP(0, f, backlog=4096, interface="127.0.0.1")
print(json.dumps({"port": p.getHost().port}), flush=True)
reactor.run()
`;

function load(port: number, clients: number, seconds: number): Promise<{ rate: number; total: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [`${here}/_echo-load.mjs`, String(port), String(clients), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout!.on("data", (d) => (out += d));
    c.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const r = JSON.parse(out) as { roundTrips: number; seconds: number; allRoundTrips: number };
      resolve({ rate: r.roundTrips / r.seconds, total: r.allRoundTrips });
    });
  });
}

/** Round trips/s, and (for the Node servers) the server's CPU microseconds per round trip. */
async function throughput(kind: "reed" | "raw" | "twisted", clients: number, seconds: number): Promise<{ rate: number; cpuPerTrip: number }> {
  const s = await startServer(kind);
  try {
    const cpu = async () => {
      if (kind === "twisted") return 0;
      s.send("cpu");
      return (await s.next()).cpu!;
    };
    const before = await cpu();
    const { rate, total } = await load(s.port, clients, seconds);
    const after = await cpu();
    return { rate, cpuPerTrip: (after - before) / total };
  } finally {
    s.stop();
  }
}

async function idleMemory(kind: "reed" | "raw", count: number): Promise<{ rss: number; heap: number }> {
  const s = await startServer(kind);
  const sockets: net.Socket[] = [];
  try {
    s.send("mem");
    const before = await s.next();
    for (let i = 0; i < count; i += 500) {
      const batch = Array.from({ length: Math.min(500, count - i) }, () => new Promise<void>((res, rej) => {
        const c = net.connect(s.port, "127.0.0.1", () => res());
        c.on("error", rej);
        sockets.push(c);
      }));
      await Promise.all(batch);
    }
    let after: Record<string, number>;
    do {
      await new Promise((r) => setTimeout(r, 100));
      s.send("mem");
      after = await s.next();
    } while (after.connections! < count);
    return { rss: (after.rss! - before.rss!) / count, heap: (after.heapUsed! + after.external! - before.heapUsed! - before.external!) / count };
  } finally {
    for (const c of sockets) c.destroy();
    s.stop();
  }
}

async function main(): Promise<void> {
  const clients = Number(process.env.CLIENTS ?? 50);
  const seconds = Number(process.env.SECONDS ?? 2);
  const fdLimit = Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim()) || 1024;
  let idle = Number(process.env.IDLE ?? 10000);
  if (idle > fdLimit - 200) {
    console.log(`(fd limit ${fdLimit}: using ${fdLimit - 200} idle connections instead of ${idle})`);
    idle = fdLimit - 200;
  }

  if (process.env.ONLY !== "memory") await roundTrips(clients, seconds);
  if (process.env.ONLY !== "throughput") await memory(idle);
}

async function roundTrips(clients: number, seconds: number): Promise<void> {
  const hasTwisted = spawnSync("/usr/bin/python3", ["-c", "import twisted"]).status === 0;
  console.log(`Echo round trips/s, ${clients} clients × 64-byte messages, ${seconds} s per run, 127.0.0.1`);
  const raw: Array<{ rate: number; cpuPerTrip: number }> = [];
  const reed: Array<{ rate: number; cpuPerTrip: number }> = [];
  const runs = Number(process.env.RUNS ?? 3);
  for (let i = 0; i < runs; i++) {
    raw.push(await throughput("raw", clients, seconds));
    reed.push(await throughput("reed", clients, seconds));
  }
  const best = (xs: Array<{ rate: number }>) => Math.max(...xs.map((x) => x.rate));
  const cpu = (xs: Array<{ cpuPerTrip: number }>) => Math.min(...xs.map((x) => x.cpuPerTrip));
  const fmt = (x: number) => x.toFixed(0).padStart(9);
  const list = (xs: Array<{ rate: number }>) => xs.map((x) => x.rate.toFixed(0)).join(", ");
  console.log(`  raw node:net ${fmt(best(raw))}   (runs: ${list(raw)})   server CPU ${cpu(raw).toFixed(2)} µs/round trip`);
  console.log(`  reed         ${fmt(best(reed))}   (runs: ${list(reed)})   server CPU ${cpu(reed).toFixed(2)} µs/round trip`);
  console.log(`  reed/raw: best round trips/s ${(best(reed) / best(raw)).toFixed(2)}; by server CPU per round trip ${(cpu(raw) / cpu(reed)).toFixed(2)} (less sensitive to a busy machine)`);
  if (hasTwisted) {
    const tw = (await throughput("twisted", clients, seconds)).rate;
    console.log(`  Twisted 22   ${fmt(tw)}   reed/Twisted = ${(best(reed) / tw).toFixed(2)}`);
  } else {
    console.log("  Twisted      (python3 cannot import twisted: skipped)");
  }

}

async function memory(idle: number): Promise<void> {
  console.log(`\nMemory per idle connection, ${idle} connections (server process, after GC)`);
  const mRaw = await idleMemory("raw", idle);
  const mReed = await idleMemory("reed", idle);
  const kb = (x: number) => `${(x / 1024).toFixed(2)} KiB`;
  console.log(`  raw node:net  RSS ${kb(mRaw.rss)}  JS heap+external ${kb(mRaw.heap)}`);
  console.log(`  reed          RSS ${kb(mReed.rss)}  JS heap+external ${kb(mReed.heap)}   reed/raw RSS = ${(mReed.rss / mRaw.rss).toFixed(2)}`);
}

const serverArg = process.argv.indexOf("--server");
if (serverArg >= 0) serve(process.argv[serverArg + 1]!);
else await main();
