// Smoke test: the examples in examples/networking run as programs (on 127.0.0.1) and print what they should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("examples/networking/tcp-lines.ts exchanges lines over TCP endpoints, then reports a refused connection", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/networking/tcp-lines.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^listening on 127\.0\.0\.1:\d+$/m);
  assert.match(r.stdout, /got: HELLO\ngot: OVER TCP\ngot: FROM REED\nconnection closed: ConnectionDone\nconnecting again failed: ConnectionRefusedError/);
});

test("examples/networking/starttls-lines.ts upgrades a line connection with STARTTLS and talks over TLS", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/networking/starttls-lines.ts"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "TLS is up; the server is CN=localhost\ngot: HELLO\ngot: OVER TLS\ngot: FROM REED\nconnection closed: ConnectionDone\n");
});
