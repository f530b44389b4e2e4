/**
 * The same Deferred scenarios on real Twisted 22.4 (test/fixtures/twisted_deferred.py) and on reed,
 * compared trace for trace. Skips (loudly) when python3-twisted is not installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Deferred, succeed, fail } from "../../src/deferred.js";
import { DeferredList, gatherResults } from "../../src/combinators.js";
import { DeferredLock } from "../../src/primitives.js";
import { inlineCallbacks } from "../../src/coroutine.js";
import { Failure } from "../../src/failure.js";
import { AlreadyCalledError, CancelledError, FirstError } from "../../src/errors.js";
import { Clock } from "../../src/testing/clock.js";

type Trace = unknown[];
// Python exception names as reed spells them.
const pyName: Record<string, string> = { RangeError: "ZeroDivisionError", TypeError: "ValueError", EvalError: "RuntimeError" };
const name = (f: Failure): string => pyName[f.typeName] ?? f.typeName;
function outcome(d: Deferred<unknown>, t: Trace): void {
  d.addCallbacks(
    (v) => void t.push(["ok", v]),
    (f) => void t.push(["fail", name(f)]),
  );
}

const scenarios: Record<string, () => Trace> = {
  alternation() {
    const t: Trace = [];
    const d = new Deferred<number>();
    d.addCallback((r: number, e: number) => (t.push(["cb1", r, e]), r * 2), 10);
    d.addErrback(() => t.push("eb_x"));
    d.addCallback(() => {
      throw new RangeError("division by zero");
    });
    d.addCallback(() => t.push("cb_x"));
    d.addErrback((_f: Failure, e: string) => (t.push(["eb2", e]), "recovered"), "extra");
    d.addBoth((r) => (t.push(["both", r]), r));
    outcome(d, t);
    d.callback(5);
    return t;
  },
  unfired_chain() {
    const t: Trace = [];
    const outer = new Deferred<string>();
    const inner = new Deferred<number>();
    outer.addCallback(() => inner).addCallback((r) => r + 1);
    outer.callback("start");
    t.push(["paused", outer.paused]);
    inner.addCallback((r) => void t.push(["inner-late", r ?? null]));
    inner.callback(4);
    t.push(["outer", outer.result]);
    return t;
  },
  fired_chain() {
    const t: Trace = [];
    const inner = succeed("X");
    const outer = succeed(0).addCallback(() => inner);
    t.push(["outer", outer.result, "inner", inner.result ?? null]);
    return t;
  },
  pause() {
    const t: Trace = [];
    const d = new Deferred<number>();
    d.pause();
    d.pause();
    d.addCallback((r) => t.push(r));
    d.callback(7);
    t.push("one");
    d.unpause();
    t.push("two");
    d.unpause();
    return t;
  },
  cancel() {
    const t: Trace = [];
    const d = new Deferred<string>();
    outcome(d, t);
    d.cancel();
    d.callback("late");
    try {
      d.callback("later");
    } catch (e) {
      if (e instanceof AlreadyCalledError) t.push("AlreadyCalledError");
    }
    return t;
  },
  cancel_forward() {
    const t: Trace = [];
    const inner = new Deferred<number>(() => t.push("inner cancelled"));
    const outer = succeed(1).addCallback(() => inner);
    outcome(outer, t);
    outer.cancel();
    return t;
  },
  reentrant() {
    const t: Trace = [];
    const d = new Deferred<number>();
    d.addCallback((r) => {
      t.push(["cb1", r]);
      d.addCallback((x) => (t.push(["late", x]), x));
      return r + 1;
    });
    d.addCallback((r) => (t.push(["cb2", r]), r + 1));
    d.callback(0);
    return t;
  },
  dlist() {
    const t: Trace = [];
    const [d1, d2, d3] = [new Deferred<string>(), new Deferred<string>(), new Deferred<string>()];
    new DeferredList([d1, d2, d3], { consumeErrors: true }).addCallback((rs) =>
      t.push(rs.map(([ok, v]) => [ok, ok ? v : name(v as Failure)])),
    );
    d3.callback("c");
    d2.errback(new TypeError("v"));
    d1.callback("a");
    t.push(["d2", d2.result ?? null]);
    return t;
  },
  gather_fail() {
    const t: Trace = [];
    gatherResults([succeed(1), fail<number>(new EvalError("r"))], true).addErrback((f) => {
      const e = f.value as FirstError;
      t.push([f.typeName, e.index, name(e.subFailure as Failure)]);
    });
    return t;
  },
  inline() {
    const t: Trace = [];
    const pending = new Deferred<string>();
    const f = inlineCallbacks(function* () {
      const x = yield 5;
      try {
        yield fail(new TypeError("inner"));
      } catch {
        t.push("caught");
      }
      const z = yield pending;
      return [x, z];
    });
    const d = f();
    t.push(["called", d.called]);
    pending.callback("Z");
    outcome(d, t);
    return t;
  },
  inline_cancel() {
    const t: Trace = [];
    const f = inlineCallbacks(function* () {
      try {
        yield new Deferred();
      } catch (e) {
        if (e instanceof CancelledError) t.push("cancelled at yield");
        return "handled";
      }
      return "no";
    });
    const d = f();
    d.cancel();
    outcome(d, t);
    return t;
  },
  timeout() {
    const t: Trace = [];
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addTimeout(10, clock);
    outcome(d, t);
    clock.advance(9.999);
    t.push(["at", 9.999]);
    clock.advance(0.001);
    t.push(["calls", clock.getDelayedCalls().length]);
    return t;
  },
  lock() {
    const t: Trace = [];
    const lock = new DeferredLock();
    const ds = [lock.acquire(), lock.acquire(), lock.acquire()];
    t.push(ds.map((d) => d.called));
    ds[2]!.addErrback((f) => void t.push(f.typeName));
    ds[2]!.cancel();
    t.push(["waiting", lock.waiting.length]);
    lock.release();
    t.push(["second", ds[1]!.called, lock.locked]);
    lock.release();
    t.push(["locked", lock.locked]);
    return t;
  },
};

const twisted = spawnSync("/usr/bin/python3", [fileURLToPath(new URL("../fixtures/twisted_deferred.py", import.meta.url))], {
  encoding: "utf8",
  timeout: 60_000,
});
const available = twisted.status === 0;
const expected = available ? (JSON.parse(twisted.stdout) as Record<string, Trace>) : {};

test("the interop scenarios are the same set on both sides", { skip: available ? false : `real Twisted unavailable: ${twisted.stderr || twisted.error}` }, () => {
  assert.deepEqual(Object.keys(scenarios).sort(), Object.keys(expected).sort());
});

for (const [scenario, run] of Object.entries(scenarios)) {
  test(`reed matches Twisted 22.4: ${scenario}`, { skip: available ? false : "real Twisted (python3-twisted) is not installed" }, () => {
    // JSON round trip: undefined/None become null on both sides.
    assert.deepEqual(JSON.parse(JSON.stringify(run())), expected[scenario]);
  });
}
