import { test } from "node:test";
import assert from "node:assert/strict";
import { deferLater } from "../../src/task/defer-later.js";
import { Clock } from "../../src/testing/clock.js";
import { CancelledError } from "../../src/errors.js";
import { Deferred } from "../../src/deferred.js";

test("deferLater fires with the function's result after the delay", () => {
  const clock = new Clock();
  const out: unknown[] = [];
  deferLater(clock, 2, (a: number, b: number) => a + b, 1, 2).addCallback((v) => out.push(v));
  clock.advance(1.999);
  assert.deepEqual(out, []);
  clock.advance(0.001);
  assert.deepEqual(out, [3]);
});

test("deferLater without a function fires with undefined", () => {
  const clock = new Clock();
  const out: unknown[] = [];
  deferLater(clock, 1).addCallback((v) => out.push(v));
  clock.advance(1);
  assert.deepEqual(out, [undefined]);
});

test("a throwing function fails the Deferred and a returned Deferred is waited for", () => {
  const clock = new Clock();
  const errors: string[] = [];
  deferLater(clock, 1, () => {
    throw new RangeError("nope");
  }).addErrback((f) => errors.push(f.getErrorMessage()));
  const inner = new Deferred<string>();
  const out: string[] = [];
  deferLater(clock, 1, () => inner).addCallback((v) => out.push(v));
  clock.advance(1);
  assert.deepEqual(errors, ["nope"]);
  assert.deepEqual(out, []);
  inner.callback("later");
  assert.deepEqual(out, ["later"]);
});

test("cancelling deferLater cancels the timed call: the function never runs and CancelledError results", () => {
  const clock = new Clock();
  let ran = false;
  const d = deferLater(clock, 1, () => {
    ran = true;
  });
  let failed = false;
  d.addErrback((f) => {
    failed = f.check(CancelledError) !== null;
  });
  d.cancel();
  assert.equal(failed, true);
  assert.equal(clock.getDelayedCalls().length, 0);
  clock.advance(2);
  assert.equal(ran, false);
});
