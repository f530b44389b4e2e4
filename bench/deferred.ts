/**
 * Deferred benchmark: create a Deferred, add 3 callbacks, fire it — against a native Promise doing
 * the same (3 `.then`s, resolve, `await` the end), and a bare array-of-functions floor.
 * Run: npm run bench -- deferred
 */
// The built package, as users run it (tsx-transformed sources are slower than tsc output).
import { Deferred } from "reed";
import { measure, report } from "./harness.js";

const inc = (x: number): number => x + 1;
const OPS = 1_000_000;
let sink = 0;

const reed = await measure(OPS, (n) => {
  for (let i = 0; i < n; i++) {
    const d = new Deferred<number>();
    d.addCallback(inc).addCallback(inc).addCallback(inc);
    d.callback(i);
    sink += d.result as number;
  }
});

const promise = await measure(OPS / 10, async (n) => {
  for (let i = 0; i < n; i++) {
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => (resolve = r));
    const end = p.then(inc).then(inc).then(inc);
    resolve(i);
    sink += await end;
  }
});

const floor = await measure(OPS, (n) => {
  for (let i = 0; i < n; i++) {
    const fns: ((x: number) => number)[] = [];
    fns.push(inc, inc, inc);
    let r = i;
    for (let j = 0; j < fns.length; j++) r = fns[j]!(r);
    sink += r;
  }
});

report(
  "Deferred: create, 3 callbacks, fire (lower ns/op is better)",
  [
    { name: "reed Deferred", nsPerOp: reed },
    { name: "native Promise (3 .then + await)", nsPerOp: promise },
    { name: "floor: array of 3 functions", nsPerOp: floor },
  ],
  "native Promise (3 .then + await)",
);
console.log(`reed is ${(promise / reed).toFixed(2)}x faster than native Promise (goal >= 3x)`);
console.log(`reed costs ${(reed / floor).toFixed(2)}x the floor (goal <= 2x)`);
if (sink === 42) console.log("");
