import { test } from "node:test";
import assert from "node:assert/strict";
import { DelayedCall, checkDelay, type DelayedCallOwner } from "../src/delayed-call.js";
import { AlreadyCalled, AlreadyCancelled } from "../src/errors.js";
import { Clock } from "../src/testing/clock.js";

function owner(now = 0): DelayedCallOwner & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    seconds: () => now,
    cancelled: (c) => void log.push(`cancelled@${c.time}`),
    rescheduled: (c, t) => {
      log.push(`rescheduled ${c.time}->${t}`);
      c.time = t;
    },
  };
}

test("invoke() runs the function with its arguments once and marks it called", () => {
  let got: unknown[] = [];
  const c = new DelayedCall(1, (a: number, b: string) => (got = [a, b]), [1, "x"], owner());
  assert.equal(c.active(), true);
  c.invoke();
  assert.deepEqual(got, [1, "x"]);
  assert.equal(c.called, true);
  assert.equal(c.active(), false);
  assert.throws(() => c.cancel(), AlreadyCalled);
});

test("cancel, reset and delay tell the owner", () => {
  const o = owner(10);
  const c = new DelayedCall(12, () => {}, [], o);
  c.delay(1);
  c.reset(5);
  c.cancel();
  assert.deepEqual(o.log, ["rescheduled 12->13", "rescheduled 13->15", "cancelled@15"]);
  assert.throws(() => c.reset(1), AlreadyCancelled);
});

test("the call remembers where it was scheduled, for reports", () => {
  const c = new Clock().callLater(1, function named() {});
  assert.match(c.creator, /delayed-call\.test/);
  assert.match(String(c), /<DelayedCall named at 1 \(active\)>/);
});

test("checkDelay accepts finite non-negative numbers only", () => {
  checkDelay(0);
  checkDelay(1.5);
  for (const bad of [-1, NaN, Infinity, "1" as unknown as number]) assert.throws(() => checkDelay(bad), RangeError);
});
