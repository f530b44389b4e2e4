// Smoke tests: each examples/reactor program runs as a child process (bounded by a timeout) and
// prints what the seed's Twisted version prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example; with `interruptAfter`, sends SIGINT once stdout contains that text. */
function run(name: string, args: string[] = [], interruptAfter?: string): Promise<Run> {
  const file = fileURLToPath(new URL(`../../examples/reactor/${name}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      if (interruptAfter && !interrupted && stdout.includes(interruptAfter)) {
        interrupted = true;
        setTimeout(() => child.kill("SIGINT"), 200);
      }
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not finish in time; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test("hello prints from the reactor loop and stops cleanly on Ctrl-C", async () => {
  const r = await run("hello", [], "stuck in a rut.\n");
  assert.equal(r.stdout, "Starting the reactor.\nHello from the reactor loop!\nLately I feel like I'm stuck in a rut.\n");
  assert.equal(r.code, 0);
});

test("countdown counts 5 to 1 and stops by itself", async () => {
  const r = await run("countdown", ["0.02"]);
  assert.equal(r.stdout, "Start!\n5 ...\n4 ...\n3 ...\n2 ...\n1 ...\nStop!\n");
  assert.equal(r.code, 0);
});

test("the countdown exercise runs three counters and stops when all have finished", async () => {
  const r = await run("countdown-exercise", ["0.05"]);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], "Start!");
  assert.equal(lines.at(-1), "Stop!");
  for (const name of ["fast", "medium", "slow"]) assert.ok(lines.includes(`${name} done`), `${name} finished`);
  assert.deepEqual(
    lines.filter((l) => l.startsWith("fast:")),
    ["fast: 5 ...", "fast: 4 ...", "fast: 3 ...", "fast: 2 ...", "fast: 1 ..."],
  );
  assert.equal(lines.filter((l) => l.startsWith("slow:")).length, 3);
  assert.equal(lines.indexOf("slow done"), lines.length - 2);
  assert.equal(r.code, 0);
});

test("exception reports the error and the next callback still runs", async () => {
  const r = await run("exception");
  assert.equal(r.stdout, "Starting the reactor.\nBut I get up again.\n");
  assert.match(r.stderr, /Error: I fall down\./);
  assert.equal(r.code, 0);
});

test("the LoopingCall countdown prints the same as the countdown", async () => {
  const r = await run("countdown-looping-call", ["0.02"]);
  assert.equal(r.stdout, "Start!\n5 ...\n4 ...\n3 ...\n2 ...\n1 ...\nStop!\n");
  assert.equal(r.code, 0);
});
