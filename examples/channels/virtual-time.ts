/**
 * Virtual time for the channel examples: a `Clock` that jumps straight to the next timer, so the
 * examples print the same thing on every run, instantly. A real program binds its Scheduler to
 * the node reactor instead (`new Scheduler({ reactor })`).
 */
import { Scheduler, setScheduler } from "../../src/index.js";
import { Clock } from "../../src/testing/index.js";

/** A Clock-bound scheduler, installed as the current one, and a loop that runs it to the end. */
export function virtualTime(): { clock: Clock; scheduler: Scheduler; run(): void } {
  const clock = new Clock();
  const scheduler = new Scheduler({ reactor: clock });
  setScheduler(scheduler);
  return {
    clock,
    scheduler,
    run() {
      clock.advance(0);
      for (let next = clock.getDelayedCalls()[0]; next; next = clock.getDelayedCalls()[0]) {
        clock.advance(Math.max(0, next.getTime() - clock.seconds()));
      }
      // Nothing outside the tasks will act now: report tasks left blocked, if any.
      scheduler.checkDeadlock();
    },
  };
}
