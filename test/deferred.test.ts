import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Deferred, succeed, fail, maybeDeferred, setDebugging } from "../src/deferred.js";
import { Failure } from "../src/failure.js";
import { AlreadyCalledError, CancelledError, TimeoutError } from "../src/errors.js";
import { Clock } from "../src/testing/clock.js";
import { flushUnhandledFailures } from "../src/_internal/unhandled.js";
import { globalLogPublisher, type LogEvent } from "../src/logger.js";

type Outcome = ["ok", unknown] | ["fail", string, string];
function res<T>(d: Deferred<T>): Outcome[] {
  const out: Outcome[] = [];
  d.addCallbacks(
    (v) => {
      out.push(["ok", v]);
    },
    (f) => {
      out.push(["fail", f.typeName, f.getErrorMessage()]);
    },
  );
  return out;
}

/** Captures log events for the duration of fn. */
function captured(fn: () => void): LogEvent[] {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent): void => void events.push(e);
  const saved = [...globalLogPublisher.getObservers()];
  for (const o of saved) globalLogPublisher.removeObserver(o);
  globalLogPublisher.addObserver(obs);
  try {
    fn();
  } finally {
    globalLogPublisher.removeObserver(obs);
    for (const o of saved) globalLogPublisher.addObserver(o);
  }
  return events;
}

describe("Deferred callbacks", () => {
  test("callbacks and errbacks alternate, with extra arguments after the result (Twisted scenario 1)", () => {
    const trace: unknown[] = [];
    const d = new Deferred<number>();
    d.addCallback((r: number, extra: number, k: string) => {
      trace.push(["cb1", r, extra, k]);
      return r * 2;
    }, 10, "K");
    d.addErrback(() => trace.push("eb_x"));
    d.addCallback((): number => {
      throw new RangeError("division by zero");
    });
    d.addCallback(() => trace.push("cb_x"));
    d.addErrback((f: Failure, extra: string) => {
      trace.push(["eb2", f.typeName, extra]);
      return "recovered";
    }, "extra");
    d.addBoth((r) => {
      trace.push(["both", r]);
      return r;
    });
    d.addCallbacks(
      (r: unknown, a: number, b: number) => {
        trace.push(["cbs", r, a, b]);
        return r;
      },
      null,
      [1, 2],
    );
    const out = res(d);
    d.callback(5);
    assert.deepEqual(trace, [
      ["cb1", 5, 10, "K"],
      ["eb2", "RangeError", "extra"],
      ["both", "recovered"],
      ["cbs", "recovered", 1, 2],
    ]);
    assert.deepEqual(out, [["ok", "recovered"]]);
  });

  test("returning a Failure skips callbacks; an errback returning undefined routes back to callbacks (scenario 2)", () => {
    const seen: unknown[] = [];
    const d = new Deferred<number>();
    d.addCallback(() => new Failure(new TypeError("v")));
    d.addCallback(() => seen.push("skipped"));
    d.addErrback((f) => {
      seen.push(f.typeName);
    });
    d.addCallback((r) => seen.push(["next", r]));
    d.callback(1);
    assert.deepEqual(seen, ["TypeError", ["next", undefined]]);
  });

  test("callbacks run synchronously inside callback(), never on a microtask", () => {
    const order: string[] = [];
    const d = new Deferred<string>();
    d.addCallback((r) => order.push(r));
    order.push("before");
    d.callback("fired");
    order.push("after");
    assert.deepEqual(order, ["before", "fired", "after"]);
  });

  test("a callback added after firing runs at once", () => {
    const d = succeed(3);
    let got: number | undefined;
    d.addCallback((r) => (got = r));
    assert.equal(got, 3);
  });

  test("errback() wraps a plain error in a Failure", () => {
    const d = new Deferred();
    let f: unknown;
    d.addErrback((x) => {
      f = x;
    });
    d.errback(new SyntaxError("s"));
    assert.ok(f instanceof Failure);
    assert.ok((f as Failure).value instanceof SyntaxError);
  });

  test("errback() with a non-Error value keeps the value", () => {
    const out = res(fail("just a string"));
    assert.deepEqual(out, [["fail", "String", "just a string"]]);
  });

  test("callback() with a Failure starts on the errback side", () => {
    const d = new Deferred<number>();
    const out = res(d);
    d.callback(new Failure(new RangeError("r")));
    assert.deepEqual(out, [["fail", "RangeError", "r"]]);
  });

  test("callback() with a Deferred is a TypeError", () => {
    assert.throws(() => new Deferred<unknown>().callback(new Deferred()), TypeError);
  });

  test("firing twice raises AlreadyCalledError", () => {
    const d = new Deferred<number>();
    d.callback(1);
    assert.throws(() => d.callback(2), AlreadyCalledError);
    assert.throws(() => d.errback(new Error("x")), AlreadyCalledError);
  });

  test("a callback added during execution runs after the existing ones (re-entrant addCallback, scenario 17)", () => {
    const order: string[] = [];
    const d = new Deferred<number>();
    d.addCallback((r) => {
      order.push(`cb1(${r})`);
      d.addCallback((x) => {
        order.push(`late-added(${x})`);
        return x;
      });
      return r + 1;
    });
    d.addCallback((r) => {
      order.push(`cb2(${r})`);
      return r + 1;
    });
    d.callback(0);
    assert.deepEqual(order, ["cb1(0)", "cb2(1)", "late-added(2)"]);
  });
});

describe("Deferred chaining", () => {
  test("returning an unfired Deferred pauses the outer until it fires (scenario 3)", () => {
    const outer = new Deferred<string>();
    const inner = new Deferred<number>();
    const innerLate: unknown[] = [];
    outer.addCallback(() => inner).addCallback((r) => r + 1);
    outer.callback("start");
    assert.equal(outer.paused, 1);
    assert.equal(outer.called, true);
    inner.addCallback((r) => {
      innerLate.push(r);
      return r;
    });
    inner.callback(4);
    assert.equal(outer.result, 5);
    assert.equal(outer.paused, 0);
    assert.deepEqual(innerLate, [undefined]);
    assert.equal(inner.result, undefined);
  });

  test("returning a fired Deferred steals its result synchronously (scenario 4)", () => {
    const inner = succeed("X");
    const outer = succeed(0).addCallback(() => inner);
    assert.equal(outer.result, "X");
    assert.equal(inner.result, undefined);
  });

  test("stealing a failed Deferred's result leaves no unhandled error for the inner (scenario 4)", () => {
    const events = captured(() => {
      const inner = fail(new EvalError("k"));
      const out = res(succeed(0).addCallback(() => inner));
      assert.deepEqual(out, [["fail", "EvalError", "k"]]);
      assert.equal(inner.result, undefined);
      flushUnhandledFailures();
    });
    assert.equal(events.length, 0);
  });

  test("a returned Promise pauses the chain until it settles", async () => {
    const d = succeed(1).addCallback((r) => Promise.resolve(r + 1));
    assert.equal(d.paused, 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(d.result, 2);
    const e = succeed(1).addCallback(() => Promise.reject(new URIError("u")));
    const out = res(e);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(out, [["fail", "URIError", "u"]]);
  });

  test("a chain of 1,000,000 returned Deferreds fired innermost-last does not overflow the stack", () => {
    const N = 1_000_000;
    const ds: Deferred<number>[] = [];
    for (let i = 0; i <= N; i++) ds.push(new Deferred<number>());
    for (let i = 0; i < N; i++) {
      const next = ds[i + 1]!;
      ds[i]!.addCallback(() => next);
    }
    let depth = 0;
    ds[0]!.addCallback((r) => {
      depth = (new Error().stack ?? "").split("\n").length;
      return r;
    });
    for (let i = 0; i < N; i++) ds[i]!.callback(0);
    ds[N]!.callback(42);
    assert.equal(ds[0]!.result, 42);
    assert.ok(depth < 50, `stack depth ${depth}`);
  });

  test("a chain of 1,000,000 already-fired returned Deferreds is stolen in a loop", () => {
    const N = 1_000_000;
    const ds: Deferred<number>[] = [];
    for (let i = 0; i <= N; i++) ds.push(new Deferred<number>());
    for (let i = 0; i < N; i++) {
      const next = ds[i + 1]!;
      ds[i]!.addCallback(() => next);
    }
    ds[N]!.callback(7);
    for (let i = N - 1; i >= 0; i--) ds[i]!.callback(0);
    assert.equal(ds[0]!.result, 7);
  });

  test("returning the Deferred itself from its callback fails with a TypeError", () => {
    const d = new Deferred<unknown>();
    d.addCallback(() => d);
    const out = res(d);
    d.callback(1);
    assert.equal(out[0]![0], "fail");
    assert.equal(out[0]![1], "TypeError");
  });

  test("chainDeferred makes the second Deferred fire with the first's result", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    const out = res(b);
    a.callback(9);
    assert.deepEqual(out, [["ok", 9]]);
  });
});

describe("Deferred pause", () => {
  test("pause() counts: only the last unpause() runs the callbacks (scenario 5)", () => {
    const seen: number[] = [];
    const d = new Deferred<number>();
    d.pause();
    d.pause();
    d.addCallback((r) => seen.push(r));
    d.callback(7);
    assert.deepEqual(seen, []);
    d.unpause();
    assert.deepEqual(seen, []);
    d.unpause();
    assert.deepEqual(seen, [7]);
  });
});

describe("Deferred cancellation", () => {
  test("cancel() without a canceller fails with CancelledError and ignores exactly one late callback (scenario 6)", () => {
    const d = new Deferred<string>();
    const out = res(d);
    d.cancel();
    assert.deepEqual(out, [["fail", "CancelledError", ""]]);
    d.callback("late");
    assert.throws(() => d.callback("later"), AlreadyCalledError);
  });

  test("a canceller that fires the Deferred decides the result (scenario 7)", () => {
    const a = new Deferred<string>((me) => me.callback("cancelled-value"));
    const outA = res(a);
    a.cancel();
    assert.deepEqual(outA, [["ok", "cancelled-value"]]);

    const b = new Deferred<string>((me) => me.errback(new TypeError("custom")));
    const outB = res(b);
    b.cancel();
    assert.deepEqual(outB, [["fail", "TypeError", "custom"]]);
  });

  test("a canceller that does nothing leads to CancelledError and no silent late callback (scenario 7)", () => {
    let called = 0;
    const d = new Deferred<number>(() => void called++);
    const out = res(d);
    d.cancel();
    assert.equal(called, 1);
    assert.deepEqual(out, [["fail", "CancelledError", ""]]);
    assert.throws(() => d.callback(1), AlreadyCalledError);
  });

  test("cancel() is forwarded to the Deferred being waited on (scenario 8)", () => {
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const outer = succeed(1).addCallback(() => inner);
    const out = res(outer);
    outer.cancel();
    assert.equal(innerCancelled, true);
    assert.deepEqual(out, [["fail", "CancelledError", ""]]);
  });

  test("cancel() on a fired Deferred does nothing (scenario 8)", () => {
    const d = succeed(2);
    d.cancel();
    assert.deepEqual(res(d), [["ok", 2]]);
  });
});

describe("Deferred unhandled errors", () => {
  test("an unhandled failure is reported with 'Unhandled error in Deferred:' and its traceback (scenario 9)", () => {
    const events = captured(() => {
      fail(new RangeError("boom"));
      assert.equal(flushUnhandledFailures(), 1);
    });
    assert.equal(events.length, 1);
    assert.match(events[0]!.format, /^Unhandled error in Deferred:/);
    assert.ok(events[0]!.failure?.check(RangeError));
    assert.match(events[0]!.failure!.getTraceback(), /RangeError: boom/);
    assert.match(events[0]!.failure!.getTraceback(), /entered the Deferred chain/);
  });

  test("a handled failure is not reported (scenario 9)", () => {
    const events = captured(() => {
      fail(new RangeError("boom")).addErrback(() => undefined);
      flushUnhandledFailures();
    });
    assert.equal(events.length, 0);
  });

  test("a failure handled later is not reported", () => {
    const events = captured(() => {
      const d = fail(new RangeError("boom"));
      d.addErrback(() => undefined);
      flushUnhandledFailures();
    });
    assert.equal(events.length, 0);
  });

  test("a failure delivered to an awaiting Promise counts as handled", async () => {
    const d = fail(new RangeError("boom"));
    await assert.rejects(d.asPromise(), RangeError);
    const events = captured(() => flushUnhandledFailures());
    assert.equal(events.length, 0);
  });

  test("in debug mode the report says where the Deferred was created and fired", () => {
    setDebugging(true);
    try {
      const events = captured(() => {
        const d = new Deferred();
        d.errback(new Error("debugged"));
        flushUnhandledFailures();
      });
      assert.match(events[0]!.format, /created at[\s\S]*fired at/);
    } finally {
      setDebugging(false);
    }
  });

  test("an unhandled failure is reported when the Deferred is garbage-collected, not only at exit", () => {
    const script = `
      import { fail } from "./src/deferred.ts";
      (function () { fail(new RangeError("collected")); })();
      globalThis.gc();
      setTimeout(() => { globalThis.gc(); setTimeout(() => console.error("MARK"), 20); }, 20);
    `;
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    const report = r.stderr.indexOf("Unhandled error in Deferred:");
    assert.ok(report >= 0, r.stderr);
    assert.ok(report < r.stderr.indexOf("MARK"), r.stderr);
    assert.match(r.stderr, /RangeError: collected/);
  });

  test("an unhandled failure still referenced at exit is reported when the process exits", () => {
    const script = `
      import { fail } from "./src/deferred.ts";
      globalThis.keep = fail(new RangeError("kept alive"));
      console.error("MARK");
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.ok(r.stderr.indexOf("MARK") < r.stderr.indexOf("Unhandled error in Deferred:"), r.stderr);
    assert.match(r.stderr, /RangeError: kept alive/);
  });
});

describe("Deferred as a thenable", () => {
  test("await gives the result and leaves it in place", async () => {
    const d = succeed(5);
    assert.equal(await d, 5);
    assert.equal(d.result, 5);
  });

  test("await throws the failure's original value", async () => {
    await assert.rejects(async () => {
      await fail(new RangeError("r"));
    }, RangeError);
  });

  test("Deferred.fromPromise fires with the promise's outcome", async () => {
    const d = Deferred.fromPromise(Promise.resolve(3));
    assert.equal(d.called, false);
    await new Promise((r) => setImmediate(r));
    assert.equal(d.result, 3);
  });

  test("Deferred.fromPromise with a signal is cancelled when the signal aborts", async () => {
    const ac = new AbortController();
    const d = Deferred.fromPromise(new Promise<number>(() => {}), { signal: ac.signal });
    const out = res(d);
    ac.abort();
    assert.deepEqual(out, [["fail", "CancelledError", ""]]);
  });

  test("Deferred.fromAbortable aborts the work when the Deferred is cancelled", () => {
    let signal: AbortSignal | undefined;
    const d = Deferred.fromAbortable((s) => {
      signal = s;
      return new Promise<number>(() => {});
    });
    d.addErrback(() => undefined);
    d.cancel();
    assert.equal(signal!.aborted, true);
    assert.ok(signal!.reason instanceof CancelledError);
  });
});

describe("maybeDeferred", () => {
  test("wraps values, thrown errors, Failures and Deferreds", () => {
    assert.deepEqual(res(maybeDeferred((x: number) => x + 1, 1)), [["ok", 2]]);
    assert.deepEqual(
      res(
        maybeDeferred(() => {
          throw new TypeError("t");
        }),
      ),
      [["fail", "TypeError", "t"]],
    );
    assert.deepEqual(res(maybeDeferred(() => new Failure(new RangeError("f")))), [["fail", "RangeError", "f"]]);
    const d = succeed("same");
    assert.equal(maybeDeferred(() => d), d);
  });
});

describe("Deferred.addTimeout", () => {
  test("times out with TimeoutError at exactly the deadline (scenario 12)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addTimeout(10, clock);
    const out = res(d);
    clock.advance(9.999);
    assert.deepEqual(out, []);
    clock.advance(0.001);
    assert.deepEqual(out, [["fail", "TimeoutError", "(10, 'Deferred')"]]);
  });

  test("fired in time, it leaves no delayed call behind (scenario 12)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addTimeout(10, clock);
    d.callback("on time");
    assert.deepEqual(res(d), [["ok", "on time"]]);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test("onTimeoutCancel converts the result (scenario 12)", () => {
    const clock = new Clock();
    const d = new Deferred<unknown>();
    d.addTimeout(5, clock, (r, t) => ["custom", t, r instanceof Failure ? "Failure" : typeof r]);
    const out = res(d);
    clock.advance(5);
    assert.deepEqual(out, [["ok", ["custom", 5, "Failure"]]]);
  });

  test("a canceller that succeeds wins over the timeout (scenario 12)", () => {
    const clock = new Clock();
    const d = new Deferred<string>((me) => me.callback("cancel-value"));
    d.addTimeout(1, clock);
    const out = res(d);
    clock.advance(1);
    assert.deepEqual(out, [["ok", "cancel-value"]]);
  });

  test("only callbacks added before addTimeout see the CancelledError (scenario 13)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    let saw = "";
    d.addErrback((f) => {
      f.trap(CancelledError);
      saw = f.typeName;
      return "swallowed";
    });
    d.addTimeout(10, clock);
    const out = res(d);
    clock.advance(15);
    assert.equal(saw, "CancelledError");
    assert.deepEqual(out, [["ok", "swallowed"]]);
  });

  test("TimeoutError carries the timeout", () => {
    const clock = new Clock();
    const d = new Deferred<string>().addTimeout(3, clock);
    let err: unknown;
    d.addErrback((f) => {
      err = f.value;
    });
    clock.advance(3);
    assert.ok(err instanceof TimeoutError);
    assert.equal((err as TimeoutError).timeout, 3);
  });
});
