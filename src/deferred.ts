/**
 * Deferred: a result that is not there yet, with a chain of callbacks and errbacks that run
 * **synchronously** when it arrives. Twisted 22.4's semantics are the contract.
 *
 * Invariants:
 * - Callbacks run inside `callback()`/`errback()`/`addCallbacks()`/`unpause()`, never on a
 *   microtask. `await d` and `d.asPromise()` are conveniences on top.
 * - Each chain link is a (callback, errback) pair, extra arguments bound in; a Failure result
 *   selects the errback, anything else the callback. Throwing or returning a Failure routes to the next errback.
 * - A callback that returns an unfired (or paused) Deferred pauses this one; a `CONTINUE` marker on
 *   the inner Deferred hands its result back. Propagation runs in one loop over an explicit chain
 *   (never by recursion), so a million chained Deferreds cannot overflow the stack.
 * - A fired inner Deferred's result is *stolen*: the outer takes it, the inner's becomes undefined.
 * - A Deferred whose chain ends on a Failure is tracked, and reported if nothing ever handles it.
 */
import { AlreadyCalledError, CancelledError, TimeoutError } from "./errors.js";
import { Failure } from "./failure.js";
import { Logger } from "./logger.js";
import { FailRecord, markObserved, setUnhandledReporter, track, untrack } from "./_internal/unhandled.js";

/**
 * The value a callback's return value turns into for the next link: a Failure routes to the
 * errbacks (so contributes no success type) and a Deferred or Promise contributes its result.
 */
export type Unwrapped<U> = U extends Failure ? never : U extends PromiseLike<infer V> ? Unwrapped<V> : U;

/** A function that stops the operation behind a Deferred when the Deferred is cancelled. */
export type Canceller<T> = (d: Deferred<T>) => void;

/** What `addTimeout` needs from a clock: `callLater` returning a cancellable call. */
export interface TimeoutClock {
  /** Schedules `fn` after `delay` seconds. */
  callLater(delay: number, fn: () => void): { active(): boolean; cancel(): void };
}

/** In a link's callback slot: "hand the result to the Deferred in the errback slot". */
const CONTINUE = Symbol("continue");
const passthru = (r: unknown): unknown => r;

const log = new Logger("reed.deferred");
let debugging = false;

setUnhandledReporter((rec) => {
  let text = "Unhandled error in Deferred:";
  if (rec.creator) text += `\n(debug: Deferred created at)\n${rec.creator}`;
  if (rec.invoker) text += `\n(debug: Deferred fired at)\n${rec.invoker}`;
  log.failure(text, rec.failure!);
});

/**
 * Turns debug mode on or off. In debug mode every Deferred records where it was created and where
 * it was fired, and unhandled-error reports include both. It costs a stack capture per Deferred.
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/** Whether debug mode is on (see `setDebugging`). */
export function getDebugging(): boolean {
  return debugging;
}

function stackHere(): string {
  return (new Error().stack ?? "").split("\n").slice(3).join("\n");
}

/** The arguments after the first, as an array. */
function extraArgs(args: IArguments): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; i < args.length; i++) out.push(args[i]);
  return out;
}

/** `fn` with `args` appended after the result (or `fn` itself when there are none). */
function withArgs(fn: unknown, args: readonly unknown[] | undefined): unknown {
  if (!args || args.length === 0) return fn;
  const f = fn as (r: unknown, ...a: unknown[]) => unknown;
  return (r: unknown) => f(r, ...args);
}

/** Marks "the callback threw `thrown`" without allocating. */
const THREW = {};
let thrown: unknown;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === "object" || typeof x === "function") &&
    typeof (x as { then?: unknown }).then === "function"
  );
}

/**
 * A result that will arrive later, with callbacks that run synchronously when it does.
 *
 * @example
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log(n));
 * d.callback(21); // prints 42 before callback() returns
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  // The fields are declared here and set in the constructor rather than initialised as class
  // fields: V8 constructs subclasses of a class with field initialisers several times slower
  // (channel operations are Deferred subclasses made on every blocking operation).

  /** True once `callback()` or `errback()` has been called (or the Deferred was cancelled). */
  declare called: boolean;
  /** How many times `pause()` has been called without a matching `unpause()`. */
  declare paused: number;
  /**
   * The current result (a value, a Failure, or the Deferred this one waits on); `undefined`
   * before firing and after another Deferred took it.
   */
  declare result: unknown;

  // Flat list of links: [callback, errback] * n in links[head..tail) (extra arguments are bound in),
  // consumed from `head`; both reset to 0 when it empties (slots are cleared as they are used).
  private declare links: unknown[] | null;
  private declare head: number;
  private declare tail: number;
  private declare running: boolean;
  private declare suppressAlreadyCalled: boolean;
  private declare canceller: ((d: unknown) => void) | undefined;
  private declare record: FailRecord | undefined;
  /** The Deferred this one is waiting on (set while paused on a returned Deferred). */
  private declare chainedTo: Deferred<unknown> | null;

  /**
   * @param canceller called by `cancel()` to stop the underlying operation; it may fire the
   *   Deferred itself, otherwise the Deferred fails with `CancelledError`.
   */
  constructor(canceller?: Canceller<T>) {
    this.called = false;
    this.paused = 0;
    this.result = undefined;
    this.links = null;
    this.head = 0;
    this.tail = 0;
    this.running = false;
    this.suppressAlreadyCalled = false;
    this.canceller = canceller as ((d: unknown) => void) | undefined;
    this.record = undefined;
    this.chainedTo = null;
    if (debugging) {
      this.record = new FailRecord();
      this.record.creator = stackHere();
    }
  }

  // ------------------------------------------------------------------ adding callbacks

  /** Appends a (callback, errback) link; runs it at once if the Deferred has fired. */
  private link(cb: unknown, eb: unknown): void {
    const links = this.links;
    const t = this.tail;
    if (links === null) {
      // Room for three links in one allocation: most chains are short.
      this.links = [cb, eb, undefined, undefined, undefined, undefined];
    } else {
      links[t] = cb;
      links[t + 1] = eb;
    }
    this.tail = t + 2;
    if (this.called) this.runCallbacks();
  }

  /**
   * Adds a callback and an errback as one link; `callbackArgs`/`errbackArgs` are passed after the
   * result. Either may be `null` to pass the result through.
   * @returns this Deferred, retyped by what the link returns.
   */
  addCallbacks<U = T, V = never, A extends unknown[] = [], B extends unknown[] = []>(
    callback: ((result: T, ...args: A) => U) | null,
    errback?: ((failure: Failure, ...args: B) => V) | null,
    callbackArgs?: A,
    errbackArgs?: B,
  ): Deferred<Unwrapped<U> | Unwrapped<V>> {
    this.link(withArgs(callback ?? passthru, callbackArgs), withArgs(errback ?? passthru, errbackArgs));
    return this as unknown as Deferred<Unwrapped<U> | Unwrapped<V>>;
  }

  /** Adds a callback (the errback side passes failures through); `args` follow the result. */
  addCallback<U, A extends unknown[] = []>(callback: (result: T, ...args: A) => U, ...args: A): Deferred<Unwrapped<U>>;
  addCallback(callback: (result: T) => unknown): Deferred<unknown> {
    // `arguments` rather than a rest parameter: no array is allocated when there are no extras.
    this.link(arguments.length > 1 ? withArgs(callback, extraArgs(arguments)) : callback, passthru);
    return this;
  }

  /** Adds an errback (results pass through); `args` follow the Failure. */
  addErrback<U, A extends unknown[] = []>(
    errback: (failure: Failure, ...args: A) => U,
    ...args: A
  ): Deferred<T | Unwrapped<U>>;
  addErrback(errback: (failure: Failure) => unknown): Deferred<unknown> {
    this.link(passthru, arguments.length > 1 ? withArgs(errback, extraArgs(arguments)) : errback);
    return this;
  }

  /** Adds the same function as callback and errback; `args` follow the result. */
  addBoth<U, A extends unknown[] = []>(fn: (result: T | Failure, ...args: A) => U, ...args: A): Deferred<Unwrapped<U>>;
  addBoth(fn: (result: T | Failure) => unknown): Deferred<unknown> {
    const f = arguments.length > 1 ? withArgs(fn, extraArgs(arguments)) : fn;
    this.link(f, f);
    return this;
  }

  /** Twisted's `addBoth` alias: `fn` runs whatever the outcome, like `finally`. */
  addFinally(fn: () => unknown): Deferred<T> {
    return this.addBoth((r) => {
      const x = fn();
      if (x instanceof Deferred || isThenable(x)) {
        return Deferred.fromThenable(x).addCallback(() => r) as unknown as T;
      }
      return r as T;
    }) as Deferred<T>;
  }

  /**
   * Makes `d` fire with this Deferred's result: `addCallbacks(d.callback, d.errback)`. Unlike
   * returning `d` from a callback, long `chainDeferred` chains recurse (as in Twisted).
   */
  chainDeferred(d: Deferred<T>): Deferred<undefined> {
    d.chainedTo = this as Deferred<unknown>;
    return this.addCallbacks(
      (r) => d.callback(r),
      (f) => d.errback(f),
    ) as unknown as Deferred<undefined>;
  }

  // ------------------------------------------------------------------ firing

  /**
   * Fires the Deferred with a result: runs the callback chain now, synchronously.
   * A Failure given here starts on the errback side.
   * @throws AlreadyCalledError if already fired; TypeError if given a Deferred.
   */
  callback(result: T | Failure): void {
    if (result instanceof Deferred) throw new TypeError("Cannot fire a Deferred with another Deferred: return it from a callback instead");
    this.start(result);
  }

  /**
   * Fails the Deferred: the value is wrapped in a Failure (unless it is one) and the errback chain
   * runs now, synchronously.
   * @throws AlreadyCalledError if already fired.
   */
  errback(reason?: unknown): void {
    this.start(reason instanceof Failure ? reason : new Failure(reason ?? new Error("errback() called without a reason")));
  }

  private start(result: unknown): void {
    if (this.called) {
      if (this.suppressAlreadyCalled) {
        this.suppressAlreadyCalled = false;
        return;
      }
      throw new AlreadyCalledError(this.record?.invoker ? `first fired at\n${this.record.invoker}` : "");
    }
    if (debugging) {
      this.record ??= new FailRecord();
      this.record.invoker = stackHere();
    }
    this.called = true;
    this.result = result;
    // Nothing to run and nothing to track (the common `succeed(x)`): skip the loop.
    if (this.tail === 0 && !(result instanceof Failure)) return;
    this.runCallbacks();
  }

  /** Stops processing callbacks until `unpause()` has been called as many times as `pause()`. */
  pause(): void {
    this.paused++;
  }

  /** Undoes one `pause()`; at zero, runs any callbacks that are due. */
  unpause(): void {
    this.paused--;
    if (this.paused) return;
    if (this.called) this.runCallbacks();
  }

  /**
   * Cancels the operation behind this Deferred. Unfired: calls the canceller (if any), and if it
   * did not fire the Deferred, fails it with `CancelledError`; without a canceller, exactly one
   * later `callback()`/`errback()` is silently ignored. Waiting on another Deferred: cancels that
   * one. Already fired: does nothing.
   */
  cancel(): void {
    if (!this.called) {
      const canceller = this.canceller;
      if (canceller) canceller(this);
      else this.suppressAlreadyCalled = true;
      if (!this.called) this.errback(new Failure(new CancelledError()));
    } else if (this.result instanceof Deferred) {
      this.result.cancel();
    }
  }

  // ------------------------------------------------------------------ the loop

  private runCallbacks(): void {
    if (this.running) return; // the loop already running above us picks up new links
    // The Deferreds met while propagating results up a chain (see the invariants at the top);
    // allocated only when a CONTINUE is met, since most runs involve one Deferred.
    let chain: Deferred<unknown>[] | undefined;
    let current = this as Deferred<unknown>;
    for (;;) {
      if (current.paused) return; // it will not produce a result now; everyone above waits

      let chainee: Deferred<unknown> | undefined;
      current.chainedTo = null;
      const links = current.links as unknown[];
      while (current.head < current.tail) {
        const i = current.head;
        const first = links[i];
        if (first === CONTINUE) {
          // Give the waiting Deferred our result and forget it ourselves.
          chainee = links[i + 1] as Deferred<unknown>;
          links[i] = links[i + 1] = undefined;
          current.head = i + 2;
          chainee.result = current.result;
          current.result = undefined;
          if (current.record) untrack(current.record);
          chainee.paused--;
          break;
        }
        const fn = (current.result instanceof Failure ? links[i + 1] : first) as (r: unknown) => unknown;
        links[i] = links[i + 1] = undefined;
        current.head = i + 2;

        let r: unknown;
        current.running = true;
        try {
          r = fn(current.result);
        } catch (e) {
          thrown = e;
          r = THREW;
        }
        current.running = false;
        current.result = r;
        if (r === null || typeof r !== "object" || r === THREW) {
          if (r === THREW) {
            current.result = Failure.from(thrown);
            thrown = undefined; // do not keep the error alive here
          }
          continue;
        }
        if (!(r instanceof Deferred)) {
          if (r instanceof Failure || !isThenable(r)) continue;
          r = current.result = Deferred.fromThenable(r);
        }
        const inner = r as Deferred<unknown>;
        if (inner === current) {
          current.result = new Failure(new TypeError("A callback returned the Deferred it was attached to"));
          continue;
        }
        if (!inner.called || inner.result instanceof Deferred || inner.paused) {
          // Not fired yet: pause and let the inner hand its result back.
          current.pause();
          current.chainedTo = inner;
          inner.link(CONTINUE, current);
          break;
        }
        // Fired: steal its result.
        current.result = inner.result;
        inner.result = undefined;
        if (inner.record) untrack(inner.record);
      }
      if (current.head === current.tail) current.head = current.tail = 0;

      if (chainee) {
        // Deal with the chainee first; come back to `current` (and its later links) after.
        (chain ??= [current]).push(chainee);
        current = chainee;
        continue;
      }
      // As much of current's chain as can run now has run.
      if (current.result instanceof Failure) {
        const rec = (current.record ??= new FailRecord());
        rec.failure = current.result;
        track(current, rec);
      } else if (current.record && current.record.failure) {
        untrack(current.record);
      }
      if (!chain) return;
      chain.pop();
      if (chain.length === 0) return;
      current = chain[chain.length - 1]!;
    }
  }

  // ------------------------------------------------------------------ time

  /**
   * Cancels this Deferred if it has not fired within `seconds` on `clock`, turning the resulting
   * `CancelledError` into `TimeoutError` (or into whatever `onTimeoutCancel(result, seconds)`
   * returns). Only callbacks added *before* `addTimeout` see the cancellation; a canceller that
   * fires the Deferred with a value wins.
   */
  addTimeout(seconds: number, clock: TimeoutClock, onTimeoutCancel?: (result: unknown, timeout: number) => unknown): Deferred<T> {
    let timedOut = false;
    const call = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    this.addBoth((value) => {
      if (!timedOut) return value;
      if (onTimeoutCancel) return onTimeoutCancel(value, seconds);
      if (value instanceof Failure) {
        value.trap(CancelledError);
        throw new TimeoutError(`(${seconds}, 'Deferred')`, seconds);
      }
      return value;
    });
    this.addBoth((value) => {
      if (call.active()) call.cancel();
      return value;
    });
    return this;
  }

  // ------------------------------------------------------------------ promises

  /**
   * Makes a Deferred await-able. The value passes through unchanged for later callbacks; a
   * failure rejects the promise with the failure's original value and counts as handled.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onfulfilled, onrejected);
  }

  /**
   * A Promise of this Deferred's result (rejected with the failure's original value). The result
   * stays in place for later callbacks; the failure counts as handled.
   */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.addCallbacks(
        (v) => {
          resolve(v);
          return v;
        },
        (f) => {
          markObserved(f);
          reject(f.value);
          return f;
        },
      );
    });
  }

  /**
   * Lets a generator coroutine wait with a typed result: `const x = yield* d;` (see
   * `inlineCallbacks`).
   */
  *[Symbol.iterator](): Generator<Deferred<T>, T, unknown> {
    return (yield this) as T;
  }

  /**
   * A Deferred that fires with a promise's outcome (a rejection becomes a Failure of the reason).
   * With `{signal}`, aborting the signal cancels the Deferred; with `{abort}`, cancelling the
   * Deferred aborts that controller (so the work behind the promise can stop).
   */
  static fromPromise<T>(promise: PromiseLike<T>, options: FromPromiseOptions = {}): Deferred<T> {
    const { signal, abort } = options;
    const d = new Deferred<T>(abort ? () => abort.abort(new CancelledError()) : undefined);
    promise.then(
      (v) => {
        if (!d.called) d.callback(v);
      },
      (e: unknown) => {
        if (!d.called) d.errback(Failure.from(e));
      },
    );
    if (signal) {
      if (signal.aborted) d.cancel();
      else {
        const onAbort = (): void => d.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
        d.addBoth((r) => {
          signal.removeEventListener("abort", onAbort);
          return r;
        });
      }
    }
    return d;
  }

  /**
   * Starts async work that accepts an AbortSignal and returns a Deferred for it; cancelling the
   * Deferred aborts the signal. `Deferred.fromAbortable((signal) => fetch(url, {signal}))`.
   */
  static fromAbortable<T>(start: (signal: AbortSignal) => PromiseLike<T>): Deferred<T> {
    const controller = new AbortController();
    return Deferred.fromPromise(start(controller.signal), { abort: controller });
  }

  private static fromThenable<T>(x: PromiseLike<T>): Deferred<T> {
    return x instanceof Deferred ? (x as Deferred<T>) : Deferred.fromPromise(x);
  }

  /** `<Deferred waiting on Deferred>`, `<Deferred current result: 5>` or `<Deferred>`. */
  toString(): string {
    if (this.chainedTo) return "<Deferred waiting on Deferred>";
    if (this.called) return `<Deferred current result: ${String(this.result)}>`;
    return "<Deferred>";
  }
}

/** Options for `Deferred.fromPromise`. */
export interface FromPromiseOptions {
  /** Aborting this signal cancels the Deferred. */
  signal?: AbortSignal;
  /** Cancelling the Deferred aborts this controller. */
  abort?: AbortController;
}

/** A Deferred that has already succeeded with `result`. */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(result);
  return d;
}

/** A Deferred that has already failed with `reason` (wrapped in a Failure unless it is one). */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(reason);
  return d;
}

/**
 * Calls `fn(...args)` and returns its outcome as a Deferred: a Deferred is returned as is, a
 * Promise is wrapped, a thrown error or returned Failure becomes a failed Deferred.
 */
export function maybeDeferred<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Deferred<Unwrapped<R>> {
  let r: unknown;
  try {
    r = fn(...args);
  } catch (e) {
    return fail(Failure.from(e));
  }
  if (r instanceof Deferred) return r as Deferred<Unwrapped<R>>;
  if (r instanceof Failure) return fail(r);
  if (isThenable(r)) return Deferred.fromPromise(r) as Deferred<Unwrapped<R>>;
  return succeed(r as Unwrapped<R>);
}

/** Whether `x` is a Deferred. */
export function isDeferred(x: unknown): x is Deferred<unknown> {
  return x instanceof Deferred;
}

export { isThenable };
