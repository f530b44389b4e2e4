import { test } from "node:test";
import assert from "node:assert/strict";
import { MersenneTwister, normalVariate, seededRandom } from "../../src/_internal/random.js";

test("seededRandom gives CPython's random.Random(seed).random() sequence", () => {
  // Values printed by /usr/bin/python3: random.Random(s).random() twice, then normalvariate(10, 1).
  const python: Array<[number, number, number, number]> = [
    [0, 0.8444218515250481, 0.7579544029403025, 9.816131778906742],
    [1, 0.13436424411240122, 0.8474337369372327, 10.607455857643707],
    [42, 0.6394267984578837, 0.025010755222666936, 9.503155526588797],
    [2 ** 32 + 5, 0.15727238718789782, 0.2824866316461999, 10.181834658748768],
  ];
  for (const [seed, a, b, n] of python) {
    const r = seededRandom(seed);
    assert.equal(r(), a);
    assert.equal(r(), b);
    assert.equal(normalVariate(r, 10, 1), n);
  }
});

test("the same seed gives the same stream; outputs stay in [0, 1)", () => {
  const a = new MersenneTwister(99);
  const b = new MersenneTwister(99);
  for (let i = 0; i < 2000; i++) {
    const x = a.random();
    assert.equal(x, b.random());
    assert.ok(x >= 0 && x < 1);
  }
});
