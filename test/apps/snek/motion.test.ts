import { test } from "node:test";
import assert from "node:assert/strict";
import { positionAfter, seededRandom, step, type Axis } from "../../../src/apps/snek/motion.js";

test("stepping frame by frame lands where the closed form says, through many bounces", () => {
  for (const [p0, v] of [
    [10, 1.5],
    [1200, -1.6666],
    [0, 0.9],
    [600, 1.25],
  ] as const) {
    const axis: Axis = { p: p0, v };
    for (let frame = 1; frame <= 5000; frame++) {
      step(axis, 1200);
      assert.ok(axis.p >= 0 && axis.p <= 1200);
      assert.ok(Math.abs(axis.p - positionAfter(p0, v, 1200, frame)) < 1e-6, `p0 ${p0} v ${v} frame ${frame}`);
    }
  }
});

test("a bounce reverses the velocity", () => {
  const axis: Axis = { p: 1199, v: 2 };
  step(axis, 1200);
  assert.deepEqual(axis, { p: 1199, v: -2 });
  const low: Axis = { p: 1, v: -3 };
  step(low, 1200);
  assert.deepEqual(low, { p: 2, v: 3 });
});

test("seededRandom gives the same numbers for the same seed, in [0, 1)", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = Array.from({ length: 100 }, () => a());
  assert.deepEqual(Array.from({ length: 100 }, () => b()), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
