/**
 * Concurrency primitives on Deferreds: `DeferredLock`, `DeferredSemaphore`, `DeferredQueue`.
 * Waiters are served first come, first served; cancelling a waiting acquire or get removes it.
 */
import { QueueOverflow, QueueUnderflow } from "./errors.js";
import { Deferred, maybeDeferred } from "./deferred.js";

abstract class ConcurrencyPrimitive {
  /** Deferreds waiting to acquire, oldest first. */
  readonly waiting: Deferred<this>[] = [];

  /** Waits for the primitive; the Deferred fires with the primitive itself. */
  abstract acquire(): Deferred<this>;
  /** Gives it back, waking the oldest waiter. */
  abstract release(): void;

  protected cancelAcquire = (d: Deferred<this>): void => {
    const i = this.waiting.indexOf(d);
    if (i >= 0) this.waiting.splice(i, 1);
  };

  /** Acquires, runs `fn(...args)` (which may return a Deferred or Promise), then releases. */
  run<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Deferred<Awaited<R>> {
    return this.acquire().addCallback(() =>
      maybeDeferred(fn, ...args).addBoth((r) => {
        this.release();
        return r;
      }),
    ) as unknown as Deferred<Awaited<R>>;
  }
}

/** A lock for Deferred-using code: one holder at a time. */
export class DeferredLock extends ConcurrencyPrimitive {
  /** Whether someone holds the lock. */
  locked = false;

  /** Waits for the lock (fires at once when it is free). */
  acquire(): Deferred<this> {
    const d = new Deferred<this>(this.cancelAcquire);
    if (this.locked) this.waiting.push(d);
    else {
      this.locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Releases the lock; the oldest waiter gets it at once.
   * @throws Error when the lock is not held.
   */
  release(): void {
    if (!this.locked) throw new Error("Cannot release an unlocked lock");
    this.locked = false;
    const next = this.waiting.shift();
    if (next) {
      this.locked = true;
      next.callback(this);
    }
  }
}

/** A semaphore for Deferred-using code: at most `limit` holders at a time. */
export class DeferredSemaphore extends ConcurrencyPrimitive {
  /** Tokens available now. */
  tokens: number;
  /** Tokens in all. */
  readonly limit: number;

  /** @throws RangeError when `tokens` is not an integer ≥ 1. */
  constructor(tokens: number) {
    super();
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError(`DeferredSemaphore requires tokens >= 1: ${tokens}`);
    this.tokens = tokens;
    this.limit = tokens;
  }

  /** Waits for a token (fires at once when one is free). */
  acquire(): Deferred<this> {
    const d = new Deferred<this>(this.cancelAcquire);
    if (this.tokens === 0) this.waiting.push(d);
    else {
      this.tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Returns a token; the oldest waiter gets it at once.
   * @throws Error when released more often than acquired.
   */
  release(): void {
    if (this.tokens >= this.limit) throw new Error("Cannot release a semaphore more times than it was acquired");
    this.tokens++;
    const next = this.waiting.shift();
    if (next) {
      this.tokens--;
      next.callback(this);
    }
  }
}

/**
 * An event-driven queue: `put` never waits, `get` returns a Deferred.
 * `size` bounds the items held (`QueueOverflow` past it); `backlog` bounds waiting gets
 * (`QueueUnderflow` past it). Both unbounded by default.
 */
export class DeferredQueue<T> {
  /** Gets waiting for an item, oldest first. */
  readonly waiting: Deferred<T>[] = [];
  /** Items not yet taken, oldest first. */
  readonly pending: T[] = [];

  /**
   * Makes an empty queue.
   * @param size the most items the queue holds before `put` throws `QueueOverflow`; unbounded if omitted.
   * @param backlog the most `get`s that may wait before `get` throws `QueueUnderflow`; unbounded if omitted.
   */
  constructor(
    readonly size?: number,
    readonly backlog?: number,
  ) {}

  private cancelGet = (d: Deferred<T>): void => {
    const i = this.waiting.indexOf(d);
    if (i >= 0) this.waiting.splice(i, 1);
  };

  /**
   * Hands `item` to the oldest waiting get, or stores it.
   * @throws QueueOverflow when `size` items are already stored; TypeError when `item` is a
   *   Deferred (a get's Deferred cannot have one as its result, as in Twisted, where it is an
   *   assertion): nothing changes then, so no waiting get is lost.
   */
  put(item: T): void {
    if (item instanceof Deferred) {
      throw new TypeError("Cannot put a Deferred in a DeferredQueue, since a get's Deferred cannot have one as its result: put an object holding it, such as {d}");
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter.callback(item);
    else if (this.size === undefined || this.pending.length < this.size) this.pending.push(item);
    else throw new QueueOverflow(this.size);
  }

  /**
   * The oldest item (fired at once when one is stored), or a Deferred that waits for the next put.
   * @throws QueueUnderflow when `backlog` gets are already waiting.
   */
  get(): Deferred<T> {
    if (this.pending.length > 0) {
      const d = new Deferred<T>();
      d.callback(this.pending.shift() as T);
      return d;
    }
    if (this.backlog === undefined || this.waiting.length < this.backlog) {
      const d = new Deferred<T>(this.cancelGet);
      this.waiting.push(d);
      return d;
    }
    throw new QueueUnderflow(this.backlog);
  }
}
