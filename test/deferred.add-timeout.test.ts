import { test } from "node:test";
import assert from "node:assert/strict";
import { Deferred } from "../src/deferred.js";
import { CancelledError, TimeoutError } from "../src/errors.js";
import type { Failure } from "../src/failure.js";
import { Clock } from "../src/testing/clock.js";

function res<T>(d: Deferred<T>): Array<unknown> {
  const out: unknown[] = [];
  d.addCallbacks(
    (v) => out.push(["ok", v]),
    (f: Failure) => out.push(["fail", (f.value as Error).name, f.getErrorMessage()]),
  );
  return out;
}

test("addTimeout fails with TimeoutError \"(10, 'Deferred')\" exactly at the deadline (golden §12)", () => {
  const clock = new Clock();
  const d = new Deferred<string>();
  d.addTimeout(10, clock);
  const out = res(d);
  clock.advance(9.999);
  assert.deepEqual(out, []);
  clock.advance(0.001);
  assert.deepEqual(out, [["fail", "TimeoutError", "(10, 'Deferred')"]]);
});

test("a Deferred that fires in time keeps its value and leaves no delayed call (golden §12)", () => {
  const clock = new Clock();
  const d = new Deferred<string>();
  d.addTimeout(10, clock);
  const out = res(d);
  d.callback("on time");
  assert.deepEqual(out, [["ok", "on time"]]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("onTimeoutCancel replaces the timeout's result, and a canceller that fires wins (golden §12)", () => {
  const clock = new Clock();
  const d = new Deferred<unknown>();
  d.addTimeout(5, clock, (r, t) => ["custom", t, (r as object).constructor.name]);
  const out = res(d);
  clock.advance(5);
  assert.deepEqual(out, [["ok", ["custom", 5, "Failure"]]]);

  const d2 = new Deferred<string>((self) => self.callback("cancel-value"));
  d2.addTimeout(5, clock);
  const out2 = res(d2);
  clock.advance(5);
  assert.deepEqual(out2, [["ok", "cancel-value"]]);
});

test("callbacks added before addTimeout see CancelledError, not TimeoutError (golden §13)", () => {
  const clock = new Clock();
  const d = new Deferred<string>();
  const seen: string[] = [];
  d.addErrback((f: Failure) => {
    seen.push((f.value as Error).name);
    f.trap(CancelledError);
    return "swallowed";
  });
  d.addTimeout(10, clock);
  const out = res(d);
  clock.advance(15);
  assert.deepEqual(seen, ["CancelledError"]);
  assert.deepEqual(out, [["ok", "swallowed"]]);
  assert.ok(!(out[0] instanceof TimeoutError));
});
