/**
 * Task: a goroutine (goless's `go`, Stackless's tasklet) run by a Scheduler.
 *
 * A task runs a generator coroutine (the killable kind), or a function returning a Deferred, a
 * Promise or a plain value. It starts at the scheduler's next turn, never inside `go()`.
 */
import { CancelledError } from "../errors.js";
import { Deferred } from "../deferred.js";
import { Failure } from "../failure.js";
import type { Coroutine } from "../coroutine.js";
import { Runner, callAs, currentTask, type Outcome } from "./runner.js";
import { isGenerator } from "../coroutine.js";
import type { Scheduler } from "./scheduler.js";

/** What `go()` accepts: a generator function, an async function, or any function. */
export type TaskFunction<A extends unknown[], R> = (...args: A) => Coroutine<R> | PromiseLike<R> | R;

let nextId = 1;

/**
 * A running goroutine: `alive` until it ends, `kill()` to stop it, `join()` for its result.
 * Make one with `go()` or `Scheduler.go()`.
 */
export class Task<R = unknown> {
  /** A number unique among this process's tasks (1, 2, ...). */
  readonly id: number;
  /** The function's name (or `task`). */
  readonly name: string;
  /**
   * @internal How many channel operations and `join()`s of other tasks this task waits on (see
   * the Scheduler's deadlock check).
   */
  blockedOps = 0;
  private runner: Runner<unknown> | null = null;
  private started = false;
  private outcome: Outcome<R> | null = null;
  private joiners: Array<{ d: Deferred<unknown>; by: Task<unknown> | null }> = [];

  /** @internal Use `go()` or `Scheduler.go()`. */
  constructor(
    /** The scheduler that runs it. */
    readonly scheduler: Scheduler,
    private readonly fn: (...args: unknown[]) => unknown,
    private readonly args: unknown[],
  ) {
    this.id = nextId++;
    this.name = fn.name || "task";
  }

  /** True from `go()` until it returns, fails or is killed. */
  get alive(): boolean {
    return this.outcome === null;
  }

  /** @internal True when it is suspended on channel operations or joins (nothing else wakes it). */
  get blockedOnChannels(): boolean {
    return this.started && this.outcome === null && this.runner !== null && !this.runner.running && this.runner.waitingOn !== null && this.blockedOps > 0;
  }

  /** @internal Called by the scheduler's run queue: runs the function up to its first wait. */
  start(): void {
    if (this.outcome !== null) return; // killed before it started
    this.started = true;
    const me = this.erased();
    let gen: Coroutine<unknown>;
    try {
      // Calling the function is the task's first step: it runs as this task.
      const x = callAs(me, this.fn, this.args);
      gen = isGenerator(x) ? x : waitFor(x);
    } catch (e) {
      this.finish({ kind: "failure", failure: Failure.from(e) });
      return;
    }
    this.runner = new Runner<unknown>(me, gen, (o) => this.finish(o as Outcome<R>));
    this.runner.start();
  }

  /**
   * Stops the task at its yield point, synchronously: what it waits on is cancelled (a blocked
   * channel operation leaves its queue, other waiters undisturbed), then its `finally` blocks run
   * before `kill()` returns; `catch` blocks do not see the kill. A task not yet started never
   * runs. A task killing itself (or one on the stack below it) stops at its next yield point. A
   * `finally` that yields keeps the task alive until that cleanup ends. `join()` then fails with
   * `CancelledError`. Does nothing on a finished task. A task running an async function cannot
   * be stopped from outside: killing it cancels what it waits on and ends the task (alive
   * becomes false), but the async function itself runs on, its result ignored.
   */
  kill(): void {
    if (this.outcome !== null) return;
    if (!this.started) {
      this.finish({ kind: "killed" });
      return;
    }
    this.runner?.kill();
  }

  /**
   * A Deferred of the task's result: its return value, its error (which then counts as handled:
   * it is not reported as a panic if `join()` was called before the task ended), or
   * `CancelledError` if it was killed.
   */
  join(): Deferred<R> {
    const o = this.outcome;
    if (o !== null) {
      const done = new Deferred<unknown>();
      settle(done, o, this.erased());
      return done as Deferred<R>;
    }
    // The joiner is blocked on this task, as on a channel: the deadlock check counts it.
    const joiner = currentTask();
    const sched = this.scheduler;
    const d = new Deferred<unknown>((me) => {
      const i = this.joiners.findIndex((j) => j.d === me);
      if (i >= 0) {
        this.joiners.splice(i, 1);
        sched.joinEnded(joiner);
      }
    });
    this.joiners.push({ d, by: joiner });
    sched.joinStarted(joiner);
    return d as Deferred<R>;
  }

  private finish(o: Outcome<R>): void {
    if (this.outcome !== null) return;
    this.outcome = o;
    this.scheduler.taskEnded(this.erased());
    const joiners = this.joiners;
    this.joiners = [];
    if (o.kind === "failure" && joiners.length === 0) this.scheduler.panic(o.failure, this.erased());
    for (const j of joiners) this.scheduler.joinEnded(j.by);
    for (const j of joiners) settle(j.d, o, this.erased());
  }

  /** This task with its result type forgotten (Deferred is invariant, so Task<R> is too). */
  private erased(): Task<unknown> {
    return this as unknown as Task<unknown>;
  }

  /** `task "worker" (#3)`. */
  toString(): string {
    return `task "${this.name}" (#${this.id})`;
  }
}

function settle(d: Deferred<unknown>, o: Outcome<unknown>, task: Task<unknown>): void {
  if (o.kind === "value") d.callback(o.value);
  else if (o.kind === "failure") d.errback(o.failure);
  else d.errback(new CancelledError(`Task was killed: ${task}`));
}

/** A coroutine waiting for what a non-generator task function returned (Deferred, Promise, value). */
function* waitFor(x: unknown): Coroutine<unknown> {
  return yield x;
}
