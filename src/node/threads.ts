/**
 * Threads, Twisted-style: `deferToThread` runs CPU-bound work on the reactor's thread pool so the
 * reactor thread stays free for connections and timers (seed 004: why GUIs lock up).
 *
 * JavaScript cannot send a closure to another thread, so a job is named, not passed: an ES module
 * and one of its exports, plus structured-clonable arguments:
 *
 *   const d = deferToThread(reactor, { module: new URL("./units.js", import.meta.url), name: "convert" }, 3, "mi", "km");
 *
 * Each reactor gets its own pool on first use; it stops with the reactor (a `before shutdown`
 * trigger) and never keeps the process alive while idle.
 */
import type { Deferred } from "../deferred.js";
import type { ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import { ThreadPool, type ThreadTask } from "./thread-pool.js";

const log = new Logger("reed.threads");

/**
 * What the thread functions need from a reactor: time (to be a reactor at all) and a shutdown
 * trigger to stop the pool. `NodeReactor` provides both.
 */
export interface ThreadReactor extends ReactorTime {
  /** Runs `fn` in `phase` of `event`; a returned Deferred delays the next phase until it fires. */
  addSystemEventTrigger(phase: "before" | "during" | "after", event: "startup" | "shutdown", fn: () => unknown): unknown;
}

const pools = new WeakMap<object, ThreadPool>();
const suggested = new WeakMap<object, number>();

/**
 * The reactor's thread pool, made on first use with the suggested size (default: the number of
 * CPUs) and stopped by the reactor's `before shutdown` trigger (running jobs finish first). Once
 * stopped it stays stopped: jobs submitted after shutdown fail with `ThreadPoolStopped`.
 */
export function getThreadPool(reactor: ThreadReactor): ThreadPool {
  let pool = pools.get(reactor);
  if (!pool) {
    const size = suggested.get(reactor);
    const created = new ThreadPool(size === undefined ? {} : { maxThreads: size });
    pools.set(reactor, created);
    reactor.addSystemEventTrigger("before", "shutdown", () => created.stop());
    pool = created;
  }
  return pool;
}

/**
 * Suggests the most threads the reactor's pool may run at once (Twisted's
 * `reactor.suggestThreadPoolSize`). Applies at once to an existing pool.
 * @throws RangeError when `size < 1`.
 */
export function suggestThreadPoolSize(reactor: ThreadReactor, size: number): void {
  if (!(size >= 1)) throw new RangeError(`Thread pool size must be at least 1: got ${size}`);
  suggested.set(reactor, size);
  const pool = pools.get(reactor);
  if (pool && !pool.stopped) pool.adjustPoolsize(Math.min(pool.min, size), size);
}

/**
 * Runs the function `task.name` exported by `task.module` on the reactor's thread pool with
 * `args`, and returns a Deferred that fires on the reactor thread with its result (a returned
 * Promise is awaited in the worker), or fails with its error revived from the worker (same class
 * name, message, `code`, and the worker's stack).
 *
 * Arguments and results cross by structured clone: a function, a symbol or a class's private
 * state cannot, and fail the Deferred with `ThreadCloneError`. Buffers listed in `task.transfer`
 * move without copying (a worker moves its result back with `move(value, [buf])`).
 *
 * Cancelling the Deferred (or aborting `task.signal`) drops the job if it is still queued and
 * *terminates* its worker if it is running; either way the Deferred fails with `CancelledError`.
 * After the reactor has shut down, the Deferred fails with `ThreadPoolStopped`.
 *
 * @example
 * deferToThread<number>(reactor, { module: new URL("./fib.js", import.meta.url), name: "fib" }, 35)
 *   .addCallback((n) => console.log(n));
 */
export function deferToThread<R = unknown>(reactor: ThreadReactor, task: ThreadTask, ...args: unknown[]): Deferred<R> {
  return getThreadPool(reactor).run<R>(task, args);
}

/**
 * `deferToThread` on a pool you manage yourself (Twisted's `deferToThreadPool`); `reactor` is
 * accepted for symmetry with Twisted and is not used to run the job.
 */
export function deferToThreadPool<R = unknown>(_reactor: ThreadReactor, pool: ThreadPool, task: ThreadTask, ...args: unknown[]): Deferred<R> {
  return pool.run<R>(task, args);
}

/**
 * Runs a job on the reactor's pool without waiting for it (Twisted's `reactor.callInThread`); an
 * error it throws is logged rather than returned.
 */
export function callInThread(reactor: ThreadReactor, task: ThreadTask, ...args: unknown[]): void {
  getThreadPool(reactor)
    .run(task, args)
    .addErrback((f) => {
      log.failure("Unhandled error in a thread job {name}", f, { name: task.name ?? "default" });
    });
}
