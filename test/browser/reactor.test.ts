import { test } from "node:test";
import assert from "node:assert/strict";
import { BrowserReactor, type BrowserHost } from "../../src/browser/reactor.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { globalLogPublisher, type LogEvent } from "../../src/logger.js";
import { LoopingCall } from "../../src/task/looping-call.js";

/** A host whose time, timers, tasks and frames move only when the test says so. */
class FakeHost implements BrowserHost {
  ms = 1_000_000;
  timers: Array<{ due: number; fn: () => void; id: number }> = [];
  tasks: Array<() => void> = [];
  frames: Array<{ fn: (t: number) => void; id: number }> = [];
  closed = false;
  private nextId = 1;
  now(): number {
    return this.ms;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ due: this.ms + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== h);
  }
  queueTask(fn: () => void): void {
    this.tasks.push(fn);
  }
  requestAnimationFrame(fn: (t: number) => void): unknown {
    const id = this.nextId++;
    this.frames.push({ fn, id });
    return id;
  }
  cancelAnimationFrame(h: unknown): void {
    this.frames = this.frames.filter((f) => f.id !== h);
  }
  close(): void {
    this.closed = true;
  }
  /** Runs queued tasks (only those queued before this call). */
  runTasks(): void {
    const tasks = this.tasks;
    this.tasks = [];
    for (const t of tasks) t();
  }
  /** Moves time and fires due timers in order. */
  advance(ms: number): void {
    this.ms += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= this.ms).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
  /** Fires the pending animation frames. */
  frame(): void {
    const frames = this.frames;
    this.frames = [];
    for (const f of frames) f.fn(this.ms);
  }
}

function make(): { host: FakeHost; reactor: BrowserReactor } {
  const host = new FakeHost();
  return { host, reactor: new BrowserReactor({ host }) };
}

test("callLater(0) runs from a queued task, never from a timer", () => {
  const { host, reactor } = make();
  const seen: string[] = [];
  reactor.callLater(0, (a: string) => seen.push(a), "zero");
  assert.equal(host.timers.length, 0);
  assert.equal(host.tasks.length, 1);
  host.runTasks();
  assert.deepEqual(seen, ["zero"]);
});

test("only one host timer is armed, for the earliest deadline", () => {
  const { host, reactor } = make();
  const seen: number[] = [];
  reactor.callLater(3, () => seen.push(3));
  reactor.callLater(1, () => seen.push(1));
  reactor.callLater(2, () => seen.push(2));
  assert.equal(host.timers.length, 1);
  assert.equal(host.timers[0]!.due, host.ms + 1000);
  host.advance(1000);
  assert.deepEqual(seen, [1]);
  assert.equal(host.timers.length, 1);
  host.advance(2000);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(host.timers.length, 0);
});

test("calls due at the same time run in the order they were scheduled", () => {
  const { host, reactor } = make();
  const seen: string[] = [];
  for (const name of ["a", "b", "c"]) reactor.callLater(0.5, () => seen.push(name));
  host.advance(500);
  assert.deepEqual(seen, ["a", "b", "c"]);
});

test("a callLater(0) made by a running call waits for the next task", () => {
  const { host, reactor } = make();
  const seen: string[] = [];
  reactor.callLater(0, () => {
    seen.push("first");
    reactor.callLater(0, () => seen.push("second"));
  });
  host.runTasks();
  assert.deepEqual(seen, ["first"]);
  host.runTasks();
  assert.deepEqual(seen, ["first", "second"]);
});

test("cancel, reset and delay change when calls run, and the host timer follows", () => {
  const { host, reactor } = make();
  const start = host.ms;
  const seen: string[] = [];
  const a = reactor.callLater(1, () => seen.push("a"));
  reactor.callLater(5, () => seen.push("b"));
  a.cancel();
  host.advance(1000); // at most a spurious wake-up, which re-arms for b
  assert.equal(seen.length, 0);
  assert.deepEqual(host.timers.map((t) => t.due), [start + 5000]);
  const c = reactor.callLater(10, () => seen.push("c"));
  c.reset(1); // now due before b: the timer is brought forward
  assert.deepEqual(host.timers.map((t) => t.due), [start + 2000]);
  c.delay(10);
  host.advance(4000);
  assert.deepEqual(seen, ["b"]);
  host.advance(7000);
  assert.deepEqual(seen, ["b", "c"]);
  assert.deepEqual(reactor.getDelayedCalls(), []);
  assert.equal(host.timers.length, 0);
});

test("a call cancelled by an earlier call of the same batch does not run", () => {
  const { host, reactor } = make();
  const seen: string[] = [];
  let b: { cancel(): void } | null = null;
  reactor.callLater(1, () => {
    seen.push("a");
    b!.cancel();
  });
  b = reactor.callLater(1, () => seen.push("b"));
  host.advance(1000);
  assert.deepEqual(seen, ["a"]);
});

test("an exception in a call is logged and the other calls still run", () => {
  const { host, reactor } = make();
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.addObserver(observer);
  try {
    const seen: string[] = [];
    reactor.callLater(0, () => {
      throw new Error("falldown");
    });
    reactor.callLater(0, () => seen.push("upagain"));
    host.runTasks();
    assert.deepEqual(seen, ["upagain"]);
    const errors = events.filter((e) => e.failure);
    assert.equal(errors.length, 1);
    assert.match(String((errors[0]!.failure!.value as Error).message), /falldown/);
  } finally {
    globalLogPublisher.removeObserver(observer);
  }
});

test("run() fires startup triggers and callWhenRunning calls; a second run() is refused", () => {
  const { reactor } = make();
  const seen: string[] = [];
  reactor.addSystemEventTrigger("before", "startup", () => seen.push("before"));
  reactor.callWhenRunning(() => seen.push(`running=${reactor.running}`));
  reactor.addSystemEventTrigger("during", "startup", () => seen.push("during"));
  assert.equal(reactor.running, false);
  reactor.run();
  assert.deepEqual(seen, ["before", "during", "running=true"]);
  reactor.callWhenRunning(() => seen.push("now"));
  assert.equal(seen.at(-1), "now");
  assert.throws(() => reactor.run(), ReactorAlreadyRunning);
});

test("stop() waits for a before-shutdown Deferred, then nothing scheduled runs any more", () => {
  const { host, reactor } = make();
  const seen: string[] = [];
  assert.throws(() => reactor.stop(), ReactorNotRunning);
  reactor.run();
  const gate = new Deferred<void>();
  reactor.addSystemEventTrigger("before", "shutdown", () => gate);
  reactor.addSystemEventTrigger("after", "shutdown", () => seen.push(`after running=${reactor.running}`));
  reactor.callLater(10, () => seen.push("late"));
  const frame = reactor.nextFrame();
  reactor.stop();
  assert.throws(() => reactor.stop(), ReactorNotRunning);
  host.runTasks();
  assert.deepEqual(seen, []);
  assert.equal(reactor.running, true);
  gate.callback(undefined);
  assert.deepEqual(seen, ["after running=false"]);
  assert.equal(reactor.running, false);
  assert.equal(reactor.hasShutDown, true);
  assert.equal(host.closed, true);
  assert.equal(host.timers.length, 0);
  assert.equal(host.frames.length, 0, "pending frame requests are cancelled");
  frame.addErrback(() => undefined);
  host.advance(20_000);
  assert.deepEqual(seen, ["after running=false"]);
  assert.throws(() => reactor.run(), ReactorNotRestartable);
});

test("nextFrame() fires with the frame time at the next animation frame, and can be cancelled", () => {
  const { host, reactor } = make();
  const got: number[] = [];
  reactor.nextFrame().addCallback((t) => void got.push(t));
  const cancelled = reactor.nextFrame();
  cancelled.addErrback(() => undefined);
  cancelled.cancel();
  assert.deepEqual(got, []);
  assert.equal(host.frames.length, 1);
  host.frame();
  assert.deepEqual(got, [host.ms]);
});

test("a LoopingCall whose draw returns nextFrame() draws once per frame, never overlapping", () => {
  const { host, reactor } = make();
  let drawing = false;
  let overlaps = 0;
  let draws = 0;
  const loop = LoopingCall.on(reactor, () => {
    if (drawing) overlaps++;
    drawing = true;
    draws++;
    return reactor.nextFrame().addCallback(() => {
      drawing = false;
    });
  });
  loop.start(0);
  for (let i = 0; i < 5; i++) {
    // Many tasks per frame: the loop must still wait for the frame.
    host.runTasks();
    host.runTasks();
    host.advance(16);
    host.frame();
  }
  host.runTasks();
  assert.equal(overlaps, 0);
  assert.equal(draws, 6);
  loop.stop();
});

test("a withCount loop on the reactor counts the intervals a stall skipped", () => {
  const { host, reactor } = make();
  const counts: number[] = [];
  const loop = LoopingCall.withCount((n) => void counts.push(n), reactor);
  loop.start(0.1);
  host.advance(100);
  host.advance(100);
  host.ms += 1000; // the page was blocked for a second: no timer could fire
  host.advance(0);
  assert.deepEqual(counts, [1, 1, 1, 10]);
  loop.stop();
});
