/**
 * deferLater: a Deferred that fires after a delay on a clock (Twisted's `task.deferLater`).
 */
import { Deferred, type Unwrapped } from "../deferred.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";

/**
 * Waits `delay` seconds on `clock`, then calls `fn(...args)` (if given) and fires with its
 * result (a returned Deferred or Promise is waited for; a throw becomes a failure). Without `fn`
 * it fires with `undefined`.
 *
 * Cancelling the Deferred before the delay is over cancels the timed call: `fn` never runs and
 * the Deferred fails with `CancelledError`.
 * @throws RangeError for a negative or non-finite delay (from `callLater`).
 *
 * @example
 * deferLater(reactor, 1.5, () => "later").addCallback(console.log);
 */
export function deferLater<R = undefined, A extends unknown[] = []>(
  clock: ReactorTime,
  delay: number,
  fn?: (...args: A) => R,
  ...args: A
): Deferred<Unwrapped<R>> {
  let call: IDelayedCall | undefined;
  const d = new Deferred<undefined>(() => call?.cancel());
  const out = d.addCallback(() => (fn ? fn(...args) : undefined) as R);
  call = clock.callLater(delay, () => d.callback(undefined));
  return out;
}
