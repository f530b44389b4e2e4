import { test } from "node:test";
import assert from "node:assert/strict";
import { inlineCallbacks, ensureDeferred } from "../src/coroutine.js";
import { Deferred, succeed, fail } from "../src/deferred.js";
import { CancelledError } from "../src/errors.js";

test("yield gives values, failed Deferreds throw at the yield, return gives the result (scenario 15)", () => {
  const pending = new Deferred<string>();
  const f = inlineCallbacks(function* () {
    const x = yield 5;
    let caught = "";
    try {
      yield fail(new RangeError("inner"));
    } catch (e) {
      caught = `caught ${(e as Error).message}`;
    }
    const z = yield pending;
    return [x, caught, z];
  });
  const d = f();
  assert.equal(d.called, false);
  pending.callback("Z");
  assert.deepEqual(d.result, [5, "caught inner", "Z"]);
});

test("yield* gives a typed result", () => {
  const f = inlineCallbacks(function* (n: number) {
    const a: number = yield* succeed(n);
    const b: string = yield* succeed("s");
    return `${a}${b}`;
  });
  assert.equal(f(1).result, "1s");
});

test("the body runs synchronously, and 100,000 fired yields do not grow the stack (scenario 15)", () => {
  const log: string[] = [];
  const f = inlineCallbacks(function* () {
    log.push("start");
    let n = 0;
    for (let i = 0; i < 100_000; i++) n += yield* succeed(1);
    log.push("after loop");
    return n;
  });
  const d = f();
  log.push("returned to caller");
  assert.deepEqual(log, ["start", "after loop", "returned to caller"]);
  assert.equal(d.result, 100_000);
});

test("an error escaping the body fails the Deferred", () => {
  const f = inlineCallbacks(function* () {
    yield 1;
    throw new TypeError("escaped");
  });
  let msg = "";
  f().addErrback((fl) => {
    msg = fl.getErrorMessage();
  });
  assert.equal(msg, "escaped");
});

test("cancelling cancels the awaited Deferred and a caught CancelledError decides the result (scenario 15)", () => {
  let innerCancelled = false;
  const f = inlineCallbacks(function* () {
    try {
      yield new Deferred(() => {
        innerCancelled = true;
      });
    } catch (e) {
      if (e instanceof CancelledError) return "handled";
      throw e;
    }
    return "not reached";
  });
  const d = f();
  d.cancel();
  assert.equal(innerCancelled, true);
  assert.equal(d.result, "handled");
});

test("an uncaught CancelledError fails the coroutine, running finally blocks (scenario 15)", () => {
  const log: string[] = [];
  const f = inlineCallbacks(function* () {
    try {
      yield new Deferred();
    } finally {
      log.push("finally");
    }
  });
  const d = f();
  let name = "";
  d.addErrback((fl) => {
    name = fl.typeName;
  });
  d.cancel();
  assert.equal(name, "CancelledError");
  assert.deepEqual(log, ["finally"]);
});

test("a coroutine that catches the cancellation and carries on keeps its Deferred waiting", () => {
  const next = new Deferred<string>();
  const f = inlineCallbacks(function* () {
    try {
      yield new Deferred();
    } catch {
      /* carry on */
    }
    return yield* next;
  });
  const d = f();
  d.cancel();
  assert.equal(d.called, true);
  assert.equal(d.paused, 1); // waiting on the coroutine's eventual result
  next.callback("eventually");
  assert.equal(d.result, "eventually");
});

test("yielding a Promise waits for it", async () => {
  const f = inlineCallbacks(function* () {
    const v = yield Promise.resolve(7);
    return v;
  });
  const d = f();
  assert.equal(d.called, false);
  assert.equal(await d, 7);
});

test("inlineCallbacks rejects a function that does not return a generator", () => {
  const f = inlineCallbacks((() => 1) as unknown as () => Generator<unknown, number, unknown>);
  assert.throws(() => f(), TypeError);
});

test("ensureDeferred accepts Promises, generators and Deferreds", async () => {
  assert.equal(await ensureDeferred(Promise.resolve(1)), 1);
  const g = (function* () {
    return (yield succeed(2)) as number;
  })();
  assert.equal(ensureDeferred(g).result, 2);
  const d = succeed(3);
  assert.equal(ensureDeferred(d), d);
  assert.throws(() => ensureDeferred(5 as unknown as Promise<number>), TypeError);
});

test("ensureDeferred of an async function's promise", async () => {
  async function work(): Promise<string> {
    await null;
    return "async done";
  }
  assert.equal(await ensureDeferred(work()), "async done");
});
