/**
 * BrowserReactor: a reactor that lives in a web page's own event loop, so callbacks can touch the
 * DOM directly (seed 000's "GUI integration", with the page as the GUI).
 *
 * Invariants:
 * - Timers are reed's own `TimerHeap` of `DelayedCall`s; at most one host `setTimeout` is armed, for
 *   the earliest deadline. A call that is already due (e.g. `callLater(0)`) is run from a
 *   `MessageChannel` task instead, which the browser does not clamp to ≥ 1 ms (nor to 4 ms when
 *   nested, as `setTimeout(fn, 0)` is).
 * - One wake-up runs the calls that were due when it began, in (time, scheduling order); calls
 *   scheduled while they run wait for the next wake-up, so a `callLater(0)` loop cannot starve the
 *   page's input, rendering or network events.
 * - An exception in a call is logged and the other calls still run ("But I get up again.").
 * - Timers fire from construction on (a page never blocks in `run()`), until the reactor has
 *   stopped. `run()` fires the startup triggers and `callWhenRunning` calls; `stop()` fires the
 *   shutdown triggers, after which nothing scheduled on this reactor runs any more.
 */
import { checkDelay, DelayedCall, type DelayedCallOwner } from "../delayed-call.js";
import { Deferred } from "../deferred.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.js";
import type { IDelayedCall, ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import { TimerHeap } from "../_internal/heap.js";
import { SystemEvents, type TriggerId, type TriggerPhase } from "./system-events.js";

const log = new Logger("reed.reactor");

/**
 * What the reactor needs from its host (the page). The default uses the page's globals; tests and
 * unusual hosts (workers without `requestAnimationFrame`) pass their own.
 */
export interface BrowserHost {
  /** A monotonic clock in milliseconds. */
  now(): number;
  /** Arms a one-shot timer. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Disarms a timer armed by `setTimeout`. */
  clearTimeout(handle: unknown): void;
  /** Runs `fn` in a new task as soon as possible, without timer clamping. */
  queueTask(fn: () => void): void;
  /** Calls `fn(timestamp)` before the next repaint. */
  requestAnimationFrame(fn: (timestamp: number) => void): unknown;
  /** Cancels a `requestAnimationFrame` request. */
  cancelAnimationFrame(handle: unknown): void;
  /** Releases what the host holds (its MessageChannel), when the reactor has stopped. */
  close(): void;
}

/**
 * The page's host: `performance.timeOrigin + performance.now()`, `setTimeout`, a `MessageChannel`
 * for zero-delay tasks, and `requestAnimationFrame` (a 16 ms timer where there is none, e.g. in a
 * worker).
 */
export function pageHost(): BrowserHost {
  const g = globalThis as typeof globalThis & {
    requestAnimationFrame?: (fn: (t: number) => void) => number;
    cancelAnimationFrame?: (h: number) => void;
  };
  let channel: MessageChannel | null = null;
  const queue: Array<() => void> = [];
  return {
    now: () => performance.timeOrigin + performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    queueTask(fn) {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => queue.shift()?.();
      }
      queue.push(fn);
      channel.port2.postMessage(null);
    },
    requestAnimationFrame: (fn) =>
      g.requestAnimationFrame ? g.requestAnimationFrame(fn) : setTimeout(() => fn(performance.now()), 16),
    cancelAnimationFrame: (h) =>
      g.cancelAnimationFrame ? g.cancelAnimationFrame(h as number) : clearTimeout(h as ReturnType<typeof setTimeout>),
    close() {
      channel?.port1.close();
      channel?.port2.close();
      channel = null;
      queue.length = 0;
    },
  };
}

/** Options for `new BrowserReactor()`. */
export interface BrowserReactorOptions {
  /** Where timers, tasks and animation frames come from (default `pageHost()`). */
  host?: BrowserHost;
}

/**
 * A reactor for web pages: `ReactorTime` with the same `DelayedCall` API as every reed reactor,
 * the reactor lifecycle (`run`, `stop`, `callWhenRunning`, system event triggers) and
 * `nextFrame()` for pacing drawing by the display.
 *
 * @example
 * const reactor = new BrowserReactor();
 * reactor.callWhenRunning(() => console.log("running"));
 * reactor.run(); // returns at once: the page's event loop is the loop
 */
export class BrowserReactor implements ReactorTime {
  private readonly host: BrowserHost;
  private readonly heap = new TimerHeap<DelayedCall>();
  private readonly triggers = new SystemEvents();
  private readonly frames = new Set<Deferred<number>>();
  private state: "idle" | "running" | "stopping" | "stopped" = "idle";
  private armed: { due: number; handle: unknown } | null = null;
  private taskQueued = false;
  private readonly owner: DelayedCallOwner = {
    seconds: () => this.seconds(),
    cancelled: (c) => {
      this.heap.remove(c);
      this.wake();
    },
    rescheduled: (c, t) => {
      this.heap.update(c, t);
      this.wake();
    },
  };

  constructor(options: BrowserReactorOptions = {}) {
    this.host = options.host ?? pageHost();
    this.triggers.add("during", "startup", () => {
      this.state = "running";
    }, []);
  }

  /** True between `run()` (its `during startup` phase) and the end of shutdown. */
  get running(): boolean {
    return this.state === "running" || this.state === "stopping";
  }

  /** True once the reactor has stopped for good (after `stop()` and its shutdown triggers). */
  get stopped(): boolean {
    return this.state === "stopped";
  }

  // ------------------------------------------------------------------ time

  /** The current time in seconds since the epoch, from the page's monotonic clock. */
  seconds(): number {
    return this.host.now() / 1000;
  }

  /**
   * Calls `fn(...args)` after `delay` seconds (0 = in the next task, after what is already due).
   * @throws RangeError for a negative or non-finite delay.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay);
    const call = new DelayedCall(this.seconds() + delay, fn as (...a: never[]) => unknown, args, this.owner);
    this.heap.push(call);
    this.wake();
    return call;
  }

  /** The calls that are scheduled and have not run or been cancelled, soonest first. */
  getDelayedCalls(): DelayedCall[] & IDelayedCall[] {
    return this.heap.sorted();
  }

  /**
   * A Deferred that fires with the frame's timestamp (ms) just before the browser next paints
   * (`requestAnimationFrame`). A `LoopingCall`'s function that draws and returns it is not called
   * again until the frame has come, so draws never overlap and are paced by the display.
   * Cancelling it cancels the frame request; after the reactor stops it never fires.
   */
  nextFrame(): Deferred<number> {
    let handle: unknown;
    const d: Deferred<number> = new Deferred<number>(() => {
      this.frames.delete(d);
      this.host.cancelAnimationFrame(handle);
    });
    if (this.state === "stopped") return d;
    this.frames.add(d);
    handle = this.host.requestAnimationFrame((t) => {
      if (!this.frames.delete(d)) return;
      d.callback(t);
    });
    return d;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Starts the reactor: fires the `startup` event (so `callWhenRunning` calls run) and returns at
   * once, since the page's event loop is the loop.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable once it has stopped.
   */
  run(): void {
    if (this.state === "running") throw new ReactorAlreadyRunning();
    if (this.state !== "idle") throw new ReactorNotRestartable();
    this.triggers.fire("startup");
  }

  /**
   * Stops the reactor: in a later task, fires the `shutdown` event (waiting for Deferreds that
   * `before shutdown` triggers return); then nothing scheduled on this reactor runs any more.
   * @throws ReactorNotRunning when it is not running (or already stopping).
   */
  stop(): void {
    if (this.state !== "running") throw new ReactorNotRunning();
    this.state = "stopping";
    this.callLater(0, () => {
      this.triggers.add("during", "shutdown", () => this.halt(), []);
      this.triggers.fire("shutdown");
    });
  }

  /**
   * Calls `fn(...args)` once the reactor runs: at once when it is running, otherwise as an
   * `after startup` trigger.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined {
    if (this.running) {
      fn(...args);
      return undefined;
    }
    return this.triggers.add("after", "startup", fn, args);
  }

  /**
   * Adds `fn(...args)` to run in `phase` of system event `eventType` (`"startup"`, `"shutdown"`, or
   * one of your own fired with `fireSystemEvent`). A `before` trigger may return a Deferred; the
   * `during` phase waits for it.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId {
    return this.triggers.add(phase, eventType, fn, args);
  }

  /** Removes a trigger. @throws RangeError when it is not registered. */
  removeSystemEventTrigger(id: TriggerId): void {
    this.triggers.remove(id);
  }

  /** Fires `eventType`'s triggers; the Deferred fires after its `after` phase. */
  fireSystemEvent(eventType: string): Deferred<void> {
    return this.triggers.fire(eventType);
  }

  // ------------------------------------------------------------------ the loop

  /** Shutdown's `during` phase: from here on nothing runs. */
  private halt(): void {
    this.state = "stopped";
    if (this.armed) this.host.clearTimeout(this.armed.handle);
    this.armed = null;
    for (const d of this.frames) d.cancel();
    this.host.close();
  }

  /** Makes sure the host will wake us for the earliest call. */
  private wake(): void {
    if (this.state === "stopped") return;
    const next = this.heap.peek();
    if (!next) {
      if (this.armed) this.host.clearTimeout(this.armed.handle);
      this.armed = null;
      return;
    }
    const delay = next.time - this.seconds();
    if (delay <= 0) {
      if (!this.taskQueued) {
        this.taskQueued = true;
        this.host.queueTask(this.onTask);
      }
      return;
    }
    if (this.armed?.due === next.time) return;
    if (this.armed) this.host.clearTimeout(this.armed.handle);
    this.armed = { due: next.time, handle: this.host.setTimeout(this.onTimer, delay * 1000) };
  }

  private readonly onTask = (): void => {
    this.taskQueued = false;
    this.runUntilCurrent();
  };

  private readonly onTimer = (): void => {
    this.armed = null;
    this.runUntilCurrent();
  };

  /** Runs the calls due now (phase 1: take them out; phase 2: run those still due), then re-arms. */
  private runUntilCurrent(): void {
    if (this.state === "stopped") return;
    const now = this.seconds();
    const due: DelayedCall[] = [];
    for (let c = this.heap.peek(); c && c.time <= now; c = this.heap.peek()) due.push(this.heap.pop()!);
    for (const call of due) {
      // Cancelled or re-scheduled (back in the heap) by an earlier call of this batch: skip.
      if (call.cancelled || call.heapIndex !== -1 || this.stopped) continue;
      try {
        call.invoke();
      } catch (e) {
        log.failure("Unhandled error in a scheduled call", e);
      }
    }
    this.wake();
  }
}

/**
 * A Deferred fired at `reactor`'s next animation frame (see `BrowserReactor.nextFrame`): the
 * counterpart of DrawSnek's `deferToThread(pygame.display.flip)`.
 *
 * @example
 * new LoopingCall(() => { drawScene(ctx); return nextFrame(reactor); }).start(0);
 */
export function nextFrame(reactor: BrowserReactor): Deferred<number> {
  return reactor.nextFrame();
}
