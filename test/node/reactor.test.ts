// Real-time tests of NodeReactor (bounded: every reactor is stopped or its calls cancelled, and
// child processes are killed by a timeout).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createReactor, NodeReactor } from "../../src/node/reactor.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";
import { assertReactorClean } from "../../src/testing/dirty-reactor.js";
import { LoopingCall } from "../../src/task/looping-call.js";

test("callLater(0) runs from setImmediate, without arming a Node timer", async () => {
  const reactor = createReactor();
  const real = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
    timers++;
    return real(...a);
  }) as typeof setTimeout;
  try {
    const d = new Deferred<string>();
    reactor.callLater(0, () => d.callback("ran"));
    assert.equal(await d, "ran");
  } finally {
    globalThis.setTimeout = real;
  }
  assert.equal(timers, 0);
});

test("timed calls run in time order on an embedded reactor that was never run", async () => {
  const reactor = createReactor();
  const out: string[] = [];
  const done = new Deferred<void>();
  const start = reactor.seconds();
  reactor.callLater(0.03, () => {
    out.push("c");
    done.callback(undefined);
  });
  reactor.callLater(0.01, () => out.push("a"));
  reactor.callLater(0.02, () => out.push("b"));
  await done;
  assert.deepEqual(out, ["a", "b", "c"]);
  assert.ok(reactor.seconds() - start >= 0.03);
  assert.equal(reactor.running, false);
  assertReactorClean(reactor);
});

test("run() fires startup, stop() runs shutdown, and run()'s Deferred fires after it; a second run() is ReactorNotRestartable", async () => {
  const reactor = new NodeReactor();
  const out: string[] = [];
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    const d = new Deferred<void>();
    reactor.callLater(0.01, () => {
      out.push("slow trigger done");
      d.callback(undefined);
    });
    return d;
  });
  reactor.addSystemEventTrigger("after", "shutdown", () => out.push("after shutdown"));
  reactor.callWhenRunning(() => out.push(`running:${reactor.running}`));
  reactor.callLater(0.01, () => reactor.stop());
  const finished = reactor.run({ installSignalHandlers: false });
  out.push("run() returned");
  await finished;
  assert.deepEqual(out, ["running:true", "run() returned", "slow trigger done", "after shutdown"]);
  assert.equal(reactor.running, false);
  assert.throws(() => reactor.run(), ReactorNotRestartable);
  assert.throws(() => reactor.stop(), ReactorNotRunning);
});

test("an exception in a callback is logged and the loop carries on", async () => {
  const logs = captureLogs();
  const reactor = createReactor();
  const out: string[] = [];
  reactor.callWhenRunning(() => {
    throw new Error("I fall down.");
  });
  reactor.callWhenRunning(() => {
    out.push("But I get up again.");
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  assert.deepEqual(out, ["But I get up again."]);
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
});

test("a LoopingCall on the real reactor ticks about every interval", async () => {
  const reactor = createReactor();
  const times: number[] = [];
  const lc = LoopingCall.on(reactor, () => {
    times.push(reactor.seconds());
    if (times.length === 4) lc.stop();
  });
  await lc.start(0.01);
  const span = times[3]! - times[0]!;
  assert.ok(span >= 0.029 && span < 1, `span ${span}`);
  assertReactorClean(reactor);
});

/** Runs a fixture; once it has printed "running", waits `idleMs`, then sends `signal`. */
function runChild(script: string, idleMs: number, signal: NodeJS.Signals): Promise<{ code: number | null; out: string; aliveAtKill: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url))], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let aliveAtKill = false;
    let killer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (!killer && out.includes("running\n")) {
        killer = setTimeout(() => {
          aliveAtKill = child.exitCode === null;
          child.kill(signal);
        }, idleMs);
      }
    });
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not finish; output so far:\n${out}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(killer);
      clearTimeout(guard);
      resolve({ code, out, aliveAtKill });
    });
  });
}

test("[real process] a running reactor with nothing to do keeps the process alive; SIGINT stops it cleanly, running shutdown triggers", async () => {
  const r = await runChild("./fixtures/idle-reactor.ts", 300, "SIGINT");
  assert.equal(r.aliveAtKill, true);
  assert.equal(r.code, 0);
  assert.equal(r.out, "running\nbefore shutdown\nafter shutdown\nrun() returned; listeners left: 0\n");
});

test("[real process] SIGTERM stops the reactor cleanly too", async () => {
  const r = await runChild("./fixtures/idle-reactor.ts", 300, "SIGTERM");
  assert.equal(r.code, 0);
  assert.match(r.out, /before shutdown\nafter shutdown\n/);
});

test("cancelling the last pending call drops the Node timer, so an embedding process can exit", () => {
  const reactor = createReactor();
  const before = process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
  const call = reactor.callLater(1000, () => {});
  assert.equal(process.getActiveResourcesInfo().filter((x) => x === "Timeout").length, before + 1);
  call.cancel();
  assert.equal(process.getActiveResourcesInfo().filter((x) => x === "Timeout").length, before);
});

test("a thousand pending calls use exactly one Node timer", () => {
  const reactor = createReactor();
  const timeouts = (): number => process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
  const before = timeouts();
  const calls = [];
  for (let i = 0; i < 1000; i++) calls.push(reactor.callLater(100 + (i % 37), () => {}));
  assert.equal(timeouts(), before + 1);
  for (const c of calls) c.cancel();
  assert.equal(timeouts(), before);
  assertReactorClean(reactor);
});
