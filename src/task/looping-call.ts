/**
 * LoopingCall: call a function every `interval` seconds on a clock, Twisted 22.4's semantics.
 *
 * Invariants (as in Twisted):
 * - Calls land on the grid `starttime + k * interval`. After a call finishes at time `t`, the
 *   next one is scheduled at the next grid point after `t`; grid points that passed meanwhile
 *   are skipped (no burst of catch-up calls). `withCount` tells the callable how many passed.
 * - If `f` returns a Deferred (or a Promise), the next call waits until it fires: calls never
 *   overlap. Its result is ignored; a failure stops the loop.
 * - `running` is true from `start()` until `stop()` or a failure, and is false by the time the
 *   Deferred from `start()` fires.
 * - The grid arithmetic uses Python's `%` (result takes the divisor's sign) and `int()`
 *   (truncation toward zero), so a clock that goes backwards behaves exactly as in Twisted.
 *
 * Beyond Twisted (Twisted issues #6656, #11814), with Twisted's behaviour as the default:
 * cancelling the Deferred from `start()` stops the loop (and cancels a Deferred `f` returned that
 * is still pending); `stop({cancelPending: true})` cancels such a pending Deferred instead of
 * waiting for it.
 */
import { CancelledError, LoopingCallStateError } from "../errors.js";
import { Deferred, maybeDeferred } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";

/** Options for `LoopingCall.stop()`. */
export interface LoopingCallStopOptions {
  /**
   * Also cancel the Deferred `f` returned if it is still pending (default false: wait for it,
   * as Twisted does). The start-Deferred then fires with the LoopingCall once that Deferred has
   * failed with `CancelledError` (any other outcome is reported as usual).
   */
  cancelPending?: boolean;
}

/** Python's float `%`: the result has the sign of the divisor. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * Calls `f(...args)` repeatedly, every `interval` seconds of its `clock`.
 *
 * @example
 * const lc = new LoopingCall(() => console.log("tick"));
 * lc.clock = reactor;               // or LoopingCall.on(reactor, f)
 * lc.start(1.0).addCallback(() => console.log("stopped"));
 * // later
 * lc.stop();
 */
export class LoopingCall<A extends unknown[] = unknown[]> {
  /** The function called each time. */
  readonly f: (...args: A) => unknown;
  /** The arguments it is called with. */
  readonly args: A;
  /** The clock (or reactor) that schedules the calls; set it before `start()`. */
  clock: ReactorTime | undefined = undefined;
  /** The scheduled next call, or null while `f` runs or its Deferred is pending, or when stopped. */
  call: IDelayedCall | null = null;
  /** True from `start()` until `stop()` or a failure. */
  running = false;
  /** The interval given to `start()`. */
  interval: number | undefined = undefined;
  /** The clock time at `start()` (or the last `reset()`): the origin of the call grid. */
  starttime: number | undefined = undefined;

  private deferred: Deferred<LoopingCall<A>> | null = null;
  private runAtStart = false;
  private realLastTime: number | undefined = undefined;
  /** The Deferred `f` returned, while it is pending. */
  private pending: Deferred<unknown> | null = null;
  private cancellingPending = false;

  /** Makes a loop of `f(...args)`; set `clock`, then `start()` it. */
  constructor(f: (...args: A) => unknown, ...args: A) {
    this.f = f;
    this.args = args;
  }

  /** Makes a loop of `f(...args)` on `clock` (the same as setting `lc.clock`). */
  static on<A extends unknown[]>(clock: ReactorTime, f: (...args: A) => unknown, ...args: A): LoopingCall<A> {
    const lc = new LoopingCall(f, ...args);
    lc.clock = clock;
    return lc;
  }

  /**
   * A LoopingCall that calls `countCallable(count)`, where `count` is the number of intervals that
   * have elapsed since the previous call (normally 1; more when the loop stalled, when a Deferred
   * `f` returned took longer than an interval, or when `f` itself blocked). With interval 0 the
   * count is always 1. If the clock went backwards so that no interval has elapsed, the callable
   * is not called at all (it never sees 0 or a negative count).
   * @param clock optional: the clock to run on (else set `lc.clock`).
   */
  static withCount(countCallable: (count: number) => unknown, clock?: ReactorTime): LoopingCall<[]> {
    const lc: LoopingCall<[]> = new LoopingCall(() => {
      const now = lc.requireClock().seconds();
      if (lc.interval === 0) {
        lc.realLastTime = now;
        return countCallable(1);
      }
      let lastTime = lc.realLastTime;
      if (lastTime === undefined) {
        lastTime = lc.starttime!;
        if (lc.runAtStart) lastTime -= lc.interval!;
      }
      const count = lc.intervalOf(now) - lc.intervalOf(lastTime);
      if (count > 0) {
        lc.realLastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    if (clock) lc.clock = clock;
    return lc;
  }

  /**
   * Starts calling `f` every `interval` seconds.
   * @param interval seconds between calls (may be fractional; 0 = as often as the clock allows).
   * @param now call `f` right away (default); otherwise the first call is one interval from now.
   * @returns a Deferred that fires with this LoopingCall when `stop()` is called, or fails with
   *   what `f` threw (or its Deferred failed with). Cancelling it stops the loop.
   * @throws LoopingCallStateError if already running; RangeError for a negative interval;
   *   TypeError if no clock is set.
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this.running) throw new LoopingCallStateError("Tried to start an already running LoopingCall.");
    if (!(interval >= 0)) throw new RangeError(`Interval must be >= 0: ${interval}`);
    const clock = this.requireClock();
    this.running = true;
    const deferred = (this.deferred = new Deferred<LoopingCall<A>>(() => this.cancelled()));
    this.starttime = clock.seconds();
    this.interval = interval;
    this.runAtStart = now;
    this.realLastTime = undefined;
    if (now) this.runNow();
    else this.scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stops the loop. If a call is scheduled it is cancelled and the start-Deferred fires with this
   * LoopingCall now; if a Deferred returned by `f` is pending, the start-Deferred fires when that
   * one does (or, with `cancelPending`, that Deferred is cancelled first).
   * @throws LoopingCallStateError if not running.
   */
  stop(options: LoopingCallStopOptions = {}): void {
    if (!this.running) throw new LoopingCallStateError("Tried to stop a LoopingCall that was not running.");
    this.running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.fire();
    } else if (options.cancelPending && this.pending) {
      this.cancellingPending = true;
      this.pending.cancel();
    }
  }

  /**
   * Skips the next call and restarts the grid from now (the next call is one interval from now).
   * Does nothing while a Deferred returned by `f` is pending.
   * @throws LoopingCallStateError if not running.
   */
  reset(): void {
    if (!this.running) throw new LoopingCallStateError("Tried to reset a LoopingCall that was not running.");
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = this.requireClock().seconds();
      this.scheduleFrom(this.starttime);
    }
  }

  /** `LoopingCall<1>(tick, *[])`, as Twisted's repr. */
  toString(): string {
    return `LoopingCall<${this.interval ?? "None"}>(${this.f.name || "<anonymous>"}, *${JSON.stringify(this.args)})`;
  }

  // ------------------------------------------------------------------ internals

  private requireClock(): ReactorTime {
    if (!this.clock) throw new TypeError("LoopingCall has no clock: set lc.clock = reactor (or use LoopingCall.on)");
    return this.clock;
  }

  /** How many whole intervals lie between `starttime` and `t` (truncated toward zero, as Python's int()). */
  private intervalOf(t: number): number {
    return Math.trunc((t - this.starttime!) / this.interval!);
  }

  /** One call of `f`, then either the next schedule or the end of the loop. */
  private runNow(): void {
    this.call = null;
    const d = maybeDeferred(this.f, ...this.args) as Deferred<unknown>;
    this.pending = d;
    d.addCallback(() => {
      this.pending = null;
      if (this.running) this.scheduleFrom(this.requireClock().seconds());
      else this.fire();
    });
    d.addErrback((failure: Failure) => {
      this.pending = null;
      this.running = false;
      const cancelledByStop = this.cancellingPending && failure.check(CancelledError) !== null;
      this.cancellingPending = false;
      if (cancelledByStop) this.fire();
      else this.fail(failure);
    });
  }

  private scheduleFrom(when: number): void {
    const interval = this.interval!;
    let delay: number;
    if (interval === 0) {
      delay = 0;
    } else {
      const runningFor = when - this.starttime!;
      const untilNextInterval = interval - pyMod(runningFor, interval);
      // So small that adding it changes nothing: wait a whole interval rather than spin.
      delay = when === when + untilNextInterval ? interval : untilNextInterval;
    }
    this.call = this.requireClock().callLater(delay, () => this.runNow());
  }

  private fire(): void {
    const d = this.deferred;
    this.deferred = null;
    d?.callback(this);
  }

  private fail(failure: Failure): void {
    const d = this.deferred;
    this.deferred = null;
    d?.errback(failure);
  }

  /** The start-Deferred was cancelled: stop everything; the Deferred fails with CancelledError. */
  private cancelled(): void {
    this.deferred = null;
    this.running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
    }
    const pending = this.pending;
    if (pending) {
      this.pending = null;
      pending.cancel();
    }
  }
}
