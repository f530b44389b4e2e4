/**
 * Channels with goless 0.7.3's semantics: unbuffered (rendezvous), buffered, and asynchronous
 * (never blocks on send), on synchronous Deferreds.
 *
 * Invariants:
 * - Receivers wait only when the buffer is empty, senders only when it is full (for an
 *   unbuffered channel both hold), so `recvq` and `sendq` are never both non-empty, and a
 *   receiver waiting means the buffer is empty.
 * - Hand-over order (goless's): a send to a waiting receiver runs the receiver first, inside
 *   `send()`; a receive from a waiting sender continues the receiver, and the sender resumes at
 *   the scheduler's next turn. A value taken from a full buffer is replaced by the oldest
 *   waiting sender's value.
 * - Once closed, nothing waits in either queue; the buffer stays receivable.
 */
import { ChannelClosed, TimeoutError } from "../errors.js";
import { Deferred, fail } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { ReactorTime } from "../interfaces.js";
import { Deque } from "../_internal/deque.js";
import { currentTask } from "./runner.js";
import { getScheduler, type Scheduler } from "./scheduler.js";
import type { Task } from "./task.js";
import { ChanOp, WaitQueue, fired, type BlockedOp, type WaitChannel, type Waiter } from "./wait-queue.js";

/** Options for a blocking `recv`/`send` that gives up after a while. */
export interface OpTimeoutOptions {
  /** Seconds to wait before failing with `TimeoutError`. */
  readonly timeout: number;
  /** The clock (or reactor) that measures them. */
  readonly clock: ReactorTime;
}

/** Options for `chan()`. */
export interface ChannelOptions {
  /** A name shown in `toString()` and deadlock reports. */
  readonly name?: string;
}

/** What `tryRecv()` returns: the value when one was ready, else whether the channel is closed. */
export type TryRecvResult<T> =
  | { readonly ok: true; readonly value: T; readonly closed: false }
  | { readonly ok: false; readonly value: undefined; readonly closed: boolean };

/** What `trySend()` returns: whether the value went, and whether the channel is closed. */
export interface TrySendResult {
  /** True when the value was handed over or buffered. */
  readonly ok: boolean;
  /** True when it was not sent because the channel is closed. */
  readonly closed: boolean;
}

class RecvOp extends ChanOp {
  get kind(): string {
    return "recv";
  }
  get sending(): boolean {
    return false;
  }
  get value(): unknown {
    return undefined;
  }
  matched(_w: Waiter, value: unknown): void {
    this.settle();
    this.callback(value);
  }
  channelClosed(w: Waiter): void {
    this.settle();
    this.errback(new ChannelClosed(`Channel closed while receiving: ${String(w.chan)}`));
  }
}

class SendOp extends ChanOp {
  /** The value to send. */
  declare readonly value: unknown;
  constructor(owner: Task | null, scheduler: Scheduler, chan: WaitChannel, value: unknown) {
    super(owner, scheduler, chan);
    this.value = value;
  }
  get kind(): string {
    return "send";
  }
  get sending(): boolean {
    return true;
  }
  matched(): void {
    this.settle();
    this.wakeLater();
  }
  channelClosed(w: Waiter): void {
    this.settle();
    this.errback(new ChannelClosed(`Channel closed while sending: ${String(w.chan)}`));
  }
}

/** @internal Makes a blocking op fail with TimeoutError after `options.timeout` seconds. */
export function addOpTimeout(op: BlockedOp, options: OpTimeoutOptions, what: string): void {
  const { timeout, clock } = options;
  const sched = op.scheduler;
  sched.timers++;
  let pending = true;
  const call = clock.callLater(timeout, () => {
    pending = false;
    sched.timers--;
    if (op.settled) return; // it already happened
    op.settle();
    op.errback(new TimeoutError(`Timed out after ${timeout} seconds: ${what}`, timeout));
  });
  op.addBoth((r: unknown) => {
    if (pending) {
      pending = false;
      sched.timers--;
      call.cancel();
    }
    return r;
  });
}

let nextChannelId = 1;

/**
 * @internal Refuses a Deferred as a channel value, before anything changes: a receive is itself
 * a Deferred, and a Deferred cannot be another one's result (Twisted forbids it too; a Deferred
 * result means "waiting on it"). Send an object holding it, such as `{d}`, instead.
 */
export function checkSendable(value: unknown): void {
  if (value instanceof Deferred) {
    throw new TypeError("Cannot send a Deferred on a channel, since a receive's Deferred cannot have one as its result: send an object holding it, such as {d}");
  }
}

/**
 * A goless-style channel. Make one with `chan()`.
 *
 * Blocking operations (`send`, `recv`, `next`) return Deferreds that have already fired when
 * the operation could complete at once; otherwise they fire later. Cancelling a waiting one
 * takes it out of the queue and leaves the channel as it was (a cancelled `recv` takes nothing).
 */
// It is a WaitChannel (structurally; `implements` would name internal members the published
// declarations leave out).
export class Channel<T> {
  /** A number unique among this process's channels. */
  readonly id: number;
  /** The name given at creation, if any. */
  readonly name: string | undefined;
  /** 0 unbuffered, n > 0 buffered, -1 asynchronous (unbounded buffer). */
  readonly size: number;
  /** @internal Receivers waiting, oldest first. */
  readonly recvq = new WaitQueue();
  /** @internal Senders waiting, oldest first. */
  readonly sendq = new WaitQueue();
  private readonly max: number;
  private readonly buf = new Deque<T>();
  private isClosed = false;

  /** @internal Use `chan()`. */
  constructor(size: number, options: ChannelOptions = {}) {
    this.id = nextChannelId++;
    this.name = options.name;
    this.size = size < 0 ? -1 : size;
    this.max = size < 0 ? Infinity : size;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** How many values are buffered. */
  get length(): number {
    return this.buf.length;
  }

  /**
   * Sends `value`. Fires at once when a receiver is waiting (the receiver runs first, before
   * `send` returns) or the buffer has room; otherwise waits for a receiver.
   * Fails with `ChannelClosed` on a closed channel or when the channel is closed while it waits;
   * with `{timeout, clock}`, fails with `TimeoutError` (and sends nothing) when time runs out.
   * @throws TypeError when `value` is a Deferred (see `checkSendable`), sending nothing.
   */
  send(value: T, options?: OpTimeoutOptions): Deferred<undefined> {
    checkSendable(value);
    if (this.isClosed) return fail(new ChannelClosed(`Cannot send on a closed channel: ${this}`));
    if (this.recvq.length > 0 || this.buf.length < this.max) {
      this.put(value);
      return fired(undefined);
    }
    const owner = currentTask();
    const op = new SendOp(owner, owner ? owner.scheduler : getScheduler(), this, value);
    this.sendq.push(op);
    op.block();
    if (options) addOpTimeout(op, options, `send on ${this}`);
    return op as Deferred<unknown> as Deferred<undefined>;
  }

  /**
   * Receives a value. Fires at once when the buffer holds one or a sender waits (the sender then
   * resumes at the next turn); otherwise waits for a sender. Once closed, the buffer still
   * drains, then it fails with `ChannelClosed` (also when the channel is closed while it waits).
   * With `{timeout, clock}`, fails with `TimeoutError` (and takes nothing) when time runs out.
   */
  recv(options?: OpTimeoutOptions): Deferred<T> {
    if (this.buf.length > 0 || this.sendq.length > 0) return fired(this.take());
    if (this.isClosed) return fail(new ChannelClosed(`Cannot receive from a closed channel: ${this} is closed and empty`));
    const owner = currentTask();
    const op = new RecvOp(owner, owner ? owner.scheduler : getScheduler(), this);
    this.recvq.push(op);
    op.block();
    if (options) addOpTimeout(op, options, `recv on ${this}`);
    return op as Deferred<unknown> as Deferred<T>;
  }

  /**
   * Sends without waiting: `{ok: true}` when a receiver took it or the buffer had room.
   * @throws TypeError when `value` is a Deferred (see `checkSendable`), sending nothing.
   */
  trySend(value: T): TrySendResult {
    checkSendable(value);
    if (this.isClosed) return { ok: false, closed: true };
    if (this.recvq.length > 0 || this.buf.length < this.max) {
      this.put(value);
      return { ok: true, closed: false };
    }
    return { ok: false, closed: false };
  }

  /** Receives without waiting: `{ok: true, value}` when a value was ready. */
  tryRecv(): TryRecvResult<T> {
    if (this.buf.length > 0 || this.sendq.length > 0) return { ok: true, value: this.take(), closed: false };
    return { ok: false, value: undefined, closed: this.isClosed };
  }

  /** True when `recv()` would complete at once with a value: buffered items or a waiting sender. */
  recvReady(): boolean {
    return this.buf.length > 0 || this.sendq.length > 0;
  }

  /**
   * True when `send()` would not wait: a receiver is waiting or the buffer has room (or the
   * channel is closed, so a send fails at once).
   */
  sendReady(): boolean {
    return this.isClosed || this.recvq.length > 0 || this.buf.length < this.max;
  }

  /**
   * Closes the channel: later sends fail with `ChannelClosed`; receives drain the buffer, then
   * fail with `ChannelClosed`. Every blocked sender and receiver fails with `ChannelClosed`
   * before `close()` returns (a blocked sender's value is dropped). Closing twice is allowed.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const waiting = [...this.recvq.clear(), ...this.sendq.clear()];
    for (const w of waiting) if (!w.op.settled) w.op.channelClosed(w);
  }

  /**
   * Receives the next value as an iterator result: `{done: true}` once the channel is closed
   * and drained. In a generator task:
   * `for (let r = yield* ch.next(); !r.done; r = yield* ch.next()) use(r.value);`
   */
  next(): Deferred<IteratorResult<T, undefined>> {
    return this.recv().addCallbacks(
      (value): IteratorResult<T, undefined> => ({ done: false, value }),
      (f: Failure): IteratorResult<T, undefined> => {
        if (f.check(ChannelClosed)) return { done: true, value: undefined };
        return f.raiseException();
      },
    ) as Deferred<IteratorResult<T, undefined>>;
  }

  /** `for await (const v of ch)`: receives until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return { next: () => this.next().asPromise() };
  }

  /** `chan#3` or `chan#3 "jobs"`. */
  toString(): string {
    return this.name === undefined ? `chan#${this.id}` : `chan#${this.id} "${this.name}"`;
  }

  /** @internal Takes a ready value (requires `recvReady()`), refilling from a waiting sender. */
  take(): T {
    if (this.buf.length > 0) {
      const v = this.buf.shift() as T;
      const s = this.sendq.shift();
      if (s) {
        this.buf.push(s.value as T);
        s.op.matched(s, undefined);
      }
      return v;
    }
    const s = this.sendq.shift()!;
    const v = s.value as T;
    s.op.matched(s, undefined);
    return v;
  }

  /** @internal Puts a value (requires an open channel and `sendReady()`): to a waiting receiver first. */
  put(value: T): void {
    const r = this.recvq.shift();
    if (r) r.op.matched(r, value);
    else this.buf.push(value);
  }
}

/**
 * Makes a channel: `size` 0 (default) is unbuffered (a send waits for a receiver), `n > 0`
 * buffers n values, negative never blocks on send (unbounded buffer).
 * @throws RangeError when `size` is not an integer.
 * @example
 * const c = chan<number>(3);
 * c.send(1); // fires at once: buffered
 */
export function chan<T = unknown>(size: number | null = 0, options?: ChannelOptions): Channel<T> {
  const n = size ?? 0;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new RangeError(`Channel size must be an integer: ${String(size)}`);
  }
  return new Channel<T>(n, options);
}
