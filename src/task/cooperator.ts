/**
 * Cooperator: time-sliced iteration (Twisted's `task.Cooperator`). Long jobs written as
 * iterators (or generators) run a step at a time, interleaved with each other, in slices of about
 * 10 ms, giving the reactor back between slices so it stays responsive.
 *
 * Invariants (as in Twisted):
 * - Each tick runs tasks round-robin, one `next()` per task per turn, until the termination
 *   predicate (made fresh for each tick) says the slice is over or no task is left; then, if tasks
 *   remain, the next tick is scheduled.
 * - A task whose iterator yields a Deferred is paused until that Deferred fires; if it fails, the
 *   task fails with that failure.
 * - `whenDone()` fires with the iterator when it is exhausted, fails with what `next()` threw, or
 *   fails with `TaskStopped` / `SchedulerStopped` when stopped.
 * - Deliberate difference: Twisted's `Cooperator.stop()` removes tasks from the list it iterates,
 *   so every other task never hears that it was stopped; reed fails every task's `whenDone()`.
 */
import { NotPaused, SchedulerStopped, TaskDone, TaskFailed, TaskStopped, type SchedulerError } from "../errors.js";
import { Deferred, isDeferred } from "../deferred.js";
import { Failure } from "../failure.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";

/** Schedules a tick: calls `fn` at some later point and returns the call (so it can be cancelled). */
export type CooperatorScheduler = (fn: () => void) => Pick<IDelayedCall, "cancel">;

/** Makes, for each tick, a predicate that says when the tick's time slice is over. */
export type TerminationPredicateFactory = () => () => boolean;

/** Twisted's default slice: 10 ms of wall-clock time per tick. */
export const defaultTerminationPredicateFactory: TerminationPredicateFactory = () => {
  const end = Date.now() + 10;
  return () => Date.now() >= end;
};

/** Twisted schedules ticks `1e-8` seconds ahead, i.e. in the reactor's next iteration. */
const EPSILON = 0.00000001;

/** Options for `new Cooperator()`. */
export interface CooperatorOptions {
  /** The clock whose `callLater` schedules ticks (used when `scheduler` is not given). */
  clock?: ReactorTime;
  /** Schedules each tick (default: `clock.callLater(1e-8, tick)`). */
  scheduler?: CooperatorScheduler;
  /** Makes the per-tick slice predicate (default: 10 ms of wall-clock time). */
  terminationPredicateFactory?: TerminationPredicateFactory;
  /** Whether to run tasks as soon as they are added (default true), else from `start()`. */
  started?: boolean;
}

/** What a Cooperator needs from its tasks (whatever their value type). */
interface TaskHandle {
  oneWorkUnit(): void;
  completeWith(state: SchedulerError, result: Failure): void;
}

/**
 * A task inside a Cooperator: an iterator being stepped, which can be paused, resumed, stopped
 * and waited on. Make one with `Cooperator.cooperate()`.
 */
export class CooperativeTask<T = unknown> {
  private readonly deferreds: Deferred<Iterator<T>>[] = [];
  private pauseCount = 0;
  private completionState: SchedulerError | null = null;
  private completionResult: Iterator<T> | Failure | null = null;

  /** @internal use `Cooperator.cooperate()`. */
  constructor(
    private readonly iterator: Iterator<T>,
    private readonly cooperator: Cooperator,
  ) {
    cooperator.addTask(this);
  }

  /**
   * A Deferred that fires with the iterator once it is exhausted, or fails with what its `next()`
   * threw, or with `TaskStopped`/`SchedulerStopped`. Each call returns a new Deferred.
   */
  whenDone(): Deferred<Iterator<T>> {
    const d = new Deferred<Iterator<T>>();
    if (this.completionState === null) this.deferreds.push(d);
    else d.callback(this.completionResult!);
    return d;
  }

  /**
   * Stops stepping the task until `resume()` is called as many times as `pause()`.
   * @throws TaskDone / TaskStopped / TaskFailed if it has finished.
   */
  pause(): void {
    this.checkFinish();
    this.pauseCount++;
    if (this.pauseCount === 1) this.cooperator.removeTask(this);
  }

  /** Undoes one `pause()`. @throws NotPaused if not paused. */
  resume(): void {
    if (this.pauseCount === 0) throw new NotPaused();
    this.pauseCount--;
    if (this.pauseCount === 0 && this.completionState === null) this.cooperator.addTask(this);
  }

  /**
   * Stops the task for good; `whenDone()` Deferreds fail with `TaskStopped`.
   * @throws TaskDone / TaskStopped / TaskFailed if it has already finished.
   */
  stop(): void {
    this.checkFinish();
    this.completeWith(new TaskStopped(), new Failure(new TaskStopped()));
  }

  /** @internal finishes the task and fires its Deferreds. */
  completeWith(state: SchedulerError, result: Iterator<T> | Failure): void {
    this.completionState = state;
    this.completionResult = result;
    if (!this.pauseCount) this.cooperator.removeTask(this);
    for (const d of this.deferreds) d.callback(result);
  }

  /** @internal one `next()`: finish on exhaustion or error, pause on a yielded Deferred. */
  oneWorkUnit(): void {
    let step: IteratorResult<T>;
    try {
      step = this.iterator.next();
    } catch (e) {
      this.completeWith(new TaskFailed(), Failure.from(e));
      return;
    }
    if (step.done) {
      this.completeWith(new TaskDone(), this.iterator);
      return;
    }
    const value: unknown = step.value;
    if (isDeferred(value)) {
      this.pause();
      value.addCallbacks(
        () => this.resume(),
        (f: Failure) => this.completeWith(new TaskFailed(), f),
      );
    }
  }

  private checkFinish(): void {
    if (this.completionState !== null) throw this.completionState;
  }
}

/**
 * A cooperative scheduler of iterators (see the module doc).
 *
 * @example
 * const coop = new Cooperator({ clock: reactor });
 * function* work() { for (const item of items) { process(item); yield; } }
 * coop.coiterate(work()).addCallback(() => console.log("done"));
 */
export class Cooperator {
  private tasks: TaskHandle[] = [];
  private cursor = 0;
  private readonly scheduler: CooperatorScheduler;
  private readonly terminationPredicateFactory: TerminationPredicateFactory;
  private delayedCall: Pick<IDelayedCall, "cancel"> | null = null;
  private stopped = false;
  private started: boolean;
  private mustScheduleOnStart = false;

  /** @throws TypeError when neither `clock` nor `scheduler` is given. */
  constructor(options: CooperatorOptions = {}) {
    const { clock, scheduler } = options;
    if (scheduler) this.scheduler = scheduler;
    else if (clock) this.scheduler = (fn) => clock.callLater(EPSILON, fn);
    else throw new TypeError("Cooperator needs a clock or a scheduler");
    this.terminationPredicateFactory = options.terminationPredicateFactory ?? defaultTerminationPredicateFactory;
    this.started = options.started ?? true;
  }

  /**
   * Adds `iterator` as a task and returns a Deferred for its end (`whenDone()`), or fires
   * `doneDeferred` with it if given.
   */
  coiterate<T>(iterator: Iterator<T>, doneDeferred: Deferred<Iterator<T>> = new Deferred<Iterator<T>>()): Deferred<Iterator<T>> {
    new CooperativeTask(iterator, this).whenDone().chainDeferred(doneDeferred);
    return doneDeferred;
  }

  /** Adds `iterator` as a task that can be paused, resumed, stopped and waited on. */
  cooperate<T>(iterator: Iterator<T>): CooperativeTask<T> {
    return new CooperativeTask(iterator, this);
  }

  /** Begins scheduling ticks (for a Cooperator made with `started: false`, or after `stop()`). */
  start(): void {
    this.stopped = false;
    this.started = true;
    if (this.mustScheduleOnStart) {
      this.mustScheduleOnStart = false;
      this.reschedule();
    }
  }

  /** Stops scheduling; every task's `whenDone()` fails with `SchedulerStopped` and is forgotten. */
  stop(): void {
    this.stopped = true;
    const tasks = this.tasks;
    this.tasks = [];
    for (const t of tasks) t.completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
    if (this.delayedCall) {
      this.delayedCall.cancel();
      this.delayedCall = null;
    }
  }

  /** True when started and not stopped. */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  /** @internal */
  addTask(task: TaskHandle): void {
    this.tasks.push(task);
    if (this.stopped) task.completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
    else this.reschedule();
  }

  /** @internal */
  removeTask(task: TaskHandle): void {
    const i = this.tasks.indexOf(task);
    // The cursor is not moved back: like Twisted's list iterator, removing a task before it makes
    // the round-robin skip the task that slides into its place (kept for identical ordering).
    if (i >= 0) this.tasks.splice(i, 1);
    if (this.tasks.length === 0 && this.delayedCall) {
      this.delayedCall.cancel();
      this.delayedCall = null;
    }
  }

  /** One tick: round-robin steps until the slice is over or no task is left. */
  private tick(): void {
    this.delayedCall = null;
    const done = this.terminationPredicateFactory();
    while (this.tasks.length > 0) {
      if (this.cursor >= this.tasks.length) this.cursor = 0;
      const task = this.tasks[this.cursor]!;
      this.cursor++;
      task.oneWorkUnit();
      if (done()) break;
    }
    this.reschedule();
  }

  private reschedule(): void {
    if (!this.started) {
      this.mustScheduleOnStart = true;
      return;
    }
    if (this.delayedCall === null && this.tasks.length > 0) this.delayedCall = this.scheduler(() => this.tick());
  }
}

const cooperators = new WeakMap<ReactorTime, Cooperator>();

function cooperatorFor(clock: ReactorTime): Cooperator {
  let c = cooperators.get(clock);
  if (!c) {
    c = new Cooperator({ clock });
    cooperators.set(clock, c);
  }
  return c;
}

/**
 * Runs `iterator` cooperatively on `clock`'s shared Cooperator (one per clock, so all jobs on a
 * reactor share its time slices).
 * @returns a Deferred that fires with the iterator when it is exhausted.
 */
export function coiterate<T>(iterator: Iterator<T>, clock: ReactorTime): Deferred<Iterator<T>> {
  return cooperatorFor(clock).coiterate(iterator);
}

/** Runs `iterator` cooperatively on `clock`'s shared Cooperator and returns its task. */
export function cooperate<T>(iterator: Iterator<T>, clock: ReactorTime): CooperativeTask<T> {
  return cooperatorFor(clock).cooperate(iterator);
}
