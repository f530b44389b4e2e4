/**
 * Reactor interfaces (types only), so real and fake reactors implement the same contracts.
 * Networking, process and thread interfaces are added beside these by their modules.
 */

/** A call scheduled with `callLater`. */
export interface IDelayedCall {
  /** When it is due, in the reactor's seconds. */
  getTime(): number;
  /**
   * Stops it from running.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  cancel(): void;
  /**
   * Makes it due `seconds` from now.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  reset(seconds: number): void;
  /**
   * Postpones it by `seconds` (negative brings it forward).
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  delay(seconds: number): void;
  /** True until it has run or been cancelled. */
  active(): boolean;
}

/** Time: the part of a reactor that `Clock` fakes. Everything that needs time takes one of these. */
export interface ReactorTime {
  /** The current time in seconds (a float). */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds (0 = as soon as possible, after what is already due). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** The calls that are scheduled and have not run or been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}
