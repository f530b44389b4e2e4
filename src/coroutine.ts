/**
 * Coroutines on Deferreds: `inlineCallbacks` (generator functions that `yield` Deferreds) and
 * `ensureDeferred` (Promises, async functions' results, and generators).
 *
 * Invariants:
 * - The body runs synchronously up to its first `yield` of an unfired Deferred; already-fired
 *   results are fed back in a loop, so any number of `yield succeed(x)` uses constant stack.
 * - While the body waits, `status.waitingOn` is the Deferred it waits on. Cancelling the
 *   coroutine's Deferred cancels that one; the resulting error is thrown in at the `yield`, and
 *   the coroutine's Deferred then follows the body (a body that catches it and carries on is not
 *   failed: its Deferred waits for the eventual result, as in Twisted).
 */
import { CancelledError } from "./errors.js";
import { Deferred, isThenable } from "./deferred.js";
import { Failure } from "./failure.js";

/** A generator-based coroutine returning `R`; `yield` Deferreds, Promises or plain values. */
export type Coroutine<R> = Generator<unknown, R, unknown>;

interface Status<R> {
  deferred: Deferred<R>;
  waitingOn: Deferred<unknown> | null;
}

/**
 * Whether `x` is a generator object (a coroutine to run). A Deferred never is, even one that is
 * its own iterator (a waiting channel operation, see src/channels/wait-queue.ts).
 */
export function isGenerator(x: unknown): x is Coroutine<unknown> {
  return (
    typeof x === "object" &&
    x !== null &&
    !(x instanceof Deferred) &&
    typeof (x as Coroutine<unknown>).next === "function" &&
    typeof (x as Coroutine<unknown>).throw === "function" &&
    typeof (x as Coroutine<unknown>)[Symbol.iterator] === "function"
  );
}

/** Feeds `result` into the generator and keeps going until it waits on an unfired Deferred or ends. */
function step<R>(initial: unknown, gen: Coroutine<R>, status: Status<R>): void {
  let result = initial;
  // waiting[0]: still inside addBoth below (the result arrived synchronously if it flips).
  const waiting: [boolean, unknown] = [true, undefined];
  for (;;) {
    let r: IteratorResult<unknown, R>;
    try {
      r = result instanceof Failure ? throwInto(gen, result) : gen.next(result);
    } catch (e) {
      status.deferred.errback(Failure.from(e));
      return;
    }
    if (r.done) {
      status.deferred.callback(r.value);
      return;
    }
    let y = r.value;
    if (!(y instanceof Deferred)) {
      if (isThenable(y)) y = Deferred.fromPromise(y);
      else if (isGenerator(y)) y = ensureDeferred(y);
    }
    if (y instanceof Deferred) {
      const awaited = y as Deferred<unknown>;
      awaited.addBoth((res: unknown) => {
        if (waiting[0]) {
          waiting[0] = false;
          waiting[1] = res;
        } else {
          status.waitingOn = null;
          step(res, gen, status);
        }
        return undefined; // the coroutine has the result now: handled
      });
      if (waiting[0]) {
        waiting[0] = false;
        status.waitingOn = awaited;
        return;
      }
      result = waiting[1];
      waiting[0] = true;
      waiting[1] = undefined;
    } else {
      result = y;
    }
  }
}

function throwInto<R>(gen: Coroutine<R>, f: Failure): IteratorResult<unknown, R> {
  const v = f.value;
  // Re-throwing the same value later should find this Failure again (and its history).
  try {
    f.raiseException();
  } catch {
    /* registered the value -> Failure association */
  }
  return gen.throw(v);
}

function runCancellable<R>(gen: Coroutine<R>): Deferred<R> {
  const cancel = (it: Deferred<R>): void => {
    // Put our handler in front of everyone else's, then fail with CancelledError.
    const self = it as unknown as { links: unknown[] | null; head: number; tail: number };
    const saved = self.links ? self.links.slice(self.head, self.tail) : [];
    self.links = null;
    self.head = self.tail = 0;
    it.addErrback(handleCancel);
    for (const x of saved) self.links![self.tail++] = x;
    it.errback(new Failure(new CancelledError()));
  };
  const status: Status<R> = { deferred: new Deferred<R>(cancel), waitingOn: null };
  const first = status.deferred;
  const handleCancel = (f: Failure): Deferred<R> => {
    f.trap(CancelledError);
    status.deferred = new Deferred<R>(cancel);
    const awaited = status.waitingOn;
    if (awaited) awaited.cancel();
    else {
      // Cancelled while not waiting (from inside the body): it sees the error at its next yield.
      status.deferred.errback(f);
    }
    return status.deferred;
  };
  step(undefined, gen, status);
  return first;
}

/**
 * Turns a generator function into a function returning a Deferred of its result.
 * Inside, `yield` a Deferred, Promise or plain value to wait for it (a failure is thrown at the
 * `yield`), or `const x = yield* d` to get `x` typed. The body runs synchronously until it waits.
 * Cancelling the returned Deferred cancels the Deferred being waited on and throws
 * `CancelledError` at the `yield`; `finally` blocks run.
 *
 * @example
 * const getTwo = inlineCallbacks(function* (a: string, b: string) {
 *   const p1 = yield* getPoetry(a);
 *   const p2 = yield* getPoetry(b);
 *   return [p1, p2];
 * });
 */
export function inlineCallbacks<A extends unknown[], R>(
  fn: (...args: A) => Coroutine<R>,
): (...args: A) => Deferred<R> {
  return function (this: unknown, ...args: A): Deferred<R> {
    let gen: Coroutine<R>;
    try {
      gen = fn.apply(this, args);
    } catch (e) {
      const d = new Deferred<R>();
      d.errback(Failure.from(e));
      return d;
    }
    if (!isGenerator(gen)) {
      throw new TypeError(`inlineCallbacks requires a generator function: ${fn.name || "<anonymous>"} returned ${typeof gen}`);
    }
    return runCancellable(gen);
  };
}

/**
 * A Deferred for a Promise (e.g. an async function's result), a generator coroutine (run as by
 * `inlineCallbacks`), or a Deferred (returned as is).
 * @throws TypeError for anything else.
 */
export function ensureDeferred<R>(x: Deferred<R> | PromiseLike<R> | Coroutine<R>): Deferred<R> {
  if (x instanceof Deferred) return x;
  if (isThenable(x)) return Deferred.fromPromise(x);
  if (isGenerator(x)) return runCancellable(x as Coroutine<R>);
  throw new TypeError(`ensureDeferred requires a Deferred, a Promise or a generator: got ${typeof x}`);
}
