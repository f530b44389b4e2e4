/**
 * Failure: a thrown value (an Error or anything else) together with where it was raised and where
 * it entered a Deferred chain. Errbacks always receive a Failure.
 */

/** A class (constructor) to match a failure's value against, or a class name. */
export type ErrorType = (abstract new (...args: never[]) => unknown) | string;

/** Remembers which Failure last threw a value, so a re-thrown value keeps its Failure's history. */
const raisedBy = new WeakMap<object, Failure>();

function captureStack(skip: string): string {
  const holder: { stack?: string } = {};
  const E = Error as unknown as { captureStackTrace?: (o: object, f?: unknown) => void };
  if (typeof E.captureStackTrace === "function") {
    E.captureStackTrace(holder);
  } else {
    holder.stack = new Error().stack;
  }
  const lines = (holder.stack ?? "").split("\n").slice(1);
  return lines.filter((l) => !l.includes(skip)).join("\n");
}

/**
 * Wraps any thrown value. `value` is the original; `type` its constructor; `check`/`trap` match it
 * against classes; `getTraceback()` shows where it was raised *and* where it entered the Deferred
 * chain.
 *
 * @example
 * d.addErrback((f) => { f.trap(KeyError); return "default"; });
 */
export class Failure {
  /** The thrown value itself (usually an Error, but any value can be thrown). */
  readonly value: unknown;
  /** The value's constructor (`Error`, `TypeError`, `String` for a thrown string, ...); `undefined` for null/undefined. */
  readonly type: Function | undefined;
  /** Where the Failure was created: the point at which the error entered the Deferred machinery. */
  readonly enteredAt: string;

  /**
   * @param value the thrown value; a Failure is copied (its value and history are kept).
   */
  constructor(value?: unknown) {
    if (value instanceof Failure) {
      this.value = value.value;
      this.type = value.type;
      this.enteredAt = value.enteredAt;
      return;
    }
    this.value = value;
    this.type = value === null || value === undefined ? undefined : (Object(value) as object).constructor;
    this.enteredAt = captureStack("failure.");
  }

  /**
   * The Failure for a caught value: the value itself if it is a Failure, the Failure that last
   * re-threw it (via `trap`/`raiseException`) if any, otherwise a new one.
   */
  static from(thrown: unknown): Failure {
    if (thrown instanceof Failure) return thrown;
    if (typeof thrown === "object" && thrown !== null) {
      const f = raisedBy.get(thrown);
      if (f) return f;
    }
    return new Failure(thrown);
  }

  /** Returns the first of `types` that the value is an instance (or named class) of, or `null`. */
  check<T extends ErrorType>(...types: T[]): T | null {
    const v = this.value;
    if (v === null || v === undefined) return null;
    const obj = Object(v) as object;
    for (const t of types) {
      if (typeof t === "string") {
        for (let p: object | null = obj; p; p = Object.getPrototypeOf(p) as object | null) {
          const ctor = (p as { constructor?: { name?: string } }).constructor;
          if (ctor && ctor.name === t) return t;
        }
      } else if (obj instanceof (t as unknown as Function)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Like `check`, but re-throws the original value when nothing matches, so an errback can say
   * "I handle these, let everything else pass on".
   */
  trap<T extends ErrorType>(...types: T[]): T {
    const t = this.check(...types);
    if (t === null) this.raiseException();
    return t as T;
  }

  /** Throws the original value (the Failure is remembered, so catching it again keeps the history). */
  raiseException(): never {
    if (typeof this.value === "object" && this.value !== null) raisedBy.set(this.value, this);
    throw this.value;
  }

  /** The error's message: `value.message` for an Error, otherwise the value as a string. */
  getErrorMessage(): string {
    const v = this.value;
    if (v instanceof Error) return v.message;
    if (typeof v === "object" && v !== null && typeof (v as { message?: unknown }).message === "string") {
      return (v as { message: string }).message;
    }
    return String(v);
  }

  /** The value's class name (`"TypeError"`), or `typeof` for values without one. */
  get typeName(): string {
    const v = this.value;
    if (v instanceof Error) return v.name;
    return this.type?.name ?? String(v);
  }

  /**
   * A readable report: the error, the stack where it was raised (when the value carries one), and
   * the stack where it entered the Deferred chain.
   */
  getTraceback(): string {
    const v = this.value;
    const parts: string[] = [];
    const stack = v instanceof Error ? v.stack : undefined;
    if (stack) {
      parts.push(stack);
    } else {
      parts.push(`${this.typeName}: ${this.getErrorMessage()}`);
    }
    if (v instanceof Error && v.cause !== undefined) {
      const c = v.cause;
      parts.push(`Caused by: ${c instanceof Error ? (c.stack ?? String(c)) : String(c)}`);
    }
    if (this.enteredAt) parts.push(`--- entered the Deferred chain ---\n${this.enteredAt}`);
    return parts.join("\n");
  }

  /** `[Failure TypeError: message]`. */
  toString(): string {
    return `[Failure ${this.typeName}: ${this.getErrorMessage()}]`;
  }
}
