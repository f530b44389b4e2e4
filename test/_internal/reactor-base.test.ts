import { test } from "node:test";
import assert from "node:assert/strict";
import { ReactorBase } from "../../src/_internal/reactor-base.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";

/** ReactorBase on fake time, iterated by hand: `iterate()` is one turn of the platform loop. */
class ManualReactor extends ReactorBase {
  now = 0;
  wakes = 0;
  startedCalls = 0;
  finishedCalls = 0;
  seconds(): number {
    return this.now;
  }
  protected wake(): void {
    this.wakes++;
  }
  protected override loopStarted(): void {
    this.startedCalls++;
  }
  protected override loopFinished(): void {
    this.finishedCalls++;
  }
  iterate(): void {
    this.runUntilCurrent();
  }
  advance(dt: number): void {
    this.now += dt;
    this.runUntilCurrent();
  }
  ready(): boolean {
    return this.hasReadyWork();
  }
  deadline(): number | undefined {
    return this.nextDeadline();
  }
  get done(): boolean {
    return this.finishedRun;
  }
}

test("startup and shutdown triggers run in Twisted's order with running flipping in the during phases", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  const snap = (tag: string) => () => out.push(`${tag}:${r.running}`);
  r.addSystemEventTrigger("before", "startup", snap("bs"));
  r.addSystemEventTrigger("during", "startup", snap("ds"));
  r.addSystemEventTrigger("after", "startup", snap("as"));
  r.addSystemEventTrigger("before", "shutdown", snap("bsh"));
  r.addSystemEventTrigger("during", "shutdown", snap("dsh"));
  r.addSystemEventTrigger("after", "shutdown", snap("ash"));
  r.callWhenRunning(snap("cwr"));
  r.callLater(0, snap("timed0"));
  out.push("before run");
  const finished = r.run();
  out.push("after run()");
  r.callLater(0.01, () => {
    r.stop();
    assert.throws(() => r.stop(), ReactorNotRunning);
    r.callLater(0, snap("after-stop-call0"));
  });
  r.iterate();
  r.advance(0.01);
  out.push(`finished:${finished.called}`);
  r.iterate();
  assert.deepEqual(out, [
    "before run",
    "bs:false",
    "ds:true",
    "as:true",
    "cwr:true",
    "after run()",
    "timed0:true",
    "bsh:true",
    "dsh:false",
    "ash:false",
    "finished:true",
  ]);
  assert.equal(r.startedCalls, 1);
  assert.equal(r.finishedCalls, 1);
  assert.equal(r.done, true);
});

test("a Deferred returned by a before-shutdown trigger delays the rest of shutdown; timers keep running meanwhile", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  r.addSystemEventTrigger("before", "shutdown", () => {
    const d = new Deferred<void>();
    r.callLater(1, () => {
      out.push("bsd fired");
      d.callback(undefined);
    });
    return d;
  });
  r.addSystemEventTrigger("before", "shutdown", () => out.push("bsh2"));
  r.addSystemEventTrigger("during", "shutdown", () => out.push("dsh"));
  const finished = r.run();
  r.callLater(0, () => {
    r.stop();
    r.callLater(0, () => out.push("call0"));
  });
  r.iterate();
  assert.deepEqual(out, ["bsh2"]);
  assert.equal(r.running, true);
  r.iterate();
  assert.deepEqual(out, ["bsh2", "call0"]);
  r.advance(1);
  assert.deepEqual(out, ["bsh2", "call0", "bsd fired", "dsh"]);
  assert.equal(finished.called, true);
  assert.equal(r.running, false);
});

test("a second run() raises ReactorNotRestartable and run() while running raises ReactorAlreadyRunning", () => {
  const r = new ManualReactor();
  r.run();
  assert.throws(() => r.run(), ReactorAlreadyRunning);
  r.stop();
  r.iterate();
  assert.throws(() => r.run(), ReactorNotRestartable);
});

test("stop() on a reactor that never ran raises ReactorNotRunning", () => {
  const r = new ManualReactor();
  assert.throws(() => r.stop(), ReactorNotRunning);
});

test("an exception in a timed call is logged with where it was scheduled and the next call still runs", () => {
  const logs = captureLogs();
  const r = new ManualReactor();
  const out: string[] = [];
  r.callLater(1, function falldown() {
    throw new Error("I fall down.");
  });
  r.callLater(1, () => out.push("But I get up again."));
  r.advance(1);
  assert.deepEqual(out, ["But I get up again."]);
  const [event] = logs.events;
  assert.equal(event?.failure?.getErrorMessage(), "I fall down.");
  assert.match(String(event?.fields.creator), /reactor-base\.test\.ts/);
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
});

test("an exception in a trigger is logged and the next trigger runs", () => {
  const logs = captureLogs();
  const r = new ManualReactor();
  const out: string[] = [];
  r.callWhenRunning(() => {
    throw new Error("I fall down.");
  });
  r.callWhenRunning(() => out.push("up"));
  r.run();
  assert.deepEqual(out, ["up"]);
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
});

test("calls due at the same time run FIFO (Twisted's real reactor does not: golden §24)", () => {
  const r = new ManualReactor();
  const out: number[] = [];
  for (let i = 0; i < 12; i++) r.callLater(1, () => out.push(i));
  r.advance(1);
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test("a callLater(0) made by a timed call runs in the next iteration, after the other calls due now (golden §24)", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  r.callLater(1, () => {
    out.push("a");
    r.callLater(0, () => out.push("a0"));
  });
  r.callLater(1, () => out.push("b"));
  r.advance(1);
  assert.deepEqual(out, ["a", "b"]);
  assert.equal(r.ready(), true);
  r.iterate();
  assert.deepEqual(out, ["a", "b", "a0"]);
});

test("callWhenRunning on a running reactor calls at once and returns undefined", () => {
  const r = new ManualReactor();
  r.run();
  let n = 0;
  assert.equal(
    r.callWhenRunning(() => n++),
    undefined,
  );
  assert.equal(n, 1);
});

test("removeSystemEventTrigger removes a pending trigger and rejects one that is not pending", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  const id = r.addSystemEventTrigger("after", "startup", () => out.push("x"));
  r.removeSystemEventTrigger(id);
  assert.throws(() => r.removeSystemEventTrigger(id), RangeError);
  r.run();
  assert.deepEqual(out, []);
  assert.throws(() => r.addSystemEventTrigger("sometime" as "before", "startup", () => {}), RangeError);
});

test("callFromThread calls run FIFO at the start of the next iteration, before timed calls", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  r.callLater(0, () => out.push("timed"));
  r.callFromThread((x: string) => out.push(x), "t1");
  r.callFromThread((x: string) => out.push(x), "t2");
  assert.deepEqual(out, []);
  r.iterate();
  assert.deepEqual(out, ["t1", "t2", "timed"]);
});

test("wake() is asked for when a new earliest call appears, not for later ones", () => {
  const r = new ManualReactor();
  const w0 = r.wakes;
  r.callLater(5, () => {});
  assert.equal(r.wakes, w0 + 1);
  r.callLater(10, () => {});
  assert.equal(r.wakes, w0 + 1);
  const c = r.callLater(1, () => {});
  assert.equal(r.wakes, w0 + 2);
  assert.equal(r.deadline(), 1);
  c.cancel();
  assert.equal(r.deadline(), 5);
});

test("a DelayedCall reset() or delay() moves it in the reactor's queue", () => {
  const r = new ManualReactor();
  const out: string[] = [];
  const a = r.callLater(5, () => out.push("a"));
  r.callLater(3, () => out.push("b"));
  a.reset(1);
  r.advance(1);
  assert.deepEqual(out, ["a"]);
  const c = r.callLater(1, () => out.push("c"));
  c.delay(5);
  r.advance(2);
  assert.deepEqual(out, ["a", "b"]);
  r.advance(4);
  assert.deepEqual(out, ["a", "b", "c"]);
});

test("after shutdown nothing runs any more", () => {
  const r = new ManualReactor();
  let n = 0;
  r.run();
  r.stop();
  r.iterate();
  r.callLater(0, () => n++);
  r.iterate();
  assert.equal(n, 0);
});

test("open resources are tracked until untracked", () => {
  const r = new ManualReactor();
  const res = { kind: "tcp-port", describe: () => "TCP port 1234", creator: "here" };
  r.trackResource(res);
  assert.deepEqual(r.openResources(), [res]);
  r.untrackResource(res);
  assert.deepEqual(r.openResources(), []);
});
