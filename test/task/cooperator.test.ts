import { test } from "node:test";
import assert from "node:assert/strict";
import { Cooperator, coiterate, cooperate } from "../../src/task/cooperator.js";
import { Clock } from "../../src/testing/clock.js";
import { Deferred } from "../../src/deferred.js";
import { NotPaused, SchedulerStopped, TaskDone, TaskFailed, TaskStopped } from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";

/** A termination predicate that ends each tick after `n` steps. */
const steps = (n: number) => () => {
  let i = 0;
  return () => ++i >= n;
};

function* counter(log: string[], name: string, n: number): Generator<void> {
  for (let i = 0; i < n; i++) {
    log.push(`${name}${i}`);
    yield;
  }
}

test("tasks are stepped round-robin, a slice per tick, on the clock", () => {
  const clock = new Clock();
  const coop = new Cooperator({ clock, terminationPredicateFactory: steps(3) });
  const log: string[] = [];
  const a = coop.coiterate(counter(log, "a", 3));
  coop.coiterate(counter(log, "b", 3));
  assert.deepEqual(log, []);
  clock.advance(0.001);
  assert.deepEqual(log, ["a0", "b0", "a1"]);
  clock.advance(0.001);
  assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2"]);
  let done = false;
  a.addCallback(() => {
    done = true;
  });
  clock.advance(0.001);
  assert.equal(done, true);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("whenDone fires with the iterator once it is exhausted", () => {
  const clock = new Clock();
  const it = counter([], "x", 2);
  const task = cooperate(it, clock);
  const out: unknown[] = [];
  task.whenDone().addCallback((r) => out.push(r));
  clock.pump([1, 1, 1]);
  assert.deepEqual(out, [it]);
  const late: unknown[] = [];
  task.whenDone().addCallback((r) => late.push(r));
  assert.deepEqual(late, [it]);
  assert.throws(() => task.pause(), TaskDone);
});

test("a yielded Deferred pauses the task until it fires", () => {
  const clock = new Clock();
  const coop = new Cooperator({ clock });
  const gate = new Deferred<void>();
  const log: string[] = [];
  coop.coiterate(
    (function* () {
      log.push("before");
      yield gate;
      log.push("after");
    })(),
  );
  clock.pump([1, 1, 1]);
  assert.deepEqual(log, ["before"]);
  gate.callback(undefined);
  clock.advance(1);
  assert.deepEqual(log, ["before", "after"]);
});

test("an iterator that throws, or yields a failing Deferred, fails whenDone and the task", () => {
  const clock = new Clock();
  const failures: string[] = [];
  const t1 = cooperate(
    (function* () {
      yield;
      throw new RangeError("bad step");
    })(),
    clock,
  );
  t1.whenDone().addErrback((f: Failure) => failures.push(f.getErrorMessage()));
  const bad = new Deferred<void>();
  coiterate(
    (function* () {
      yield bad;
    })(),
    clock,
  ).addErrback((f: Failure) => failures.push(f.getErrorMessage()));
  clock.pump([1, 1]);
  bad.errback(new TypeError("deferred failed"));
  assert.deepEqual(failures.sort(), ["bad step", "deferred failed"]);
  assert.throws(() => t1.stop(), TaskFailed);
});

test("pause/resume nest, resume without pause is NotPaused, stop fails whenDone with TaskStopped", () => {
  const clock = new Clock();
  const log: string[] = [];
  const task = new Cooperator({ clock, terminationPredicateFactory: steps(1) }).cooperate(counter(log, "p", 5));
  task.pause();
  task.pause();
  clock.advance(1);
  task.resume();
  clock.advance(1);
  assert.deepEqual(log, []);
  task.resume();
  assert.throws(() => task.resume(), NotPaused);
  clock.advance(1);
  assert.deepEqual(log, ["p0"]);
  let stopped = false;
  task.whenDone().addErrback((f: Failure) => {
    stopped = f.check(TaskStopped) !== null;
  });
  task.stop();
  assert.equal(stopped, true);
  assert.throws(() => task.stop(), TaskStopped);
});

test("stopping the Cooperator fails its tasks with SchedulerStopped; started:false waits for start()", () => {
  const clock = new Clock();
  const coop = new Cooperator({ clock, started: false });
  const log: string[] = [];
  const results: string[] = [];
  coop.coiterate(counter(log, "s", 3)).addCallbacks(
    () => results.push("done"),
    (f: Failure) => results.push(f.check(SchedulerStopped) ? "stopped" : "other"),
  );
  clock.advance(1);
  assert.deepEqual(log, []);
  assert.equal(coop.running, false);
  coop.start();
  clock.advance(1);
  assert.deepEqual(log, ["s0", "s1", "s2"]);
  coop.coiterate(counter(log, "t", 100)).addErrback((f: Failure) => results.push(f.check(SchedulerStopped) ? "stopped" : "other"));
  coop.stop();
  assert.deepEqual(results, ["done", "stopped"]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("a Cooperator needs a clock or a scheduler", () => {
  assert.throws(() => new Cooperator(), TypeError);
});

test("round-robin order matches Twisted's when tasks finish or pause mid-tick", () => {
  // Recorded on Twisted 22.4 with the same tasks, predicate and scheduler.
  const clock = new Clock();
  const log: string[] = [];
  const coop = new Cooperator({ terminationPredicateFactory: steps(4), scheduler: (f) => clock.callLater(0.001, f) });
  function* gen(name: string, n: number, pauseAt: number | null): Generator<Deferred<void> | undefined> {
    for (let i = 0; i < n; i++) {
      log.push(`${name}${i}`);
      if (i === pauseAt) {
        const d = new Deferred<void>();
        clock.callLater(0.0025, () => d.callback(undefined));
        yield d;
      } else yield undefined;
    }
  }
  for (const [name, n, pauseAt] of [
    ["a", 2, null],
    ["b", 5, 1],
    ["c", 4, null],
  ] as const) {
    coop.coiterate(gen(name, n, pauseAt)).addCallback(() => log.push(`${name}!`));
  }
  for (let i = 0; i < 10; i++) {
    clock.advance(0.001);
    log.push("|");
  }
  assert.equal(log.join(" "), "a0 b0 c0 a1 | b1 a! c1 c2 | c3 c! | | | b2 b3 b4 b! | | | | |");
});

test("stopping a Cooperator tells every task, unlike Twisted which skips every other one", () => {
  const clock = new Clock();
  const coop = new Cooperator({ clock });
  const res: string[] = [];
  for (const n of ["a", "b", "c"]) {
    coop.coiterate([1, 2, 3][Symbol.iterator]()).addErrback((f: Failure) => {
      res.push(`${n} ${f.check(SchedulerStopped) ? "stopped" : "?"}`);
    });
  }
  coop.stop();
  assert.deepEqual(res, ["a stopped", "b stopped", "c stopped"]);
});
