/**
 * Smoke tests of examples/poetry: each client of the tutorial's progression runs as a process
 * against real `reed poetry serve` / `reed poetry transform` processes on 127.0.0.1.
 * Real sockets and processes; all killed in `after`, every run bounded.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { killAll, server } from "../apps/_cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let poem = 0;
let xform = 0;
let dead = 0;

function example(name: string, args: (string | number)[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `examples/poetry/${name}`, ...args.map(String)], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  const [s, t, d] = await Promise.all([
    server(["poetry", "serve", "--num-bytes", "200", "--delay", "0.01", "science"]),
    server(["poetry", "transform"]),
    server(["poetry", "serve", "alla_sera"]),
  ]);
  poem = s.port;
  xform = t.port;
  dead = d.port;
  d.proc.child.kill("SIGKILL"); // a port with nothing listening any more
  await d.proc.exited;
});

after(killAll);

test("client 3.1 (callbacks) prints the poem and reports a refused connection", async () => {
  const r = await example("get-poetry-3.ts", [poem, dead]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Science! true daughter of Old Time thou art!/);
  assert.match(r.stderr, /^Poem failed: Connection was refused/m);
});

test("client 4.0 (Deferred) prints the poem", async () => {
  const r = await example("get-poetry-4.ts", [poem]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Science! true daughter of Old Time thou art!/);
});

test("client 5.0 routes each Cummingsify outcome as the tutorial says", async () => {
  const ok = await example("get-poetry-5.ts", [poem], { REED_CUMMINGSIFY: "ok" });
  assert.match(ok.stdout, /science! true daughter of old time thou art!/);
  const gib = await example("get-poetry-5.ts", [poem], { REED_CUMMINGSIFY: "gibberish" });
  assert.equal(gib.stderr.trim(), "The poem download failed.");
  const bad = await example("get-poetry-5.ts", [poem], { REED_CUMMINGSIFY: "fail" });
  assert.match(bad.stdout, /^Cummingsify failed!\nSonnet/);
  const down = await example("get-poetry-5.ts", [dead]);
  assert.equal(down.stderr.trim(), "The poem download failed.");
});

test("client 5.1 recovers the original poem from CannotCummingsify", async () => {
  const bad = await example("get-poetry-5-1.ts", [poem], { REED_CUMMINGSIFY: "fail" });
  assert.match(bad.stdout, /^Cummingsify failed!\nSonnet/);
  const gib = await example("get-poetry-5-1.ts", [poem], { REED_CUMMINGSIFY: "gibberish" });
  assert.equal(gib.stderr.trim(), "The poem download failed.");
});

test("clients 6.0, 7.0 and 8.0 cummingsify on the transform server", async () => {
  for (const name of ["get-poetry-6.ts", "get-poetry-7.ts", "get-poetry-8.ts"]) {
    const r = await example(name, [xform, poem, dead]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /science! true daughter of old time thou art!/, name);
    assert.match(r.stderr, /The poem download failed\./, name);
  }
});

test("clients 6.0 keeps the original poem when the transform server is gone", async () => {
  const r = await example("get-poetry-6.ts", [dead, poem]);
  assert.match(r.stderr, /Cummingsify failed!/);
  assert.match(r.stdout, /Science! true daughter/);
});

test("the channels client receives each download's outcome from a channel", async () => {
  const r = await example("get-poetry-channels.ts", [poem, dead]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^127\.0\.0\.1:\d+ sent \d+ characters:\nSonnet/m);
  assert.match(r.stderr, /^127\.0\.0\.1:\d+ failed: Connection was refused/m);
});
