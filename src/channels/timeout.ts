/**
 * Time for channel code: `timeout` scopes (stacklesslib.util.timeout), `sleep` and `after`.
 * Each pending timer counts as a possible waker in the scheduler's deadlock check.
 */
import { TimeoutError } from "../errors.js";
import { Deferred } from "../deferred.js";
import type { Coroutine } from "../coroutine.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";
import { Runner, currentTask } from "./runner.js";
import { getScheduler, type Scheduler } from "./scheduler.js";
import { chan, type Channel } from "./channel.js";

function schedulerHere(): Scheduler {
  const t = currentTask();
  return t ? t.scheduler : getScheduler();
}

/**
 * Runs `body` with a time limit: `const r = yield* timeout(clock, 5, function* () { ... })`.
 * The body runs as part of the current task. If it has not finished after `seconds` on `clock`,
 * it is stopped at its yield point (what it waits on is cancelled, its `finally` blocks run, its
 * `catch` blocks do not) and `TimeoutError` is raised to the scope's caller. Scopes nest
 * independently: an inner expiry raises in the outer body (which may catch it); an outer expiry
 * stops the inner scope too and raises only from the outer one. Stopping the caller (kill, or an
 * enclosing timeout) stops the body and its timer.
 * @param body a generator, or a function making one.
 */
export function* timeout<R>(clock: ReactorTime, seconds: number, body: Coroutine<R> | (() => Coroutine<R>)): Generator<unknown, R, unknown> {
  const gen = typeof body === "function" ? body() : body;
  const sched = schedulerHere();
  let expired = false;
  const d: Deferred<R> = new Deferred<R>(() => runner.kill());
  const runner: Runner<R> = new Runner<R>(currentTask(), gen, (o) => {
    if (d.called) return;
    if (o.kind === "failure") d.errback(o.failure);
    else if (expired) d.errback(new TimeoutError(`Timed out after ${seconds} seconds`, seconds));
    else if (o.kind === "value") d.callback(o.value);
    // killed from outside: d is being cancelled (or the caller is being returned)
  });
  runner.start();
  if (runner.done) return (yield d) as R;

  let call: IDelayedCall | null = clock.callLater(seconds, () => {
    call = null;
    sched.timers--;
    expired = true;
    runner.kill();
  });
  sched.timers++;
  try {
    return (yield d) as R;
  } finally {
    if (call !== null) {
      (call as IDelayedCall).cancel();
      call = null;
      sched.timers--;
    }
    runner.kill(); // the caller is being stopped: stop the body too (does nothing once it ended)
  }
}

/**
 * A Deferred that fires (with undefined) after `seconds` on `clock`: Go's `time.Sleep` for
 * tasks (`yield* sleep(clock, 1)`). Cancelling it cancels the timer.
 */
export function sleep(clock: ReactorTime, seconds: number): Deferred<undefined> {
  const sched = schedulerHere();
  const d = new Deferred<undefined>(() => {
    if (call.active()) {
      call.cancel();
      sched.timers--;
    }
  });
  const call = clock.callLater(seconds, () => {
    sched.timers--;
    d.callback(undefined);
  });
  sched.timers++;
  return d;
}

/**
 * A channel that receives the clock's time once, `seconds` from now: Go's `time.After`, for a
 * timeout case in `select` (`select(rcase(c), rcase(after(clock, 1)))`).
 */
export function after(clock: ReactorTime, seconds: number): Channel<number> {
  const sched = schedulerHere();
  const c = chan<number>(1, { name: `after ${seconds}s` });
  clock.callLater(seconds, () => {
    sched.timers--;
    c.trySend(clock.seconds());
  });
  sched.timers++;
  return c;
}
