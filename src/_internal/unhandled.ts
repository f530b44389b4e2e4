/**
 * Unhandled-error tracking for Deferreds.
 *
 * Invariants:
 * - A Deferred whose callback chain has run out while its result is a Failure owns a `FailRecord`
 *   with `failure` set; anything that later handles the result clears it.
 * - A record with `failure` set is in `pending` (a strong set of records, never of Deferreds), so
 *   the exit sweep can report it; the FinalizationRegistry reports it when the Deferred is
 *   collected. Each record is reported at most once.
 * - Records are created lazily, only for Deferreds that end on a Failure: the success path pays
 *   nothing.
 */
import type { Failure } from "../failure.js";

/** Per-Deferred bookkeeping for unhandled-error reports. */
export class FailRecord {
  failure: Failure | null = null;
  registered = false;
  creator: string | undefined = undefined;
  invoker: string | undefined = undefined;
}

/** Called with a record whose Failure nobody handled. Set by deferred.ts (it owns the logger). */
let reporter: (r: FailRecord) => void = () => {};
const pending = new Set<FailRecord>();
const observed = new WeakSet<Failure>();
let exitHookInstalled = false;

const registry =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<FailRecord>((rec) => report(rec))
    : undefined;

function report(rec: FailRecord): void {
  if (rec.failure === null) return;
  pending.delete(rec);
  if (observed.has(rec.failure)) {
    rec.failure = null;
    return;
  }
  reporter(rec);
  rec.failure = null;
}

/** Sets the function that reports an unhandled failure (done once by deferred.ts). */
export function setUnhandledReporter(fn: (r: FailRecord) => void): void {
  reporter = fn;
}

/** Marks a Failure as delivered somewhere else (a Promise rejection), so it is not reported again. */
export function markObserved(f: Failure): void {
  observed.add(f);
}

/** Whether a Failure was delivered somewhere else (a Promise rejection, see `markObserved`). */
export function isObserved(f: Failure): boolean {
  return observed.has(f);
}

/** The Deferred `owner` ended on `rec.failure`: watch it. */
export function track(owner: object, rec: FailRecord): void {
  pending.add(rec);
  if (!rec.registered && registry) {
    rec.registered = true;
    registry.register(owner, rec);
  }
  if (!exitHookInstalled) installExitHook();
}

/** The result was handled after all. */
export function untrack(rec: FailRecord): void {
  rec.failure = null;
  pending.delete(rec);
}

/**
 * Reports every failure still unhandled now (on live Deferreds too) and forgets them. Runs by
 * itself when the process exits; reactors call it at shutdown; tests call it to force reports.
 * @returns how many were reported.
 */
export function flushUnhandledFailures(): number {
  let n = 0;
  for (const rec of [...pending]) {
    if (rec.failure !== null && !observed.has(rec.failure)) n++;
    report(rec);
  }
  return n;
}

/** How many Deferreds currently end on an unhandled Failure. */
export function countUnhandledFailures(): number {
  return pending.size;
}

function installExitHook(): void {
  exitHookInstalled = true;
  // No `node:` import in the core: reach the host's process object only if there is one.
  const proc = (globalThis as { process?: { once?: (ev: string, fn: () => void) => void } }).process;
  if (proc && typeof proc.once === "function") proc.once("exit", () => void flushUnhandledFailures());
  const win = globalThis as { addEventListener?: (ev: string, fn: () => void) => void };
  if (!proc && typeof win.addEventListener === "function") win.addEventListener("pagehide", () => void flushUnhandledFailures());
}
