import { test } from "node:test";
import assert from "node:assert/strict";
import { LoopingCall } from "../../src/task/looping-call.js";
import { Clock } from "../../src/testing/clock.js";
import { Deferred } from "../../src/deferred.js";
import { CancelledError, LoopingCallStateError } from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";

function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure; fired: boolean } {
  const o: { value?: T; failure?: Failure; fired: boolean } = { fired: false };
  d.addCallbacks(
    (v) => {
      o.fired = true;
      o.value = v;
    },
    (f) => {
      o.fired = true;
      o.failure = f;
    },
  );
  return o;
}

test("start(1.0) calls at once and then on each whole second; stop() fires the start-Deferred with the LoopingCall (golden §18)", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = new LoopingCall(() => calls.push(clock.seconds()));
  lc.clock = clock;
  const o = outcome(lc.start(1.0));
  clock.advance(1);
  clock.advance(1);
  clock.advance(0.5);
  assert.deepEqual(calls, [0, 1, 2]);
  assert.equal(o.fired, false);
  lc.stop();
  assert.equal(o.value, lc);
  assert.equal(lc.running, false);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("start(2, now=false) waits one interval before the first call (golden §18)", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = LoopingCall.on(clock, () => calls.push(clock.seconds()));
  lc.start(2, false);
  clock.pump([1, 1, 1, 1]);
  assert.deepEqual(calls, [2, 4]);
});

test("a throwing callable stops the loop and fails the start-Deferred with its error (golden §19)", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = LoopingCall.on(clock, () => {
    calls.push(clock.seconds());
    if (calls.length === 3) throw new RangeError("x");
  });
  const o = outcome(lc.start(1));
  clock.pump([1, 1, 1, 1]);
  assert.deepEqual(calls, [0, 1, 2]);
  assert.ok(o.failure?.check(RangeError));
  assert.equal(o.failure?.getErrorMessage(), "x");
  assert.equal(lc.running, false);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("a Deferred returned by the callable delays the next call to the next grid point (golden §20)", () => {
  const clock = new Clock();
  const calls: number[] = [];
  let pending: Deferred<void> | undefined;
  const lc = LoopingCall.on(clock, () => {
    calls.push(clock.seconds());
    if (calls.length === 1) return (pending = new Deferred<void>());
    return undefined;
  });
  lc.start(1);
  clock.advance(3.5);
  assert.deepEqual(calls, [0]);
  pending!.callback(undefined);
  assert.equal(lc.call?.getTime(), 4);
  clock.advance(0.5);
  clock.advance(1);
  assert.deepEqual(calls, [0, 4, 5]);
});

test("stop() while the callable's Deferred is pending fires the start-Deferred only when it fires (golden §20)", () => {
  const clock = new Clock();
  const pending = new Deferred<void>();
  const lc = LoopingCall.on(clock, () => pending);
  const o = outcome(lc.start(1));
  lc.stop();
  assert.equal(lc.running, false);
  assert.equal(o.fired, false);
  pending.callback(undefined);
  assert.equal(o.value, lc);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("a failing Deferred from the callable fails the start-Deferred", () => {
  const clock = new Clock();
  const pending = new Deferred<void>();
  const lc = LoopingCall.on(clock, () => pending);
  const o = outcome(lc.start(1));
  pending.errback(new TypeError("bad"));
  assert.ok(o.failure?.check(TypeError));
  assert.equal(lc.running, false);
});

test("withCount reports skipped intervals (golden §21)", () => {
  const clock = new Clock();
  const seen: Array<[number, number]> = [];
  const lc = LoopingCall.withCount((n) => seen.push([clock.seconds(), n]), clock);
  lc.start(0.5);
  clock.advance(0.51);
  clock.advance(1.51);
  clock.advance(0);
  clock.advance(0.49);
  assert.deepEqual(seen, [
    [0, 1],
    [0.51, 1],
    [2.02, 3],
    [2.51, 1],
  ]);
});

test("withCount with now=false counts the intervals up to the first call (golden §21)", () => {
  const clock = new Clock();
  const seen: Array<[number, number]> = [];
  const lc = LoopingCall.withCount((n) => seen.push([clock.seconds(), n]));
  lc.clock = clock;
  lc.start(1, false);
  clock.advance(3.2);
  assert.deepEqual(seen, [[3.2, 3]]);
});

test("withCount counts intervals a callable spent blocking (golden §21)", () => {
  const clock = new Clock();
  const seen: Array<[number, number]> = [];
  const lc = LoopingCall.withCount((n) => {
    seen.push([clock.seconds(), n]);
    if (seen.length === 1) clock.advance(2.5);
  }, clock);
  lc.start(1);
  assert.deepEqual(seen, [[0, 1]]);
  assert.equal(lc.call?.getTime(), 3);
  clock.advance(0.5);
  assert.deepEqual(seen, [
    [0, 1],
    [3, 3],
  ]);
});

test("withCount never reports zero or negative counts when the clock goes backwards (golden §22)", () => {
  const clock = new Clock();
  clock.rightNow = 100;
  const seen: Array<[number, number]> = [];
  const lc = LoopingCall.withCount((n) => seen.push([clock.seconds(), n]), clock);
  lc.start(1);
  clock.advance(1);
  assert.deepEqual(seen, [
    [100, 1],
    [101, 1],
  ]);
  assert.equal(lc.call?.getTime(), 102);
  clock.rightNow = 95;
  clock.advance(6);
  assert.equal(seen.length, 2);
  clock.advance(1);
  assert.deepEqual(seen[2], [102, 1]);
  // Force a run at t=50.3.
  clock.rightNow = 50.3;
  lc.call!.reset(0);
  clock.advance(0);
  assert.equal(seen.length, 3);
  assert.equal(lc.call?.getTime(), 51);
  clock.advance(0.7);
  for (let t = 51; t < 102; t++) clock.advance(1);
  assert.equal(clock.seconds(), 102);
  assert.equal(seen.length, 3);
  clock.advance(1);
  clock.advance(1);
  assert.deepEqual(seen.slice(3), [
    [103, 1],
    [104, 1],
  ]);
});

test("withCount with interval 0 always counts 1", () => {
  const clock = new Clock();
  const counts: number[] = [];
  const lc = LoopingCall.withCount((n) => {
    counts.push(n);
    if (counts.length === 3) lc.stop();
  }, clock);
  lc.start(0);
  clock.advance(5);
  assert.deepEqual(counts, [1, 1, 1]);
});

test("an interval of 0 runs the callable once per advance turn, not in a burst", () => {
  const clock = new Clock();
  let n = 0;
  const lc = LoopingCall.on(clock, () => {
    n++;
    if (n === 4) lc.stop();
  });
  const o = outcome(lc.start(0));
  assert.equal(n, 1);
  clock.advance(0);
  assert.equal(n, 4);
  assert.equal(o.value, lc);
});

test("start() on a running loop, stop() or reset() on a stopped one throw LoopingCallStateError", () => {
  const clock = new Clock();
  const lc = LoopingCall.on(clock, () => {});
  assert.throws(() => lc.stop(), LoopingCallStateError);
  assert.throws(() => lc.reset(), LoopingCallStateError);
  lc.start(1);
  assert.throws(() => lc.start(1), LoopingCallStateError);
  lc.stop();
});

test("a negative interval is a RangeError and a loop without a clock is a TypeError", () => {
  assert.throws(() => LoopingCall.on(new Clock(), () => {}).start(-1), RangeError);
  assert.throws(() => new LoopingCall(() => {}).start(1), TypeError);
});

test("reset() skips the next call and restarts the grid from now", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = LoopingCall.on(clock, () => calls.push(clock.seconds()));
  lc.start(1);
  clock.advance(0.5);
  lc.reset();
  clock.pump([0.5, 0.5, 1]);
  assert.deepEqual(calls, [0, 1.5, 2.5]);
});

test("arguments are passed to the callable", () => {
  const clock = new Clock();
  const got: Array<[string, number]> = [];
  const lc = LoopingCall.on(clock, (a: string, b: number) => got.push([a, b]), "x", 2);
  lc.start(1);
  lc.stop();
  assert.deepEqual(got, [["x", 2]]);
});

test("float grid arithmetic matches Twisted: start(0.1) on a Clock advanced by 0.1", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = LoopingCall.on(clock, () => calls.push(clock.seconds()));
  lc.start(0.1);
  for (let i = 0; i < 5; i++) clock.advance(0.1);
  assert.deepEqual(calls, [0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5]);
  assert.equal(lc.call?.getTime(), 0.6);
});

test("cancelling the start-Deferred stops the loop and fails it with CancelledError", () => {
  const clock = new Clock();
  let n = 0;
  const lc = LoopingCall.on(clock, () => n++);
  const d = lc.start(1);
  const o = outcome(d);
  d.cancel();
  assert.ok(o.failure?.check(CancelledError));
  assert.equal(lc.running, false);
  assert.equal(clock.getDelayedCalls().length, 0);
  clock.advance(5);
  assert.equal(n, 1);
});

test("cancelling the start-Deferred also cancels a pending Deferred the callable returned", () => {
  const clock = new Clock();
  const pending = new Deferred<void>();
  const inner = outcome(pending);
  const lc = LoopingCall.on(clock, () => pending);
  const d = lc.start(1);
  const o = outcome(d);
  d.cancel();
  assert.ok(inner.failure?.check(CancelledError));
  assert.ok(o.failure?.check(CancelledError));
  assert.equal(lc.running, false);
});

test("stop({cancelPending: true}) cancels the pending Deferred and fires the start-Deferred with the LoopingCall", () => {
  const clock = new Clock();
  let cancelled = false;
  const pending = new Deferred<void>(() => {
    cancelled = true;
  });
  const lc = LoopingCall.on(clock, () => pending);
  const o = outcome(lc.start(1));
  lc.stop({ cancelPending: true });
  assert.equal(cancelled, true);
  assert.equal(o.value, lc);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("the loop can be started again after it stopped", () => {
  const clock = new Clock();
  const calls: number[] = [];
  const lc = LoopingCall.on(clock, () => calls.push(clock.seconds()));
  lc.start(1);
  lc.stop();
  clock.advance(10);
  lc.start(2);
  clock.advance(2);
  lc.stop();
  assert.deepEqual(calls, [0, 10, 12]);
});

test("toString shows the interval and the function name", () => {
  const lc = LoopingCall.on(new Clock(), function tick() {});
  assert.equal(lc.toString(), "LoopingCall<None>(tick, *[])");
});
