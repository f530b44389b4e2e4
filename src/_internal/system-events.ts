/**
 * Three-phase system events (Twisted's `_ThreePhaseEvent`): the triggers of one event type
 * (`startup` or `shutdown`), run `before`, then `during`, then `after`.
 *
 * Invariants:
 * - Within a phase triggers run in the order they were added; a trigger added to a phase that is
 *   running runs in that same firing (the phase lists are consumed from the front).
 * - `before` triggers run first; every Deferred they return is waited for before `during` and
 *   `after` run (a failure is logged and counts as fired). Each trigger runs at most once per firing and is removed.
 * - An exception in a trigger is logged and the next trigger runs.
 */
import { Deferred, isDeferred } from "../deferred.js";
import { DeferredList } from "../combinators.js";
import type { Logger } from "../logger.js";
import type { SystemEventPhase, SystemEventTriggerID, SystemEventType } from "../interfaces.js";

/** One registered trigger; its identity is its ID. */
export class Trigger implements SystemEventTriggerID {
  constructor(
    readonly event: SystemEventType,
    readonly phase: SystemEventPhase,
    readonly fn: (...args: never[]) => unknown,
    readonly args: readonly unknown[],
  ) {}
}

/** The triggers of one event type and its firing state. */
export class ThreePhaseEvent {
  private readonly phases: Record<SystemEventPhase, Trigger[]> = { before: [], during: [], after: [] };
  /** `before` triggers that ran in the firing under way (only while the before phase waits). */
  private finishedBefore: Trigger[] | null = null;

  constructor(
    readonly event: SystemEventType,
    private readonly log: Logger,
  ) {}

  /** Adds a trigger to `phase`. */
  add(trigger: Trigger): void {
    this.phases[trigger.phase].push(trigger);
  }

  /** Removes a pending trigger. @throws RangeError when it is not pending. */
  remove(trigger: Trigger): void {
    if (this.finishedBefore && trigger.phase === "before" && this.finishedBefore.includes(trigger)) return;
    const list = this.phases[trigger.phase];
    const i = list.indexOf(trigger);
    if (i < 0) throw new RangeError(`System event trigger is not pending: ${trigger.phase} ${trigger.event}`);
    list.splice(i, 1);
  }

  /**
   * Runs the triggers. `before` runs now; `during` and `after` run once every Deferred returned
   * by a `before` trigger has fired (at once when there are none).
   * @returns a Deferred that fires after the `after` phase.
   */
  fire(): Deferred<void> {
    const done = new Deferred<void>();
    this.finishedBefore = [];
    const waits: Deferred<unknown>[] = [];
    const before = this.phases.before;
    while (before.length > 0) {
      const t = before.shift()!;
      this.finishedBefore.push(t);
      const r = this.call(t);
      if (isDeferred(r)) {
        waits.push(
          r.addErrback((f) => {
            this.log.failure("Deferred returned by a before {event} trigger failed", f, { event: this.event });
          }),
        );
      }
    }
    new DeferredList(waits).addCallback(() => {
      this.finishedBefore = null;
      for (const phase of ["during", "after"] as const) {
        const list = this.phases[phase];
        while (list.length > 0) this.call(list.shift()!);
      }
      done.callback(undefined);
    });
    return done;
  }

  private call(t: Trigger): unknown {
    try {
      return (t.fn as (...a: unknown[]) => unknown)(...t.args);
    } catch (e) {
      this.log.failure("Error in {phase} {event} trigger {name}", e, {
        phase: t.phase,
        event: t.event,
        name: t.fn.name || "<anonymous>",
      });
      return undefined;
    }
  }
}
