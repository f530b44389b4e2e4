import { test } from "node:test";
import assert from "node:assert/strict";
import { Clock } from "../../src/testing/clock.js";
import { AlreadyCalled, AlreadyCancelled } from "../../src/errors.js";

test("equal-time calls run FIFO and a callLater(0) made during advance runs in that same advance (golden §23)", () => {
  const clock = new Clock();
  const out: string[] = [];
  clock.callLater(1, () => out.push("a1"));
  clock.callLater(1, () => out.push("a2"));
  clock.callLater(1, () => {
    out.push("n");
    clock.callLater(0, () => out.push("n0"));
  });
  clock.callLater(1, () => out.push("a3"));
  clock.callLater(0.5, () => out.push("b"));
  clock.advance(1);
  assert.deepEqual(out, ["b", "a1", "a2", "n", "a3", "n0"]);
});

test("delay() postpones and reset() re-times relative to now (golden §23)", () => {
  const clock = new Clock();
  const call = clock.callLater(5, () => {});
  call.delay(2);
  assert.equal(call.getTime(), 7);
  clock.advance(1);
  call.reset(1);
  assert.equal(call.getTime(), 2);
});

test("a cancelled call refuses cancel/reset/delay with AlreadyCancelled; a called one with AlreadyCalled (golden §23)", () => {
  const clock = new Clock();
  const call = clock.callLater(5, () => {});
  call.cancel();
  assert.throws(() => call.cancel(), AlreadyCancelled);
  assert.throws(() => call.reset(1), AlreadyCancelled);
  assert.throws(() => call.delay(1), AlreadyCancelled);
  const done = clock.callLater(1, () => {});
  clock.advance(1);
  assert.throws(() => done.cancel(), { name: "AlreadyCalled", message: "Tried to cancel an already-called event." });
  assert.throws(() => done.reset(1), AlreadyCalled);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("an exception in a call propagates out of advance() and the next due call stays pending (golden §23)", () => {
  const clock = new Clock();
  let ran = false;
  clock.callLater(1, () => {
    throw new Error("boom");
  });
  clock.callLater(1, () => {
    ran = true;
  });
  assert.throws(() => clock.advance(1), /boom/);
  assert.equal(ran, false);
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(0);
  assert.equal(ran, true);
});

test("getDelayedCalls lists pending calls soonest first and pump advances step by step", () => {
  const clock = new Clock();
  const out: number[] = [];
  clock.callLater(3, () => out.push(3));
  clock.callLater(1, () => out.push(1));
  assert.deepEqual(
    clock.getDelayedCalls().map((c) => c.getTime()),
    [1, 3],
  );
  clock.pump([1, 1, 1]);
  assert.deepEqual(out, [1, 3]);
  assert.equal(clock.seconds(), 3);
});

test("negative delays and advances are RangeErrors", () => {
  const clock = new Clock();
  assert.throws(() => clock.callLater(-1, () => {}), RangeError);
  assert.throws(() => clock.advance(-1), RangeError);
});
