/**
 * Scheduler: the run queue behind `go()`, channel wake-ups and the deadlock check.
 *
 * How it runs:
 * - `go()` and every deferred wake-up (a sender whose value was taken) go on a FIFO run queue.
 *   The queue is drained at the next turn: `reactor.callLater(0, ...)` when the scheduler is
 *   bound to a reactor (or a `Clock`, so tests are deterministic), `queueMicrotask` otherwise.
 * - A send to a waiting receiver does not use the queue: the receiver runs synchronously inside
 *   `send()` (goless's receiver-first hand-over).
 *
 * Deadlock check. Operations are blocked for good when all of these hold:
 *   1. the run queue is empty;
 *   2. every live task is suspended on channel operations or on `join()`s of tasks (a task
 *      waiting on any other Deferred or Promise might be woken by it: a possible waker);
 *   3. no reed timer (`timeout`, `sleep`, `after`, `recv({timeout})`) is pending;
 *   4. the reactor (if any) has no delayed calls pending;
 *   5. no wake source (`isBusy` option, `addWakeSource`: e.g. open sockets) says it is busy;
 *   6. "main" (code outside any task) cannot act either: it is itself blocked in a channel
 *      operation or a `join()`, or it has finished (`checkDeadlock()` is called; the default
 *      scheduler calls it when the JavaScript event loop is about to exit, where the platform
 *      says so).
 * The check runs when the run queue has drained (and at the next turn after main blocks), and
 * on `checkDeadlock()`. When it finds a deadlock, every blocked operation is taken out of its
 * queues and fails with `Deadlock`, whose message names each blocked task ("main" for code
 * outside tasks) and the channels it waits on. The check is conservative: when it cannot tell
 * (async-function tasks, foreign Deferreds), it assumes something may still happen.
 */
import { Deadlock, type BlockedOperation } from "../errors.js";
import type { Failure } from "../failure.js";
import type { ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import type { BlockedOp } from "./wait-queue.js";
import { Task, type TaskFunction } from "./task.js";

/** Called when an error escapes a task nobody joined (goless's `on_panic`). */
export type PanicHandler = (failure: Failure, task: Task<unknown>) => void;

/** Options for `new Scheduler()`. */
export interface SchedulerOptions {
  /**
   * The reactor (or `Clock`) whose `callLater(0)` drives the run queue and whose pending delayed
   * calls count as possible wakers. Without one, the queue runs on microtasks.
   */
  reactor?: ReactorTime;
  /** Says whether something outside the scheduler (I/O) may still wake blocked tasks. */
  isBusy?: () => boolean;
  /** What to do with an error that escapes a task nobody joined; default: log it (critical). */
  onPanic?: PanicHandler;
  /** Set false to turn the deadlock check off. Default true. */
  detectDeadlocks?: boolean;
}

const log = new Logger("reed.channels");

/** The default panic policy: report the failure through reed's logger at `critical`. */
export const logPanic: PanicHandler = (failure, task) => {
  log.failure("Unhandled error in {task}", failure, { task: String(task) });
};

type Job = (a: unknown, b: unknown) => void;

function startTask(t: unknown): void {
  (t as Task<unknown>).start();
}

/** Runs tasks and wake-ups in order and finds deadlocks (see the notes at the top of this file). */
export class Scheduler {
  /** The reactor it is bound to, if any. */
  readonly reactor: ReactorTime | undefined;
  /** The panic policy; may be replaced at any time. */
  onPanic: PanicHandler;
  /** Whether the deadlock check runs. */
  detectDeadlocks: boolean;
  /** @internal How many operations are blocked on channels. */
  blockedCount = 0;
  // Blocked operations, in the order they blocked: an intrusive list (see BlockedOp.bprev).
  private blockedHead: BlockedOp | null = null;
  private blockedTail: BlockedOp | null = null;
  /** @internal Pending reed timers that may wake blocked operations. */
  timers = 0;
  private mainOps = 0;
  private mainJoins = 0;
  private readonly live = new Set<Task<unknown>>();
  private readonly wakeSources: Array<() => boolean> = [];
  private queue: unknown[] = [];
  private head = 0;
  private drainRequested = false;
  private draining = false;
  private readonly drainBound = (): void => this.drain();

  constructor(options: SchedulerOptions = {}) {
    this.reactor = options.reactor;
    this.onPanic = options.onPanic ?? logPanic;
    this.detectDeadlocks = options.detectDeadlocks ?? true;
    if (options.isBusy) this.wakeSources.push(options.isBusy);
  }

  /**
   * Starts `fn(...args)` as a task at the next turn (never now) and returns its handle.
   * `fn` may be a generator function (killable at its yields), an async function, or a function
   * returning a Deferred or a value.
   */
  go<A extends unknown[], F extends TaskFunction<A, unknown>>(fn: F & ((...args: A) => unknown), ...args: A): Task<TaskResult<F>> {
    const t = new Task<TaskResult<F>>(this, fn as unknown as (...a: unknown[]) => unknown, args);
    this.live.add(t as Task<unknown>);
    this.schedule(startTask, t, undefined);
    return t;
  }

  /** The tasks that are alive (started or not), oldest first. */
  tasks(): Task<unknown>[] {
    return [...this.live];
  }

  /**
   * Adds a predicate the deadlock check consults: while it returns true, blocked tasks are not
   * reported (something, e.g. a socket, may still wake them). Returns a function removing it.
   */
  addWakeSource(isBusy: () => boolean): () => void {
    this.wakeSources.push(isBusy);
    return () => {
      const i = this.wakeSources.indexOf(isBusy);
      if (i >= 0) this.wakeSources.splice(i, 1);
    };
  }

  /** @internal Queues `job(a, b)` for the next turn. */
  schedule(job: Job, a: unknown, b: unknown): void {
    this.queue.push(job, a, b);
    this.requestDrain();
  }

  /** @internal `op` is now blocked; outside a turn, make sure the deadlock check will run. */
  block(op: BlockedOp): void {
    op.listed = true;
    op.bprev = this.blockedTail;
    if (this.blockedTail) this.blockedTail.bnext = op;
    else this.blockedHead = op;
    this.blockedTail = op;
    this.blockedCount++;
    if (op.owner) op.owner.blockedOps++;
    else this.mainOps++;
    if (!this.draining) this.requestDrain();
  }

  /** @internal `op` stopped waiting. */
  unblock(op: BlockedOp): void {
    if (!op.listed) return;
    op.listed = false;
    if (op.bprev) op.bprev.bnext = op.bnext;
    else this.blockedHead = op.bnext;
    if (op.bnext) op.bnext.bprev = op.bprev;
    else this.blockedTail = op.bprev;
    op.bprev = op.bnext = null;
    this.blockedCount--;
    if (op.owner) op.owner.blockedOps--;
    else this.mainOps--;
  }

  /** @internal `joiner` (null: main) started waiting on a task's `join()`. */
  joinStarted(joiner: Task<unknown> | null): void {
    if (joiner) joiner.blockedOps++;
    else {
      this.mainJoins++;
      if (!this.draining) this.requestDrain();
    }
  }

  /** @internal `joiner` (null: main) stopped waiting on a `join()`. */
  joinEnded(joiner: Task<unknown> | null): void {
    if (joiner) joiner.blockedOps--;
    else this.mainJoins--;
  }

  /** @internal A task ended. */
  taskEnded(t: Task<unknown>): void {
    this.live.delete(t);
  }

  /** @internal An error escaped `task` and nobody joined it. */
  panic(failure: Failure, task: Task<unknown>): void {
    this.onPanic(failure, task);
  }

  private requestDrain(): void {
    if (this.drainRequested) return;
    this.drainRequested = true;
    if (this.reactor) this.reactor.callLater(0, this.drainBound);
    else queueMicrotask(this.drainBound);
  }

  /**
   * Runs everything queued (including what gets queued meanwhile), then the deadlock check.
   * Bound to a reactor this runs by itself at its next turn; call it directly to run the queue
   * now (e.g. from a benchmark loop).
   */
  drain(): void {
    this.drainRequested = false;
    if (this.draining) return;
    this.draining = true;
    try {
      const q = this.queue;
      while (this.head < q.length) {
        const i = this.head;
        const job = q[i] as Job;
        const a = q[i + 1];
        const b = q[i + 2];
        q[i] = q[i + 1] = q[i + 2] = undefined;
        this.head = i + 3;
        try {
          job(a, b);
        } catch (e) {
          log.failure("Unhandled error in the channel scheduler", e);
        }
        // Caught up after many jobs: start the array over, so a long turn (tasks waking each
        // other for ever) does not grow it without bound.
        if (this.head === q.length && this.head >= 3072) {
          q.length = 0;
          this.head = 0;
        }
      }
      q.length = 0;
      this.head = 0;
    } finally {
      this.draining = false;
    }
    if (this.blockedCount > 0 && this.detectDeadlocks && (this.mainOps > 0 || this.mainJoins > 0)) this.findDeadlock();
  }

  /**
   * Runs the deadlock check now, taking "main" (code outside tasks) as finished: call it when
   * nothing outside the tasks will act any more. Returns true when it found (and failed) a
   * deadlock. See the notes at the top of this file.
   */
  checkDeadlock(): boolean {
    if (this.blockedCount === 0 || this.draining) return false;
    return this.findDeadlock();
  }

  private findDeadlock(): boolean {
    // Phase 1: is anything able to wake the blocked operations?
    if (this.head < this.queue.length || this.timers > 0) return false;
    if (this.reactor && this.reactor.getDelayedCalls().length > 0) return false;
    for (const busy of this.wakeSources) if (busy()) return false;
    for (const t of this.live) if (!t.blockedOnChannels) return false;

    // Phase 2: describe, then take every blocked operation out of its queues before failing any,
    // so that a task woken by its Deadlock cannot meet another one half-way.
    const ops: BlockedOp[] = [];
    for (let op = this.blockedHead; op; op = op.bnext) ops.push(op);
    const blocked: BlockedOperation[] = ops.map((op) => ({
      task: op.owner ? String(op.owner) : "main",
      op: op.kind,
      channels: op.channelNames(),
    }));
    const detail = blocked
      .map((b) => `${b.task} in ${b.op}${b.channels.length ? ` on ${b.channels.join(", ")}` : " with no channel left to wait on"}`)
      .join("; ");
    const message = `All tasks are blocked on channels and nothing can wake them: ${detail}`;
    for (const op of ops) op.settle();

    // Phase 3: fail them, in the order they blocked.
    for (const op of ops) if (!op.called) op.errback(new Deadlock(message, blocked));
    return true;
  }
}

/** The result type of a task running `F` (see `Task.join`). */
export type TaskResult<F> = F extends (...args: never[]) => infer X
  ? X extends Generator<unknown, infer R, unknown>
    ? R
    : X extends PromiseLike<infer P>
      ? P
      : X extends { addCallbacks: unknown; result: unknown } & PromiseLike<infer Q>
        ? Q
        : X
  : never;

const defaultScheduler = new Scheduler();
let currentScheduler = defaultScheduler;

// When the event loop is about to exit, code outside tasks can no longer act: tasks still
// blocked then are deadlocked (instead of the program exiting silently). Feature-detected, so
// this module still runs where there is no `process` (browsers).
const proc = (globalThis as { process?: { on?: (event: string, fn: () => void) => unknown } }).process;
if (proc && typeof proc.on === "function") {
  proc.on("beforeExit", () => {
    currentScheduler.checkDeadlock();
  });
}

/** The scheduler `go()` and blocking channel operations outside tasks use. */
export function getScheduler(): Scheduler {
  return currentScheduler;
}

/**
 * Makes `scheduler` the one `go()` (and channel operations outside tasks) use; returns the one
 * it replaces. Tests install a Scheduler bound to a `Clock` and restore the old one after.
 */
export function setScheduler(scheduler: Scheduler): Scheduler {
  const old = currentScheduler;
  currentScheduler = scheduler;
  return old;
}

/**
 * Runs `fn(...args)` as a goroutine on the current scheduler (see `Scheduler.go`): it starts at
 * the next turn, never inside `go()`.
 * @example
 * const c = chan<number>();
 * go(function* () { for (let i = 2; i < 5; i++) yield* c.send(i * i); });
 */
export function go<A extends unknown[], F extends TaskFunction<A, unknown>>(fn: F & ((...args: A) => unknown), ...args: A): Task<TaskResult<F>> {
  return currentScheduler.go(fn, ...args);
}
