import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError } from "../../src/errors.js";
import { Deferred } from "../../src/deferred.js";
import { globalLogPublisher, type LogEvent } from "../../src/logger.js";
import { chan } from "../../src/channels/channel.js";
import { Scheduler, go, logPanic } from "../../src/channels/scheduler.js";
import { currentTask } from "../../src/channels/runner.js";
import type { Task } from "../../src/channels/task.js";
import { Clock } from "../../src/testing/clock.js";
import { errorOf, outcome, useWorld, valueOf } from "./harness.js";

describe("go", () => {
  const w = useWorld();

  it("never runs the task inside go(): it starts at the next turn", () => {
    let ran = false;
    const t = go(() => {
      ran = true;
    });
    assert.equal(ran, false);
    assert.equal(t.alive, true);
    w.turn();
    assert.equal(ran, true);
    assert.equal(t.alive, false);
  });

  it("case 31: passes its arguments to the function", () => {
    let seen: unknown[] = [];
    go((a: number, b: number, kw: { x: number }) => {
      seen = [a, b, kw];
    }, 1, 2, { x: 3 });
    w.turn();
    assert.deepEqual(seen, [1, 2, { x: 3 }]);
  });

  it("case 32: an error escaping a task nobody joined goes to the panic handler once", () => {
    const t = go(function raiser() {
      throw new Error("boom");
    });
    w.turn();
    assert.equal(w.panics.length, 1);
    assert.equal(w.panics[0]!.task, t);
    assert.equal(w.panics[0]!.failure.getErrorMessage(), "boom");
  });

  it("the default panic policy logs the failure at critical, naming the task", () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent): void => {
      events.push(e);
    };
    globalLogPublisher.addObserver(observer);
    const saved = w.scheduler.onPanic;
    w.scheduler.onPanic = logPanic;
    try {
      const t = go(function* raiser() {
        yield undefined;
        throw new TypeError("bad");
      });
      w.turn();
      const mine = events.filter((e) => e.namespace === "reed.channels");
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.level, "critical");
      assert.equal(mine[0]!.fields.task, String(t));
      assert.equal(mine[0]!.failure?.getErrorMessage(), "bad");
    } finally {
      w.scheduler.onPanic = saved;
      globalLogPublisher.removeObserver(observer);
    }
  });

  it("join() gives the task's result; a joined task's error goes to the joiner, not the panic handler", () => {
    const ok = go(function* () {
      yield undefined;
      return 42;
    });
    const bad = go(function* () {
      yield undefined;
      throw new RangeError("nope");
    });
    const j1 = ok.join();
    const j2 = bad.join();
    w.turn();
    assert.equal(valueOf(j1), 42);
    assert.ok(errorOf(j2) instanceof RangeError);
    assert.equal(w.panics.length, 0);
    assert.equal(valueOf(ok.join()), 42);
  });

  it("runs async functions and functions returning Deferreds or plain values", async () => {
    const a = go(async (x: number) => x * 2, 21);
    const d = new Deferred<string>();
    const b = go(() => d);
    const c = go(() => "plain");
    w.turn();
    assert.equal(valueOf(c.join()), "plain");
    assert.equal(b.alive, true);
    d.callback("later");
    assert.equal(valueOf(b.join()), "later");
    assert.equal(await a.join(), 42);
  });

  it("currentTask() is the running task inside it and null outside", () => {
    let inside: Task<unknown> | null = null;
    const t = go(function* () {
      inside = currentTask();
      yield undefined;
    });
    assert.equal(currentTask(), null);
    w.turn();
    assert.equal(inside, t);
  });

  it("a Scheduler bound to a Clock runs its queue only when the clock advances", () => {
    const clock = new Clock();
    const s = new Scheduler({ reactor: clock });
    let ran = false;
    s.go(() => {
      ran = true;
    });
    assert.equal(ran, false);
    clock.advance(0);
    assert.equal(ran, true);
    assert.deepEqual(s.tasks(), []);
  });
});

describe("kill", () => {
  const w = useWorld();

  it("stops a task at its yield point and runs its finally blocks before returning; catch does not see it", () => {
    const c = chan<number>();
    const log: string[] = [];
    const t = go(function* () {
      try {
        try {
          yield* c.recv();
          log.push("after recv");
        } catch {
          log.push("caught");
        }
      } finally {
        log.push("finally");
      }
      log.push("after try");
    });
    w.turn();
    t.kill();
    assert.deepEqual(log, ["finally"]);
    assert.equal(t.alive, false);
    assert.ok(errorOf(t.join()) instanceof CancelledError);
    assert.equal(w.panics.length, 0);
  });

  it("removes a blocked task from the channel's queue without disturbing the others", () => {
    const c = chan<string>();
    const got: string[] = [];
    const mk = (name: string) =>
      go(function* () {
        got.push(`${name}:${yield* c.recv()}`);
      });
    mk("a");
    const b = mk("b");
    mk("c");
    w.turn();
    assert.equal(c.recvq.length, 3);
    b.kill();
    assert.equal(c.recvq.length, 2);
    c.send("1");
    c.send("2");
    assert.deepEqual(got, ["a:1", "c:2"]);
  });

  it("a killed sender's value is never delivered", () => {
    const c = chan<string>();
    const t = go(function* () {
      yield* c.send("lost");
    });
    w.turn();
    t.kill();
    assert.deepEqual(c.tryRecv(), { ok: false, value: undefined, closed: false });
  });

  it("does nothing on a finished task", () => {
    const t = go(() => 1);
    w.turn();
    t.kill();
    assert.equal(valueOf(t.join()), 1);
  });

  it("before the task starts, it never runs", () => {
    let ran = false;
    const t = go(() => {
      ran = true;
    });
    t.kill();
    w.turn();
    assert.equal(ran, false);
    assert.ok(errorOf(t.join()) instanceof CancelledError);
  });

  it("cancels a foreign Deferred the task waits on", () => {
    let cancelled = 0;
    const d = new Deferred<number>(() => {
      cancelled++;
    });
    const t = go(function* () {
      yield d;
    });
    w.turn();
    t.kill();
    assert.equal(cancelled, 1);
    assert.equal(d.called, true);
  });

  it("a task killing itself stops at its next yield point", () => {
    const log: string[] = [];
    const t = go(function* () {
      try {
        currentTask()!.kill();
        log.push("still running");
        yield undefined;
        log.push("never");
      } finally {
        log.push("finally");
      }
    });
    w.turn();
    assert.deepEqual(log, ["still running", "finally"]);
    assert.equal(t.alive, false);
  });

  it("a task killing itself stops at a channel operation that completes at once", () => {
    const c = chan<number>(2);
    const log: string[] = [];
    const t = go(function* () {
      try {
        yield* c.send(1);
        currentTask()!.kill();
        yield* c.send(2);
        log.push("never");
      } finally {
        log.push("finally");
      }
    });
    w.turn();
    assert.deepEqual(log, ["finally"]);
    assert.equal(c.length, 2);
    assert.equal(t.alive, false);
  });

  it("a task killed by a receiver it woke stops at the yield of that send", () => {
    const c = chan<number>();
    const log: string[] = [];
    // eslint-disable-next-line prefer-const
    let sender: Task<void>;
    go(function* () {
      yield* c.recv();
      sender.kill();
      log.push("receiver done");
    });
    sender = go(function* () {
      try {
        yield* c.send(1); // runs the receiver, which kills us: we stop at this yield
        log.push("never");
      } finally {
        log.push("sender finally");
      }
    });
    w.turn();
    assert.deepEqual(log, ["receiver done", "sender finally"]);
    assert.equal(c.sendq.length, 0);
  });

  it("a finally that yields keeps the task alive until its cleanup ends", () => {
    const c = chan<number>();
    const done = chan<string>(1);
    const t = go(function* () {
      try {
        yield* c.recv();
      } finally {
        yield* c.recv(); // cleanup that waits
        yield* done.send("cleaned");
      }
    });
    w.turn();
    t.kill();
    assert.equal(t.alive, true);
    c.send(1);
    assert.equal(t.alive, false);
    assert.equal(valueOf(done.recv()), "cleaned");
    assert.ok(errorOf(t.join()) instanceof CancelledError);
  });

  it("ends a task running an async function (which itself cannot be stopped)", () => {
    const t = go(() => new Promise<number>(() => {}));
    w.turn();
    t.kill();
    assert.equal(t.alive, false);
    assert.ok(errorOf(t.join()) instanceof CancelledError);
  });

  it("stops a child coroutine the task yielded, running its finally blocks", () => {
    const log: string[] = [];
    function* child() {
      try {
        yield* chan().recv();
      } finally {
        log.push("child finally");
      }
    }
    const t = go(function* () {
      try {
        yield child();
      } finally {
        log.push("parent finally");
      }
    });
    w.turn();
    t.kill();
    assert.deepEqual(log, ["child finally", "parent finally"]);
  });

  it("kills a task blocked in join() of another, which keeps running", () => {
    const c = chan<number>();
    const inner = go(function* () {
      return yield* c.recv();
    });
    const outer = go(function* () {
      return yield* inner.join();
    });
    w.turn();
    outer.kill();
    assert.equal(outer.alive, false);
    assert.equal(inner.alive, true);
    c.send(5);
    assert.equal(valueOf(inner.join()), 5);
    assert.equal(outcome(outer.join()) !== "pending", true);
  });
});
