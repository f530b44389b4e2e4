import { test } from "node:test";
import assert from "node:assert/strict";
import { react } from "../../src/node/react.js";
import { createReactor } from "../../src/node/reactor.js";
import { deferLater } from "../../src/task/defer-later.js";

test("react on a real reactor runs main until its work is done, then sets process.exitCode", async () => {
  const reactor = createReactor();
  const saved = process.exitCode;
  const out: string[] = [];
  try {
    const code = await react(
      (r, greeting: string) =>
        deferLater(r, 0.01, () => {
          out.push(`${greeting} at ${r.running ? "running" : "stopped"}`);
        }),
      ["hello"],
      reactor,
    );
    assert.equal(code, 0);
    assert.equal(process.exitCode, 0);
    assert.deepEqual(out, ["hello at running"]);
    assert.equal(reactor.running, false);
  } finally {
    process.exitCode = saved;
  }
});
