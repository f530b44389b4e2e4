import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { runScenario } from "../../examples/amp/unyielding.js";

test("with a log that waits, two concurrent transfers interleave at the yields and overdraw the account", () => {
  const o = runScenario("yielding");
  assert.deepEqual(o.results.sort(), ["alice->bob: ok", "alice->carol: ok"]);
  assert.deepEqual(o.balances, { alice: -40, bob: 70, carol: 70 });
  assert.equal(o.collected.length, 6);
});

test("with a log that never waits, the same schedule refuses the second transfer and nothing is overdrawn", () => {
  const o = runScenario("non-blocking");
  assert.deepEqual(o.results.sort(), ["alice->bob: ok", "alice->carol: InsufficientFunds"]);
  assert.deepEqual(o.balances, { alice: 30, bob: 70, carol: 0 });
  assert.deepEqual(o.collected, ["alice has sufficient funds.", "bob received payment", "alice made payment"]);
});

test("the example runs as a program and prints both outcomes", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/amp/unyielding.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /balances: alice=-40 bob=70 carol=70/);
  assert.match(r.stdout, /alice->carol: InsufficientFunds/);
  assert.match(r.stdout, /balances: alice=30 bob=70 carol=0/);
});
