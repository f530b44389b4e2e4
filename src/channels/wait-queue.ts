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

/**
 * One entry in a channel's wait queue: a blocked `recv`/`send` is its own entry (one object per
 * blocked operation), a blocked `select` has one `CaseWaiter` per case.
 */
export interface Waiter {
  /** The entry before it in its queue. */
  qprev: Waiter | null;
  /** The entry after it in its queue. */
  qnext: Waiter | null;
  /** Whether it is in a queue now. */
  queued: boolean;
  /** The operation waiting. */
  readonly op: BlockedOp;
  /** The channel whose queue it is in. */
  readonly chan: WaitChannel;
  /** True in the send queue, false in the receive queue. */
  readonly sending: boolean;
  /** The value to send (senders only). */
  readonly value: unknown;
  /** The select case it stands for (selects only). */
  readonly selectCase: unknown;
}

/** One case of a blocked select, waiting in its channel's queue. */
export class CaseWaiter implements Waiter {
  qprev: Waiter | null = null;
  qnext: Waiter | null = null;
  queued = false;
  constructor(
    readonly op: BlockedOp,
    readonly chan: WaitChannel,
    readonly sending: boolean,
    readonly value: unknown,
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
    const t = this.tail;
    w.qprev = t;
    w.qnext = null;
    if (t !== null) t.qnext = w;
    else this.head = w;
    this.tail = w;
    w.queued = true;
    this.length++;
  }

  /** Removes and returns the oldest Waiter. */
  shift(): Waiter | null {
    const w = this.head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** The oldest Waiter, left in place. */
  peek(): Waiter | null {
    return this.head;
  }

  /** Removes `w` (which must be in this queue). */
  remove(w: Waiter): void {
    const p = w.qprev;
    const n = w.qnext;
    if (p !== null) p.qnext = n;
    else this.head = n;
    if (n !== null) n.qprev = p;
    else this.tail = p;
    w.qprev = w.qnext = null;
    w.queued = false;
    this.length--;
  }

  /** Removes every Waiter, returning them oldest first. */
  clear(): Waiter[] {
    const out: Waiter[] = [];
    for (let w = this.head; w !== null; ) {
      const next: Waiter | null = w.qnext;
      w.qprev = w.qnext = null;
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
 * What the iterators behind `yield* op` share: a kill (`return`) and an error thrown in pass
 * through, as with a generator, and each is its own iterable.
 */
abstract class OpIterator {
  abstract next(resumed: unknown): IteratorResult<unknown, unknown>;
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
 * The iterator behind `yield* op` when `op` had already succeeded as `yield*` began (and the
 * running task may go on): it ends at once with the result, which it takes from `op` as the
 * runner would. One shared instance: `yield*` calls `next()` right after `[Symbol.iterator]()`,
 * with nothing in between, so the result it holds is never another operation's.
 */
class ReadyIterator extends OpIterator {
  value: unknown = undefined;
  next(): IteratorResult<unknown, unknown> {
    const value = this.value;
    this.value = undefined;
    return { value, done: true };
  }
}

const readyIterator = new ReadyIterator();

/**
 * The iterator behind `yield* op` when `op` must be waited on and is not its own iterator (see
 * BlockedOp): yields `op` once (to the task runner or `inlineCallbacks`), then ends with what it
 * is resumed with.
 */
class WaitIterator extends OpIterator {
  private yielded = false;
  constructor(private readonly op: Deferred<unknown>) {
    super();
  }
  next(resumed: unknown): IteratorResult<unknown, unknown> {
    if (this.yielded) return { value: resumed, done: true };
    this.yielded = true;
    return { value: this.op, done: false };
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
 *
 * While it waits it is its own iterator for `yield*` (no iterator object per blocked
 * operation): the first `next()` yields it to the task runner, the second ends with what the
 * runner resumes the generator with.
 */
export abstract class BlockedOp extends Deferred<unknown> {
  // Declared, then set in the constructor: see the note in Deferred (subclass construction).

  /** @internal Neighbours in the scheduler's list of blocked operations. */
  declare bprev: BlockedOp | null;
  /** @internal Neighbours in the scheduler's list of blocked operations. */
  declare bnext: BlockedOp | null;
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
  // SETTLED | LISTED | WAKE_PENDING | YIELDED: one field rather than four (one is made per
  // blocked operation, so its size shows).
  private declare state: number;

  constructor(owner: Task | null, scheduler: Scheduler) {
    super(cancelOp);
    this.bprev = null;
    this.bnext = null;
    this.runner = null;
    this.runnerToken = 0;
    this.owner = owner;
    this.scheduler = scheduler;
    this.state = 0;
  }

  /** Whether it has stopped waiting (see the invariants above). */
  get settled(): boolean {
    return (this.state & SETTLED) !== 0;
  }

  /** @internal Whether it is in its scheduler's list of blocked operations. */
  get listed(): boolean {
    return (this.state & LISTED) !== 0;
  }
  set listed(on: boolean) {
    this.state = on ? this.state | LISTED : this.state & ~LISTED;
  }

  /** `recv`, `send` or `select`. */
  abstract get kind(): string;

  /**
   * `yield*` on it: itself while it waits (see the class notes), else as `opIterator` says. A
   * second `yield*` while the first still waits gets an iterator of its own.
   */
  override [Symbol.iterator](): Generator<Deferred<unknown>, unknown, unknown> {
    if (!this.called && (this.state & YIELDED) === 0) return this as unknown as Generator<Deferred<unknown>, unknown, unknown>;
    return opIterator(this);
  }

  /** @internal The iterator protocol (see the class notes). */
  next(resumed: unknown): IteratorResult<unknown, unknown> {
    if ((this.state & YIELDED) !== 0) return { value: resumed, done: true };
    this.state |= YIELDED;
    return { value: this, done: false };
  }

  /** @internal The iterator protocol: a kill returning the generator passes through. */
  return(value: unknown): IteratorResult<unknown, unknown> {
    this.state |= YIELDED;
    return { value, done: true };
  }

  /** @internal The iterator protocol: an error thrown in (this op failed) passes through. */
  throw(e: unknown): never {
    this.state |= YIELDED;
    throw e;
  }

  /**
   * A counterpart met `w`: for a receiving Waiter `value` is what was sent, and the receiver runs
   * now; for a sending Waiter its value was taken, and the sender is woken at the next turn.
   */
  abstract matched(w: Waiter, value: unknown): void;

  /** `w`'s channel was closed (w is already out of the queue). */
  abstract channelClosed(w: Waiter): void;

  /** Takes each of its Waiters that is still queued out of its queue. */
  protected abstract leaveQueues(): void;

  /** The Waiters it has (in queues or not). */
  protected abstract entries(): readonly Waiter[];

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

  /** Registers the op with its scheduler as blocked (after it has joined its queues). */
  block(): void {
    this.scheduler.block(this);
  }

  /** Stops waiting: takes every Waiter out of its queue and unregisters from the scheduler. */
  settle(): void {
    if ((this.state & SETTLED) !== 0) return;
    this.state |= SETTLED;
    this.leaveQueues();
    this.scheduler.unblock(this);
  }

  /** The channels it waits on (for deadlock reports). */
  channelNames(): string[] {
    return this.entries()
      .filter((w) => w.queued)
      .map((w) => String(w.chan));
  }

  /**
   * Cancelled by its caller: a waiting op stops waiting and takes nothing; an op that already
   * happened (a sender whose value was taken, not yet woken) fires with its result now.
   */
  cancelled(): void {
    if ((this.state & WAKE_PENDING) !== 0) {
      this.state &= ~WAKE_PENDING;
      this.callback(this.wokenResult());
      return;
    }
    this.settle();
  }

  /**
   * Fires it later, with `wokenResult()`, from the scheduler's run queue (a sender whose value
   * was taken).
   */
  protected wakeLater(): void {
    this.state |= WAKE_PENDING;
    this.scheduler.schedule(fireLater, this, undefined);
  }

  /** What it fires with when woken later (see `wakeLater`). */
  protected wokenResult(): unknown {
    return undefined;
  }

  /** @internal The scheduled wake-up (see `wakeLater`). */
  deliverWake(): void {
    if ((this.state & WAKE_PENDING) === 0) return;
    this.state &= ~WAKE_PENDING;
    if (!this.called) this.callback(this.wokenResult());
  }
}

const SETTLED = 1;
const LISTED = 2;
const WAKE_PENDING = 4;
const YIELDED = 8;

/**
 * A blocked `recv` or `send` on one channel: it is itself its entry (a Waiter, structurally) in
 * that channel's queue, so blocking allocates one object. Its maker puts it in the queue.
 */
export abstract class ChanOp extends BlockedOp {
  /** @internal Its neighbours in the channel's queue. */
  declare qprev: Waiter | null;
  /** @internal Its neighbours in the channel's queue. */
  declare qnext: Waiter | null;
  /** Whether it is in the channel's queue now. */
  declare queued: boolean;
  /** The channel it waits on. */
  declare readonly chan: WaitChannel;

  /** A blocked operation on `chan`, not yet in its queue (its maker pushes it). */
  constructor(owner: Task | null, scheduler: Scheduler, chan: WaitChannel) {
    super(owner, scheduler);
    this.qprev = null;
    this.qnext = null;
    this.queued = false;
    this.chan = chan;
  }

  /** True for a send. */
  abstract get sending(): boolean;
  /** The value to send (sends only). */
  abstract get value(): unknown;

  /** Itself (the Waiter's operation). */
  get op(): BlockedOp {
    return this;
  }

  /** Always null: it is not a select case. */
  get selectCase(): unknown {
    return null;
  }

  protected leaveQueues(): void {
    if (this.queued) (this.sending ? this.chan.sendq : this.chan.recvq).remove(this);
  }

  protected entries(): readonly Waiter[] {
    return [this];
  }
}

/** A blocked select: one `CaseWaiter` per case, each in its channel's queue. */
export abstract class MultiOp extends BlockedOp {
  private declare readonly waiters: CaseWaiter[];

  constructor(owner: Task | null, scheduler: Scheduler) {
    super(owner, scheduler);
    this.waiters = [];
  }

  /** Enqueues a Waiter for `selectCase` in `chan`'s receive or send queue. */
  wait(chan: WaitChannel, sending: boolean, value: unknown, selectCase: unknown): void {
    const w = new CaseWaiter(this, chan, sending, value, selectCase);
    this.waiters.push(w);
    (sending ? chan.sendq : chan.recvq).push(w);
  }

  protected leaveQueues(): void {
    for (const w of this.waiters) if (w.queued) (w.sending ? w.chan.sendq : w.chan.recvq).remove(w);
  }

  protected entries(): readonly Waiter[] {
    return this.waiters;
  }
}

function fireLater(op: unknown): void {
  (op as BlockedOp).deliverWake();
}
