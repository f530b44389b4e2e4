import { test } from "node:test";
import assert from "node:assert/strict";
import { Failure } from "../src/failure.js";
import { Deferred } from "../src/deferred.js";

class KeyError extends Error {
  override name = "KeyError";
}

test("Failure wraps an Error: value, type, message", () => {
  const e = new KeyError("k");
  const f = new Failure(e);
  assert.equal(f.value, e);
  assert.equal(f.type, KeyError);
  assert.equal(f.getErrorMessage(), "k");
  assert.equal(f.typeName, "KeyError");
  assert.equal(String(f), "[Failure KeyError: k]");
});

test("Failure wraps non-Error values", () => {
  assert.equal(new Failure("text").type, String);
  assert.equal(new Failure("text").getErrorMessage(), "text");
  assert.equal(new Failure(42).getErrorMessage(), "42");
  assert.equal(new Failure(undefined).type, undefined);
  assert.equal(new Failure(null).check(Error), null);
});

test("check() returns the first matching type or null, following inheritance", () => {
  const f = new Failure(new KeyError("k"));
  assert.equal(f.check(TypeError, KeyError), KeyError);
  assert.equal(f.check(Error), Error);
  assert.equal(f.check(TypeError), null);
  assert.equal(f.check("KeyError"), "KeyError");
  assert.equal(f.check("Error"), "Error");
  assert.equal(new Failure("s").check(String), String);
});

test("trap() returns the match or re-throws the original value", () => {
  const e = new KeyError("k");
  const f = new Failure(e);
  assert.equal(f.trap(KeyError), KeyError);
  assert.throws(
    () => f.trap(TypeError),
    (x: unknown) => x === e,
  );
});

test("raiseException() throws the value, and Failure.from() finds the same Failure again", () => {
  const f = new Failure(new RangeError("r"));
  try {
    f.raiseException();
  } catch (e) {
    assert.equal(Failure.from(e), f);
  }
});

test("a trapped-and-rethrown error keeps its Failure through the chain", () => {
  const d = new Deferred();
  let first: Failure | undefined;
  let second: Failure | undefined;
  d.addErrback((f) => {
    first = f;
    f.trap(TypeError);
  });
  d.addErrback((f) => {
    second = f;
  });
  d.errback(new RangeError("r"));
  assert.equal(first, second);
});

test("getTraceback() shows where the error was raised and where it entered the Deferred chain", () => {
  function raiseHere(): never {
    throw new RangeError("deep");
  }
  const d = new Deferred();
  d.addCallback(() => raiseHere());
  let tb = "";
  d.addErrback((f) => {
    tb = f.getTraceback();
  });
  d.callback(1);
  assert.match(tb, /RangeError: deep/);
  assert.match(tb, /raiseHere/);
  assert.match(tb, /--- entered the Deferred chain ---/);
});

test("getTraceback() includes an Error's cause", () => {
  const f = new Failure(new Error("outer", { cause: new TypeError("inner") }));
  assert.match(f.getTraceback(), /Caused by: TypeError: inner/);
});

test("a Failure of a Failure copies it", () => {
  const f = new Failure(new TypeError("t"));
  const g = new Failure(f);
  assert.equal(g.value, f.value);
  assert.equal(g.enteredAt, f.enteredAt);
});
