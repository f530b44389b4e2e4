// Smoke tests: the threads examples run as child processes (bounded by timeouts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

function runExample(file: string, args: string[], input: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const script = new URL(`../../examples/threads/${file}`, import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

test("unit-server answers quick requests while a slow conversion runs on a thread", async () => {
  const { code, out } = await runExample("unit-server.ts", [], "slow 3 mi km\nquick 3 mi km\nbogus\n", { SLOW_MS: "300" });
  assert.equal(code, 0);
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "ready (slow conversions on threads)");
  const quick = lines.findIndex((l) => l.startsWith("quick 3 mi -> km: 4.828 km"));
  const slow = lines.findIndex((l) => l.startsWith("slow 3 mi -> km: 4.828 km"));
  assert.ok(quick > 0 && slow > quick, `the quick answer comes first:\n${out}`);
  assert.ok(lines.includes("error: unknown request: bogus"));
  assert.match(lines.at(-1)!, /^worst timer lateness: [\d.]+ ms over \d+ ticks of 10 ms$/);
});

test("unit-server --inline answers in request order, because the slow conversion blocks the reactor", async () => {
  const { code, out } = await runExample("unit-server.ts", ["--inline"], "slow 3 mi km\nquick 3 mi km\n", { SLOW_MS: "200" });
  assert.equal(code, 0);
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "ready (slow conversions inline)");
  assert.match(lines[1]!, /^slow 3 mi -> km/);
  assert.match(lines[2]!, /^quick 3 mi -> km/);
  assert.match(lines.at(-1)!, /^worst timer lateness/);
});
