/**
 * ReactorBase: the platform-neutral half of a real reactor (Twisted's `ReactorBase`): the timer
 * heap, the call-from-thread queue, system event triggers and the run/stop state machine. A
 * platform reactor (Node, browser) supplies `seconds()` and `wake()`: "call `runUntilCurrent()`
 * soon if work is ready, else when the earliest timer is due".
 *
 * Invariants:
 * - One iteration (`runUntilCurrent`) runs, in order: the calls queued by `callFromThread` before
 *   it began; then every timed call that was due when it began and was scheduled before it began,
 *   soonest first, equal times FIFO (a `callLater(0)` made by a timed call runs in the *next*
 *   iteration, after the platform has had a chance to do I/O); then, if `stop()` was called, the
 *   `shutdown` event.
 * - Cancelled calls stay in the heap until they reach the top or until they are more than half
 *   of it (then it is compacted), so `cancel()` is O(1) amortised; the heap's top is never a
 *   cancelled call.
 * - An exception thrown by any call is logged (with where the call was scheduled) and the
 *   iteration carries on.
 * - States: fresh (never run: timers work, which is what embedding needs) → started (`run()`
 *   called; `running` from `during startup`) → stopping (`stop()` called; timers still run so
 *   `before shutdown` Deferreds can finish) → finished (after `after shutdown`: nothing more runs,
 *   the platform releases everything that kept the process alive).
 * - `during shutdown` runs, in order: `running` becomes false, then `disconnectAll()` closes every
 *   registered resource that can be closed (ports, connections, attempts), then user triggers.
 */
import { checkDelay, DelayedCall, type DelayedCallOwner } from "../delayed-call.js";
import { Deferred } from "../deferred.js";
import { ConnectionLost, ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.js";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import type {
  ReactorCore,
  ReactorTime,
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
  TrackedResource,
} from "../interfaces.js";
import { TimerHeap } from "./heap.js";
import { ThreePhaseEvent, Trigger } from "./system-events.js";
import { flushUnhandledFailures } from "./unhandled.js";

type Fn = (...args: never[]) => unknown;

/** The shared reactor machinery; see the module doc for the invariants. */
export abstract class ReactorBase implements ReactorTime, ReactorCore {
  /** Where this reactor logs errors from calls and triggers. */
  protected readonly log: Logger;
  private readonly heap = new TimerHeap<DelayedCall>();
  private readonly owner: DelayedCallOwner = {
    seconds: () => this.seconds(),
    cancelled: (c) => this.cancelCall(c),
    rescheduled: (c, t) => {
      this.heap.update(c, t);
      this.dropCancelledTop();
      this.wake();
    },
  };
  /** Cancelled calls still in the heap (removed lazily; see `cancelCall`). */
  private cancellations = 0;
  private threadCalls: Array<[Fn, readonly unknown[]]> = [];
  private readonly events: Record<SystemEventType, ThreePhaseEvent>;
  private readonly resources = new Set<TrackedResource>();
  private _running = false;
  private runStarted = false;
  private stopped = true;
  private justStopped = false;
  private startedBefore = false;
  private runDone: Deferred<void> | null = null;

  constructor(log: Logger = new Logger("reed.reactor")) {
    this.log = log;
    this.events = { startup: new ThreePhaseEvent("startup", log), shutdown: new ThreePhaseEvent("shutdown", log) };
    // Built-in triggers go first, so user `during` triggers see the new `running` value.
    this.addSystemEventTrigger("during", "startup", () => this.reallyStartRunning());
    this.addSystemEventTrigger("during", "shutdown", () => this.crash());
    this.addSystemEventTrigger("during", "shutdown", () => this.disconnectAll());
  }

  // ------------------------------------------------------------------ platform hooks

  /** The current time in seconds. */
  abstract seconds(): number;

  /**
   * Arranges for `runUntilCurrent()` to be called: soon when `hasReadyWork()`, otherwise at
   * `nextDeadline()` (if any). Never calls it synchronously. Does nothing once `finishedRun`.
   */
  protected abstract wake(): void;

  /** The reactor became `running` (during startup): keep the process alive, install signal handlers. */
  protected loopStarted(): void {}

  /** Shutdown completed: release everything `loopStarted()` and `wake()` hold. */
  protected loopFinished(): void {}

  // ------------------------------------------------------------------ state for platforms

  /** True once the reactor has run and shut down: nothing runs any more. */
  protected get finishedRun(): boolean {
    return this.startedBefore && !this.runStarted;
  }

  /** Whether an iteration has something to do right now. */
  protected hasReadyWork(): boolean {
    if (this.threadCalls.length > 0 || this.justStopped) return true;
    const next = this.heap.peek();
    return next !== undefined && next.time <= this.seconds();
  }

  /** When the earliest timed call is due, if there is one. */
  protected nextDeadline(): number | undefined {
    return this.heap.peek()?.time;
  }

  // ------------------------------------------------------------------ ReactorTime

  /**
   * Schedules `fn(...args)` to run `delay` seconds from now (0: in the next iteration, without
   * a platform timer). Calls due at the same time run in the order they were scheduled.
   * @throws RangeError for a negative or non-finite delay.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay);
    const call = new DelayedCall(this.seconds() + delay, fn as Fn, args, this.owner);
    this.heap.push(call);
    if (this.heap.peek() === call) this.wake();
    return call;
  }

  /** The pending timed calls, soonest first. */
  getDelayedCalls(): DelayedCall[] {
    return this.heap.sorted().filter((c) => !c.cancelled);
  }

  private cancelCall(c: DelayedCall): void {
    this.cancellations++;
    if (this.heap.peek() === c) {
      this.dropCancelledTop();
      // The platform must move (or drop) its timer, or it keeps an embedding process alive
      // until the cancelled call's deadline.
      this.wake();
    } else if (this.cancellations > 50 && this.cancellations > this.heap.size >> 1) {
      this.heap.retain((e) => !e.cancelled);
      this.cancellations = 0;
    }
  }

  private dropCancelledTop(): void {
    for (let top = this.heap.peek(); top && top.cancelled; top = this.heap.peek()) {
      this.heap.pop();
      this.cancellations--;
    }
  }

  // ------------------------------------------------------------------ ReactorCore

  /** True from the `during startup` phase until the `during shutdown` phase. */
  get running(): boolean {
    return this._running;
  }

  /**
   * Starts the reactor: fires `startup` synchronously (so `callWhenRunning` functions run before
   * `run()` returns), then lets the platform loop drive it until `stop()`.
   * @returns a Deferred that fires once shutdown has completed; `await reactor.run()` in a script.
   * @throws ReactorAlreadyRunning if running; ReactorNotRestartable if it has run before.
   */
  run(): Deferred<void> {
    if (this.runStarted) throw new ReactorAlreadyRunning();
    if (this.startedBefore) throw new ReactorNotRestartable();
    this.runStarted = true;
    this.stopped = false;
    const finished = (this.runDone = new Deferred<void>());
    this.fireSystemEvent("startup");
    this.wake();
    return finished;
  }

  /**
   * Asks the reactor to stop: `shutdown` fires at the end of the current (or next) iteration.
   * @throws ReactorNotRunning if it is not started or is already stopping.
   */
  stop(): void {
    if (this.stopped) throw new ReactorNotRunning();
    this.stopped = true;
    this.justStopped = true;
    this.startedBefore = true;
    this.wake();
  }

  /** Calls `fn(...args)` now if running, else adds it as an `after startup` trigger. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): SystemEventTriggerID | undefined {
    if (this._running) {
      fn(...args);
      return undefined;
    }
    return this.addSystemEventTrigger("after", "startup", fn, ...args);
  }

  /** Adds `fn(...args)` to `phase` of `event` (see `ReactorCore`). @throws RangeError for an unknown phase or event. */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID {
    if (phase !== "before" && phase !== "during" && phase !== "after") throw new RangeError(`Invalid phase: ${String(phase)}`);
    const ev = this.events[event];
    if (!ev) throw new RangeError(`Invalid system event: ${String(event)}`);
    const t = new Trigger(event, phase, fn as Fn, args);
    ev.add(t);
    return t;
  }

  /** Removes a pending trigger. @throws RangeError when it is not pending. */
  removeSystemEventTrigger(id: SystemEventTriggerID): void {
    if (!(id instanceof Trigger) || !this.events[id.event]) throw new RangeError("Invalid system event trigger ID");
    this.events[id.event].remove(id);
  }

  /** Fires `event`'s triggers now (`before`, then, once its Deferreds fired, `during` and `after`). */
  fireSystemEvent(event: SystemEventType): void {
    void this.fireEvent(event);
  }

  /** Queues `fn(...args)` for the start of the next iteration (FIFO). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    this.threadCalls.push([fn as Fn, args]);
    this.wake();
  }

  // ------------------------------------------------------------------ resources

  /**
   * Registers an open resource (a listening port, a connection) so that `openResources()` and
   * the dirty-reactor check can report it. Transports call this when they open.
   */
  trackResource(r: TrackedResource): void {
    this.resources.add(r);
  }

  /** Forgets a resource registered with `trackResource` (transports call this when closed). */
  untrackResource(r: TrackedResource): void {
    this.resources.delete(r);
  }

  /** The resources registered and not yet untracked, in registration order. */
  openResources(): TrackedResource[] {
    return [...this.resources];
  }

  /**
   * Closes every registered resource that can be closed (`TrackedResource.disconnectAtShutdown`)
   * with a `ConnectionLost` Failure, in registration order: listening ports stop listening, open
   * connections are dropped and their protocols see `connectionLost` before this returns. The
   * reactor runs it in the `during shutdown` phase (after `running` became false), as Twisted's
   * does, so a program that calls `stop()` leaves nothing open that would keep the process alive.
   * An exception from one resource is logged and the others are still closed.
   */
  disconnectAll(): void {
    const reason = new Failure(new ConnectionLost());
    for (const r of [...this.resources]) {
      if (typeof r.disconnectAtShutdown !== "function" || !this.resources.has(r)) continue;
      this.resources.delete(r);
      try {
        r.disconnectAtShutdown(reason);
      } catch (e) {
        this.log.failure("Unhandled error while disconnecting {resource} at shutdown", e, { resource: r.describe() });
      }
    }
  }

  // ------------------------------------------------------------------ the iteration

  /**
   * Runs one iteration (see the module doc). Platforms call it from `wake()`'s timer/immediate.
   */
  protected runUntilCurrent(): void {
    if (this.finishedRun) return;
    // Phase 1: calls from "threads" queued before this iteration began.
    const queued = this.threadCalls;
    if (queued.length > 0) {
      this.threadCalls = [];
      for (const [fn, args] of queued) {
        try {
          (fn as (...a: unknown[]) => unknown)(...args);
        } catch (e) {
          this.log.failure("Unhandled error in a call from callFromThread", e);
        }
      }
    }
    // Phase 2: timed calls due now and scheduled before this point.
    const now = this.seconds();
    const limit = this.heap.nextSequence;
    for (;;) {
      const call = this.heap.peek();
      if (!call || call.time > now || call.seq >= limit) break;
      this.heap.pop();
      this.dropCancelledTop();
      try {
        call.invoke();
      } catch (e) {
        const creator = call.creator;
        this.log.failure(creator ? "Unhandled error in a timed call {call}; it was scheduled at:\n{creator}" : "Unhandled error in a timed call {call}", e, {
          call: String(call),
          creator,
        });
      }
    }
    // Phase 3: a stop() asked for during this iteration (or since the last one).
    if (this.justStopped) {
      this.justStopped = false;
      void this.fireEvent("shutdown").addCallback(() => this.finishShutdown());
    }
    this.wake();
  }

  private fireEvent(event: SystemEventType): Deferred<void> {
    return this.events[event].fire();
  }

  private reallyStartRunning(): void {
    this._running = true;
    this.loopStarted();
  }

  private crash(): void {
    this._running = false;
    this.runStarted = false;
    this.addSystemEventTrigger("during", "startup", () => this.reallyStartRunning());
  }

  private finishShutdown(): void {
    this.loopFinished();
    flushUnhandledFailures();
    const finished = this.runDone;
    this.runDone = null;
    finished?.callback(undefined);
  }
}
