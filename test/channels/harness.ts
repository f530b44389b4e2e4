/**
 * Shared set-up for channel tests: a Scheduler bound to a Clock (deterministic turns with
 * `turn()`), captured panics, and a check that no task is left alive after each test.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach } from "node:test";
import { Deferred } from "../../src/deferred.js";
import { Failure } from "../../src/failure.js";
import { Scheduler, setScheduler } from "../../src/channels/scheduler.js";
import type { Task } from "../../src/channels/task.js";
import { Clock } from "../../src/testing/clock.js";

/** What one test sees. */
export interface World {
  clock: Clock;
  scheduler: Scheduler;
  panics: Array<{ failure: Failure; task: Task<unknown> }>;
  /** One scheduler turn: runs the run queue (and any deadlock check) until quiet. */
  turn(): void;
}

/** Installs a fresh world before each test and checks it after; returns a live view of it. */
export function useWorld(): World {
  const world = {} as World;
  let previous: Scheduler;
  beforeEach(() => {
    world.clock = new Clock();
    world.panics = [];
    world.scheduler = new Scheduler({
      reactor: world.clock,
      onPanic: (failure, task) => world.panics.push({ failure, task }),
    });
    world.turn = () => world.clock.advance(0);
    previous = setScheduler(world.scheduler);
  });
  afterEach(() => {
    setScheduler(previous);
    const alive = world.scheduler.tasks();
    for (const t of alive) t.kill();
    assert.deepEqual(alive.map(String), [], "no task may be left alive after a test");
  });
  return world;
}

/** The outcome of a Deferred that has fired (consuming a failure), or "pending". */
export function outcome<T>(d: Deferred<T>): { value: T } | { error: unknown } | "pending" {
  if (!d.called || d.result instanceof Deferred) return "pending";
  let out: { value: T } | { error: unknown } | "pending" = "pending";
  d.addCallbacks(
    (v) => {
      out = { value: v };
      return v;
    },
    (f: Failure) => {
      out = { error: f.value };
      return null;
    },
  );
  return out;
}

/** The value a fired Deferred holds (fails the test otherwise). */
export function valueOf<T>(d: Deferred<T>): T {
  const o = outcome(d);
  assert.ok(o !== "pending" && "value" in o, `expected a value, got ${o === "pending" ? "pending" : String((o as { error: unknown }).error)}`);
  return (o as { value: T }).value;
}

/** The error a fired Deferred failed with (fails the test otherwise). */
export function errorOf<T>(d: Deferred<T>): unknown {
  const o = outcome(d);
  assert.ok(o !== "pending" && "error" in o, `expected a failure, got ${o === "pending" ? "pending" : "a value"}`);
  return (o as { error: unknown }).error;
}
