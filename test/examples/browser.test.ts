// Smoke test: the examples in examples/browser run as programs and print what they should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("examples/browser/ws-lines.ts exchanges lines over a WebSocket and exits cleanly", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/browser/ws-lines.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^listening on ws:\/\/127\.0\.0\.1:\d+\/shout$/m);
  assert.match(r.stdout, /got: HELLO\ngot: OVER A WEBSOCKET\ngot: FROM REED\nconnection closed: ConnectionDone/);
});
