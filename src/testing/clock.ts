/**
 * Clock: fake time for tests, with Twisted's `task.Clock` semantics.
 *
 * - Time only moves when `advance()`/`pump()` say so.
 * - Calls due at the same time run in the order they were scheduled (FIFO).
 * - A `callLater(0)` made while `advance()` runs is due "now", so it runs in that same advance,
 *   after the calls already due at this time (as in Twisted's Clock).
 * - An exception in a call propagates out of `advance()`; calls still due stay pending.
 */
import { checkDelay, DelayedCall, type DelayedCallOwner } from "../delayed-call.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";
import { TimerHeap } from "../_internal/heap.js";

/** A deterministic `ReactorTime` for tests. */
export class Clock implements ReactorTime {
  /** The current fake time, in seconds. */
  rightNow = 0;
  private readonly heap = new TimerHeap<DelayedCall>();
  private readonly owner: DelayedCallOwner = {
    seconds: () => this.rightNow,
    cancelled: (c) => this.heap.remove(c),
    // Keeps the call's place among equal times, as Twisted's stable re-sort does.
    rescheduled: (c, t) => this.heap.update(c, t),
  };

  /** The current fake time. */
  seconds(): number {
    return this.rightNow;
  }

  /** Schedules `fn(...args)` at `seconds() + delay`. @throws RangeError for a negative or non-finite delay. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay);
    const call = new DelayedCall(this.rightNow + delay, fn as (...a: never[]) => unknown, args, this.owner);
    this.heap.push(call);
    return call;
  }

  /** The pending calls, soonest first. */
  getDelayedCalls(): DelayedCall[] & IDelayedCall[] {
    return this.heap.sorted();
  }

  /** Moves time forward by `amount` seconds, running every call that becomes due, in order. */
  advance(amount: number): void {
    if (!(amount >= 0)) throw new RangeError(`Cannot advance the clock by ${amount} seconds`);
    this.rightNow += amount;
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.time > this.rightNow) break;
      this.heap.pop();
      next.invoke();
    }
  }

  /** `advance()` by each amount in turn. */
  pump(timings: Iterable<number>): void {
    for (const t of timings) this.advance(t);
  }
}
