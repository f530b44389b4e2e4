/**
 * ReconnectingClientFactory: a client factory that connects again after a failed attempt or a
 * lost connection, waiting longer each time (Twisted's exponential back-off with jitter).
 *
 * The delay sequence is Twisted's exactly: each retry multiplies `delay` by `factor` (e), caps it
 * at `maxDelay`, then draws the actual delay from a normal distribution with that mean and
 * standard deviation `delay * jitter`, using Python's `normalvariate` algorithm over `random`.
 * With `random` seeded like Python's (see `seededRandom` in `reed/testing`) the delays equal
 * Twisted's draw for draw.
 */
import type { Failure } from "../failure.js";
import type { IConnector, IDelayedCall, IProtocol, ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import { ClientFactory } from "./factory.js";
import { normalVariate } from "../_internal/random.js";

const log = new Logger("reed.factory");

/** Options for `ReconnectingClientFactory`. */
export interface ReconnectingClientFactoryOptions {
  /** The clock retries are scheduled on (usually the reactor). */
  clock?: ReactorTime;
  /** A uniform random source in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

/**
 * A ClientFactory that reconnects with exponential back-off. Call `resetDelay()` once a
 * connection has succeeded (typically in the protocol's `connectionMade`), and `stopTrying()` to
 * give up. Set `clock` (or pass it to the constructor) before the first retry.
 *
 * @example
 * const f = new ReconnectingClientFactory({ clock: reactor });
 * f.protocol = MyProtocol;
 * reactor.connectTCP("example.com", 7000, f);
 */
export class ReconnectingClientFactory<P extends IProtocol = IProtocol> extends ClientFactory<P> {
  /** The longest wait between attempts, in seconds (default 3600). */
  maxDelay = 3600;
  /** The delay the back-off starts from (default 1.0); the first retry waits about `initialDelay * factor`. */
  initialDelay = 1.0;
  /** How much the delay grows per retry (default e, 2.7182818284590451). */
  factor = 2.7182818284590451;
  /** The relative standard deviation of the delay (default 0.119626565582); 0 for none. */
  jitter = 0.119626565582;
  /** The current delay, in seconds. */
  delay = 1.0;
  /** Consecutive failed attempts so far. */
  retries = 0;
  /** Give up after this many consecutive retries; null for never. */
  maxRetries: number | null = null;
  /** The connector last seen failing or losing its connection. */
  connector: IConnector | null = null;
  /** Where retries are scheduled; must be set before a retry. */
  clock: ReactorTime | null = null;
  /** False after `stopTrying()`: no more retries. */
  continueTrying = true;
  /** The uniform random source for jitter. */
  random: () => number = Math.random;
  private callID: IDelayedCall | null = null;

  constructor(options: ReconnectingClientFactoryOptions = {}) {
    super();
    if (options.clock) this.clock = options.clock;
    if (options.random) this.random = options.random;
  }

  /** The attempt failed: retry, unless `stopTrying()` was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** The connection was lost: retry, unless `stopTrying()` was called. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Schedules `connector.connect()` after the next back-off delay (nothing, with a log message,
   * after `stopTrying()` or once `maxRetries` is exceeded).
   * @param connector the connector to use; defaults to the last one seen.
   * @throws Error when there is no connector, or when `clock` is not set.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      if (this.noisy) log.info("Abandoning {connector} on explicit request", { connector: String(connector) });
      return;
    }
    const target = connector ?? this.connector;
    if (!target) throw new Error("No connector to retry");
    this.retries += 1;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      if (this.noisy) {
        log.info("Abandoning {connector} after {retries} retries.", { connector: String(target), retries: this.retries });
      }
      return;
    }
    const clock = this.clock;
    if (!clock) throw new Error("ReconnectingClientFactory.clock is not set: cannot schedule a retry");
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = normalVariate(this.random, this.delay, this.delay * this.jitter);
    if (this.noisy) {
      log.info("{connector} will retry in {seconds} seconds", {
        connector: String(target),
        seconds: Math.trunc(this.delay),
        delay: this.delay,
      });
    }
    this.callID = clock.callLater(this.delay, () => {
      this.callID = null;
      target.connect();
    });
  }

  /** Cancels a scheduled retry, stops retrying, and stops the connector's attempt in progress. */
  stopTrying(): void {
    if (this.callID) {
      this.callID.cancel();
      this.callID = null;
    }
    this.continueTrying = false;
    if (this.connector) {
      try {
        this.connector.stopConnecting();
      } catch (e) {
        // Not connecting (Twisted's NotConnectingError): nothing to stop. Anything else is a bug.
        if (!(e instanceof Error && e.name === "NotConnectingError")) throw e;
      }
    }
  }

  /** Call after a successful connection: resets the delay and retry count, and resumes trying. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.callID = null;
    this.continueTrying = true;
  }
}
