/**
 * Timer benchmarks for NodeReactor, with Node's own timers as the anchor, in one run:
 *
 * 1. 1,000,000 `callLater` then 1,000,000 `cancel` (all pending at once, 1,000 distinct delays)
 *    against 1,000,000 `setTimeout` then `clearTimeout` with the same delays. Printed as
 *    milliseconds per phase and the ratio reed/Node (below 1 means reed is faster).
 * 2. A real-time `LoopingCall.withCount` loop at 60 frames per second for a duration (default
 *    10 s, first argument), with a 50 ms stall every 2 s (like DrawSnek's "hiccup" key): the frames
 *    counted should equal the frames expected from the elapsed time, however many calls ran.
 *
 *   npm run build && node --import tsx bench/timers.ts [seconds, default 10]
 *   (or `npm run bench -- timers`)
 */
// The built package, as users run it (like the other benches: `npm run build` first).
import { NodeReactor } from "reed/node";
import { LoopingCall } from "reed";

const N = 1_000_000;
const delayOf = (i: number): number => 1000 + (i % 1000);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function benchReed(): { schedule: number; cancel: number } {
  const reactor = new NodeReactor();
  const calls = new Array<ReturnType<NodeReactor["callLater"]>>(N);
  const noop = (): void => {};
  const schedule = time(() => {
    for (let i = 0; i < N; i++) calls[i] = reactor.callLater(delayOf(i), noop);
  });
  const cancel = time(() => {
    for (let i = 0; i < N; i++) calls[i]!.cancel();
  });
  if (reactor.getDelayedCalls().length !== 0) throw new Error("calls left behind");
  return { schedule, cancel };
}

function benchNode(): { schedule: number; cancel: number } {
  const timers = new Array<ReturnType<typeof setTimeout>>(N);
  const noop = (): void => {};
  const schedule = time(() => {
    for (let i = 0; i < N; i++) timers[i] = setTimeout(noop, delayOf(i) * 1000);
  });
  const cancel = time(() => {
    for (let i = 0; i < N; i++) clearTimeout(timers[i]);
  });
  return { schedule, cancel };
}

function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}

// Warm up both once at a smaller size, then measure.
{
  const r = new NodeReactor();
  for (let i = 0; i < 50_000; i++) r.callLater(delayOf(i), () => {}).cancel();
  for (let i = 0; i < 50_000; i++) clearTimeout(setTimeout(() => {}, delayOf(i) * 1000));
}
const reed = benchReed();
const node = benchNode();
const reedTotal = reed.schedule + reed.cancel;
const nodeTotal = node.schedule + node.cancel;
console.log(`1,000,000 timers, all pending, then all cancelled (ms; ratio = reed / Node, lower is better for reed)`);
console.log(`  phase       reed callLater   Node setTimeout   ratio`);
console.log(`  schedule    ${reed.schedule.toFixed(0).padStart(14)}   ${node.schedule.toFixed(0).padStart(15)}   ${ratio(reed.schedule, node.schedule)}`);
console.log(`  cancel      ${reed.cancel.toFixed(0).padStart(14)}   ${node.cancel.toFixed(0).padStart(15)}   ${ratio(reed.cancel, node.cancel)}`);
console.log(`  total       ${reedTotal.toFixed(0).padStart(14)}   ${nodeTotal.toFixed(0).padStart(15)}   ${ratio(reedTotal, nodeTotal)}`);

// --- withCount drift ------------------------------------------------------------------------
const duration = Number(process.argv[2] ?? 10);
const fps = 60;
const interval = 1 / fps;
const reactor = new NodeReactor();
let calls = 0;
let counted = 0;
let lastStall = 0;
let lastCall = 0;
const loop = LoopingCall.withCount((count) => {
  calls++;
  counted += count;
  const now = reactor.seconds();
  lastCall = now;
  if (now - lastStall >= 2) {
    lastStall = now;
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // a hiccup: the loop is stuck for 50 ms
    }
  }
}, reactor);
const started = reactor.seconds();
lastStall = started;
reactor.callLater(duration, () => {
  const elapsed = reactor.seconds() - started;
  loop.stop();
  reactor.stop();
  // Frames that should have been counted by the last call: the frame at the start, plus one per
  // grid point passed since. (At epoch-sized times, Twisted's formula can lose the start frame to
  // float rounding of `starttime - interval`; reed keeps the formula, so a drift of -1 is that.)
  const expected = Math.trunc((lastCall - started) / interval) + 1;
  console.log(`\nwithCount at ${fps} fps for ${elapsed.toFixed(2)} s with a 50 ms stall every 2 s`);
  console.log(`  calls made        ${calls}   (fewer than frames: stalled frames are counted, not replayed)`);
  console.log(`  frames counted    ${counted}`);
  console.log(`  frames expected   ${expected}   (drift ${counted - expected} frames)`);
});
loop.start(interval);
await reactor.run({ installSignalHandlers: false });
