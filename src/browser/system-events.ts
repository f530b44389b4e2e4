/**
 * System event triggers (`before`/`during`/`after` × `startup`/`shutdown`/any name), as Twisted's
 * reactor runs them.
 *
 * Invariants:
 * - Firing an event runs every `before` trigger; Deferreds they return are waited for (their
 *   failures are logged, not fatal); then every `during` trigger, then every `after` trigger.
 * - Each trigger runs once (firing consumes the lists). A trigger added to a phase while that phase
 *   runs, runs in that same phase; one removed before its turn does not run.
 * - An exception in a trigger is logged and the other triggers still run.
 *
 * TODO(issue 4): the Node reactor needs the same machinery; once branch `reactor` is merged, keep one
 * copy (in the core) and let both reactors use it.
 */
import { Deferred, isDeferred } from "../deferred.js";
import { DeferredList } from "../combinators.js";
import { Logger } from "../logger.js";

const log = new Logger("reed.reactor");

/** The phase of a system event a trigger runs in. */
export type TriggerPhase = "before" | "during" | "after";

/** What `addSystemEventTrigger` returns: pass it to `removeSystemEventTrigger`. */
export interface TriggerId {
  /** The phase the trigger is in. */
  readonly phase: TriggerPhase;
  /** The event it belongs to. */
  readonly eventType: string;
}

interface Trigger extends TriggerId {
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
}

/** One event's three trigger lists and its firing state. */
class ThreePhaseEvent {
  readonly phases: Record<TriggerPhase, Trigger[]> = { before: [], during: [], after: [] };
  /** Which phase is running, or "base" when the event is not being fired. */
  state: "base" | "before" | "during" | "after" = "base";

  /** Fires the event; the returned Deferred fires after the `after` phase. */
  fire(): Deferred<void> {
    const done = new Deferred<void>();
    this.state = "before";
    const waits: Deferred<unknown>[] = [];
    for (const r of this.runPhase("before")) if (isDeferred(r)) waits.push(r as Deferred<unknown>);
    const rest = (): void => {
      this.state = "during";
      this.runPhase("during");
      this.state = "after";
      this.runPhase("after");
      this.state = "base";
      done.callback(undefined);
    };
    if (waits.length === 0) rest();
    else
      new DeferredList(waits, { consumeErrors: true }).addCallback((results) => {
        for (const [ok, value] of results) if (!ok) log.failure("A 'before' trigger's Deferred failed", value);
        rest();
      });
    return done;
  }

  private runPhase(phase: TriggerPhase): unknown[] {
    const list = this.phases[phase];
    const results: unknown[] = [];
    // Triggers run once: take each off the front, so that one added to this phase while it runs
    // runs too, and one removed before its turn does not.
    for (let t = list.shift(); t; t = list.shift()) {
      try {
        results.push((t.fn as (...a: unknown[]) => unknown)(...t.args));
      } catch (e) {
        log.failure("Error in a {phase} {event} trigger", e, { phase, event: t.eventType });
      }
    }
    return results;
  }
}

/** The triggers of every system event of one reactor. */
export class SystemEvents {
  private readonly events = new Map<string, ThreePhaseEvent>();

  private event(eventType: string): ThreePhaseEvent {
    let e = this.events.get(eventType);
    if (!e) this.events.set(eventType, (e = new ThreePhaseEvent()));
    return e;
  }

  /**
   * Adds `fn(...args)` to run in `phase` of `eventType`.
   * @throws RangeError for an unknown phase.
   */
  add<A extends unknown[]>(phase: TriggerPhase, eventType: string, fn: (...args: A) => unknown, args: A): TriggerId {
    if (phase !== "before" && phase !== "during" && phase !== "after") {
      throw new RangeError(`Unknown trigger phase: ${String(phase)}`);
    }
    const t: Trigger = { phase, eventType, fn: fn as (...a: never[]) => unknown, args };
    this.event(eventType).phases[phase].push(t);
    return t;
  }

  /**
   * Removes a trigger added by `add`.
   * @throws RangeError when it is not (or no longer) registered.
   */
  remove(id: TriggerId): void {
    const t = id as Trigger;
    const list = this.events.get(id.eventType)?.phases[id.phase];
    if (!list || !list.includes(t)) throw new RangeError("Trigger is not registered: it was removed or already ran");
    list.splice(list.indexOf(t), 1);
  }

  /** Fires `eventType`'s triggers, phase by phase; the Deferred fires when all have run. */
  fire(eventType: string): Deferred<void> {
    return this.event(eventType).fire();
  }
}
