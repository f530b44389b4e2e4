/**
 * ThreadPool: a pool of `worker_threads` workers that run exported functions of ES modules.
 *
 * Why not Piscina: Piscina loads its task wrapper from a file by path, and on Node 20 a worker
 * does not apply `--import` loaders from its `execArgv` (checked with tsx, 4.x), so neither reed's
 * wrapper nor a job module can be TypeScript while running from source (tests,
 * `node --import tsx`). This pool's bootstrap is
 * JavaScript source evaluated in the worker (`eval: true`); when reed itself runs from `.ts`
 * source, or a job module is `.ts`, it registers tsx (if installed) inside the worker first. The rest of
 * what we need from a pool (FIFO queue, lazy workers, unref when idle, terminate on cancel,
 * graceful stop) is small; `bench/threads.ts` shows the per-job overhead against a raw
 * `postMessage` round trip.
 *
 * Invariants:
 * - A worker runs one job at a time. A slot is in `idle` exactly when it has no job and is alive.
 * - A busy worker is `ref()`ed (it keeps the process alive); an idle one is `unref()`ed, so an
 *   idle pool never keeps the process alive.
 * - Every job's Deferred fires exactly once: with the result, the (revived) error, CancelledError
 *   (cancel), ThreadPoolStopped (discarded by `stop`), ThreadCloneError or WorkerThreadExited.
 * - A job's `callFromThread` messages are all dispatched before its Deferred fires: when the result
 *   arrives, the job's port is drained synchronously first (both were posted by the worker in
 *   that order, and a post is queued at the receiver at once).
 */
import { availableParallelism } from "node:os";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort, type Transferable } from "node:worker_threads";
import { Deferred, maybeDeferred } from "../deferred.js";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import { ThreadCloneError, ThreadPoolStopped, WorkerThreadExited } from "../errors.js";
import { reviveError, serializeError, type SerializedError } from "./worker-thread.js";

const log = new Logger("reed.threads");

/** What to run on a pool thread: an exported function of an ES module, plus how to call it. */
export interface ThreadTask {
  /** The module (a `file:` URL, a URL object, or an absolute path); resolve relative ones with `new URL("./work.js", import.meta.url)`. */
  module: string | URL;
  /** The export to call (default `"default"`). It may be async; its result must be structured-clonable. */
  name?: string;
  /** Buffers among the arguments to move to the worker instead of copying (they become detached here). */
  transfer?: readonly Transferable[];
  /**
   * Reactor-thread functions the job may call by name with `callFromThread(name, ...args)` or
   * `blockingCallFromThread(name, ...args)` (from `reed/node`'s worker-side API).
   */
  handlers?: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** Aborting it cancels the job's Deferred (same as `cancel()`). */
  signal?: AbortSignal;
}

/** Options for `new ThreadPool()`. */
export interface ThreadPoolOptions {
  /** Workers started at once and kept (idle ones do not keep the process alive). Default 0. */
  minThreads?: number;
  /** The most workers running at once. Default: the number of CPUs (`os.availableParallelism()`). */
  maxThreads?: number;
  /** The workers' thread name (shown in debuggers). Default `"reed-thread"`. */
  name?: string;
}

interface Job {
  id: number;
  module: string;
  name: string;
  args: unknown[];
  transfer: readonly Transferable[];
  handlers: Readonly<Record<string, (...args: never[]) => unknown>> | undefined;
  d: Deferred<unknown>;
  slot: Slot | null;
  port: MessagePort | null;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** Set when we terminate it on purpose (cancel/stop), so its exit fails nothing. */
  retired: boolean;
  lastError: unknown;
}

// The code each worker runs. Plain JavaScript, valid both as a script and as a module (the worker
// inherits flags such as --input-type=module), so it loads without any TypeScript loader; see the
// module comment.
const BOOTSTRAP = String.raw`
import("node:worker_threads").then(({ parentPort, workerData }) => {
const JOB = Symbol.for("reed.threads.job");
const MOVE = Symbol.for("reed.threads.move");
let loader = null;
const modules = new Map();
function ready(tsx) {
  const api = tsx ?? workerData.tsxApi;
  if (!api) return null;
  if (!loader) loader = import(api).then((m) => { m.register(); });
  return loader;
}
function serializeError(e) {
  if (e instanceof Error || (typeof e === "object" && e !== null && typeof e.message === "string")) {
    const out = { isError: true, name: String(e.name ?? "Error"), message: e.message };
    if (typeof e.stack === "string") out.stack = e.stack;
    if (e.code !== undefined) out.code = typeof e.code === "string" || typeof e.code === "number" ? e.code : String(e.code);
    return out;
  }
  try { return { isError: false, value: structuredClone(e) }; } catch { return { isError: false, value: String(e) }; }
}
parentPort.on("message", async (msg) => {
  const { id, module, name, args, port, tsx } = msg;
  let reply, transfer = [];
  try {
    // Modules are cached here: a repeated import() still goes through the loader (and its hooks).
    let mod = modules.get(module);
    if (mod === undefined) {
      const r = ready(tsx);
      if (r) await r;
      mod = await import(module);
      modules.set(module, mod);
    }
    const fn = mod[name];
    if (typeof fn !== "function") throw new TypeError("Worker module has no function export named " + JSON.stringify(name) + ": " + module);
    globalThis[JOB] = { port: port ?? null };
    let value = await fn(...args);
    if (value !== null && typeof value === "object" && value[MOVE] === true) { transfer = value.transfer; value = value.value; }
    reply = { id, ok: true, value };
  } catch (e) {
    reply = { id, ok: false, error: serializeError(e) };
  } finally {
    globalThis[JOB] = undefined;
  }
  try {
    parentPort.postMessage(reply, transfer);
  } catch (e) {
    parentPort.postMessage({ id, ok: false, cloneError: true, error: serializeError(e) });
  }
});
});
`;

/** `tsxApiURL()`'s answer, once asked (null: not asked yet). */
let tsxApiCache: string | undefined | null = null;

/**
 * Where tsx's register API is, when reed runs from TypeScript source or a job module is
 * TypeScript (so the worker needs it too); undefined when tsx is not installed. Resolved once:
 * under a loader (tsx), `import.meta.resolve` goes through the loader's hooks thread and costs
 * hundreds of µs, which per job would multiply a no-op job's round trip several times over.
 */
function tsxApiURL(): string | undefined {
  if (tsxApiCache === null) {
    try {
      tsxApiCache = import.meta.resolve("tsx/esm/api");
    } catch {
      tsxApiCache = undefined;
    }
  }
  return tsxApiCache;
}

function moduleURL(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (m.startsWith("/")) return new URL(`file://${m}`).href;
  return m;
}

/**
 * A pool of worker threads. Jobs queue in FIFO order and start as workers free up; workers are
 * started lazily up to `maxThreads` and kept (unref'd) when idle.
 *
 * Cancelling a job's Deferred *terminates* the worker running it (JavaScript cannot interrupt a
 * running function any other way); a job still queued is simply dropped. Either way the Deferred
 * fails with `CancelledError` at once, and the pool starts a fresh worker when one is needed.
 */
export class ThreadPool {
  /** Workers kept even when idle. */
  min: number;
  /** The most workers at once. */
  max: number;
  /** The workers' thread name. */
  readonly name: string;
  /** True once `stop()` has been called. */
  stopped = false;

  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private stopping: Deferred<void> | null = null;
  private readonly tsxApi = import.meta.url.endsWith(".ts") ? tsxApiURL() : undefined;

  constructor(options: ThreadPoolOptions = {}) {
    this.min = Math.max(0, options.minThreads ?? 0);
    this.max = Math.max(1, options.maxThreads ?? availableParallelism(), this.min);
    this.name = options.name ?? "reed-thread";
    this.fill();
  }

  /** How many workers exist (busy or idle). */
  get workers(): number {
    return this.slots.size;
  }

  /** How many jobs are running. */
  get busy(): number {
    return this.slots.size - this.idle.length;
  }

  /** How many jobs wait for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Changes the pool's size (Twisted's `adjustPoolsize`). Extra idle workers are stopped; more
   * queued jobs start if the maximum grew.
   * @throws RangeError when `maxThreads < 1` or `minThreads > maxThreads`.
   */
  adjustPoolsize(minThreads: number = this.min, maxThreads: number = this.max): void {
    if (!(maxThreads >= 1)) throw new RangeError(`Thread pool size must be at least 1: got ${maxThreads}`);
    if (minThreads > maxThreads) throw new RangeError(`Thread pool minimum exceeds its maximum: ${minThreads} > ${maxThreads}`);
    this.min = Math.max(0, minThreads);
    this.max = maxThreads;
    while (this.slots.size > this.max && this.idle.length > 0) this.retire(this.idle.pop()!);
    this.pump();
    this.fill();
  }

  /**
   * Runs `task` with `args` (structured-cloned, or moved when listed in `task.transfer`) on a pool
   * thread. The Deferred fires on the reactor (main) thread with the function's result, or fails
   * with its error revived (same class name, message, `code`, and the worker's stack). A value
   * that cannot cross fails it with `ThreadCloneError`; a stopped pool with `ThreadPoolStopped`; a
   * worker that dies mid-job with `WorkerThreadExited`. Arguments are cloned when the job starts,
   * not when it is queued. `cancel()` terminates the worker running the job (see the class doc).
   */
  run<R = unknown>(task: ThreadTask, args: readonly unknown[] = []): Deferred<R> {
    const job: Job = {
      id: this.nextId++,
      module: moduleURL(task.module),
      name: task.name ?? "default",
      args: [...args],
      transfer: task.transfer ?? [],
      handlers: task.handlers,
      d: new Deferred<unknown>(() => this.cancelJob(job)),
      slot: null,
      port: null,
    };
    const d = job.d as Deferred<R>;
    if (this.stopped) {
      d.errback(new Failure(new ThreadPoolStopped()));
      return d;
    }
    const signal = task.signal;
    if (signal) {
      if (signal.aborted) {
        d.cancel();
        return d;
      }
      const onAbort = (): void => d.cancel();
      signal.addEventListener("abort", onAbort, { once: true });
      d.addBoth((r) => {
        signal.removeEventListener("abort", onAbort);
        return r;
      });
    }
    this.queue.push(job);
    this.pump();
    return d;
  }

  /**
   * Stops the pool: jobs still queued fail with `ThreadPoolStopped`, running jobs finish, then every
   * worker exits. Fires when all have exited. Later `run()`s fail with `ThreadPoolStopped`.
   * Calling it again returns the same Deferred's outcome.
   */
  stop(): Deferred<void> {
    if (!this.stopping) {
      this.stopped = true;
      this.stopping = new Deferred<void>();
      for (const job of this.queue.splice(0)) job.d.errback(new Failure(new ThreadPoolStopped("the job was still queued")));
      this.maybeFinishStop();
    }
    const d = new Deferred<void>();
    this.stopping.addBoth((r) => {
      d.callback(r as undefined);
      return r;
    });
    return d;
  }

  // --- scheduling ------------------------------------------------------------------------------

  private fill(): void {
    while (!this.stopped && this.slots.size < this.min) {
      const slot = this.spawn();
      slot.worker.unref();
      this.idle.push(slot);
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.idle.pop();
      if (!slot) {
        if (this.slots.size >= this.max) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { eval: true, name: this.name, workerData: { tsxApi: this.tsxApi } });
    const slot: Slot = { worker, job: null, retired: false, lastError: undefined };
    this.slots.add(slot);
    worker.on("message", (msg: Reply) => this.finished(slot, msg));
    worker.on("error", (err) => {
      slot.lastError = err;
    });
    worker.on("exit", (code) => this.exited(slot, code));
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    let port2: MessagePort | null = null;
    if (job.handlers) {
      const channel = new MessageChannel();
      job.port = channel.port1;
      port2 = channel.port2;
      job.port.on("message", (m: PortMessage) => this.dispatch(job, m));
    }
    try {
      const transfer: Transferable[] = [...job.transfer];
      if (port2) transfer.push(port2);
      const tsx = this.tsxApi === undefined && /\.[mc]?ts$/.test(job.module) ? tsxApiURL() : undefined;
      slot.worker.postMessage({ id: job.id, module: job.module, name: job.name, args: job.args, port: port2 ?? undefined, tsx }, transfer);
    } catch (e) {
      this.closePort(job);
      this.idle.push(slot);
      job.d.errback(new Failure(new ThreadCloneError("to worker", e)));
      return;
    }
    job.slot = slot;
    slot.job = job;
    slot.worker.ref();
  }

  private finished(slot: Slot, msg: Reply): void {
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    this.drain(job);
    slot.job = null;
    job.slot = null;
    slot.worker.unref();
    if (this.stopped || this.slots.size > this.max) this.retire(slot);
    else this.idle.push(slot);
    if (msg.ok) job.d.callback(msg.value);
    else if (msg.cloneError) job.d.errback(new Failure(new ThreadCloneError("from worker", reviveError(msg.error!))));
    else job.d.errback(Failure.from(reviveError(msg.error!)));
    this.pump();
    this.maybeFinishStop();
  }

  private exited(slot: Slot, code: number): void {
    this.slots.delete(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    const job = slot.job;
    slot.job = null;
    if (job && !slot.retired) {
      this.drain(job);
      job.slot = null;
      job.d.errback(new Failure(new WorkerThreadExited(code, slot.lastError)));
    } else if (!job && !slot.retired && slot.lastError !== undefined) {
      log.failure("An idle worker thread died", Failure.from(slot.lastError));
    }
    if (!this.stopped) {
      this.pump();
      this.fill();
    }
    this.maybeFinishStop();
  }

  private cancelJob(job: Job): void {
    const qi = this.queue.indexOf(job);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      return;
    }
    const slot = job.slot;
    if (slot) {
      this.closePort(job);
      slot.job = null;
      job.slot = null;
      this.retire(slot);
    }
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    void slot.worker.terminate();
  }

  private maybeFinishStop(): void {
    const stopping = this.stopping;
    if (!stopping || stopping.called) return;
    for (const slot of [...this.idle]) this.retire(slot);
    if (this.slots.size === 0) stopping.callback(undefined);
  }

  // --- reactor-thread calls from jobs ----------------------------------------------------------

  private drain(job: Job): void {
    const port = job.port;
    if (!port) return;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.dispatch(job, m.message as PortMessage);
    this.closePort(job);
  }

  private closePort(job: Job): void {
    if (job.port) {
      job.port.close();
      job.port = null;
    }
  }

  private dispatch(job: Job, m: PortMessage): void {
    const handler = job.handlers?.[m.name] as ((...args: unknown[]) => unknown) | undefined;
    if (m.kind === "call") {
      if (!handler) {
        log.error("callFromThread from a worker names no handler: {name}", { name: m.name });
        return;
      }
      try {
        handler(...m.args);
      } catch (e) {
        log.failure("A callFromThread handler failed", Failure.from(e));
      }
      return;
    }
    // blocking: the worker sleeps on m.flag until we answer on the port.
    const port = job.port;
    const answer = (reply: { ok: boolean; value?: unknown; error?: SerializedError }): void => {
      if (port && job.port === port) {
        try {
          port.postMessage(reply);
        } catch (e) {
          port.postMessage({ ok: false, error: serializeError(new ThreadCloneError("to worker", e)) });
        }
      }
      Atomics.store(m.flag!, 0, 1);
      Atomics.notify(m.flag!, 0);
    };
    if (!handler) {
      answer({ ok: false, error: serializeError(new TypeError(`No handler named ${JSON.stringify(m.name)} for blockingCallFromThread`)) });
      return;
    }
    maybeDeferred(handler, ...m.args).addCallbacks(
      (value) => answer({ ok: true, value }),
      (f: Failure) => answer({ ok: false, error: serializeError(f.value) }),
    );
  }
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: SerializedError;
  cloneError?: boolean;
}

interface PortMessage {
  kind: "call" | "blocking";
  name: string;
  args: unknown[];
  flag?: Int32Array;
}
