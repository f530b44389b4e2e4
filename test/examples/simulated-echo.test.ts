import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

function run(seed: string): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/testing/simulated-echo.ts", seed], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("examples/testing/simulated-echo.ts answers every client and replays its trace for a seed", () => {
  const a = run("5");
  for (const line of ['alice got "HELLO"', 'alice got "HOW ARE YOU"', 'bob got "GOOD MORNING"', 'carol got "THREE"']) {
    assert.ok(a.includes(line), `missing ${line} in:\n${a}`);
  }
  assert.equal(run("5"), a, "the same seed gives the same output and trace hash");
});
