/**
 * select: wait on several channel operations, take the first that can complete (goless's
 * `select`, Go's `reflect.Select`).
 *
 * Algorithm:
 *   pass 1: look for a ready case, in list order; run the first one found.
 *   pass 2: no case is ready: with a `dcase`, take it (wherever it stands in the list).
 *   pass 3: otherwise wait without polling: one Waiter per case in its channel's queue. The
 *           first counterpart to arrive completes the select, and every other Waiter leaves its
 *           queue at once. Cancelling the select's Deferred takes it out of every queue and it
 *           takes nothing.
 * A closed, empty channel's `rcase` is never ready (its Waiter is dropped when the channel
 * closes); an `scase` on a closed channel is ready and fails the select with `ChannelClosed`.
 */
import { ChannelClosed } from "../errors.js";
import { Deferred, fail } from "../deferred.js";
import { currentTask } from "./runner.js";
import { getScheduler, type Scheduler } from "./scheduler.js";
import type { Task } from "./task.js";
import { MultiOp, fired, type Waiter } from "./wait-queue.js";
import { checkSendable, type Channel } from "./channel.js";

/** A case that receives from `chan` when it has a value. Make one with `rcase()`. */
export class RCase<T> {
  /** `"recv"`. */
  readonly kind = "recv" as const;
  constructor(
    /** The channel to receive from. */
    readonly chan: Channel<T>,
  ) {}
  /** Whether a receive would complete now. */
  ready(): boolean {
    return this.chan.recvReady();
  }
}

/** A case that sends `value` on `chan` when it can. Make one with `scase()`. */
export class SCase<T> {
  /** `"send"`. */
  readonly kind = "send" as const;
  /** @throws TypeError when `value` is a Deferred (see `scase`). */
  constructor(
    /** The channel to send on. */
    readonly chan: Channel<T>,
    /** The value to send. */
    readonly value: T,
  ) {
    checkSendable(value);
  }
  /** Whether a send would complete (or fail, on a closed channel) now. */
  ready(): boolean {
    return this.chan.sendReady();
  }
}

/** The default case: chosen when no other case is ready. Make one with `dcase()`. */
export class DCase {
  /** `"default"`. */
  readonly kind = "default" as const;
  /** Never ready: it is taken only when nothing else is. */
  ready(): boolean {
    return false;
  }
}

/** Any select case. */
export interface SelectCase {
  /** `"recv"`, `"send"` or `"default"`. */
  readonly kind: "recv" | "send" | "default";
  /** Whether it could complete now. */
  ready(): boolean;
}

/** `[case, value]` for the chosen case: the received value for an `rcase`, else undefined. */
export type SelectResult<C> = C extends RCase<infer T> ? [C, T] : [C, undefined];

/** A case that receives from `ch`. */
export function rcase<T>(ch: Channel<T>): RCase<T> {
  return new RCase(ch);
}

/**
 * A case that sends `value` on `ch`.
 * @throws TypeError when `value` is a Deferred (a receive's Deferred cannot have one as its
 *   result: send an object holding it).
 */
export function scase<T>(ch: Channel<T>, value: T): SCase<T> {
  return new SCase(ch, value);
}

/** The default case. */
export function dcase(): DCase {
  return new DCase();
}

class SelectOp extends MultiOp {
  // The case whose send happened, until the select is woken (see wakeLater).
  private declare sent: unknown;
  constructor(owner: Task | null, scheduler: Scheduler) {
    super(owner, scheduler);
    this.sent = undefined;
  }
  get kind(): string {
    return "select";
  }
  matched(w: Waiter, value: unknown): void {
    this.settle();
    if (w.sending) {
      this.sent = w.selectCase;
      this.wakeLater();
    } else this.callback([w.selectCase, value]);
  }
  protected override wokenResult(): unknown {
    return [this.sent, undefined];
  }
  channelClosed(w: Waiter): void {
    // A closed, empty channel is never ready to receive from: keep waiting on the others.
    if (!w.sending) return;
    this.settle();
    this.errback(new ChannelClosed(`Channel closed while selecting: cannot send on ${String(w.chan)}`));
  }
}

function run(c: RCase<unknown> | SCase<unknown>): Deferred<unknown> {
  if (c instanceof RCase) return fired<unknown>([c, c.chan.take()]);
  if (c.chan.closed) return fail(new ChannelClosed(`Cannot send on a closed channel: ${c.chan}`));
  c.chan.put(c.value);
  return fired<unknown>([c, undefined]);
}

/**
 * Waits until one of the cases can complete and completes it: a Deferred of `[case, value]`
 * (the received value for an `rcase`, undefined otherwise). Takes the first ready case in list
 * order; a `dcase` only when no other case is ready, wherever it stands. Waits without polling
 * when nothing is ready; cancelling it then takes nothing. Cases may be given as arguments or as
 * one array; no cases (or an empty array) gives `undefined`.
 * Fails with `ChannelClosed` when the chosen `scase`'s channel is closed.
 * @throws TypeError when an array is mixed with other arguments, a case is not a case, or there
 *   is more than one `dcase`.
 * @example
 * const [c, v] = yield* select(rcase(c1), rcase(c2));
 */
export function select(): Deferred<undefined>;
export function select<C extends readonly SelectCase[]>(cases: C): Deferred<SelectResult<C[number]>>;
export function select<C extends SelectCase[]>(...cases: C): Deferred<SelectResult<C[number]>>;
export function select(...args: unknown[]): Deferred<unknown> {
  if (args.length === 0) return fired(undefined);
  let cases = args;
  if (Array.isArray(args[0])) {
    if (args.length !== 1) {
      throw new TypeError("Select takes either a list of cases or cases as arguments, not both");
    }
    cases = args[0] as unknown[];
    if (cases.length === 0) return fired(undefined);
  }
  // Pass 1: check the cases and find the first ready one, in list order (readiness has no side
  // effects, so the whole list is checked before anything runs).
  const n = cases.length;
  let def: DCase | null = null;
  let ready = -1;
  for (let i = 0; i < n; i++) {
    const c = cases[i];
    if (c instanceof RCase) {
      if (ready < 0 && c.chan.recvReady()) ready = i;
    } else if (c instanceof SCase) {
      if (ready < 0 && c.chan.sendReady()) ready = i;
    } else if (c instanceof DCase) {
      if (def !== null) throw new TypeError("Only one default case is allowed in select: got two or more");
      def = c;
    } else {
      throw new TypeError(`Select cases must be rcase, scase or dcase: got ${Array.isArray(c) ? "an array" : typeof c}`);
    }
  }
  if (ready >= 0) return run(cases[ready] as RCase<unknown> | SCase<unknown>);
  // Pass 2: the default case.
  if (def !== null) return fired<unknown>([def, undefined]);

  // Pass 3: wait on every channel.
  const owner = currentTask();
  const op = new SelectOp(owner, owner ? owner.scheduler : getScheduler());
  for (let i = 0; i < n; i++) {
    const c = cases[i] as RCase<unknown> | SCase<unknown>;
    if (c instanceof RCase) {
      if (!c.chan.closed) op.wait(c.chan, false, undefined, c);
    } else {
      op.wait(c.chan, true, c.value, c);
    }
  }
  op.block();
  return op;
}
