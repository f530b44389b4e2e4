import { test } from "node:test";
import assert from "node:assert/strict";
import { Deferred, succeed, fail } from "../src/deferred.js";
import { DeferredList, gatherResults, race } from "../src/combinators.js";
import { Failure } from "../src/failure.js";
import { CancelledError, FailureGroup, FirstError } from "../src/errors.js";

class KeyError extends Error {
  override name = "KeyError";
}

test("DeferredList gives [success, result] pairs in list order whatever the firing order (scenario 10)", () => {
  const [d1, d2, d3] = [new Deferred<string>(), new Deferred<string>(), new Deferred<string>()];
  const dl = new DeferredList([d1, d2, d3], { consumeErrors: true });
  let result: unknown;
  dl.addCallback((r) => (result = r));
  d3.callback("c");
  d2.errback(new TypeError("v"));
  assert.equal(result, undefined);
  d1.callback("a");
  const r = result as unknown as [boolean, unknown][];
  assert.deepEqual(r[0], [true, "a"]);
  assert.equal(r[1]![0], false);
  assert.ok((r[1]![1] as Failure).check(TypeError));
  assert.deepEqual(r[2], [true, "c"]);
  assert.equal(d2.result, undefined); // consumed
});

test("DeferredList fireOnOneCallback fires with [result, index] (scenario 10)", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  let result: unknown;
  new DeferredList([a, b], { fireOnOneCallback: true }).addCallback((r) => (result = r));
  b.callback("second");
  assert.deepEqual(result, ["second", 1]);
});

test("DeferredList fireOnOneErrback fails with FirstError carrying index and subFailure (scenario 10)", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  let err: unknown;
  new DeferredList([a, b], { fireOnOneErrback: true, consumeErrors: true }).addErrback((f) => (err = f.value));
  b.errback(new KeyError("k"));
  assert.ok(err instanceof FirstError);
  assert.equal((err as FirstError).index, 1);
  assert.ok(((err as FirstError).subFailure as Failure).check(KeyError));
});

test("an empty DeferredList fires with [] unless fireOnOneCallback (scenario 10)", () => {
  assert.deepEqual(new DeferredList([]).result, []);
  assert.equal(new DeferredList([], { fireOnOneCallback: true }).called, false);
});

test("cancelling a DeferredList cancels its members and fires with their outcomes", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const dl = new DeferredList([a, b], { consumeErrors: true });
  dl.cancel();
  const r = dl.result as [boolean, Failure][];
  assert.ok(r[0]![1].check(CancelledError));
  assert.ok(r[1]![1].check(CancelledError));
});

test("gatherResults gives the results in order (scenario 11)", () => {
  assert.deepEqual(gatherResults([succeed(1), succeed(2)]).result, [1, 2]);
});

test("gatherResults fails with FirstError on the first failure (scenario 11)", () => {
  let err: unknown;
  gatherResults([succeed(1), fail(new RangeError("r"))], true).addErrback((f) => (err = f.value));
  assert.ok(err instanceof FirstError);
  assert.equal((err as FirstError).index, 1);
  assert.equal((err as FirstError).subFailure.getErrorMessage(), "r");
});

test("race fires with the first success and cancels the others", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  let result: unknown;
  race([a, b]).addCallback((r) => (result = r));
  b.callback("b wins");
  assert.deepEqual(result, [1, "b wins"]);
  assert.equal(a.called, true);
  assert.ok((a.result as unknown) === undefined || a.result instanceof Failure);
});

test("race fails with FailureGroup when every member fails", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  let err: unknown;
  race([a, b]).addErrback((f) => (err = f.value));
  a.errback(new TypeError("a"));
  assert.equal(err as unknown, undefined);
  b.errback(new RangeError("b"));
  assert.ok(err instanceof FailureGroup);
  assert.equal((err as FailureGroup).failures.length, 2);
});

test("race ignores failures before a success", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  let result: unknown;
  race([a, b]).addCallback((r) => (result = r));
  a.errback(new TypeError("a"));
  b.callback("ok");
  assert.deepEqual(result, [1, "ok"]);
});

test("cancelling a race cancels every member", () => {
  const cancelled: number[] = [];
  const a = new Deferred<string>(() => cancelled.push(0));
  const b = new Deferred<string>(() => cancelled.push(1));
  const r = race([a, b]);
  r.addErrback(() => undefined);
  r.cancel();
  assert.deepEqual(cancelled, [0, 1]);
  assert.equal(r.called, true);
});
