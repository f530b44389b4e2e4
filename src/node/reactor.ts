/**
 * NodeReactor: reed's real reactor, driven by Node's event loop.
 *
 * How it maps onto Node:
 * - Timed calls live in reed's own timer heap (O(log n) schedule, O(1) amortised cancel: cancelled
 *   calls are dropped lazily). At most one Node `setTimeout` is armed, for the earliest deadline; calls that are already due (including every
 *   `callLater(0)`) are run from a `setImmediate`, never from a clamped `setTimeout`. Each
 *   iteration runs the calls that were due when it began and then yields to Node, so I/O is
 *   never starved by a chain of `callLater(0)`s.
 * - Calls due at the same time run in the order they were scheduled. (Twisted's reactor runs them
 *   in heap order, e.g. 12 equal-time calls as 0, 2, 6, 11, 10, 9, 8, 5, 7, 4, 1, 3; reed's FIFO
 *   order is a deliberate improvement that matches `Clock`.)
 * - `seconds()` is the wall-clock epoch time read through `performance.now()`, so it never goes
 *   backwards.
 * - An exception in any call or trigger is logged through reed's Logger (`reed.reactor`, level
 *   critical, with where the call was scheduled when `DelayedCall.debug` is on) and the loop
 *   carries on.
 * - `run()` cannot block Node's loop, so it returns a Deferred that fires once shutdown is
 *   complete: write `await reactor.run()` where a Twisted script has `reactor.run()`.
 * - While running, one ref'd idle timer keeps the process alive (no CPU used); SIGINT and SIGTERM
 *   call `stop()` (shutdown triggers run) and a second signal during shutdown exits at once.
 * - Shutdown closes every registered port and connection (`disconnectAll`, in the `during
 *   shutdown` phase, as Twisted): ports stop listening (factories' `doStop` runs), connections
 *   drop their sockets and their protocols see `connectionLost(ConnectionLost)` at once, attempts
 *   in progress fail; so nothing is left holding the process open.
 *   After shutdown the reactor releases every timer and signal handler, so the process can exit,
 *   and reports unhandled Deferred failures (`flushUnhandledFailures()`).
 *
 * Embedding (a program that never calls `run()`: an Express app, a test runner):
 * - Works: `callLater` (and `DelayedCall.cancel/reset/delay`), `seconds`, `getDelayedCalls`,
 *   `callFromThread`, and everything built on them (`Deferred.addTimeout`, `LoopingCall`,
 *   `deferLater`, `Cooperator`), plus transports. A pending timed call keeps the process alive,
 *   just as a `setTimeout` would; exceptions in calls are logged, not thrown.
 * - Does not happen: `running` stays false; `callWhenRunning` and system event triggers wait for a
 *   `run()` that never comes (call `fireSystemEvent` yourself if you want them); `stop()` throws
 *   `ReactorNotRunning`; no signal handlers are installed; unhandled Deferred failures are
 *   reported when garbage-collected and at process exit rather than at shutdown.
 * - Tests: make a fresh reactor per test (`createReactor()`), so `ReactorNotRestartable` never
 *   bites; a reactor that was never run needs no cleanup beyond cancelling its calls.
 */
import { performance } from "node:perf_hooks";
import type { Deferred } from "../deferred.js";
import type { Logger } from "../logger.js";
import { ReactorBase } from "../_internal/reactor-base.js";
import type {
  IDatagramProtocol,
  IProtocolFactory,
  ReactorSSL,
  ReactorTCP,
  ReactorUDP,
  ReactorUNIX,
  TLSFileOptions,
  UDPListenOptions,
  UNIXListenOptions,
} from "../interfaces.js";
import type { IPv4Address, IPv6Address, UNIXAddress } from "../protocols/address.js";
import type { Connector } from "./connector.js";
import type { Port } from "./port.js";
import { connectTCP, listenTCP, type ConnectTCPOptions, type ListenTCPOptions } from "./tcp.js";
import { connectSSL, listenSSL } from "./tls.js";
import { listenUDP, type UDPPort } from "./udp.js";
import { connectUNIX, listenUNIX } from "./unix.js";

/** Options for `NodeReactor.run()`. */
export interface NodeRunOptions {
  /** Install SIGINT/SIGTERM handlers that stop the reactor (default true). */
  installSignalHandlers?: boolean;
}

/** Node's longest timer delay; an interval this long keeps the loop alive without waking it. */
const IDLE_MS = 0x7fffffff;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15 };

/**
 * The reactor on Node's event loop (`ReactorTime & ReactorCore`, plus the resource registry that
 * transports report to). See the module doc for how it maps onto Node and what works embedded.
 *
 * @example
 * const reactor = new NodeReactor();
 * reactor.callWhenRunning(() => console.log("Hello from the reactor loop!"));
 * reactor.callLater(1, () => reactor.stop());
 * await reactor.run();
 */
export class NodeReactor extends ReactorBase implements ReactorTCP, ReactorUNIX, ReactorUDP, ReactorSSL {
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private installSignals = true;
  private signalHandlers: Array<[string, () => void]> = [];
  private readonly tick = (): void => {
    this.immediate = null;
    this.runUntilCurrent();
  };
  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.runUntilCurrent();
  };

  /** @param log where errors in calls and triggers are logged (default namespace `reed.reactor`). */
  constructor(log?: Logger) {
    super(log);
  }

  /** Epoch seconds (a float), monotonic: `(performance.timeOrigin + performance.now()) / 1000`. */
  seconds(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  /**
   * Starts the reactor (see `ReactorCore.run`).
   * @param options `installSignalHandlers: false` leaves SIGINT/SIGTERM alone.
   * @returns a Deferred that fires after shutdown has completed.
   * @throws ReactorAlreadyRunning / ReactorNotRestartable.
   */
  override run(options: NodeRunOptions = {}): Deferred<void> {
    this.installSignals = options.installSignalHandlers ?? true;
    return super.run();
  }

  // --- networking (thin methods over src/node/tcp.ts, unix.ts, udp.ts, tls.ts) --------------

  /** Listens for TCP connections (see `listenTCP` in `reed/node`). @throws CannotListenError */
  listenTCP(port: number, factory: IProtocolFactory, options?: ListenTCPOptions): Port<IPv4Address | IPv6Address> {
    return listenTCP(this, port, factory, options);
  }

  /** Connects over TCP (see `connectTCP` in `reed/node`). */
  connectTCP(host: string, port: number, factory: IProtocolFactory, options?: ConnectTCPOptions): Connector {
    return connectTCP(this, host, port, factory, options);
  }

  /** Listens on a UNIX socket file (see `listenUNIX`). @throws CannotListenError */
  listenUNIX(address: string, factory: IProtocolFactory, options?: UNIXListenOptions): Port<UNIXAddress> {
    return listenUNIX(this, address, factory, options);
  }

  /** Connects to a UNIX socket file (see `connectUNIX`). */
  connectUNIX(address: string, factory: IProtocolFactory, options?: { timeout?: number }): Connector {
    return connectUNIX(this, address, factory, options);
  }

  /** Binds a UDP port for a `DatagramProtocol` (see `listenUDP`). @throws CannotListenError */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: UDPListenOptions): UDPPort {
    return listenUDP(this, port, protocol, options);
  }

  /** Listens for TLS connections (see `listenSSL`). @throws CannotListenError */
  listenSSL(port: number, factory: IProtocolFactory, tls: TLSFileOptions, options?: ListenTCPOptions): Port<IPv4Address | IPv6Address> {
    return listenSSL(this, port, factory, tls, options);
  }

  /** Connects over TLS (see `connectSSL`). */
  connectSSL(host: string, port: number, factory: IProtocolFactory, tls: TLSFileOptions, options?: ConnectTCPOptions): Connector {
    return connectSSL(this, host, port, factory, tls, options);
  }

  protected override wake(): void {
    if (this.finishedRun) {
      this.disarm();
      return;
    }
    if (this.immediate) return; // an iteration is coming, and it re-arms when it ends
    if (this.hasReadyWork()) {
      this.immediate = setImmediate(this.tick);
      return;
    }
    const next = this.nextDeadline();
    if (next === undefined) {
      this.clearTimer();
      return;
    }
    // Armed early enough: while running a spurious wake-up is harmless (the loop keeps the process
    // alive anyway); embedded (never run), the timer must match, so a cancelled call does not hold
    // the process open until its old deadline.
    if (this.timer && (this.timerAt === next || (this.running && this.timerAt <= next))) return;
    this.clearTimer();
    // Node timers have 1 ms granularity; waking a little early only costs a re-arm.
    const ms = Math.max(1, Math.ceil((next - this.seconds()) * 1000));
    this.timer = setTimeout(this.onTimer, Math.min(ms, IDLE_MS));
    this.timerAt = next;
  }

  protected override loopStarted(): void {
    this.keepAlive = setInterval(() => {}, IDLE_MS);
    if (!this.installSignals) return;
    for (const sig of SIGNALS) {
      const handler = (): void => this.signalled(sig);
      process.on(sig, handler);
      this.signalHandlers.push([sig, handler]);
    }
  }

  protected override loopFinished(): void {
    this.disarm();
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    for (const [sig, handler] of this.signalHandlers) process.removeListener(sig, handler);
    this.signalHandlers = [];
  }

  private signalled(sig: (typeof SIGNALS)[number]): void {
    this.log.info("Received {signal}, shutting down.", { signal: sig });
    try {
      this.stop();
    } catch {
      // Already stopping: the user insists.
      process.exit(128 + SIGNAL_NUMBERS[sig]);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private disarm(): void {
    this.clearTimer();
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
  }
}

/** A fresh NodeReactor (one per test keeps `ReactorNotRestartable` out of the way). */
export function createReactor(log?: Logger): NodeReactor {
  return new NodeReactor(log);
}

/**
 * The default reactor for scripts (`import { reactor } from "reed/node"`). Library code should
 * take a reactor parameter instead; tests should use `createReactor()` or a fake.
 */
export const reactor: NodeReactor = new NodeReactor();
