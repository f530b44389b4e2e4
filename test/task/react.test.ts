import { test } from "node:test";
import assert from "node:assert/strict";
import { react } from "../../src/task/react.js";
import { MemoryReactor } from "../../src/testing/memory-reactor.js";
import { Deferred, succeed } from "../../src/deferred.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";

test("react runs main with the reactor and argv, stops the reactor when main's Deferred fires, exit code 0", () => {
  const reactor = new MemoryReactor();
  const work = new Deferred<string>();
  const seen: unknown[] = [];
  const code = react(
    (r: MemoryReactor, a: string, b: number) => {
      seen.push(r, a, b);
      return work;
    },
    ["x", 2],
    reactor,
  );
  assert.deepEqual(seen, [reactor, "x", 2]);
  assert.equal(reactor.running, true);
  let exit: number | undefined;
  code.addCallback((c) => {
    exit = c;
  });
  work.callback("ok");
  assert.equal(reactor.hasStopped, true);
  assert.equal(exit, 0);
});

test("a main that has already finished stops the reactor once it is running", () => {
  const reactor = new MemoryReactor();
  let exit: number | undefined;
  react(() => succeed(1), [], reactor).addCallback((c) => {
    exit = c;
  });
  assert.equal(reactor.hasRun, true);
  assert.equal(reactor.hasStopped, true);
  assert.equal(exit, 0);
});

test("a failing main is logged and gives exit code 1; an error with a numeric exitCode gives that code", () => {
  const logs = captureLogs();
  const r1 = new MemoryReactor();
  let c1: number | undefined;
  react(
    () => Promise.reject(new RangeError("boom")),
    [],
    r1,
  ).addCallback((c) => {
    c1 = c;
  });
  const r2 = new MemoryReactor();
  let c2: number | undefined;
  react(
    () => {
      throw Object.assign(new Error("exit"), { exitCode: 3 });
    },
    [],
    r2,
  ).addCallback((c) => {
    c2 = c;
  });
  assert.equal(c2, 3);
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    assert.equal(c1, 1);
    assert.equal(logs.flushLoggedErrors(RangeError).length, 1);
    assertNoLoggedErrors(logs);
  });
});

test("if the reactor is stopped by someone else first, react does not stop it again", () => {
  const reactor = new MemoryReactor();
  const work = new Deferred<void>();
  let exit: number | undefined;
  react(() => work, [], reactor).addCallback((c) => {
    exit = c;
  });
  reactor.addSystemEventTrigger("before", "shutdown", () => work.callback(undefined));
  reactor.stop();
  assert.equal(exit, 0);
});
