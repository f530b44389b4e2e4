// REAL-SOCKET EXAMPLE SMOKE TEST: runs examples/amp/calculator.ts (TCP on 127.0.0.1) as a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("the calculator example sums, traps the declared ZERO_DIVISION error, and exits 0", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/amp/calculator.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    "server: did a sum: 13 + 81 = 94\nclient: 13 + 81 = 94\nclient: divided by zero: returning Infinity\nclient: 1234 / 0 = Infinity\n",
  );
});
