/**
 * Combining Deferreds: `DeferredList`, `gatherResults` and `race`.
 */
import { FailureGroup, FirstError } from "./errors.js";
import { Deferred } from "./deferred.js";
import { Failure } from "./failure.js";
import { Logger } from "./logger.js";

const log = new Logger("reed.deferred");

/** One member's outcome in a DeferredList: `[true, value]` or `[false, failure]`. */
export type DeferredListEntry<T> = [true, T] | [false, Failure];

/** Options for `DeferredList`. */
export interface DeferredListOptions {
  /** Fire with `[result, index]` as soon as one member succeeds. */
  fireOnOneCallback?: boolean;
  /** Fail with `FirstError` as soon as one member fails. */
  fireOnOneErrback?: boolean;
  /** Turn each member's failure into `undefined` for that member's later callbacks (handled here). */
  consumeErrors?: boolean;
}

/**
 * Collects several Deferreds' outcomes. By default fires, once all have fired, with one
 * `[success, result]` pair per member in list order (whatever the firing order).
 * Cancelling a DeferredList cancels every member that has not fired.
 */
export class DeferredList<T = unknown> extends Deferred<DeferredListEntry<T>[]> {
  /** The outcomes so far, in list order (`undefined` for members that have not fired). */
  readonly resultList: (DeferredListEntry<T> | undefined)[];
  /** How many members have fired. */
  finishedCount = 0;
  private readonly members: Deferred<T>[];
  private readonly options: DeferredListOptions;

  /**
   * @param deferreds the members.
   * @param options see `DeferredListOptions`.
   */
  constructor(deferreds: Iterable<Deferred<T>>, options: DeferredListOptions = {}) {
    super();
    this.members = [...deferreds];
    this.options = options;
    this.resultList = new Array<DeferredListEntry<T> | undefined>(this.members.length).fill(undefined);
    if (this.members.length === 0 && !options.fireOnOneCallback) this.callback([]);
    this.members.forEach((d, index) => {
      d.addCallbacks(
        (r: T) => this.memberFired(r, index, true),
        (f: Failure) => this.memberFired(f, index, false),
      );
    });
  }

  private memberFired(result: T | Failure, index: number, succeeded: boolean): unknown {
    this.resultList[index] = (succeeded ? [true, result] : [false, result]) as DeferredListEntry<T>;
    this.finishedCount++;
    if (!this.called) {
      if (succeeded && this.options.fireOnOneCallback) {
        (this as Deferred<unknown>).callback([result, index]);
      } else if (!succeeded && this.options.fireOnOneErrback) {
        this.errback(new Failure(new FirstError(result as Failure, index)));
      } else if (this.finishedCount === this.resultList.length) {
        this.callback(this.resultList as DeferredListEntry<T>[]);
      }
    }
    if (!succeeded && this.options.consumeErrors) return undefined;
    return result;
  }

  /** Cancels every member (a canceller that throws is logged); the list then fires as usual. */
  override cancel(): void {
    if (this.called) return;
    for (const d of this.members) {
      try {
        d.cancel();
      } catch (e) {
        log.failure("Exception raised from user supplied canceller", e);
      }
    }
  }
}

/**
 * A Deferred of all the members' results, in list order; fails with `FirstError` (carrying
 * `index` and `subFailure`) as soon as one member fails.
 * @param consumeErrors mark members' failures handled (they become `undefined` for later callbacks).
 */
export function gatherResults<T>(deferreds: Iterable<Deferred<T>>, consumeErrors = false): Deferred<T[]> {
  return new DeferredList(deferreds, { fireOnOneErrback: true, consumeErrors }).addCallback((entries) =>
    entries.map((e) => e[1] as T),
  );
}

/**
 * The first member to succeed wins: fires with `[index, result]` and cancels every other member.
 * When all fail, fails with `FailureGroup` (one Failure per member, in order). Cancelling the
 * race cancels every member. An empty list fails with `FailureGroup` at once.
 */
export function race<T>(deferreds: Iterable<Deferred<T>>): Deferred<[number, T]> {
  const members = [...deferreds];
  const failures: (Failure | undefined)[] = new Array<Failure | undefined>(members.length).fill(undefined);
  let failed = 0;
  let winnerDecided = false;
  const cancelAll = (except: number): void => {
    members.forEach((m, i) => {
      if (i !== except) m.cancel();
    });
  };
  const result = new Deferred<[number, T]>(() => {
    winnerDecided = true;
    cancelAll(-1);
  });
  if (members.length === 0) {
    result.errback(new FailureGroup([]));
    return result;
  }
  members.forEach((d, index) => {
    d.addCallbacks(
      (v: T) => {
        if (!winnerDecided) {
          winnerDecided = true;
          cancelAll(index);
          result.callback([index, v]);
        }
        return v;
      },
      (f: Failure) => {
        failures[index] = f;
        failed++;
        if (!winnerDecided && failed === members.length) {
          winnerDecided = true;
          result.errback(new FailureGroup(failures as Failure[]));
        }
        return undefined; // the race reports member failures; losers are expected to fail
      },
    );
  });
  return result;
}
