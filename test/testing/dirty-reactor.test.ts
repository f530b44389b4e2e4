import { test } from "node:test";
import assert from "node:assert/strict";
import { assertReactorClean, reactorLeftovers } from "../../src/testing/dirty-reactor.js";
import { Clock } from "../../src/testing/clock.js";
import { DirtyReactorAggregateError } from "../../src/errors.js";
import { createReactor } from "../../src/node/reactor.js";

function leaveATimerBehind(clock: Clock): void {
  clock.callLater(5, function forgotten() {});
}

test("a clean clock passes", () => {
  assertReactorClean(new Clock());
});

test("a pending call fails the check, naming the call and where it was scheduled, and is cancelled", () => {
  const clock = new Clock();
  leaveATimerBehind(clock);
  assert.throws(
    () => assertReactorClean(clock),
    (e: unknown) => {
      assert.ok(e instanceof DirtyReactorAggregateError);
      assert.equal(e.leftovers.length, 1);
      assert.match(e.leftovers[0]!, /Pending timed call: <DelayedCall forgotten at 5 \(active\)>/);
      assert.match(e.leftovers[0]!, /leaveATimerBehind/);
      assert.match(e.leftovers[0]!, /dirty-reactor\.test\.ts/);
      return true;
    },
  );
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("cleanUp: false reports without cancelling", () => {
  const clock = new Clock();
  leaveATimerBehind(clock);
  assert.throws(() => assertReactorClean(clock, { cleanUp: false }), DirtyReactorAggregateError);
  assert.equal(clock.getDelayedCalls().length, 1);
});

test("open resources registered on a NodeReactor are reported with their creator", () => {
  const reactor = createReactor();
  const port = { kind: "tcp-port", describe: () => "TCP port listening on 127.0.0.1:4321", creator: "at openPort (server.ts:1:1)" };
  reactor.trackResource(port);
  assert.deepEqual(reactorLeftovers(reactor), ["Open tcp-port: TCP port listening on 127.0.0.1:4321, created at:\nat openPort (server.ts:1:1)"]);
  assert.throws(() => assertReactorClean(reactor), /Reactor was unclean: 1 left behind/);
  reactor.untrackResource(port);
  assertReactorClean(reactor);
});
