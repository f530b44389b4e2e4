// Reactor responsiveness with threads, and the cost of a thread job.
//
//   npm run build && node --import tsx bench/threads.ts   (or: npm run bench -- threads)
//
// 1. A 10 ms LoopingCall runs on a NodeReactor while 2 s of CPU work runs (a) inline on the
//    reactor thread, and (b) through deferToThread. We print the worst lateness of the timer:
//    inline, the reactor is frozen for the whole 2 s; on a thread it keeps ticking.
// 2. Per-job overhead: sequential round trips of a no-op deferToThread job against a raw
//    worker_threads postMessage echo (the floor any pool pays). Ratio = reed / raw.
import { Worker } from "node:worker_threads";
// The built package, as users run it (npm run build first). The pool's workers run a plain-JS
// bootstrap; only the job module below is TypeScript, so the pool registers tsx in a worker once,
// before that module's first import (outside the measured loops, which are warmed up).
import { Deferred, LoopingCall } from "reed";
import { createReactor, deferToThread, getThreadPool, ThreadPool } from "reed/node";
import { spin } from "./fixtures/threads-jobs.js";

const JOBS = new URL("./fixtures/threads-jobs.ts", import.meta.url);
const WORK_MS = 2000;
const TICK = 0.01;

async function lateness(mode: "inline" | "thread"): Promise<{ worstMs: number; ticks: number }> {
  const reactor = createReactor();
  let last = 0;
  let worst = 0;
  let ticks = 0;
  const probe = LoopingCall.on(reactor, () => {
    const now = reactor.seconds();
    if (ticks > 0) worst = Math.max(worst, (now - last - TICK) * 1000);
    last = now;
    ticks++;
  });
  reactor.callWhenRunning(() => {
    void probe.start(TICK);
    if (mode === "thread") getThreadPool(reactor); // start the pool outside the measured window
    reactor.callLater(0.1, () => {
      const work: Deferred<number> =
        mode === "inline" ? Deferred.fromPromise(Promise.resolve(spin(WORK_MS))) : deferToThread<number>(reactor, { module: JOBS, name: "spin" }, WORK_MS);
      work.addBoth(() => {
        reactor.callLater(3 * TICK, () => {
          probe.stop();
          reactor.stop();
        });
      });
    });
  });
  await reactor.run({ installSignalHandlers: false });
  return { worstMs: worst, ticks };
}

async function perJobReed(n: number): Promise<number> {
  const pool = new ThreadPool({ maxThreads: 1 });
  const task = { module: JOBS, name: "noop" };
  for (let i = 0; i < 200; i++) await pool.run(task); // warm up (worker start, module load, JIT)
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await pool.run(task);
  const us = ((performance.now() - t0) * 1000) / n;
  await pool.stop();
  return us;
}

async function perJobRaw(n: number): Promise<number> {
  const w = new Worker(`const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));`, { eval: true });
  let resolveNext: (m: unknown) => void = () => {};
  w.on("message", (m) => resolveNext(m));
  const roundTrip = (m: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      resolveNext = resolve;
      w.postMessage(m);
    });
  for (let i = 0; i < 200; i++) await roundTrip(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await roundTrip({ id: i, args: [] });
  const us = ((performance.now() - t0) * 1000) / n;
  await w.terminate();
  return us;
}

const inline = await lateness("inline");
const threaded = await lateness("thread");
console.log(`Reactor responsiveness: worst lateness of a 10 ms LoopingCall during ${WORK_MS} ms of CPU work`);
console.log(`  inline (on the reactor thread): ${inline.worstMs.toFixed(1).padStart(8)} ms   (${inline.ticks} ticks)`);
console.log(`  deferToThread:                  ${threaded.worstMs.toFixed(1).padStart(8)} ms   (${threaded.ticks} ticks)`);
console.log(`  ratio inline / deferToThread:   ${(inline.worstMs / Math.max(threaded.worstMs, 0.1)).toFixed(1)}x`);

const N = 3000;
const raw = await perJobRaw(N);
const reed = await perJobReed(N);
console.log(`Per-job overhead (${N} sequential no-op round trips, one worker)`);
console.log(`  raw worker_threads postMessage: ${raw.toFixed(1).padStart(8)} µs/job`);
console.log(`  reed deferToThread (ThreadPool):${reed.toFixed(1).padStart(8)} µs/job`);
console.log(`  ratio reed / raw:               ${(reed / raw).toFixed(2)}x`);
