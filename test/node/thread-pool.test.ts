// Real worker threads (bounded: every pool is stopped at the end of its test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ThreadPool, type ThreadTask } from "../../src/node/thread-pool.js";
import { CancelledError, ThreadCloneError, ThreadPoolStopped, WorkerThreadExited, Failure, Deferred } from "../../src/index.js";

const JOBS = new URL("./fixtures/thread-jobs.ts", import.meta.url);
const job = (name: string, extra: Partial<ThreadTask> = {}): ThreadTask => ({ module: JOBS, name, ...extra });

function failureOf(d: Deferred<unknown>): Promise<Failure> {
  return new Promise((resolve, reject) => {
    d.addCallbacks(
      (v) => reject(new Error(`expected a failure, got ${String(v)}`)),
      (f: Failure) => resolve(f),
    );
  });
}

test("run() fires with the function's result, computed on another thread", async (t) => {
  const pool = new ThreadPool({ maxThreads: 2 });
  t.after(() => pool.stop());
  assert.equal(await pool.run(job("add"), [2, 3]), 5);
  const { threadId } = await import("node:worker_threads");
  assert.notEqual(await pool.run(job("whichThread")), threadId);
});

test("the default export is called when no name is given, and async functions are awaited", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  assert.equal(await pool.run({ module: JOBS }, ["reed"]), "hello reed");
  assert.equal(await pool.run(job("later"), [21]), 42);
});

test("a thrown error arrives as a Failure with its class name, code and the worker's stack", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("failUnits")));
  assert.equal(f.check("UnitError"), "UnitError");
  assert.equal(f.getErrorMessage(), "No such unit: furlongs");
  assert.equal((f.value as { code?: string }).code, "E_UNITS");
  assert.match((f.value as Error).stack!, /failUnits/);
  assert.match((f.value as Error).stack!, /thread-jobs\.ts/);
  const g = await failureOf(pool.run(job("failType")));
  assert.ok(g.value instanceof TypeError);
});

test("a missing export fails with TypeError naming it", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("noSuchThing")));
  assert.ok(f.value instanceof TypeError);
  assert.match(f.getErrorMessage(), /noSuchThing/);
});

test("an argument that cannot be cloned fails with ThreadCloneError to the worker", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("add"), [() => 1, 2]));
  assert.ok(f.value instanceof ThreadCloneError);
  assert.equal((f.value as ThreadCloneError).direction, "to worker");
  // The worker is still usable afterwards.
  assert.equal(await pool.run(job("add"), [1, 1]), 2);
});

test("a result that cannot be cloned fails with ThreadCloneError from the worker", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("returnFunction")));
  assert.ok(f.value instanceof ThreadCloneError);
  assert.equal((f.value as ThreadCloneError).direction, "from worker");
});

test("buffers listed in transfer move to the worker, and move() brings one back without copying", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const buf = new ArrayBuffer(1024);
  assert.equal(await pool.run(job("byteLength", { transfer: [buf] }), [buf]), 1024);
  assert.equal(buf.byteLength, 0, "the caller's buffer is detached");
  const copy = new ArrayBuffer(16);
  assert.equal(await pool.run(job("byteLength"), [copy]), 16);
  assert.equal(copy.byteLength, 16, "without transfer it is copied");
  const back = (await pool.run(job("makeBuffer"), [8])) as ArrayBuffer;
  assert.deepEqual([...new Uint8Array(back)], [7, 7, 7, 7, 7, 7, 7, 7]);
});

test("cancelling a running job terminates its worker and fails with CancelledError at once", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  await pool.run(job("add"), [0, 0]); // warm the worker up
  const d = pool.run(job("spin"), [10_000]);
  assert.equal(pool.busy, 1);
  const started = Date.now();
  d.cancel();
  const f = await failureOf(d);
  assert.ok(f.value instanceof CancelledError);
  assert.ok(Date.now() - started < 5_000);
  // A fresh worker takes the next job.
  assert.equal(await pool.run(job("add"), [4, 4]), 8);
});

test("cancelling a queued job drops it without disturbing the running one", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const running = pool.run(job("spin"), [50]);
  const queued = pool.run(job("add"), [1, 2]);
  assert.equal(pool.queued, 1);
  queued.cancel();
  assert.equal(pool.queued, 0);
  assert.ok((await failureOf(queued)).value instanceof CancelledError);
  assert.equal(await running, 50);
});

test("aborting the task's signal cancels the job", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const ac = new AbortController();
  const d = pool.run(job("spin", { signal: ac.signal }), [10_000]);
  ac.abort();
  assert.ok((await failureOf(d)).value instanceof CancelledError);
});

test("jobs beyond maxThreads wait, and start in the order they were submitted", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const order: number[] = [];
  const ds = [20, 1, 5, 1].map((ms, i) => pool.run(job("spin"), [ms]).addCallback(() => order.push(i)));
  assert.equal(pool.workers, 1);
  assert.equal(pool.queued, 3);
  await Promise.all(ds.map((d) => d.asPromise()));
  assert.deepEqual(order, [0, 1, 2, 3]);
});

test("a worker that exits mid-job fails the job with WorkerThreadExited and is replaced", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("exitNow")));
  assert.ok(f.value instanceof WorkerThreadExited);
  assert.equal((f.value as WorkerThreadExited).exitCode, 3);
  assert.equal(await pool.run(job("add"), [1, 2]), 3);
});

test("callFromThread calls run on the reactor thread, in order, before the job's Deferred fires", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const { threadId } = await import("node:worker_threads");
  const seen: Array<[number, number]> = [];
  const result = await pool.run(job("progress", { handlers: { step: (i: number) => seen.push([i, threadId]) } }), [5]);
  assert.equal(result, "done");
  assert.deepEqual(seen.map((s) => s[0]), [1, 2, 3, 4, 5]);
  assert.ok(seen.every((s) => s[1] === threadId));
});

test("blockingCallFromThread returns the handler's result, waiting for a Deferred", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const lookup = (key: string): Deferred<string> => {
    const d = new Deferred<string>();
    setTimeout(() => d.callback(key.toUpperCase()), 5);
    return d;
  };
  assert.equal(await pool.run(job("ask", { handlers: { lookup } }), ["km"]), "got KM");
});

test("blockingCallFromThread throws the handler's error in the worker", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const broken = (): never => {
    throw new RangeError("out of range");
  };
  assert.equal(await pool.run(job("askFailing", { handlers: { broken } })), "caught RangeError: out of range");
});

test("callFromThread without handlers fails the job with NotInThreadJob", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const f = await failureOf(pool.run(job("progress"), [1]));
  assert.equal(f.typeName, "NotInThreadJob");
});

test("stop() lets running jobs finish, fails queued ones with ThreadPoolStopped, and refuses new ones", async () => {
  const pool = new ThreadPool({ maxThreads: 1 });
  const running = pool.run(job("spin"), [30]);
  const queued = pool.run(job("add"), [1, 2]);
  const stopped = pool.stop();
  assert.ok((await failureOf(queued)).value instanceof ThreadPoolStopped);
  assert.equal(await running, 30);
  await stopped;
  assert.equal(pool.workers, 0);
  assert.ok((await failureOf(pool.run(job("add"), [1, 2]))).value instanceof ThreadPoolStopped);
});

test("adjustPoolsize rejects a maximum below one", () => {
  const pool = new ThreadPool({ maxThreads: 1 });
  assert.throws(() => pool.adjustPoolsize(0, 0), RangeError);
  assert.throws(() => pool.adjustPoolsize(3, 2), RangeError);
  pool.stop();
});

test("an idle pool does not keep the process alive (child process, bounded by a timeout)", async () => {
  const { spawnSync } = await import("node:child_process");
  const poolURL = new URL("../../src/node/thread-pool.ts", import.meta.url).href;
  const script = `
    const { ThreadPool } = await import(${JSON.stringify(poolURL)});
    const pool = new ThreadPool({ minThreads: 1, maxThreads: 2 });
    const r = await pool.run({ module: ${JSON.stringify(JOBS.href)}, name: "add" }, [2, 2]);
    console.log("result", r);
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.signal, null, "the child had to be killed: the pool kept it alive");
  assert.equal(r.stdout.trim(), "result 4");
  assert.equal(r.status, 0);
});

test("cancelling a job blocked in blockingCallFromThread terminates it; the handler's later answer goes nowhere", async (t) => {
  const pool = new ThreadPool({ maxThreads: 1 });
  t.after(() => pool.stop());
  const never = new Deferred<string>();
  let asked = false;
  const d = pool.run(job("ask", { handlers: { lookup: () => ((asked = true), never) } }), ["k"]);
  while (!asked) await new Promise((r) => setTimeout(r, 5));
  d.cancel();
  assert.ok((await failureOf(d)).value instanceof CancelledError);
  never.callback("late");
  assert.equal(await pool.run(job("add"), [1, 1]), 2);
});
