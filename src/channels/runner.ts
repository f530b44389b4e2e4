/**
 * Runner: drives one generator coroutine on Deferreds, and can kill it at its yield point.
 * Tasks (`go`) and timeout scopes are built on it.
 *
 * Invariants:
 * - While the generator executes, `currentTask()` is the Runner's owner (so channel operations
 *   know who blocks) and `running` is true; `kill()` then only sets `killPending`, and the
 *   generator is returned at its next yield point.
 * - While it waits, `waitingOn` is the Deferred it waits on and `token` identifies the callback
 *   added to it; `kill()` bumps the token (so a late result is ignored), cancels `waitingOn` and
 *   calls `generator.return()`: `finally` blocks run, `catch` blocks do not.
 * - A `finally` that yields keeps the generator alive: it is driven on as usual (the cleanup
 *   phase) and ends as killed whatever it returns, unless it throws.
 * - Already-fired Deferreds are fed back in a loop, so long runs of ready operations use
 *   constant stack.
 */
import { Deferred, isThenable } from "../deferred.js";
import { Failure } from "../failure.js";
import { isGenerator, type Coroutine } from "../coroutine.js";
import type { Task } from "./task.js";
import { BlockedOp } from "./wait-queue.js";

let current: Task | null = null;
let currentRunner: Runner<unknown> | null = null;

/**
 * @internal False when the code running now must stop at its next yield point (its task was
 * killed while it ran): an operation that completed at once must then still suspend, so that
 * `yield*` on it is where the kill happens.
 */
export function mayContinue(): boolean {
  return currentRunner === null || !currentRunner.killPending;
}

/** The task whose code is running now, or null outside any task ("main"). */
export function currentTask(): Task | null {
  return current;
}

/** How a Runner ended. */
export type Outcome<R> =
  | { readonly kind: "value"; readonly value: R }
  | { readonly kind: "failure"; readonly failure: Failure }
  | { readonly kind: "killed" };

const NEXT = 0;
const THROW = 1;
const RETURN = 2;

/** Calls `fn(...args)` as `owner` (so its channel operations know who they belong to). */
export function callAs(owner: Task | null, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  const prev = current;
  current = owner;
  try {
    return fn(...args);
  } finally {
    current = prev;
  }
}


/** Drives a generator coroutine (see the invariants at the top of this file). */
export class Runner<R> {
  /** The Deferred it waits on, if it is waiting. */
  waitingOn: Deferred<unknown> | null = null;
  /** True while the generator executes (somewhere on the stack). */
  running = false;
  /** True once it has ended. */
  done = false;
  /** @internal Kill at the next yield point (see `kill`). */
  killPending = false;
  private killed = false;
  private token = 0;

  constructor(
    /** The task it runs for (null: outside any task). */
    readonly owner: Task | null,
    private readonly gen: Coroutine<R>,
    private readonly onDone: (outcome: Outcome<R>) => void,
  ) {}

  /** Runs the generator up to its first wait. */
  start(): void {
    this.advance(NEXT, undefined);
  }

  /**
   * Stops the generator at its yield point: cancels what it waits on and returns it, so its
   * `finally` blocks run now. On a running generator (it killed itself, or a task it woke
   * synchronously kills it) the kill happens at its next yield. Does nothing once it has ended.
   */
  kill(): void {
    if (this.done) return;
    if (this.running) {
      this.killPending = true;
      return;
    }
    if (this.killed && this.waitingOn === null) return; // already being returned
    this.killed = true;
    this.token++;
    const w = this.waitingOn;
    this.waitingOn = null;
    if (w) w.cancel();
    if (!this.done && !this.running) this.advance(RETURN, undefined);
  }

  private advance(mode: number, value: unknown): void {
    const gen = this.gen;
    for (;;) {
      let r: IteratorResult<unknown, R>;
      const prev = current;
      const prevRunner = currentRunner;
      current = this.owner;
      currentRunner = this as Runner<unknown>;
      this.running = true;
      try {
        if (mode === NEXT) r = gen.next(value);
        else if (mode === THROW) r = throwInto(gen, value as Failure);
        else r = gen.return(undefined as R);
      } catch (e) {
        this.running = false;
        current = prev;
        currentRunner = prevRunner;
        this.finish({ kind: "failure", failure: Failure.from(e) });
        return;
      }
      this.running = false;
      current = prev;
      currentRunner = prevRunner;
      if (r.done) {
        this.finish(this.killed ? { kind: "killed" } : { kind: "value", value: r.value });
        return;
      }
      if (this.killPending) {
        // Stop at this yield point: what it yielded is never waited on.
        this.killPending = false;
        this.killed = true;
        mode = RETURN;
        continue;
      }
      let y = r.value;
      if (!(y instanceof Deferred)) {
        if (isThenable(y)) y = Deferred.fromPromise(y);
        else if (isGenerator(y)) y = runChild(y, this.owner);
        else {
          mode = NEXT;
          value = y;
          continue;
        }
      }
      const d = y as Deferred<unknown>;
      // Fast path: a fired success is taken as is (the coroutine consumes it, as addBoth would).
      if (d.called && d.paused === 0) {
        const res = d.result;
        if (!(res instanceof Failure) && !(res instanceof Deferred)) {
          d.result = undefined;
          mode = NEXT;
          value = res;
          continue;
        }
      }
      const token = ++this.token;
      if (d instanceof BlockedOp && !d.called && d.runner === null) {
        // A channel operation tells us directly when it fires (see opFired).
        d.runner = this;
        d.runnerToken = token;
        this.waitingOn = d;
        return;
      }
      let sync = true;
      let syncResult: unknown = undefined;
      let gotSync = false;
      d.addBoth((res: unknown) => {
        if (token !== this.token) return undefined; // killed meanwhile: ignore, but handled
        if (sync) {
          gotSync = true;
          syncResult = res;
        } else {
          this.waitingOn = null;
          this.advance(res instanceof Failure ? THROW : NEXT, res);
        }
        return undefined;
      });
      sync = false;
      if (gotSync) {
        mode = syncResult instanceof Failure ? THROW : NEXT;
        value = syncResult;
        continue;
      }
      this.waitingOn = d;
      return;
    }
  }

  /** @internal A channel operation this runner waits on has fired (see BlockedOp.runner). */
  opFired(op: BlockedOp, token: number): void {
    if (op.paused > 0 || op.result instanceof Deferred) {
      // A callback someone added made it wait on another Deferred: follow it the general way.
      op.addBoth((res: unknown) => {
        if (token === this.token) {
          this.waitingOn = null;
          this.advance(res instanceof Failure ? THROW : NEXT, res);
        }
        return undefined;
      });
      return;
    }
    const res = op.result;
    if (res instanceof Failure) op.addErrback(consume); // handled here: not an unhandled error
    else op.result = undefined;
    if (token !== this.token) return; // killed meanwhile
    this.waitingOn = null;
    this.advance(res instanceof Failure ? THROW : NEXT, res);
  }

  private finish(outcome: Outcome<R>): void {
    this.done = true;
    this.waitingOn = null;
    this.onDone(outcome);
  }
}

function consume(): undefined {
  return undefined;
}

function throwInto<R>(gen: Coroutine<R>, f: Failure): IteratorResult<unknown, R> {
  // Re-throwing the value later should find this Failure again (and its history).
  try {
    f.raiseException();
  } catch {
    /* registered */
  }
  return gen.throw(f.value);
}

/**
 * Runs `gen` as a child coroutine of `owner`: a Deferred of its result; cancelling the Deferred
 * kills the child (its `finally` blocks run) and fails the Deferred with `CancelledError`.
 */
export function runChild<R>(gen: Coroutine<R>, owner: Task | null): Deferred<R> {
  const d = new Deferred<R>(() => runner.kill());
  const runner: Runner<R> = new Runner(owner, gen, (o) => {
    if (d.called) return;
    if (o.kind === "value") d.callback(o.value);
    else if (o.kind === "failure") d.errback(o.failure);
    // killed: cancel() fails it with CancelledError after the canceller returns
  });
  runner.start();
  return d;
}
