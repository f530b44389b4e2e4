import { test } from "node:test";
import assert from "node:assert/strict";
import * as errors from "../src/errors.js";

test("every exported error has its class name as name and a stable ERR_REED_ code", () => {
  const samples: Error[] = [
    new errors.AlreadyCalledError(),
    new errors.CancelledError(),
    new errors.TimeoutError(),
    new errors.QueueOverflow(1),
    new errors.QueueUnderflow(1),
    new errors.AlreadyCalled(),
    new errors.AlreadyCancelled(),
    new errors.ConnectionDone(),
    new errors.ConnectionLost(),
    new errors.ConnectError(),
    new errors.ConnectionRefusedError(),
    new errors.DNSLookupError(),
    new errors.UserError(),
    new errors.CannotListenError("127.0.0.1", 80, new Error("EACCES")),
  ];
  const codes = new Set<string>();
  for (const e of samples) {
    assert.ok(e instanceof errors.ReedError);
    assert.equal(e.name, e.constructor.name);
    const code = (e as errors.ReedError).code;
    assert.match(code, /^ERR_REED_[A-Z_]+$/);
    assert.ok(!codes.has(code), `duplicate code ${code}`);
    codes.add(code);
  }
});

test("connection failures share ConnectError as their base", () => {
  assert.ok(new errors.ConnectionRefusedError() instanceof errors.ConnectError);
  assert.ok(new errors.DNSLookupError() instanceof errors.ConnectError);
  assert.ok(new errors.UserError() instanceof errors.ConnectError);
});

test("error messages say what went wrong, then the detail", () => {
  assert.equal(new errors.QueueOverflow(3).message, "Queue is full: size 3");
  assert.equal(new errors.CannotListenError("", 80, new Error("EACCES")).message, "Couldn't listen on any:80: EACCES");
  assert.equal(new errors.AlreadyCalled().message, "Tried to cancel an already-called event.");
});
