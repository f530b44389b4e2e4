/**
 * Framing throughput: reed's LineReceiver, NetstringReceiver and Int32StringReceiver against
 * Twisted 22.4's (run in a /usr/bin/python3 child, when Twisted is installed) on the same
 * workloads, fed in the same chunks. Prints milliseconds per workload and Twisted/reed (how many
 * times faster reed is). Bounded: each workload runs a fixed amount of data, a few seconds total.
 *
 *   node --import tsx bench/framing.ts
 */
import { spawnSync } from "node:child_process";
import { LineReceiver } from "../src/protocols/basic/line.js";
import { NetstringReceiver } from "../src/protocols/basic/netstring.js";
import { Int32StringReceiver } from "../src/protocols/basic/int-prefix.js";
import { StringTransport } from "../src/testing/string-transport.js";

interface Workload {
  name: string;
  framer: "line" | "netstring" | "int32";
  /** Python expression building the stream (bytes) and the chunk size. */
  py: string;
  stream: () => Uint8Array;
  chunk: number;
  expect: number;
}

const enc = (s: string) => new TextEncoder().encode(s);
function int32Stream(n: number, size: number): Uint8Array {
  const out = new Uint8Array(n * (4 + size));
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    dv.setUint32(i * (4 + size), size);
    out.fill(0x61, i * (4 + size) + 4, (i + 1) * (4 + size));
  }
  return out;
}

const workloads: Workload[] = [
  { name: "200k lines of 40 bytes, 64 KiB chunks", framer: "line", py: "(b'x'*40 + b'\\r\\n') * 200000", stream: () => enc(("x".repeat(40) + "\r\n").repeat(200000)), chunk: 65536, expect: 200000 },
  { name: "100k netstrings of 40 bytes, 64 KiB chunks", framer: "netstring", py: "b'40:' + b'x'*40 + b','", stream: () => enc(("40:" + "x".repeat(40) + ",").repeat(100000)), chunk: 65536, expect: 100000 },
  { name: "200k int32 strings of 100 bytes, 64 KiB chunks", framer: "int32", py: "", stream: () => int32Stream(200000, 100), chunk: 65536, expect: 200000 },
  { name: "20 lines of 16000 bytes, 1-byte chunks", framer: "line", py: "(b'y'*16000 + b'\\r\\n') * 20", stream: () => enc(("y".repeat(16000) + "\r\n").repeat(20)), chunk: 1, expect: 20 },
  { name: "2 int32 strings of 99999 bytes, 1-byte chunks", framer: "int32", py: "", stream: () => int32Stream(2, 99999), chunk: 1, expect: 2 },
];
workloads[1]!.py = "(b'40:' + b'x'*40 + b',') * 100000";
workloads[2]!.py = "b''.join(struct.pack('!I', 100) + b'a'*100 for _ in range(200000))";
workloads[4]!.py = "b''.join(struct.pack('!I', 99999) + b'a'*99999 for _ in range(2))";

function runReed(w: Workload): number {
  const data = w.stream();
  let count = 0;
  const p =
    w.framer === "line"
      ? Object.assign(new LineReceiver(), { lineReceived: () => void count++ })
      : w.framer === "netstring"
        ? Object.assign(new NetstringReceiver(), { stringReceived: () => void count++ })
        : Object.assign(new Int32StringReceiver(), { stringReceived: () => void count++ });
  p.makeConnection(new StringTransport());
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += w.chunk) chunks.push(data.subarray(i, i + w.chunk));
  const t0 = performance.now();
  for (const c of chunks) p.dataReceived(c);
  const ms = performance.now() - t0;
  if (count !== w.expect) throw new Error(`${w.name}: got ${count}, expected ${w.expect}`);
  return ms;
}

const pyProgram = (ws: Workload[]) => `
import json, struct, time, sys
from twisted.protocols import basic
from twisted.internet.testing import StringTransport
out = []
for framer, expr, chunk, expect in ${JSON.stringify(ws.map((w) => [w.framer, w.py, w.chunk, w.expect]))}:
    data = eval(expr)
    count = [0]
    def got(_s): count[0] += 1
    p = {'line': basic.LineReceiver, 'netstring': basic.NetstringReceiver, 'int32': basic.Int32StringReceiver}[framer]()
    if framer == 'line': p.lineReceived = got
    else: p.stringReceived = got
    p.makeConnection(StringTransport())
    chunks = [data[i:i+chunk] for i in range(0, len(data), chunk)]
    t0 = time.perf_counter()
    for c in chunks: p.dataReceived(c)
    ms = (time.perf_counter() - t0) * 1000
    assert count[0] == expect, (framer, count[0], expect)
    out.append(ms)
print(json.dumps(out))
`;

function runTwisted(ws: Workload[]): number[] | null {
  const r = spawnSync("/usr/bin/python3", ["-c", pyProgram(ws)], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) {
    console.error(`Twisted anchor unavailable: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`);
    return null;
  }
  return JSON.parse(r.stdout) as number[];
}

// Median of 5 runs after a warm-up run (the JIT settles); Twisted runs each workload once.
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const w of workloads) runReed(w);
const reed = workloads.map((w) => median([0, 1, 2, 3, 4].map(() => runReed(w))));
const twisted = runTwisted(workloads);
console.log("workload".padEnd(50), "reed ms".padStart(10), "twisted ms".padStart(12), "twisted/reed".padStart(14));
workloads.forEach((w, i) => {
  const t = twisted?.[i];
  console.log(
    w.name.padEnd(50),
    reed[i]!.toFixed(1).padStart(10),
    (t === undefined ? "-" : t.toFixed(1)).padStart(12),
    (t === undefined ? "-" : `${(t / reed[i]!).toFixed(2)}x`).padStart(14),
  );
});
