/**
 * MemoryReactor: a fake reactor that records `listen*`/`connect*` calls instead of touching the
 * network (Twisted's `twisted.internet.testing.MemoryReactor`), so a test can look at what a
 * protocol factory asked for and drive the factory itself. `MemoryReactorClock` adds fake time.
 *
 * Records, as Twisted does, as tuples:
 * - `tcpServers`: `[port, factory, backlog, interface]`; `tcpClients`: `[host, port, factory,
 *   timeout, bindAddress]`;
 * - `unixServers`: `[address, factory, backlog, mode, wantPID]`; `unixClients`: `[address,
 *   factory, timeout, checkPID]`;
 * - `udpPorts`: `[port, protocol, interface, maxPacketSize]` (reed addition);
 * - `connectors`: every connector returned, in order.
 *
 * Life cycle (richer than Twisted's, which stops at once inside `run()`): `run()` fires the
 * startup triggers (so `callWhenRunning` functions run) and returns a Deferred that fires when
 * `stop()` has run the shutdown triggers (waiting for Deferreds from `before shutdown` ones).
 */
import { Deferred, succeed } from "../deferred.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.js";
import { Logger } from "../logger.js";
import type {
  ClientFactoryLike,
  IConnector,
  IDatagramProtocol,
  IListeningPort,
  IProtocolFactory,
  IUDPTransport,
  ReactorCore,
  ReactorTCP,
  ReactorUDP,
  ReactorUNIX,
  TCPConnectOptions,
  TCPListenOptions,
  UDPListenOptions,
  UNIXListenOptions,
  ReactorTime,
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
} from "../interfaces.js";
import { IPv4Address, IPv6Address, UNIXAddress, type IAddress } from "../protocols/address.js";
import { ThreePhaseEvent, Trigger } from "../_internal/system-events.js";
import type { DelayedCall } from "../delayed-call.js";
import { Clock } from "./clock.js";

/** A listening port that listens nowhere (what `MemoryReactor.listen*` returns). */
export class FakePort implements IListeningPort {
  /** True once `stopListening()` was called. */
  stopped = false;
  constructor(private readonly address: IAddress) {}
  /** Marks the port stopped; fires at once. */
  stopListening(): Deferred<void> {
    this.stopped = true;
    return succeed<void>(undefined);
  }
  /** The address it pretends to listen on. */
  getHost(): IAddress {
    return this.address;
  }
}

/**
 * A UDP port that sends nowhere (what `MemoryReactor.listenUDP` returns): it records what is
 * written and what it is connected to.
 */
export class FakeUDPPort extends FakePort implements IUDPTransport {
  /** `[data, address]` per `write` (`address` null when written to the connected peer). */
  readonly written: Array<[Uint8Array, readonly [string, number] | null]> = [];
  /** `[host, port]` once `connect()` was called. */
  connectedTo: [string, number] | null = null;
  /**
   * Records a datagram.
   * @throws TypeError when `data` is not bytes.
   */
  write(data: Uint8Array, addr?: readonly [string, number]): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("Data must be bytes (Uint8Array)");
    this.written.push([data, addr ?? null]);
  }
  /** Records the peer. */
  connect(host: string, port: number): void {
    this.connectedTo = [host, port];
  }
}

/** A connector that connects nowhere (what `MemoryReactor.connect*` returns). */
export class FakeConnector implements IConnector {
  /** True once `stopConnecting()` was called. */
  stoppedConnecting = false;
  /** True once `disconnect()` was called. */
  disconnected = false;
  /** How many times `connect()` was called. */
  connectCalls = 0;
  constructor(private readonly address: IAddress) {}
  /** Records the request. */
  stopConnecting(): void {
    this.stoppedConnecting = true;
  }
  /** Records the request. */
  disconnect(): void {
    this.disconnected = true;
  }
  /** Records the request. */
  connect(): void {
    this.connectCalls++;
  }
  /** Where it pretends to connect. */
  getDestination(): IAddress {
    return this.address;
  }
}

function isIPv6(host: string): boolean {
  return host.includes(":");
}

/** Records network calls and runs system event triggers; see the module doc. */
export class MemoryReactor implements ReactorCore, ReactorTCP, ReactorUNIX, ReactorUDP {
  /** True between `run()` and `stop()`. */
  running = false;
  /** Whether `run()` was called. */
  hasRun = false;
  /** Whether `stop()` was called. */
  hasStopped = false;
  /** `[port, factory, backlog, interface]` per `listenTCP`. */
  readonly tcpServers: Array<[number, IProtocolFactory, number, string]> = [];
  /** `[host, port, factory, timeout, bindAddress]` per `connectTCP`. */
  readonly tcpClients: Array<[string, number, IProtocolFactory, number, readonly [string, number] | null]> = [];
  /** `[address, factory, backlog, mode, wantPID]` per `listenUNIX` (`wantPID` is always false: reed has no PID lock files). */
  readonly unixServers: Array<[string, IProtocolFactory, number, number, boolean]> = [];
  /** `[address, factory, timeout, checkPID]` per `connectUNIX` (`checkPID` is always false). */
  readonly unixClients: Array<[string, IProtocolFactory, number, boolean]> = [];
  /** `[port, protocol, interface, maxPacketSize]` per `listenUDP`. */
  readonly udpPorts: Array<[number, IDatagramProtocol, string, number]> = [];
  /** Every connector handed out, in order. */
  readonly connectors: FakeConnector[] = [];
  /** `callWhenRunning` functions, as `[fn, args]`, in order (also added as `after startup` triggers). */
  readonly whenRunningHooks: Array<[(...args: never[]) => unknown, readonly unknown[]]> = [];

  private readonly events: Record<SystemEventType, ThreePhaseEvent>;
  private finished: Deferred<void> | null = null;

  constructor(log: Logger = new Logger("reed.testing.memory-reactor")) {
    this.events = { startup: new ThreePhaseEvent("startup", log), shutdown: new ThreePhaseEvent("shutdown", log) };
    this.addSystemEventTrigger("during", "startup", () => {
      this.running = true;
    });
    this.addSystemEventTrigger("during", "shutdown", () => {
      this.running = false;
    });
  }

  // ------------------------------------------------------------------ ReactorCore

  /**
   * Fires `startup` now and returns a Deferred that fires after `stop()` has run `shutdown`.
   * @throws ReactorAlreadyRunning / ReactorNotRestartable.
   */
  run(): Deferred<void> {
    if (this.finished) throw new ReactorAlreadyRunning();
    if (this.hasRun) throw new ReactorNotRestartable();
    this.hasRun = true;
    const finished = (this.finished = new Deferred<void>());
    this.fireSystemEvent("startup");
    return finished;
  }

  /** Runs `shutdown` now. @throws ReactorNotRunning if not started or already stopped. */
  stop(): void {
    if (!this.finished || this.hasStopped) throw new ReactorNotRunning();
    this.hasStopped = true;
    const finished = this.finished;
    this.events.shutdown.fire().addCallback(() => {
      this.finished = null;
      finished.callback(undefined);
    });
  }

  /** Calls `fn` now if running, else records it and adds it as an `after startup` trigger. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): SystemEventTriggerID | undefined {
    if (this.running) {
      fn(...args);
      return undefined;
    }
    this.whenRunningHooks.push([fn as (...a: never[]) => unknown, args]);
    return this.addSystemEventTrigger("after", "startup", fn, ...args);
  }

  /** Adds a trigger (it runs when `run()`/`stop()` fire the event). */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID {
    const t = new Trigger(event, phase, fn as (...a: never[]) => unknown, args);
    this.events[event].add(t);
    return t;
  }

  /** Removes a pending trigger. @throws RangeError when it is not pending. */
  removeSystemEventTrigger(id: SystemEventTriggerID): void {
    if (!(id instanceof Trigger)) throw new RangeError("Invalid system event trigger ID");
    this.events[id.event].remove(id);
  }

  /** Fires `event`'s triggers now. */
  fireSystemEvent(event: SystemEventType): void {
    void this.events[event].fire();
  }

  /** Calls `fn(...args)` at once (there is no loop to queue it on). */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    fn(...args);
  }

  // ------------------------------------------------------------------ networking

  /**
   * Records a TCP server (`backlog` default 50, `interface` default `""`, as Twisted records them)
   * and returns a FakePort on `0.0.0.0:port` (or the IPv6 interface).
   */
  listenTCP(port: number, factory: IProtocolFactory, options: TCPListenOptions = {}): FakePort {
    const iface = options.interface ?? "";
    this.tcpServers.push([port, factory, options.backlog ?? 50, iface]);
    return new FakePort(isIPv6(iface) ? new IPv6Address("TCP", iface, port) : new IPv4Address("TCP", "0.0.0.0", port));
  }

  /**
   * Records a TCP client (`timeout` default 30, `bindAddress` default null), tells the factory
   * `startedConnecting`, returns a FakeConnector.
   */
  connectTCP(host: string, port: number, factory: ClientFactoryLike, options: TCPConnectOptions = {}): FakeConnector {
    this.tcpClients.push([host, port, factory, options.timeout ?? 30, options.bindAddress ?? null]);
    const addr = isIPv6(host) ? new IPv6Address("TCP", host, port) : new IPv4Address("TCP", host, port);
    return this.connector(addr, factory);
  }

  /** Records a UNIX server (`backlog` default 50, `mode` default `0o666`) and returns a FakePort on `address`. */
  listenUNIX(address: string, factory: IProtocolFactory, options: UNIXListenOptions = {}): FakePort {
    this.unixServers.push([address, factory, options.backlog ?? 50, options.mode ?? 0o666, false]);
    return new FakePort(new UNIXAddress(address));
  }

  /** Records a UNIX client (`timeout` default 30), tells the factory `startedConnecting`, returns a FakeConnector. */
  connectUNIX(address: string, factory: ClientFactoryLike, options: { timeout?: number } = {}): FakeConnector {
    this.unixClients.push([address, factory, options.timeout ?? 30, false]);
    return this.connector(new UNIXAddress(address), factory);
  }

  /**
   * Records a UDP port (`interface` default `""`, `maxPacketSize` default 8192) and returns a
   * FakeUDPPort on `0.0.0.0:port` (or the IPv6 interface). The protocol is not started, as in Twisted.
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options: UDPListenOptions = {}): FakeUDPPort {
    const iface = options.interface ?? "";
    this.udpPorts.push([port, protocol, iface, options.maxPacketSize ?? 8192]);
    return new FakeUDPPort(isIPv6(iface) ? new IPv6Address("UDP", iface, port) : new IPv4Address("UDP", "0.0.0.0", port));
  }

  private connector(addr: IAddress, factory: ClientFactoryLike): FakeConnector {
    const conn = new FakeConnector(addr);
    factory.startedConnecting?.(conn);
    this.connectors.push(conn);
    return conn;
  }
}

/** A MemoryReactor with fake time: a `Clock`'s `callLater`, `advance`, `pump`, `seconds`. */
export class MemoryReactorClock extends MemoryReactor implements ReactorTime {
  /** The Clock behind the time methods. */
  readonly clock = new Clock();

  /** The current fake time. */
  get rightNow(): number {
    return this.clock.rightNow;
  }
  set rightNow(t: number) {
    this.clock.rightNow = t;
  }
  /** The current fake time. */
  seconds(): number {
    return this.clock.seconds();
  }
  /** Schedules `fn(...args)` at `seconds() + delay` (see `Clock.callLater`). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }
  /** The pending calls, soonest first. */
  getDelayedCalls(): DelayedCall[] {
    return this.clock.getDelayedCalls();
  }
  /** Moves time forward, running due calls (see `Clock.advance`). */
  advance(amount: number): void {
    this.clock.advance(amount);
  }
  /** `advance()` by each amount in turn. */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }
}
