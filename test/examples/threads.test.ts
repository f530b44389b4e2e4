// Smoke tests: the threads examples run as child processes (real TCP on 127.0.0.1, bounded by
// timeouts). Timings are only compared with the slow job's own duration, with wide margins: the
// machine is shared, so absolute numbers mean little, but "answered in a few ms" against "waited
// for most of a 1500 ms job" is a difference no load erases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";

const SERVER = new URL("../../examples/threads/unit-server.ts", import.meta.url).pathname;
const SLOW_MS = 1500;

function runDemo(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER, "--demo", "--slow-ms", String(SLOW_MS), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

interface Measurements {
  slowRoundTripMs: number;
  answeredMeanwhile: number;
  quickRequests: number;
  worstQuickMs: number;
  worstLatenessMs: number;
  ticks: number;
  verdict: string;
}

function measurements(out: string): Measurements {
  const slow = /^slow request: +slow 12 km mi \d+ -> 12 km = 7\.456 mi \(slow: .*\); round trip (\d+) ms$/m.exec(out);
  const quick = /^quick requests: (\d+) of (\d+) answered while the slow one ran; round trip worst ([\d.]+) ms, median [\d.]+ ms$/m.exec(out);
  const stats = /^server stats: worst timer lateness ([\d.]+) ms over (\d+) ticks? of 10 ms while slow conversions ran$/m.exec(out);
  const verdict = /^verdict: (.*)$/m.exec(out);
  assert.ok(slow && quick && stats && verdict, `the demo prints its measurements:\n${out}`);
  return {
    slowRoundTripMs: Number(slow[1]),
    answeredMeanwhile: Number(quick[1]),
    quickRequests: Number(quick[2]),
    worstQuickMs: Number(quick[3]),
    worstLatenessMs: Number(stats[1]),
    ticks: Number(stats[2]),
    verdict: verdict[1]!,
  };
}

test("unit-server --demo: quick requests are answered at once while the slow conversion runs on a thread", async () => {
  const { code, out, err } = await runDemo([]);
  assert.equal(code, 0, err);
  assert.match(out, /^unit server on 127\.0\.0\.1:\d+, slow conversions on a worker thread$/m);
  const m = measurements(out);
  assert.ok(m.slowRoundTripMs >= SLOW_MS, `the slow job took its time: ${m.slowRoundTripMs} ms`);
  assert.ok(m.answeredMeanwhile >= 2, `several quick answers arrived before the slow one:\n${out}`);
  assert.ok(m.worstQuickMs < SLOW_MS / 3, `no quick request waited for the slow job:\n${out}`);
  assert.ok(m.ticks >= 2, `the timer kept ticking while the job ran:\n${out}`);
  assert.ok(m.worstLatenessMs < SLOW_MS / 3, `the reactor's timer was never held up by the slow job:\n${out}`);
});

test("unit-server --demo --inline: the slow conversion freezes the reactor, so quick requests and timers wait for it", async () => {
  const { code, out, err } = await runDemo(["--inline"]);
  assert.equal(code, 0, err);
  assert.match(out, /^unit server on 127\.0\.0\.1:\d+, slow conversions inline, on the reactor thread$/m);
  const m = measurements(out);
  assert.ok(m.quickRequests >= 1);
  assert.ok(m.worstQuickMs > SLOW_MS / 2, `a quick request waited for most of the slow job:\n${out}`);
  assert.ok(m.worstLatenessMs > SLOW_MS / 2, `the timer was late by most of the slow job:\n${out}`);
  assert.match(m.verdict, /^the reactor froze/);
});

test("unit-server as a plain server answers requests and errors over TCP, then exits on SIGINT", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let banner = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      banner += d.toString();
      const m = /unit server on 127\.0\.0\.1:(\d+)/.exec(banner);
      if (m) resolve(Number(m[1]));
    });
    child.on("close", () => reject(new Error(`the server ended early: ${banner}`)));
  });
  const answers = await new Promise<string[]>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let got = "";
    let quitting = false;
    s.on("data", (d) => (got += d.toString()));
    s.on("error", reject);
    s.on("close", () => resolve(got.trim().split("\n")));
    s.write("convert 12 km mi\r\nslow 3 mi km 50\nconvert 1 parsec m\nslow 1 m m 999999\nconvert x m m\nhello\n");
    // quit once the slow answer (the 7th line, after the greeting) has come back
    s.on("data", () => {
      if (quitting || got.split("\n").length <= 7) return;
      quitting = true;
      s.write("quit\n");
    });
  });
  child.kill("SIGINT");
  assert.equal(await closed, 0);
  assert.match(answers[0]!, /^unit server: slow conversions run on a worker thread; try: /);
  assert.deepEqual(answers.slice(1, 6), [
    "12 km = 7.456 mi",
    "error: Unknown unit: parsec",
    "error: Slow time out of range: 999999 ms, limit 60000",
    "error: Not a number: x",
    "error: unknown request: hello",
  ]);
  assert.match(answers[6]!, /^3 mi = 4\.828 km \(slow: 50 ms of work on a worker thread, answered in \d+ ms\)$/);
  assert.equal(answers[7], "bye");
});
