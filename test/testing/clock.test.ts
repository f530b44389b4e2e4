import { test } from "node:test";
import assert from "node:assert/strict";
import { Clock } from "../../src/testing/clock.js";
import { AlreadyCalled, AlreadyCancelled } from "../../src/errors.js";

test("equal-time calls run FIFO and a callLater(0) made during advance runs in that advance (scenario 23)", () => {
  const c = new Clock();
  const out: string[] = [];
  c.callLater(1, () => out.push("a1"));
  c.callLater(1, () => out.push("a2"));
  c.callLater(1, () => {
    out.push("n");
    c.callLater(0, () => out.push("n0"));
  });
  c.callLater(1, () => out.push("a3"));
  c.callLater(0.5, () => out.push("b"));
  c.advance(1);
  assert.deepEqual(out, ["b", "a1", "a2", "n", "a3", "n0"]);
});

test("delay, reset and cancel behave as Twisted's (scenario 23)", () => {
  const c = new Clock();
  const call = c.callLater(5, () => {});
  call.delay(2);
  assert.equal(call.getTime(), 7);
  c.advance(1);
  call.reset(1);
  assert.equal(call.getTime(), 2);
  call.cancel();
  assert.equal(call.active(), false);
  assert.throws(() => call.cancel(), AlreadyCancelled);
  assert.throws(() => call.reset(1), AlreadyCancelled);
  assert.throws(() => call.delay(1), AlreadyCancelled);
  const done = c.callLater(0, () => {});
  c.advance(0);
  assert.throws(() => done.cancel(), (e: unknown) => e instanceof AlreadyCalled && e.message === "Tried to cancel an already-called event.");
});

test("an exception in a call propagates out of advance and later calls stay pending (scenario 23)", () => {
  const c = new Clock();
  c.callLater(1, () => {
    throw new Error("boom");
  });
  let ran = false;
  c.callLater(1, () => (ran = true));
  assert.throws(() => c.advance(1), /boom/);
  assert.equal(ran, false);
  assert.equal(c.getDelayedCalls().length, 1);
  c.advance(0);
  assert.equal(ran, true);
});

test("pump advances by each amount; seconds() reports fake time", () => {
  const c = new Clock();
  const times: number[] = [];
  c.callLater(1, () => times.push(c.seconds()));
  c.callLater(2.5, () => times.push(c.seconds()));
  c.pump([1, 1, 1]);
  assert.deepEqual(times, [1, 3]);
  assert.equal(c.seconds(), 3);
});

test("callLater passes its arguments and rejects bad delays", () => {
  const c = new Clock();
  let got: unknown[] = [];
  c.callLater(0, (a: number, b: string) => (got = [a, b]), 1, "x");
  c.advance(0);
  assert.deepEqual(got, [1, "x"]);
  assert.throws(() => c.callLater(-1, () => {}), RangeError);
  assert.throws(() => c.callLater(NaN, () => {}), RangeError);
  assert.throws(() => c.advance(-1), RangeError);
});

test("getDelayedCalls lists pending calls soonest first", () => {
  const c = new Clock();
  const b = c.callLater(2, () => {});
  const a = c.callLater(1, () => {});
  assert.deepEqual(c.getDelayedCalls(), [a, b]);
});
