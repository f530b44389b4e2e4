/**
 * Log capture for tests (trial's `flushLoggedErrors`): record every event a publisher sees,
 * keep the default stderr observer quiet meanwhile, let the test take the errors it expected,
 * and fail the test if any logged error is left unchecked.
 *
 * @example
 * let logs: LogCapture;
 * beforeEach(() => { logs = captureLogs(); });
 * afterEach(() => assertNoLoggedErrors(logs));   // also stops the capture
 * test("a failing callback is logged", () => {
 *   ...;
 *   assert.equal(logs.flushLoggedErrors(RangeError).length, 1);
 * });
 */
import { UnflushedLoggedErrors } from "../errors.js";
import type { ErrorType, Failure } from "../failure.js";
import { defaultLogObserver, formatEventAsText, globalLogPublisher, type LogEvent, type LogPublisher } from "../logger.js";
import { flushUnhandledFailures } from "../_internal/unhandled.js";

/** Options for `captureLogs`. */
export interface CaptureLogsOptions {
  /** The publisher to listen to (default `globalLogPublisher`). */
  publisher?: LogPublisher;
  /** Remove `defaultLogObserver` while capturing (default true), so expected errors print nothing. */
  quiet?: boolean;
}

/** An active capture: every event since it started, and the logged errors not yet flushed. */
export class LogCapture {
  /** Every event published since the capture started. */
  readonly events: LogEvent[] = [];
  private unflushed: LogEvent[] = [];
  private active = true;
  private readonly hadDefault: boolean;
  private readonly observer = (event: LogEvent): void => {
    this.events.push(event);
    if (event.failure) this.unflushed.push(event);
  };

  /** @internal use `captureLogs()`. */
  constructor(
    private readonly publisher: LogPublisher,
    quiet: boolean,
  ) {
    this.hadDefault = quiet && publisher.getObservers().includes(defaultLogObserver);
    if (this.hadDefault) publisher.removeObserver(defaultLogObserver);
    publisher.addObserver(this.observer);
  }

  /**
   * Takes the logged failures whose value is an instance of one of `types` (all of them when no
   * type is given) out of the unchecked list and returns them, oldest first.
   */
  flushLoggedErrors(...types: ErrorType[]): Failure[] {
    const taken: Failure[] = [];
    this.unflushed = this.unflushed.filter((e) => {
      const f = e.failure!;
      if (types.length === 0 || f.check(...types) !== null) {
        taken.push(f);
        return false;
      }
      return true;
    });
    return taken;
  }

  /** The logged-error events not flushed yet. */
  get loggedErrors(): readonly LogEvent[] {
    return this.unflushed;
  }

  /** Stops capturing and puts the default observer back (idempotent). */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.publisher.removeObserver(this.observer);
    if (this.hadDefault) this.publisher.addObserver(defaultLogObserver);
  }

  /** Same as `stop()`. */
  [Symbol.dispose](): void {
    this.stop();
  }
}

let current: LogCapture | null = null;

/** Starts capturing log events (see `LogCapture`); it becomes the capture `flushLoggedErrors` uses. */
export function captureLogs(options: CaptureLogsOptions = {}): LogCapture {
  current = new LogCapture(options.publisher ?? globalLogPublisher, options.quiet ?? true);
  return current;
}

/**
 * Trial's `flushLoggedErrors`: takes matching logged failures from the most recent capture.
 * @throws TypeError when no capture was started.
 */
export function flushLoggedErrors(...types: ErrorType[]): Failure[] {
  if (!current) throw new TypeError("No log capture is active: call captureLogs() first");
  return current.flushLoggedErrors(...types);
}

/**
 * Reports unhandled Deferred failures still alive (so they are captured too), stops the capture,
 * and fails if any logged error was not flushed.
 * @throws UnflushedLoggedErrors with the text of each unchecked error.
 */
export function assertNoLoggedErrors(capture: LogCapture): void {
  flushUnhandledFailures();
  capture.stop();
  if (current === capture) current = null;
  const left = capture.loggedErrors;
  if (left.length > 0) throw new UnflushedLoggedErrors(left.map(formatEventAsText));
}
