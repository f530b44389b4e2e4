// Real worker threads, bounded: every reactor's pool is stopped by its shutdown at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deferToThread, deferToThreadPool, getThreadPool, suggestThreadPoolSize, callInThread } from "../../src/node/threads.js";
import { ThreadPool } from "../../src/node/thread-pool.js";
import { ThreadPoolStopped } from "../../src/index.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";
import { TriggerClock } from "./fake-reactor.js";

const JOBS = new URL("./fixtures/thread-jobs.ts", import.meta.url);

test("deferToThread runs on the reactor's pool and fires with the result", async () => {
  const reactor = new TriggerClock();
  assert.equal(await deferToThread<number>(reactor, { module: JOBS, name: "add" }, 20, 22), 42);
  assert.equal(getThreadPool(reactor), getThreadPool(reactor));
  await reactor.shutdown();
});

test("the pool stops with the reactor: a before-shutdown trigger waits for running jobs", async () => {
  const reactor = new TriggerClock();
  const running = deferToThread(reactor, { module: JOBS, name: "spin" }, 20);
  const pool = getThreadPool(reactor);
  assert.equal(reactor.triggers.length, 1);
  assert.deepEqual([reactor.triggers[0]!.phase, reactor.triggers[0]!.event], ["before", "shutdown"]);
  let ranFirst = false;
  running.addCallback(() => (ranFirst = true));
  await reactor.shutdown();
  assert.ok(ranFirst, "the running job finished before shutdown went on");
  assert.equal(pool.workers, 0);
  assert.equal(pool.stopped, true);
});

test("suggestThreadPoolSize sets the size of the reactor's pool, before or after it exists", async () => {
  const reactor = new TriggerClock();
  suggestThreadPoolSize(reactor, 3);
  assert.equal(getThreadPool(reactor).max, 3);
  suggestThreadPoolSize(reactor, 1);
  assert.equal(getThreadPool(reactor).max, 1);
  assert.throws(() => suggestThreadPoolSize(reactor, 0), RangeError);
  await reactor.shutdown();
});

test("deferToThreadPool uses the given pool", async () => {
  const reactor = new TriggerClock();
  const pool = new ThreadPool({ maxThreads: 1 });
  assert.equal(await deferToThreadPool(reactor, pool, { module: JOBS, name: "add" }, 1, 2), 3);
  await pool.stop();
  const f = await deferToThreadPool(reactor, pool, { module: JOBS, name: "add" }, 1, 2).asPromise().catch((e: unknown) => e);
  assert.ok(f instanceof ThreadPoolStopped);
});

test("callInThread logs a job's error instead of returning it", async () => {
  const reactor = new TriggerClock();
  const logs = captureLogs();
  try {
    callInThread(reactor, { module: JOBS, name: "failType" });
    await reactor.shutdown();
    const errors = logs.flushLoggedErrors(TypeError);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.getErrorMessage(), "Expected a number");
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("with a real NodeReactor, stopping the reactor stops its pool after the running job finishes", async () => {
  const { createReactor } = await import("../../src/node/reactor.js");
  const reactor = createReactor();
  let result: unknown;
  let pool: ThreadPool | undefined;
  reactor.callWhenRunning(() => {
    pool = getThreadPool(reactor);
    deferToThread(reactor, { module: JOBS, name: "spin" }, 30).addCallback((r) => {
      result = r;
    });
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  assert.equal(result, 30, "shutdown waited for the running job");
  assert.equal(pool!.workers, 0);
  assert.equal(pool!.stopped, true);
});

test("after the reactor has shut down, deferToThread fails with ThreadPoolStopped", async () => {
  const reactor = new TriggerClock();
  getThreadPool(reactor);
  await reactor.shutdown();
  const e = await deferToThread(reactor, { module: JOBS, name: "add" }, 1, 2).asPromise().catch((x: unknown) => x);
  assert.ok(e instanceof ThreadPoolStopped);
});
