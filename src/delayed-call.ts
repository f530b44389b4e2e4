/**
 * DelayedCall: a call scheduled on a reactor or Clock, shared by every implementation of
 * `ReactorTime`. The owner keeps it in a `TimerHeap` and is told of cancels and re-keys.
 */
import { AlreadyCalled, AlreadyCancelled } from "./errors.js";
import type { IDelayedCall } from "./interfaces.js";

/** What a DelayedCall needs from whoever scheduled it. */
export interface DelayedCallOwner {
  /** The owner's current time. */
  seconds(): number;
  /** The call was cancelled: forget it. */
  cancelled(call: DelayedCall): void;
  /** The call's time changed: re-key it. */
  rescheduled(call: DelayedCall, time: number): void;
}

/** Checks a `callLater` delay: a finite number ≥ 0. */
export function checkDelay(delay: number): void {
  if (typeof delay !== "number" || !(delay >= 0) || delay === Infinity) {
    throw new RangeError(`Delay must be a finite number of seconds >= 0: ${String(delay)}`);
  }
}

/**
 * A scheduled call (see `ReactorTime.callLater`). `called`/`cancelled` say how it ended;
 * `creator` says where it was scheduled when `DelayedCall.debug` was on at the time (for
 * dirty-reactor reports and error logs).
 */
// It is a HeapEntry (structurally; `implements` would name internal members the published
// declarations leave out).
export class DelayedCall implements IDelayedCall {
  /** @internal heap bookkeeping */
  seq = 0;
  /** @internal heap bookkeeping */
  heapIndex = -1;
  /** Whether it has run. */
  called = false;
  /** Whether it was cancelled. */
  cancelled = false;
  /**
   * Capture where each call is scheduled (Twisted's `DelayedCall.debug`). Off by default: a stack
   * capture costs several times more than the rest of `callLater`. Importing `reed/testing` turns
   * it on, so that tests learn where a leftover call came from.
   */
  static debug = false;
  private readonly site: Error | undefined;

  constructor(
    /** When it is due (owner's seconds). */
    public time: number,
    /** The function called when the call runs. */
    readonly func: (...args: never[]) => unknown,
    /** The arguments `func` is called with. */
    readonly args: readonly unknown[],
    private readonly owner: DelayedCallOwner,
  ) {
    this.site = DelayedCall.debug ? new Error() : undefined;
  }

  /** Where it was scheduled (stack lines), or "" when `DelayedCall.debug` was off. */
  get creator(): string {
    // Formatting is deferred to here: most calls are never reported.
    return this.site ? (this.site.stack ?? "").split("\n").slice(3, 9).join("\n") : "";
  }

  /** When it is due. */
  getTime(): number {
    return this.time;
  }

  private check(): void {
    if (this.cancelled) throw new AlreadyCancelled();
    if (this.called) throw new AlreadyCalled();
  }

  /** Stops it from running. @throws AlreadyCancelled / AlreadyCalled */
  cancel(): void {
    this.check();
    this.cancelled = true;
    this.owner.cancelled(this);
  }

  /** Makes it due `seconds` from now. @throws AlreadyCancelled / AlreadyCalled */
  reset(seconds: number): void {
    this.check();
    this.owner.rescheduled(this, this.owner.seconds() + seconds);
  }

  /** Postpones it by `seconds`. @throws AlreadyCancelled / AlreadyCalled */
  delay(seconds: number): void {
    this.check();
    this.owner.rescheduled(this, this.time + seconds);
  }

  /** True until it has run or been cancelled. */
  active(): boolean {
    return !(this.called || this.cancelled);
  }

  /** Runs it (the owner calls this once, when it is due). */
  invoke(): unknown {
    this.called = true;
    return (this.func as (...a: unknown[]) => unknown)(...this.args);
  }

  /** `<DelayedCall fn at 3.5 (active)>`. */
  toString(): string {
    const state = this.called ? "called" : this.cancelled ? "cancelled" : "active";
    return `<DelayedCall ${this.func.name || "<anonymous>"} at ${this.time} (${state})>`;
  }
}
