/**
 * The waiting side of channels: a blocked operation (`BlockedOp`, itself the Deferred its caller
 * holds) and its `Waiter` entries, one per channel queue it waits in.
 *
 * Invariants:
 * - A Waiter is in at most one WaitQueue (its channel's receive or send queue) and `queued` says
 *   whether it is; removal is O(1) and leaves the other entries in order.
 * - A BlockedOp is in its scheduler's list of blocked operations from the moment it waits
 *   until it is settled; `settled` flips exactly once, when it stops waiting (matched, closed,
 *   cancelled or failed by the deadlock check), and every one of its Waiters is out of its queue
 *   from then on.
 */
import { Deferred } from "../deferred.js";
import { Failure } from "../failure.js";
import type { Scheduler } from "./scheduler.js";
import type { Task } from "./task.js";
import { mayContinue } from "./runner.js";

/** The part of a channel a Waiter needs: its queues and its name. */
export interface WaitChannel {
  /** Receivers waiting, oldest first. */
  readonly recvq: WaitQueue;
  /** Senders waiting, oldest first. */
  readonly sendq: WaitQueue;
  /** `chan#3` or `chan#3 "jobs"`. */
  toString(): string;
}

/** One entry in a channel's wait queue. */
export class Waiter {
  /** The entry before it in its queue. */
  prev: Waiter | null = null;
  /** The entry after it in its queue. */
  next: Waiter | null = null;
  /** Whether it is in a queue now. */
  queued = false;
  constructor(
    /** The operation waiting. */
    readonly op: BlockedOp,
    /** The channel whose queue it is in. */
    readonly chan: WaitChannel,
    /** True in the send queue, false in the receive queue. */
    readonly sending: boolean,
    /** The value to send (senders only). */
    readonly value: unknown,
    /** The select case it stands for (selects only). */
    readonly selectCase: unknown,
  ) {}
}

/** A FIFO of Waiters as a doubly linked list. */
export class WaitQueue {
  private head: Waiter | null = null;
  private tail: Waiter | null = null;
  /** How many Waiters it holds. */
  length = 0;

  /** Appends `w`. */
  push(w: Waiter): void {
    w.prev = this.tail;
    w.next = null;
    if (this.tail) this.tail.next = w;
    else this.head = w;
    this.tail = w;
    w.queued = true;
    this.length++;
  }

  /** Removes and returns the oldest Waiter. */
  shift(): Waiter | null {
    const w = this.head;
    if (w) this.remove(w);
    return w;
  }

  /** The oldest Waiter, left in place. */
  peek(): Waiter | null {
    return this.head;
  }

  /** Removes `w` (which must be in this queue). */
  remove(w: Waiter): void {
    if (w.prev) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = w.next = null;
    w.queued = false;
    this.length--;
  }

  /** Removes every Waiter, returning them oldest first. */
  clear(): Waiter[] {
    const out: Waiter[] = [];
    for (let w = this.head; w; ) {
      const next: Waiter | null = w.next;
      w.prev = w.next = null;
      w.queued = false;
      out.push(w);
      w = next;
    }
    this.head = this.tail = null;
    this.length = 0;
    return out;
  }
}

/**
 * The iterator behind `yield* op` when `op` had already succeeded as `yield*` began (and the
 * running task may go on): it ends at once with the result, which it takes from `op` as the
 * runner would. One shared instance: `yield*` calls `next()` right after `[Symbol.iterator]()`,
 * with nothing in between, so the result it holds is never another operation's.
 */
class ReadyIterator {
  value: unknown = undefined;
  next(): IteratorResult<unknown, unknown> {
    const value = this.value;
    this.value = undefined;
    return { value, done: true };
  }
  return(value: unknown): IteratorResult<unknown, unknown> {
    return { value, done: true };
  }
  throw(e: unknown): never {
    throw e;
  }
  [Symbol.iterator](): this {
    return this;
  }
}

const readyIterator = new ReadyIterator();

/**
 * The iterator behind `yield* op` when `op` must be waited on: yields `op` once (to the task
 * runner or `inlineCallbacks`), then ends with what it is resumed with. Errors thrown in pass
 * through, as with a generator.
 */
class WaitIterator {
  private yielded = false;
  constructor(private readonly op: Deferred<unknown>) {}
  next(resumed: unknown): IteratorResult<unknown, unknown> {
    if (this.yielded) return { value: resumed, done: true };
    this.yielded = true;
    return { value: this.op, done: false };
  }
  return(value: unknown): IteratorResult<unknown, unknown> {
    return { value, done: true };
  }
  throw(e: unknown): never {
    throw e;
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * What `yield* d` runs for a channel operation's Deferred: the same as Deferred's own iterator
 * (yield `d`, end with what comes back), minus a generator object, and without suspending when
 * `d` already succeeded (the runner would take the result and continue at once) unless the
 * running task was killed meanwhile (it must stop at this yield point).
 */
function opIterator<T>(d: Deferred<T>): Generator<Deferred<T>, T, unknown> {
  if (d.called && d.paused === 0) {
    const res = d.result;
    if (!(res instanceof Failure) && !(res instanceof Deferred) && mayContinue()) {
      d.result = undefined;
      readyIterator.value = res;
      return readyIterator as unknown as Generator<Deferred<T>, T, unknown>;
    }
  }
  return new WaitIterator(d) as unknown as Generator<Deferred<T>, T, unknown>;
}

/** A channel operation's Deferred that completed at once (see `fired`). */
class ReadyOp<T> extends Deferred<T> {
  /** `yield*` on it (see `opIterator`). */
  override [Symbol.iterator](): Generator<Deferred<T>, T, unknown> {
    return opIterator(this);
  }
}

/**
 * A Deferred that has already succeeded with `value`: what `succeed(value)` makes, without
 * running an (empty) callback chain. The hot path of every operation that completes at once.
 */
export function fired<T>(value: T): Deferred<T> {
  const d = new ReadyOp<T>();
  d.called = true;
  d.result = value;
  return d;
}

function cancelOp(d: Deferred<unknown>): void {
  (d as BlockedOp).cancelled();
}

/**
 * A blocked `recv`, `send` or `select`: the Deferred its caller waits on, plus its place in the
 * channels' queues. Subclasses say what happens when a counterpart arrives or a channel closes.
 */
export abstract class BlockedOp extends Deferred<unknown> {
  // Declared, then set in the constructor: see the note in Deferred (subclass construction).

  /** Whether it has stopped waiting (see the invariants above). */
  declare settled: boolean;
  /** Its entry in a channel queue (recv/send), or null when it has several (select). */
  declare waiter: Waiter | null;
  /** Its entries in channel queues when it has several (select). */
  declare waiters: Waiter[] | null;
  /** @internal Neighbours in the scheduler's list of blocked operations. */
  declare bprev: BlockedOp | null;
  /** @internal Neighbours in the scheduler's list of blocked operations. */
  declare bnext: BlockedOp | null;
  /** @internal Whether it is in the scheduler's list. */
  declare inBlockedList: boolean;
  /**
   * @internal The task runner waiting on it, told directly when it fires (cheaper than a
   * callback link; see Runner).
   */
  declare runner: { opFired(op: BlockedOp, token: number): void } | null;
  /** @internal The runner's token for this wait. */
  declare runnerToken: number;
  /** The task that is blocked, or null for code outside any task ("main"). */
  declare readonly owner: Task | null;
  /** The scheduler that wakes it and checks it for deadlock. */
  declare readonly scheduler: Scheduler;
  private declare wakePending: boolean;
  private declare wakeResult: unknown;

  constructor(owner: Task | null, scheduler: Scheduler) {
    super(cancelOp);
    this.settled = false;
    this.waiter = null;
    this.waiters = null;
    this.bprev = null;
    this.bnext = null;
    this.inBlockedList = false;
    this.runner = null;
    this.runnerToken = 0;
    this.owner = owner;
    this.scheduler = scheduler;
    this.wakePending = false;
    this.wakeResult = undefined;
  }

  /** `recv`, `send` or `select`. */
  abstract readonly kind: string;

  /** `yield*` on it (see `opIterator`). */
  override [Symbol.iterator](): Generator<Deferred<unknown>, unknown, unknown> {
    return opIterator(this);
  }

  /**
   * A counterpart met `w`: for a receiving Waiter `value` is what was sent, and the receiver runs
   * now; for a sending Waiter its value was taken, and the sender is woken at the next turn.
   */
  abstract matched(w: Waiter, value: unknown): void;

  /** `w`'s channel was closed (w is already out of the queue). */
  abstract channelClosed(w: Waiter): void;

  /** Enqueues a Waiter for this op in `chan`'s receive or send queue. */
  wait(chan: WaitChannel, sending: boolean, value: unknown, selectCase: unknown): void {
    const w = new Waiter(this, chan, sending, value, selectCase);
    if (this.waiters !== null) this.waiters.push(w);
    else if (this.waiter === null) this.waiter = w;
    else {
      this.waiters = [this.waiter, w];
      this.waiter = null;
    }
    (sending ? chan.sendq : chan.recvq).push(w);
  }

  /** Fires with `result` (see Deferred.callback), then tells a waiting task runner. */
  override callback(result: unknown): void {
    super.callback(result); // with nothing chained yet, Deferred skips its (empty) callback loop
    const r = this.runner;
    if (r !== null) {
      this.runner = null;
      r.opFired(this, this.runnerToken);
    }
  }

  /** Fails with `reason` (see Deferred.errback), then tells a waiting task runner. */
  override errback(reason?: unknown): void {
    super.errback(reason);
    const r = this.runner;
    if (r !== null) {
      this.runner = null;
      r.opFired(this, this.runnerToken);
    }
  }

  /** Registers the op with its scheduler as blocked (after its `wait` calls). */
  block(): void {
    this.scheduler.block(this);
  }

  /** Stops waiting: takes every Waiter out of its queue and unregisters from the scheduler. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    const w = this.waiter;
    if (w !== null) {
      if (w.queued) (w.sending ? w.chan.sendq : w.chan.recvq).remove(w);
    } else if (this.waiters !== null) {
      for (const x of this.waiters) if (x.queued) (x.sending ? x.chan.sendq : x.chan.recvq).remove(x);
    }
    this.scheduler.unblock(this);
  }

  /** The channels it waits on (for deadlock reports). */
  channelNames(): string[] {
    const all = this.waiters ?? (this.waiter ? [this.waiter] : []);
    return all.filter((w) => w.queued).map((w) => String(w.chan));
  }

  /**
   * Cancelled by its caller: a waiting op stops waiting and takes nothing; an op that already
   * happened (a sender whose value was taken, not yet woken) fires with its result now.
   */
  cancelled(): void {
    if (this.wakePending) {
      this.wakePending = false;
      this.callback(this.wakeResult);
      return;
    }
    this.settle();
  }

  /** Fires it later, from the scheduler's run queue (a sender whose value was taken). */
  protected wakeLater(result: unknown): void {
    this.wakePending = true;
    this.wakeResult = result;
    this.scheduler.schedule(fireLater, this, undefined);
  }

  /** @internal The scheduled wake-up (see `wakeLater`). */
  deliverWake(): void {
    if (!this.wakePending) return;
    this.wakePending = false;
    if (!this.called) this.callback(this.wakeResult);
  }
}

function fireLater(op: unknown): void {
  (op as BlockedOp).deliverWake();
}
