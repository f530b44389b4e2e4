/**
 * The dirty-reactor check (trial's): a test that leaves timed calls pending, ports listening or
 * connections open has leaked work into the next test. `assertReactorClean` finds such leftovers,
 * says what each one is and where it was created, cleans them up, and fails the test.
 *
 * @example
 * import { afterEach, beforeEach } from "node:test";
 * let reactor: NodeReactor;
 * beforeEach(() => { reactor = createReactor(); });
 * afterEach(() => assertReactorClean(reactor));
 */
import { DirtyReactorAggregateError } from "../errors.js";
import type { IDelayedCall, ReactorTime, TrackedResource } from "../interfaces.js";

/** What the check looks at: timed calls, and open resources when the reactor tracks them. */
export type CheckableReactor = Pick<ReactorTime, "getDelayedCalls"> & {
  openResources?(): TrackedResource[];
};

/** Options for `assertReactorClean`. */
export interface CleanReactorOptions {
  /** Cancel the pending calls found (default true), so the next test starts clean. */
  cleanUp?: boolean;
}

function describeCall(call: IDelayedCall): string {
  const creator = (call as { creator?: string }).creator;
  return `${String(call)}${creator ? `, scheduled at:\n${creator}` : ""}`;
}

/**
 * Everything the reactor still has: one description per pending timed call and open resource,
 * each with where it was created.
 */
export function reactorLeftovers(reactor: CheckableReactor): string[] {
  const out: string[] = [];
  for (const call of reactor.getDelayedCalls()) out.push(`Pending timed call: ${describeCall(call)}`);
  for (const r of reactor.openResources?.() ?? []) out.push(`Open ${r.kind}: ${r.describe()}, created at:\n${r.creator}`);
  return out;
}

/**
 * Fails (throws) if the reactor has pending timed calls or open resources, after cancelling the
 * calls (unless `cleanUp: false`). Open resources are only reported: closing them is asynchronous
 * and belongs to the test.
 * @throws DirtyReactorAggregateError listing every leftover and where it was created.
 */
export function assertReactorClean(reactor: CheckableReactor, options: CleanReactorOptions = {}): void {
  const leftovers = reactorLeftovers(reactor);
  if (leftovers.length === 0) return;
  if (options.cleanUp ?? true) {
    for (const call of reactor.getDelayedCalls()) if (call.active()) call.cancel();
  }
  throw new DirtyReactorAggregateError(leftovers);
}
