/**
 * A stand-in for `task.LoopingCall` (Twisted 22.4 semantics, including `withCount`) for the pages,
 * until branch `reactor` (issue 4) lands reed's own in `src/task/`.
 *
 * TODO(issue 4): delete this file and import `LoopingCall` from the core once `reactor` is merged;
 * the pages use only `withCount`, `start`, `stop` and `running`, which keep these names.
 */
import { Deferred, maybeDeferred } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";

/** Calls a function every `interval` seconds on a clock, never overlapping its own Deferreds. */
export class LoopingCall {
  /** The clock it schedules on. */
  clock: ReactorTime;
  /** True while started and not stopped. */
  running = false;
  /** The interval given to `start`. */
  interval: number | undefined;
  /** When `start` was called. */
  starttime: number | undefined;
  private deferred: Deferred<LoopingCall> | null = null;
  private call: IDelayedCall | null = null;
  private runAtStart = false;
  private realLastTime: number | undefined;
  private readonly f: () => unknown;

  constructor(clock: ReactorTime, f: () => unknown) {
    this.clock = clock;
    this.f = f;
  }

  /**
   * A LoopingCall that calls `f(count)`, `count` being how many intervals have passed since the
   * last call (more than 1 after a stall), so real-time motion stays accurate.
   */
  static withCount(clock: ReactorTime, f: (count: number) => unknown): LoopingCall {
    const lc: LoopingCall = new LoopingCall(clock, () => {
      const now = lc.clock.seconds();
      if (lc.interval === 0) {
        lc.realLastTime = now;
        return f(1);
      }
      let lastTime = lc.realLastTime;
      if (lastTime === undefined) {
        lastTime = lc.starttime!;
        if (lc.runAtStart) lastTime -= lc.interval!;
      }
      const count = lc.intervalOf(now) - lc.intervalOf(lastTime);
      if (count > 0) {
        lc.realLastTime = now;
        return f(count);
      }
      return undefined;
    });
    return lc;
  }

  private intervalOf(t: number): number {
    return Math.trunc((t - this.starttime!) / this.interval!);
  }

  /** Starts calling every `interval` seconds (first call now unless `now` is false). */
  start(interval: number, now = true): Deferred<LoopingCall> {
    if (this.running) throw new Error("Tried to start an already running LoopingCall.");
    if (interval < 0) throw new RangeError("interval must be >= 0");
    this.running = true;
    const d = (this.deferred = new Deferred<LoopingCall>());
    this.starttime = this.clock.seconds();
    this.interval = interval;
    this.runAtStart = now;
    if (now) this.tick();
    else this.scheduleFrom(this.starttime);
    return d;
  }

  /** Stops; the Deferred from `start` fires with this LoopingCall. */
  stop(): void {
    if (!this.running) throw new Error("Tried to stop a LoopingCall that was not running.");
    this.running = false;
    if (this.call) {
      this.call.cancel();
      this.call = null;
      const d = this.deferred!;
      this.deferred = null;
      d.callback(this);
    }
  }

  private tick = (): void => {
    this.call = null;
    maybeDeferred(this.f).addCallbacks(
      () => {
        if (this.running) this.scheduleFrom(this.clock.seconds());
        else {
          const d = this.deferred!;
          this.deferred = null;
          d.callback(this);
        }
      },
      (f: Failure) => {
        this.running = false;
        const d = this.deferred!;
        this.deferred = null;
        d.errback(f);
      },
    );
  };

  private scheduleFrom(when: number): void {
    const interval = this.interval!;
    let delay = 0;
    if (interval !== 0) {
      const runningFor = when - this.starttime!;
      // Python's %: the result takes the divisor's sign.
      const mod = ((runningFor % interval) + interval) % interval;
      delay = interval - mod;
      if (when === when + delay) delay = interval;
    }
    this.call = this.clock.callLater(delay, this.tick);
  }
}
