import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TimeoutError } from "../../src/errors.js";
import { ensureDeferred } from "../../src/coroutine.js";
import { chan } from "../../src/channels/channel.js";
import { go } from "../../src/channels/scheduler.js";
import { rcase, select } from "../../src/channels/select.js";
import { after, sleep, timeout } from "../../src/channels/timeout.js";
import { errorOf, outcome, useWorld, valueOf } from "./harness.js";

describe("timeout", () => {
  const w = useWorld();

  it("returns the body's result when it finishes in time, and cancels its timer", () => {
    const c = chan<number>();
    const t = go(function* () {
      return yield* timeout(w.clock, 5, function* () {
        return (yield* c.recv()) + 1;
      });
    });
    w.turn();
    w.clock.advance(4);
    c.send(1);
    assert.equal(valueOf(t.join()), 2);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("a body that finishes at once returns without a timer", () => {
    const d = ensureDeferred(timeout(w.clock, 5, function* () {
      return "now";
    }));
    assert.equal(valueOf(d), "now");
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("on expiry stops the body at its yield point (finally runs, catch does not) and raises TimeoutError to the caller", () => {
    const c = chan<number>(0, { name: "slow" });
    const log: string[] = [];
    const t = go(function* () {
      try {
        yield* timeout(w.clock, 2, function* () {
          try {
            yield* c.recv();
            log.push("received");
          } catch {
            log.push("body caught");
          } finally {
            log.push("body finally");
          }
        });
      } catch (e) {
        log.push(`caller caught ${(e as Error).name} ${(e as TimeoutError).timeout}`);
      }
    });
    w.turn();
    w.clock.advance(2);
    assert.deepEqual(log, ["body finally", "caller caught TimeoutError 2"]);
    assert.equal(c.recvq.length, 0);
    assert.equal(t.alive, false);
  });

  it("nested: an inner expiry raises in the outer body, which may catch it and go on", () => {
    const log: string[] = [];
    const c = chan<number>();
    const t = go(function* () {
      return yield* timeout(w.clock, 10, function* () {
        try {
          yield* timeout(w.clock, 1, function* () {
            yield* c.recv();
          });
        } catch (e) {
          log.push(`inner ${(e as TimeoutError).timeout}`);
        }
        return "outer finished";
      });
    });
    w.turn();
    w.clock.advance(1);
    assert.deepEqual(log, ["inner 1"]);
    assert.equal(valueOf(t.join()), "outer finished");
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("nested: an outer expiry passes through the inner scope and raises only from the outer one", () => {
    const log: string[] = [];
    const c = chan<number>();
    const t = go(function* () {
      try {
        yield* timeout(w.clock, 1, function* () {
          try {
            yield* timeout(w.clock, 10, function* () {
              try {
                yield* c.recv();
              } finally {
                log.push("inner body finally");
              }
            });
          } catch (e) {
            log.push(`outer body caught ${(e as TimeoutError).timeout}`);
          } finally {
            log.push("outer body finally");
          }
        });
      } catch (e) {
        log.push(`caller caught ${(e as TimeoutError).timeout}`);
      }
    });
    w.turn();
    w.clock.advance(1);
    assert.deepEqual(log, ["inner body finally", "outer body finally", "caller caught 1"]);
    assert.equal(t.alive, false);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("killing the task stops the body and cancels the timer", () => {
    const log: string[] = [];
    const t = go(function* () {
      yield* timeout(w.clock, 5, function* () {
        try {
          yield* chan().recv();
        } finally {
          log.push("body finally");
        }
      });
    });
    w.turn();
    t.kill();
    assert.deepEqual(log, ["body finally"]);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("an error in the body propagates to the caller", () => {
    const d = ensureDeferred(timeout(w.clock, 5, function* () {
      yield sleep(w.clock, 1);
      throw new RangeError("body failed");
    }));
    w.clock.advance(1);
    assert.ok(errorOf(d) instanceof RangeError);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });
});

describe("sleep and after", () => {
  const w = useWorld();

  it("sleep fires after the given seconds; cancelling it cancels the timer", () => {
    const d = sleep(w.clock, 2);
    w.clock.advance(1.5);
    assert.equal(outcome(d), "pending");
    w.clock.advance(0.5);
    assert.equal(valueOf(d), undefined);
    const e = sleep(w.clock, 2);
    e.cancel();
    errorOf(e);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("after() gives a channel for a timeout case in select", () => {
    const c = chan<number>();
    const tick = after(w.clock, 3);
    const s = select(rcase(c), rcase(tick));
    w.turn();
    assert.equal(outcome(s), "pending");
    w.clock.advance(3);
    const [k, v] = valueOf(s);
    assert.equal(k.chan, tick);
    assert.equal(v, 3);
  });
});
