/**
 * A minimal real-time reactor for the node networking tests: `ReactorTime` over `setTimeout`,
 * plus a resource registry so each test can check it left nothing open.
 * (The NodeReactor is built elsewhere; these tests need only this much.)
 */
import type { IDelayedCall, ReactorTime } from "../../src/interfaces.js";
import type { TrackedResource } from "../../src/node/_resources.js";

class TimerCall implements IDelayedCall {
  private handle: ReturnType<typeof setTimeout> | null;
  private done = false;
  constructor(
    private readonly owner: TestReactor,
    private time: number,
    private readonly fn: () => void,
  ) {
    this.handle = this.arm();
  }
  private arm(): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      this.done = true;
      this.owner.calls.delete(this);
      this.fn();
    }, Math.max(0, (this.time - this.owner.seconds()) * 1000));
  }
  getTime(): number {
    return this.time;
  }
  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
    this.done = true;
    this.owner.calls.delete(this);
  }
  reset(seconds: number): void {
    if (this.handle) clearTimeout(this.handle);
    this.time = this.owner.seconds() + seconds;
    this.handle = this.arm();
  }
  delay(seconds: number): void {
    this.reset(this.time - this.owner.seconds() + seconds);
  }
  active(): boolean {
    return !this.done;
  }
}

/** Real-time `ReactorTime` with a resource registry (like NodeReactor's). */
export class TestReactor implements ReactorTime {
  readonly calls = new Set<TimerCall>();
  readonly resources = new Set<TrackedResource>();
  seconds(): number {
    return performance.now() / 1000;
  }
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    const c = new TimerCall(this, this.seconds() + delay, () => void fn(...args));
    this.calls.add(c);
    return c;
  }
  getDelayedCalls(): IDelayedCall[] {
    return [...this.calls];
  }
  trackResource(r: TrackedResource): void {
    this.resources.add(r);
  }
  untrackResource(r: TrackedResource): void {
    this.resources.delete(r);
  }
  openResources(): TrackedResource[] {
    return [...this.resources];
  }
}

/** Resolves after `ms` milliseconds (for waiting on the real network in these marked tests). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `cond()` is true, polling every few ms; rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A host-name lookup (Node's `LookupFunction`) that answers every name with `ip`, without any DNS. */
export function lookupTo(ip: string): import("node:net").LookupFunction {
  return (_hostname, options, cb) => {
    const family = ip.includes(":") ? 6 : 4;
    const all = (options as { all?: boolean }).all === true;
    process.nextTick(() => (all ? (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: ip, family }]) : cb(null, ip, family)));
  };
}
