/**
 * Downloading from many poetry servers, concurrently (the asynchronous client: every download
 * starts at once and the reactor interleaves them) or sequentially (the blocking client's order:
 * one download after another), recording every chunk's arrival for reports and timelines.
 */
import { DeferredList } from "../../combinators.js";
import { inlineCallbacks } from "../../coroutine.js";
import type { Deferred } from "../../deferred.js";
import { Failure } from "../../failure.js";
import { getPoetry } from "./client.js";
import type { PoetryReactor } from "./reactor.js";
import { TransformProxy } from "./transform.js";

/** One download (a "task" in the tutorial's output). */
export interface DownloadTask {
  /** 1-based task number. */
  readonly index: number;
  /** Server host. */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /** When the download started (reactor seconds); null until it starts. */
  started: number | null;
  /** When it finished (reactor seconds); null until then. */
  finished: number | null;
  /** Every chunk: arrival time (reactor seconds) and size in bytes. */
  readonly chunks: { time: number; bytes: number }[];
  /** Bytes received so far. */
  bytes: number;
  /** The poem (transformed, with `transform`) once complete. */
  poem: string | null;
  /** Why it failed, if it did. */
  error: Failure | null;
  /** With `transform`: whether the transform worked (false: the original poem was kept). */
  transformed: boolean | null;
}

/** Options for `downloadAll`. */
export interface DownloadOptions {
  /** Seconds each download may take. */
  timeout?: number;
  /** One after another instead of all at once. */
  sequential?: boolean;
  /** A transform server: each poem is cummingsified there (kept as is if that fails). */
  transform?: { host: string; port: number };
  /** Told whenever a task changes (chunk, start, finish). */
  onUpdate?: (task: DownloadTask) => void;
}

/** `host:port`, with brackets around an IPv6 host. */
export function addressText(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A fresh task (not started) for each address, numbered from 1. */
export function newTasks(addresses: readonly { host: string; port: number }[]): DownloadTask[] {
  return addresses.map((a, i) => ({
    index: i + 1,
    host: a.host,
    port: a.port,
    started: null,
    finished: null,
    chunks: [],
    bytes: 0,
    poem: null,
    error: null,
    transformed: null,
  }));
}

/**
 * Downloads a poem for each task (see `newTasks`), filling the tasks in as chunks arrive.
 * @returns a Deferred of the tasks, in order, once every one has finished or failed (it never
 *   fails itself: each task carries its own `error`). Cancelling it cancels the downloads in
 *   progress.
 */
export function downloadAll(reactor: PoetryReactor, tasks: DownloadTask[], options: DownloadOptions = {}): Deferred<DownloadTask[]> {
  const proxy = options.transform ? new TransformProxy(reactor, options.transform.host, options.transform.port) : null;
  const update = (t: DownloadTask): void => options.onUpdate?.(t);

  const runOne = (task: DownloadTask): Deferred<void> => {
    task.started = reactor.seconds();
    update(task);
    const d = getPoetry(reactor, task.host, task.port, {
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      onChunk: (bytes) => {
        task.chunks.push({ time: reactor.seconds(), bytes });
        task.bytes += bytes;
        update(task);
      },
    });
    const transformed = proxy
      ? d.addCallback((poem) =>
          proxy.xform("cummingsify", poem).addCallbacks(
            (p) => {
              task.transformed = true;
              return p;
            },
            () => {
              task.transformed = false;
              return poem;
            },
          ),
        )
      : d;
    return transformed.addCallbacks(
      (poem) => {
        task.poem = poem;
      },
      (f: Failure) => {
        task.error = f;
      },
    ).addBoth(() => {
      task.finished = reactor.seconds();
      update(task);
    });
  };

  if (options.sequential) {
    return inlineCallbacks(function* () {
      for (const task of tasks) yield runOne(task);
      return tasks;
    })();
  }
  return new DeferredList(tasks.map(runOne)).addCallback(() => tasks);
}

/** Formats seconds as Python's `timedelta` prints (`0:00:10.134220`; no fraction when whole). */
export function formatTimedelta(seconds: number): string {
  let micros = Math.round(seconds * 1e6);
  const days = Math.floor(micros / 86_400_000_000);
  micros -= days * 86_400_000_000;
  const h = Math.floor(micros / 3_600_000_000);
  micros -= h * 3_600_000_000;
  const m = Math.floor(micros / 60_000_000);
  micros -= m * 60_000_000;
  const s = Math.floor(micros / 1_000_000);
  micros -= s * 1_000_000;
  let out = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  if (micros) out += `.${String(micros).padStart(6, "0")}`;
  if (days) out = `${days} day${days === 1 ? "" : "s"}, ${out}`;
  return out;
}
