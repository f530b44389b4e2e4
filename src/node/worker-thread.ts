/**
 * The worker side of `deferToThread`: what a function running on a pool thread can use to talk to
 * the reactor thread. Import it from worker modules; it is light (no reactor, no pool).
 *
 * A job's function cannot close over reactor-thread objects (nothing but structured-clonable data
 * crosses threads), so the reactor-thread side is reached *by name*: the caller of `deferToThread`
 * passes `handlers: {progress(n) {...}}`, and the worker calls `callFromThread("progress", 50)`.
 *
 * Also holds the error (de)serialisation both sides share, so an error thrown in a worker arrives
 * as an Error of the same class name, message, `code` and the worker's own stack.
 */
import { receiveMessageOnPort, type MessagePort, type Transferable } from "node:worker_threads";
import { NotInThreadJob, ThreadCloneError } from "../errors.js";

/** Where the pool's worker bootstrap puts the running job's context (shared across module copies). */
const JOB = Symbol.for("reed.threads.job");
/** Marks a `move()` result. */
const MOVE = Symbol.for("reed.threads.move");

interface JobContext {
  port: MessagePort | null;
}

/** A result that moves `transfer` (ArrayBuffers, MessagePorts) to the reactor thread instead of copying. */
export interface Moved<T> {
  /** Marks the object as made by `move()`, so the pool transfers instead of copying it. */
  readonly [MOVE]: true;
  /** The worker function's real result; the reactor-side Deferred fires with it. */
  readonly value: T;
  /** The objects inside `value` to move (they become unusable in the worker). */
  readonly transfer: readonly Transferable[];
}

/**
 * Wraps a worker function's result so that the buffers in `transfer` are moved, not copied, to the
 * reactor thread (they become unusable in the worker). `deferToThread` fires with `value`.
 *
 * @example
 * export function render(n: number) { const buf = new ArrayBuffer(n); ...; return move(buf, [buf]); }
 */
export function move<T>(value: T, transfer: readonly Transferable[]): Moved<T> {
  return { [MOVE]: true, value, transfer };
}

/** True when running inside a `deferToThread` job (on a pool thread). */
export function isInThreadJob(): boolean {
  return currentJob() !== undefined;
}

function currentJob(): JobContext | undefined {
  return (globalThis as unknown as Record<symbol, JobContext | undefined>)[JOB];
}

function jobPort(what: string): MessagePort {
  const job = currentJob();
  if (!job) throw new NotInThreadJob(`${what} was called outside a deferToThread job`);
  if (!job.port) throw new NotInThreadJob(`${what} needs handlers: pass {handlers: {...}} to deferToThread for this job`);
  return job.port;
}

/**
 * From a worker job: asks the reactor thread to run the job's handler `name` with `args` (copied by
 * structured clone), without waiting. Calls run in the order they were made, and all of them run
 * before the job's Deferred fires. A handler that throws is logged on the reactor thread.
 *
 * @throws NotInThreadJob outside a job or without handlers; ThreadCloneError when `args` cannot cross.
 */
export function callFromThread(name: string, ...args: unknown[]): void {
  const port = jobPort("callFromThread");
  try {
    port.postMessage({ kind: "call", name, args });
  } catch (e) {
    throw new ThreadCloneError("from worker", e);
  }
}

/**
 * From a worker job: runs the job's handler `name` on the reactor thread and blocks this worker
 * (with `Atomics.wait`) until its result is ready; a handler returning a Deferred or Promise is
 * waited for. Returns the result, or throws the handler's error (revived with its class name and
 * stack). The reactor thread is never blocked; only this worker is.
 *
 * @throws NotInThreadJob outside a job or without handlers; ThreadCloneError when a value cannot cross.
 */
export function blockingCallFromThread<R = unknown>(name: string, ...args: unknown[]): R {
  const port = jobPort("blockingCallFromThread");
  const flag = new Int32Array(new SharedArrayBuffer(4));
  try {
    port.postMessage({ kind: "blocking", name, args, flag });
  } catch (e) {
    throw new ThreadCloneError("from worker", e);
  }
  Atomics.wait(flag, 0, 0);
  const got = receiveMessageOnPort(port);
  if (!got) throw new NotInThreadJob("the reactor thread sent no result (the job was stopped)");
  const reply = got.message as { ok: boolean; value?: unknown; error?: SerializedError };
  if (reply.ok) return reply.value as R;
  throw reviveError(reply.error as SerializedError);
}

// --- error transport --------------------------------------------------------------------------

/** An error as it crosses threads (structured clone loses subclasses and own properties). */
export interface SerializedError {
  isError: boolean;
  name?: string;
  message?: string;
  stack?: string;
  code?: unknown;
  value?: unknown;
}

/** Turns a thrown value into something that can cross threads. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error || (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string")) {
    const err = e as { name?: unknown; message: string; stack?: unknown; code?: unknown };
    const out: SerializedError = { isError: true, name: String(err.name ?? "Error"), message: err.message };
    if (typeof err.stack === "string") out.stack = err.stack;
    if (err.code !== undefined) out.code = typeof err.code === "string" || typeof err.code === "number" ? err.code : String(err.code);
    return out;
  }
  try {
    return { isError: false, value: structuredClone(e) };
  } catch {
    return { isError: false, value: String(e) };
  }
}

const builtins: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};
const revivedClasses = new Map<string, new (message?: string) => Error>();

/** A class per foreign error name, so `failure.check("MyError")` matches a revived `MyError`. */
function classNamed(name: string): new (message?: string) => Error {
  const builtin = builtins[name];
  if (builtin) return builtin;
  let C = revivedClasses.get(name);
  if (!C) {
    const made = {
      [name]: class extends Error {
        constructor(message?: string) {
          super(message);
          this.name = name;
        }
      },
    }[name]!;
    C = made;
    revivedClasses.set(name, C);
  }
  return C;
}

/**
 * Rebuilds a thrown value from `serializeError`: an Error of a class with the same name (built-in
 * classes are the real ones, so `instanceof TypeError` works), the same message and `code`, and the
 * stack from the thread that threw it.
 */
export function reviveError(s: SerializedError): unknown {
  if (!s.isError) return s.value;
  const C = classNamed(s.name ?? "Error");
  const e = new C(s.message ?? "");
  if (e.name !== s.name) e.name = s.name ?? "Error";
  e.stack = s.stack ?? `${e.name}: ${e.message}`;
  if (s.code !== undefined) (e as Error & { code?: unknown }).code = s.code;
  return e;
}
