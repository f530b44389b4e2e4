import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { Deadlock } from "../../src/errors.js";
import { Deferred } from "../../src/deferred.js";
import { chan } from "../../src/channels/channel.js";
import { Scheduler, getScheduler, go, setScheduler } from "../../src/channels/scheduler.js";
import { rcase, select } from "../../src/channels/select.js";
import { sleep } from "../../src/channels/timeout.js";
import { Clock } from "../../src/testing/clock.js";
import { errorOf, outcome, useWorld, valueOf } from "./harness.js";

describe("deadlock check", () => {
  const w = useWorld();

  function blockedPair() {
    const jobs = chan<number>(0, { name: "jobs" });
    const results = chan<number>(0, { name: "results" });
    const errors: unknown[] = [];
    const worker = go(function* worker() {
      try {
        yield* jobs.recv();
      } catch (e) {
        errors.push(e);
      }
    });
    const sink = go(function* sink() {
      try {
        yield* results.send(1);
      } catch (e) {
        errors.push(e);
      }
    });
    return { jobs, results, worker, sink, errors };
  }

  it("does not report tasks blocked while code outside tasks may still act", () => {
    const { worker, sink, jobs, errors } = blockedPair();
    w.turn();
    assert.deepEqual(errors, []);
    assert.equal(worker.alive && sink.alive, true);
    jobs.send(1);
    assert.equal(worker.alive, false);
    sink.kill();
  });

  it("checkDeadlock() fails every blocked operation with Deadlock naming the tasks and channels", () => {
    const { worker, sink, jobs, results, errors } = blockedPair();
    w.turn();
    assert.equal(w.scheduler.checkDeadlock(), true);
    assert.equal(errors.length, 2);
    const e = errors[0] as Deadlock;
    assert.ok(e instanceof Deadlock);
    assert.equal(e.code, "ERR_REED_DEADLOCK");
    assert.equal(
      e.message,
      `All tasks are blocked on channels and nothing can wake them: ${worker} in recv on ${jobs}; ${sink} in send on ${results}`,
    );
    assert.deepEqual(e.blocked, [
      { task: `task "worker" (#${worker.id})`, op: "recv", channels: [`chan#${jobs.id} "jobs"`] },
      { task: `task "sink" (#${sink.id})`, op: "send", channels: [`chan#${results.id} "results"`] },
    ]);
    assert.deepEqual([jobs.recvq.length, results.sendq.length], [0, 0]);
    assert.equal(worker.alive || sink.alive, false);
  });

  it("main blocked in join() of a blocked task is a deadlock: the task fails and so does the join", () => {
    const c = chan<number>();
    const t = go(function* stuck() {
      return yield* c.recv();
    });
    const j = t.join();
    w.turn();
    const e = errorOf(j);
    assert.ok(e instanceof Deadlock);
    assert.match((e as Error).message, /task "stuck" \(#\d+\) in recv on chan#\d+/);
    assert.equal(w.panics.length, 0);
  });

  it("a pending timer on the scheduler's clock may wake tasks, so it is not a deadlock", () => {
    const c = chan<number>();
    const r = c.recv();
    w.clock.callLater(1, () => c.send(5));
    w.turn();
    assert.equal(outcome(r), "pending");
    w.clock.advance(1);
    assert.equal(valueOf(r), 5);
  });

  it("a reed timer on another clock counts as a possible waker", () => {
    const other = new Clock();
    const c = chan<number>();
    const t = go(function* () {
      yield sleep(other, 1);
      yield* c.send(1);
    });
    const r = c.recv();
    w.turn();
    assert.equal(outcome(r), "pending");
    other.advance(1);
    assert.equal(valueOf(r), 1);
    w.turn();
    assert.equal(t.alive, false);
  });

  it("a task waiting on a foreign Deferred counts as a possible waker", () => {
    const c = chan<number>();
    const d = new Deferred<number>();
    go(function* () {
      yield* c.send(yield* d);
    });
    const r = c.recv();
    w.turn();
    assert.equal(outcome(r), "pending");
    d.callback(3);
    assert.equal(valueOf(r), 3);
  });

  it("a wake source that says it is busy (I/O) holds the check off", () => {
    let busy = true;
    const remove = w.scheduler.addWakeSource(() => busy);
    const r = chan().recv();
    w.turn();
    assert.equal(outcome(r), "pending");
    busy = false;
    remove();
    assert.equal(w.scheduler.checkDeadlock(), true);
    assert.ok(errorOf(r) instanceof Deadlock);
  });

  it("a select left with only closed channels is reported as waiting on none", () => {
    const a = chan();
    const s = select(rcase(a));
    a.close();
    w.turn();
    assert.match((errorOf(s) as Error).message, /main in select with no channel left to wait on$/);
  });

  it("can be turned off", () => {
    w.scheduler.detectDeadlocks = false;
    const r = chan().recv();
    w.turn();
    assert.equal(outcome(r), "pending");
    r.cancel();
  });
});

describe("the default scheduler (microtasks)", () => {
  it("case 9 on the default scheduler: a lone blocking recv rejects with Deadlock", async () => {
    assert.ok(getScheduler() instanceof Scheduler);
    await assert.rejects(chan().recv().asPromise(), Deadlock);
  });

  it("case 21 on the default scheduler: a goroutine's send completes an awaited select", async () => {
    const c = chan<string>();
    go(() => c.send("hi"));
    const [, v] = await select(rcase(c));
    assert.equal(v, "hi");
  });

  it("reports tasks still blocked when the event loop is about to exit (child process)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "test/channels/fixtures/deadlock-at-exit.ts"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.stdout, "main done\n");
    assert.match(r.stderr, /Unhandled error in task "stuck" \(#1\)\nDeadlock: All tasks are blocked on channels and nothing can wake them: task "stuck" \(#1\) in recv on chan#1 "never"/);
  });

  it("setScheduler returns the scheduler it replaces", () => {
    const mine = new Scheduler();
    const old = setScheduler(mine);
    assert.equal(getScheduler(), mine);
    assert.equal(setScheduler(old), mine);
  });
});
