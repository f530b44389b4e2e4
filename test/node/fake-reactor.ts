// A Clock with Twisted's system-event triggers, for tests of code that stops with the reactor.
import { Clock } from "../../src/testing/clock.js";
import { Deferred, gatherResults } from "../../src/index.js";

type Phase = "before" | "during" | "after";

/** `Clock` plus `addSystemEventTrigger` and a `shutdown()` that runs the triggers like Twisted. */
export class TriggerClock extends Clock {
  readonly triggers: Array<{ phase: Phase; event: string; fn: () => unknown }> = [];
  addSystemEventTrigger(phase: Phase, event: "startup" | "shutdown", fn: () => unknown): unknown {
    const t = { phase, event, fn };
    this.triggers.push(t);
    return t;
  }
  /** Runs the `before shutdown` triggers and fires when the Deferreds they returned have fired. */
  shutdown(): Deferred<unknown> {
    const ds = this.triggers
      .filter((t) => t.event === "shutdown" && t.phase === "before")
      .map((t) => {
        const r = t.fn();
        return r instanceof Deferred ? r : Deferred.fromPromise(Promise.resolve(r));
      });
    return gatherResults(ds) as Deferred<unknown>;
  }
}
