import { test } from "node:test";
import assert from "node:assert/strict";
import { DeferredLock, DeferredQueue, DeferredSemaphore } from "../src/primitives.js";
import { Deferred } from "../src/deferred.js";
import { CancelledError, QueueOverflow, QueueUnderflow } from "../src/errors.js";

test("DeferredLock serves waiters in order and cancelling a waiter removes it (scenario 14)", () => {
  const lock = new DeferredLock();
  const [a, b, c] = [lock.acquire(), lock.acquire(), lock.acquire()];
  assert.deepEqual([a.called, b.called, c.called], [true, false, false]);
  assert.equal(lock.waiting.length, 2);
  let cancelled = false;
  c.addErrback((f) => {
    cancelled = f.check(CancelledError) !== null;
  });
  c.cancel();
  assert.equal(cancelled, true);
  assert.equal(lock.waiting.length, 1);
  lock.release();
  assert.equal(b.called, true);
  assert.equal(lock.locked, true);
  lock.release();
  assert.equal(lock.locked, false);
});

test("DeferredLock.run holds the lock while the function runs", () => {
  const lock = new DeferredLock();
  const d = lock.run((x: number) => x * 2, 21);
  assert.equal(d.result, 42);
  assert.equal(lock.locked, false);
  const pending = new Deferred<string>();
  const r = lock.run(() => pending);
  assert.equal(lock.locked, true);
  pending.callback("done");
  assert.equal(r.result, "done");
  assert.equal(lock.locked, false);
});

test("releasing an unlocked lock is an error", () => {
  assert.throws(() => new DeferredLock().release(), /unlocked/);
});

test("DeferredSemaphore gives out `tokens` at once (scenario 14)", () => {
  const sem = new DeferredSemaphore(2);
  const ds = [sem.acquire(), sem.acquire(), sem.acquire()];
  assert.deepEqual(
    ds.map((d) => d.called),
    [true, true, false],
  );
  assert.equal(sem.tokens, 0);
  sem.release();
  assert.equal(ds[2]!.called, true);
  assert.throws(() => new DeferredSemaphore(0), RangeError);
});

test("releasing a semaphore too often is an error", () => {
  assert.throws(() => new DeferredSemaphore(1).release(), /more times/);
});

test("DeferredQueue honours size and backlog (scenario 14)", () => {
  const q = new DeferredQueue<string>(1, 1);
  const waiter = q.get();
  assert.throws(() => q.get(), QueueUnderflow);
  q.put("x");
  assert.equal(waiter.result, "x");
  q.put("y");
  assert.throws(() => q.put("z"), QueueOverflow);
  assert.equal(q.get().result, "y");
});

test("a cancelled get leaves the queue as it was", () => {
  const q = new DeferredQueue<number>();
  const g = q.get();
  g.addErrback(() => undefined);
  g.cancel();
  assert.equal(q.waiting.length, 0);
  q.put(1);
  assert.deepEqual(q.pending, [1]);
});

test("DeferredQueue refuses a Deferred item before anything changes, so the waiting get is kept", () => {
  const q = new DeferredQueue<unknown>();
  const got: unknown[] = [];
  q.get().addCallback((v) => got.push(v));
  assert.throws(() => q.put(new Deferred()), { name: "TypeError", message: /Cannot put a Deferred in a DeferredQueue/ });
  assert.equal(q.waiting.length, 1);
  q.put("next");
  assert.deepEqual(got, ["next"]);
  assert.throws(() => q.put(new Deferred()), TypeError);
  assert.deepEqual(q.pending, []);
});
