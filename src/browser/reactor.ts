/**
 * BrowserReactor: a reactor that lives in a web page's own event loop, so callbacks can touch the
 * DOM directly (seed 000's "GUI integration", with the page as the GUI).
 *
 * It is `ReactorBase` (the shared timer heap, triggers and run/stop state machine) driven by the
 * page:
 * - At most one host `setTimeout` is armed, for the earliest deadline. Work that is already due
 *   (every `callLater(0)`, `callFromThread`, a `stop()`) runs from a `MessageChannel` task instead,
 *   which the browser does not clamp (`setTimeout(fn, 0)` waits ≥ 1 ms, and ≥ 4 ms when nested).
 * - One iteration runs what was due when it began, then yields to the page, so a `callLater(0)`
 *   loop cannot starve input, rendering or network events.
 * - An exception in a call is logged and the iteration carries on ("But I get up again.").
 * - Timers work from construction (embedded); `run()` fires startup and returns at once (its
 *   Deferred fires after shutdown), since the page's event loop is the loop. After `stop()`'s
 *   shutdown has completed nothing scheduled on this reactor runs, and pending animation-frame
 *   requests are cancelled.
 * - `nextFrame()` is a Deferred fired at the next `requestAnimationFrame`: a `LoopingCall` whose
 *   function draws and returns it is paced by the display and never overlaps itself.
 */
import { Deferred } from "../deferred.js";
import type { Logger } from "../logger.js";
import { ReactorBase } from "../_internal/reactor-base.js";

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
  /** Where errors in calls and triggers are logged (default namespace `reed.reactor`). */
  log?: Logger;
}

/**
 * A reactor for web pages (`ReactorTime & ReactorCore`): the same `DelayedCall` API as every reed
 * reactor, the reactor life cycle, and `nextFrame()` for pacing drawing by the display.
 *
 * @example
 * const reactor = new BrowserReactor();
 * reactor.callWhenRunning(() => console.log("running"));
 * reactor.run(); // returns at once: the page's event loop is the loop
 */
export class BrowserReactor extends ReactorBase {
  private readonly host: BrowserHost;
  private readonly frames = new Map<Deferred<number>, unknown>();
  private armedAt = Infinity;
  private armed: unknown = null;
  private taskQueued = false;
  private readonly onTask = (): void => {
    this.taskQueued = false;
    this.runUntilCurrent();
  };
  private readonly onTimer = (): void => {
    this.armed = null;
    this.armedAt = Infinity;
    this.runUntilCurrent();
  };

  constructor(options: BrowserReactorOptions = {}) {
    super(options.log);
    this.host = options.host ?? pageHost();
  }

  /** True once the reactor has run and shut down: nothing scheduled on it runs any more. */
  get hasShutDown(): boolean {
    return this.finishedRun;
  }

  /** The current time in seconds since the epoch, from the page's monotonic clock. */
  seconds(): number {
    return this.host.now() / 1000;
  }

  /**
   * A Deferred that fires with the frame's timestamp (ms) just before the browser next paints
   * (`requestAnimationFrame`). A `LoopingCall`'s function that draws and returns it is not called
   * again until the frame has come, so draws never overlap and are paced by the display.
   * Cancelling it cancels the frame request; once the reactor has stopped it never fires.
   */
  nextFrame(): Deferred<number> {
    const d: Deferred<number> = new Deferred<number>(() => {
      if (this.frames.has(d)) this.host.cancelAnimationFrame(this.frames.get(d));
      this.frames.delete(d);
    });
    if (this.finishedRun) return d;
    this.frames.set(
      d,
      this.host.requestAnimationFrame((t) => {
        if (this.frames.delete(d)) d.callback(t);
      }),
    );
    return d;
  }

  protected override wake(): void {
    if (this.finishedRun) {
      this.disarm();
      return;
    }
    if (this.taskQueued) return; // an iteration is coming, and it re-arms when it ends
    if (this.hasReadyWork()) {
      this.taskQueued = true;
      this.host.queueTask(this.onTask);
      return;
    }
    const next = this.nextDeadline();
    if (next === undefined) {
      this.clearTimer();
      return;
    }
    if (this.armed !== null && this.armedAt <= next) return; // early enough; a spurious wake-up only re-arms
    this.clearTimer();
    this.armed = this.host.setTimeout(this.onTimer, Math.max(0, (next - this.seconds()) * 1000));
    this.armedAt = next;
  }

  protected override loopFinished(): void {
    this.disarm();
    for (const [d, handle] of this.frames) {
      this.host.cancelAnimationFrame(handle);
      this.frames.delete(d);
    }
    this.host.close();
  }

  private clearTimer(): void {
    if (this.armed !== null) this.host.clearTimeout(this.armed);
    this.armed = null;
    this.armedAt = Infinity;
  }

  private disarm(): void {
    this.clearTimer();
    this.taskQueued = false;
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
