// REAL-SOCKET EXAMPLE SMOKE TEST: runs examples/amp/protocol-switch.ts (TCP on 127.0.0.1) as a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("the protocol-switch example is refused before logging in, then switches to shouted lines, and exits 0", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/amp/protocol-switch.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "client: no switch, still speaking AMP",
      "client: switch refused: log in first",
      "client: welcome, ada",
      "server: switching ada's connection to shouting",
      "client: the server agreed, now speaking lines",
      "client: heard HELLO ADA, SAY SOMETHING",
      "client: heard HELLO THERE!",
      "client: heard BYE!",
      "client: connection closed",
      "",
    ].join("\n"),
  );
});
