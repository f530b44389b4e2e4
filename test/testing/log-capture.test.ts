import { test } from "node:test";
import assert from "node:assert/strict";
import { captureLogs, flushLoggedErrors, assertNoLoggedErrors } from "../../src/testing/log-capture.js";
import { Logger, LogPublisher, defaultLogObserver, globalLogPublisher } from "../../src/logger.js";
import { UnflushedLoggedErrors } from "../../src/errors.js";
import { fail } from "../../src/deferred.js";

test("captured events are recorded and the default observer is quiet meanwhile", () => {
  const logs = captureLogs();
  assert.equal(globalLogPublisher.getObservers().includes(defaultLogObserver), false);
  new Logger("t").info("hello {who}", { who: "world" });
  assert.equal(logs.events.length, 1);
  assert.equal(logs.events[0]!.fields.who, "world");
  assertNoLoggedErrors(logs);
  assert.equal(globalLogPublisher.getObservers().includes(defaultLogObserver), true);
});

test("flushLoggedErrors takes the matching failures; the rest fail the check", () => {
  const publisher = new LogPublisher();
  const logs = captureLogs({ publisher });
  const log = new Logger("t", publisher);
  log.failure("one", new RangeError("r"));
  log.failure("two", new TypeError("t"));
  assert.equal(flushLoggedErrors(RangeError).length, 1);
  assert.equal(logs.loggedErrors.length, 1);
  assert.throws(() => assertNoLoggedErrors(logs), (e: unknown) => e instanceof UnflushedLoggedErrors && /TypeError: t/.test(e.message));
});

test("an unhandled failed Deferred still alive is reported into the capture by the check", () => {
  const logs = captureLogs();
  const d = fail(new SyntaxError("lost"));
  assert.throws(() => assertNoLoggedErrors(logs), /lost/);
  assert.ok(d.called);
});
