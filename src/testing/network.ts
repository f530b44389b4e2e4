/**
 * MemoryNetwork: an in-memory TCP network on a `Clock`, with the reactor's `listenTCP`/
 * `connectTCP` shapes, so a whole client/server program (factories and protocols) runs
 * deterministically in a test, optionally under seeded faults: delivery in small chunks,
 * latency, reordering between connections, peer resets and refused connections.
 *
 * Invariants:
 * - Everything happens in clock callbacks: nothing moves until the clock is advanced (`run()`).
 * - Every random choice (chunk sizes, latencies, faults) comes from one source seeded by `seed`
 *   and is drawn in event order, so the same program with the same seed produces the same
 *   `trace`, event for event; a failing seed replays exactly.
 * - Within one direction of one connection bytes arrive in order; between connections (and
 *   between the two directions) deliveries interleave as latencies fall.
 * - Connector and factory callbacks follow Twisted's order: `doStart`, `startedConnecting`,
 *   then `buildProtocol`/`makeConnection` or `clientConnectionFailed`; after a connection,
 *   `protocol.connectionLost` then `clientConnectionLost`, then `doStop` unless the factory
 *   reconnected from inside the callback.
 */
import { ConnectionLost, ConnectionRefusedError, CannotListenError, DNSLookupError, TimeoutError, UserError } from "../errors.js";
import { Deferred } from "../deferred.js";
import { Failure } from "../failure.js";
import type {
  ClientFactoryLike,
  IConnector,
  IDelayedCall,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  ReactorTCP,
  ReactorTime,
  TCPListenOptions,
} from "../interfaces.js";
import { Logger } from "../logger.js";
import { IPv4Address } from "../protocols/address.js";
import { Protocol } from "../protocols/protocol.js";
import { seededRandom } from "../_internal/random.js";
import { Clock } from "./clock.js";
import { MemoryTransport, type PipeHost } from "./memory-transport.js";

const log = new Logger("reed.testing.network");

/** Seeded faults a `MemoryNetwork` applies. All default to "none". */
export interface NetworkFaults {
  /** Deliver each write in chunks of 1..maxChunkSize bytes (random sizes). */
  maxChunkSize?: number;
  /** Delivery latency in seconds: a fixed number, or `[min, max]` for a random one per chunk. */
  latency?: number | readonly [number, number];
  /** Probability, per delivered chunk, that the connection is reset (both ends: `ConnectionLost`). */
  resetRate?: number;
  /** Probability that a connection attempt to a listening port is refused anyway. */
  refuseRate?: number;
}

/** Options for `MemoryNetwork`. */
export interface MemoryNetworkOptions {
  /** The clock to run on (default a new `Clock`). */
  clock?: Clock;
  /** Seed of the random source behind every fault (default 0). */
  seed?: number;
  /** The faults to apply. */
  faults?: NetworkFaults;
  /** Queued bytes above which a streaming producer is paused (default 65536). */
  bufferSize?: number;
  /** Host names that fail to resolve (`DNSLookupError`). */
  unresolvable?: Iterable<string>;
}

/**
 * Options for `MemoryNetwork.listenTCP`: the reactor's `TCPListenOptions` (`backlog` is ignored;
 * `interface` defaults to `"0.0.0.0"`, any).
 */
export type ListenOptions = TCPListenOptions;

/** Options for `MemoryNetwork.connectTCP`: the reactor's `TCPConnectOptions`, plus `timeout: null`. */
export interface ConnectOptions {
  /**
   * Seconds to wait for the connection before failing with `TimeoutError` (default 30; 0 or
   * null for no limit, as the reactor's 0).
   */
  timeout?: number | null;
  /** Ignored (accepted for the same shape as the reactor's). */
  bindAddress?: readonly [string, number];
}

/** One established connection: its id and its two ends. */
export interface MemoryConnection {
  /** `c1`, `c2`... in order of connection attempts. */
  readonly id: string;
  /** The client's end. */
  readonly client: MemoryTransport;
  /** The server's end. */
  readonly server: MemoryTransport;
}

/** A port listening on a `MemoryNetwork`. */
export class MemoryListeningPort implements IListeningPort {
  /** False after `stopListening()`. */
  listening = true;
  constructor(
    private readonly network: MemoryNetwork,
    /** The factory building server protocols. */
    readonly factory: IProtocolFactory,
    private readonly address: IPv4Address,
  ) {}

  /** Stops accepting connections (existing ones go on); fires on the clock's next step. */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (!this.listening) {
      d.callback(undefined);
      return d;
    }
    this.listening = false;
    this.network.unlisten(this);
    this.network.callLater(0, () => {
      this.factory.doStop();
      d.callback(undefined);
    });
    return d;
  }

  /** The address it listens on. */
  getHost(): IPv4Address {
    return this.address;
  }

  /** `<MemoryListeningPort 0.0.0.0:8000>`. */
  toString(): string {
    return `<MemoryListeningPort ${this.address.host}:${this.address.port}>`;
  }
}

/** The state of a `MemoryConnector`, as Twisted's. */
export type ConnectorState = "disconnected" | "connecting" | "connected";

/** An outgoing connection on a `MemoryNetwork`; reconnecting factories call `connect()` again. */
export class MemoryConnector implements IConnector {
  /** Where it is in its life. */
  state: ConnectorState = "disconnected";
  /** The current connection's client end, once connected. */
  transport: MemoryTransport | null = null;
  private factoryStarted = false;
  private attempt = 0;
  private timeoutCall: IDelayedCall | null = null;

  constructor(
    private readonly network: MemoryNetwork,
    /** Host name asked for. */
    readonly host: string,
    /** Port asked for. */
    readonly port: number,
    /** The client factory. */
    readonly factory: ClientFactoryLike,
    /** Seconds before an attempt times out, or null. */
    readonly timeout: number | null,
  ) {}

  /**
   * Starts a connection attempt.
   * @throws Error when not disconnected.
   */
  connect(): void {
    if (this.state !== "disconnected") throw new Error(`Cannot connect in this state: ${this.state}`);
    this.state = "connecting";
    if (!this.factoryStarted) {
      this.factory.doStart();
      this.factoryStarted = true;
    }
    const attempt = ++this.attempt;
    if (this.timeout !== null) {
      this.timeoutCall = this.network.callLater(this.timeout, () => {
        this.timeoutCall = null;
        this.network.record(`timeout ${this.host}:${this.port}`);
        this.failAttempt(attempt, new Failure(new TimeoutError()));
      });
    }
    this.factory.startedConnecting?.(this);
    this.network.startAttempt(this, attempt);
  }

  /** @internal Whether `attempt` is the one in progress. */
  isCurrent(attempt: number): boolean {
    return this.state === "connecting" && attempt === this.attempt;
  }

  /** @internal The attempt failed: tell the factory (then `doStop`, unless it reconnected). */
  failAttempt(attempt: number, reason: Failure): void {
    if (!this.isCurrent(attempt)) return;
    this.cancelTimeout();
    this.attempt++;
    this.state = "disconnected";
    this.transport = null;
    this.network.record(`failed ${this.host}:${this.port} ${reason.typeName}`);
    this.factory.clientConnectionFailed?.(this, reason);
    if (this.state === "disconnected") {
      this.factory.doStop();
      this.factoryStarted = false;
    }
  }

  /** @internal The attempt succeeded: a protocol from the factory (a closing one if it gave null). */
  buildProtocol(attempt: number, transport: MemoryTransport): IProtocol | null {
    if (!this.isCurrent(attempt)) return null;
    this.cancelTimeout();
    this.state = "connected";
    this.transport = transport;
    return this.factory.buildProtocol(transport.getPeer());
  }

  /** @internal The connection was lost (after the protocol heard). */
  connectionLost(reason: Failure): void {
    this.state = "disconnected";
    this.transport = null;
    this.factory.clientConnectionLost?.(this, reason);
    if (this.state === "disconnected") {
      this.factory.doStop();
      this.factoryStarted = false;
    }
  }

  private cancelTimeout(): void {
    if (this.timeoutCall?.active()) this.timeoutCall.cancel();
    this.timeoutCall = null;
  }

  /** Stops an attempt in progress (the factory sees `UserError`); does nothing otherwise. */
  stopConnecting(): void {
    if (this.state !== "connecting") return;
    this.failAttempt(this.attempt, new Failure(new UserError()));
  }

  /** Stops connecting, or closes the connection. */
  disconnect(): void {
    if (this.state === "connecting") this.stopConnecting();
    else if (this.state === "connected") this.transport?.loseConnection();
  }

  /** Where it connects to. */
  getDestination(): IPv4Address {
    return new IPv4Address("TCP", this.host, this.port);
  }

  /** `<MemoryConnector connecting 127.0.0.1:8000>`. */
  toString(): string {
    return `<MemoryConnector ${this.state} ${this.host}:${this.port}>`;
  }
}

/**
 * An in-memory network with the reactor's TCP shapes, on a Clock. Drive it with `run()` (or the
 * clock's `advance`); inspect `trace` and `connections`.
 *
 * @example
 * const net = new MemoryNetwork({ seed: 7, faults: { maxChunkSize: 3, latency: [0.001, 0.05] } });
 * net.listenTCP(8000, Factory.forProtocol(Echo));
 * net.connectTCP("127.0.0.1", 8000, clientFactory);
 * net.run();
 */
export class MemoryNetwork implements ReactorTime, ReactorTCP {
  /** The clock everything runs on. */
  readonly clock: Clock;
  /** Every event, timestamped: the same seed and program give the same trace. */
  readonly trace: string[] = [];
  /**
   * The open connections, oldest first. A connection leaves the list once both ends have
   * closed, so the network keeps nothing of it (see `connectionsMade` for a count).
   */
  readonly connections: MemoryConnection[] = [];
  /** How many connections have been established so far. */
  connectionsMade = 0;
  private readonly random: () => number;
  private readonly faults: NetworkFaults;
  private readonly ports = new Map<number, MemoryListeningPort[]>();
  private readonly unresolvable: Set<string>;
  private nextEphemeral = 50000;
  private nextServerPort = 30000;
  private nextConnection = 1;
  private readonly pipeHost: PipeHost;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? new Clock();
    this.random = seededRandom(options.seed ?? 0);
    this.faults = options.faults ?? {};
    this.unresolvable = new Set(options.unresolvable ?? []);
    this.pipeHost = {
      schedule: (delay, fn) => {
        this.clock.callLater(delay, fn);
      },
      latency: () => this.sampleLatency(),
      chunkSize: (available) => {
        const m = this.faults.maxChunkSize;
        if (m === undefined || available <= 1) return available;
        return Math.min(available, 1 + Math.floor(this.random() * m));
      },
      resetNow: () => this.chance(this.faults.resetRate),
      record: (text) => this.record(text),
      ended: (transport) => {
        const peer = transport.peerTransport;
        if (!transport.disconnected || (peer && !peer.disconnected)) return;
        const i = this.connections.findIndex((c) => c.client === transport || c.server === transport);
        if (i >= 0) this.connections.splice(i, 1);
      },
      logError: (text, error) => log.failure(text, error, {}, "error"),
      bufferSize: options.bufferSize ?? 65536,
    };
  }

  /** The clock's time. */
  seconds(): number {
    return this.clock.seconds();
  }

  /** Schedules on the clock (see `ReactorTime.callLater`). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }

  /** The clock's pending calls. */
  getDelayedCalls(): IDelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /**
   * Runs the clock from one scheduled call to the next until nothing is scheduled, or until
   * `seconds` of fake time have passed when given.
   * @throws Error after `maxSteps` steps (a program that never goes idle: give `seconds`).
   */
  run(seconds?: number, maxSteps = 1_000_000): void {
    const until = seconds === undefined ? Infinity : this.clock.seconds() + seconds;
    for (let steps = 0; ; steps++) {
      if (steps >= maxSteps) throw new Error(`The network did not go idle: ${maxSteps} steps`);
      const next = this.clock.getDelayedCalls()[0];
      if (!next || next.getTime() > until) break;
      this.clock.advance(Math.max(0, next.getTime() - this.clock.seconds()));
    }
    if (until !== Infinity && until > this.clock.seconds()) this.clock.advance(until - this.clock.seconds());
  }

  /** @internal Appends to the trace. */
  record(text: string): void {
    this.trace.push(`${this.clock.seconds().toFixed(6)} ${text}`);
  }

  /**
   * Listens on `port` (0 picks a free one).
   * @throws CannotListenError when the port is taken on that interface.
   */
  listenTCP(port: number, factory: IProtocolFactory, options: ListenOptions = {}): MemoryListeningPort {
    const iface = options.interface ?? "0.0.0.0";
    if (port === 0) {
      while (this.ports.has(this.nextServerPort)) this.nextServerPort++;
      port = this.nextServerPort++;
    }
    const existing = this.ports.get(port) ?? [];
    if (existing.some((p) => p.getHost().host === iface || iface === "0.0.0.0" || p.getHost().host === "0.0.0.0")) {
      throw new CannotListenError(iface, port, new Error("Address already in use"));
    }
    const listening = new MemoryListeningPort(this, factory, new IPv4Address("TCP", iface, port));
    this.ports.set(port, [...existing, listening]);
    factory.doStart();
    this.record(`listen ${iface}:${port}`);
    return listening;
  }

  /** @internal A port stopped listening. */
  unlisten(p: MemoryListeningPort): void {
    const port = p.getHost().port;
    const left = (this.ports.get(port) ?? []).filter((x) => x !== p);
    if (left.length) this.ports.set(port, left);
    else this.ports.delete(port);
    this.record(`stop listening ${p.getHost().host}:${port}`);
  }

  /** Connects to `host:port`; the factory hears how it goes. Returns the connector (already connecting). */
  connectTCP(host: string, port: number, factory: ClientFactoryLike, options: ConnectOptions = {}): MemoryConnector {
    const c = new MemoryConnector(this, host, port, factory, options.timeout === undefined ? 30 : options.timeout || null);
    c.connect();
    return c;
  }

  private findPort(host: string, port: number): MemoryListeningPort | undefined {
    return (this.ports.get(port) ?? []).find((p) => p.getHost().host === "0.0.0.0" || p.getHost().host === host);
  }

  private sampleLatency(): number {
    const l = this.faults.latency;
    if (l === undefined) return 0;
    if (typeof l === "number") return l;
    return l[0] + this.random() * (l[1] - l[0]);
  }

  private chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.random() < p;
  }

  /** @internal Runs one connection attempt of `connector`. */
  startAttempt(connector: MemoryConnector, attempt: number): void {
    const id = `c${this.nextConnection++}`;
    const { host, port } = connector;
    this.record(`connect ${id} ${host}:${port}`);
    const pipeHost = this.pipeHost;
    this.clock.callLater(this.sampleLatency(), () => {
      if (!connector.isCurrent(attempt)) return;
      if (this.unresolvable.has(host)) {
        connector.failAttempt(attempt, new Failure(new DNSLookupError(`DNS lookup failed: address '${host}' not found`)));
        return;
      }
      const listening = this.findPort(host, port);
      if (!listening || this.chance(this.faults.refuseRate)) {
        this.record(`refused ${id} ${host}:${port}${listening ? " (fault)" : ""}`);
        connector.failAttempt(attempt, new Failure(new ConnectionRefusedError("Connection was refused by other side: 111: Connection refused.")));
        return;
      }
      const clientAddr = new IPv4Address("TCP", "127.0.0.1", this.nextEphemeral++);
      const serverAddr = new IPv4Address("TCP", host, port);
      const now = () => this.clock.seconds();
      const server = new MemoryTransport(pipeHost, `${id}.server`, serverAddr, clientAddr, now);
      const client = new MemoryTransport(pipeHost, `${id}.client`, clientAddr, serverAddr, now);
      MemoryTransport.join(server, client);
      let serverProtocol: IProtocol | null;
      try {
        serverProtocol = listening.factory.buildProtocol(clientAddr);
      } catch (e) {
        log.failure(`Unhandled error in ${String(listening)} buildProtocol; refusing the connection`, e, {}, "error");
        serverProtocol = null;
      }
      this.connections.push({ id, client, server });
      this.connectionsMade++;
      if (serverProtocol === null) {
        // The factory refuses this peer: as in Twisted the socket is accepted and closed at
        // once, so the client connects and then sees the connection closed.
        this.record(`rejected ${id} by ${listening}`);
        serverProtocol = new Protocol();
        server.attach(serverProtocol);
        server.loseConnection();
      } else {
        this.record(`accepted ${id}`);
        server.attach(serverProtocol);
      }
      // The client learns of it one latency later (the SYN-ACK).
      this.clock.callLater(this.sampleLatency(), () => {
        if (!connector.isCurrent(attempt)) {
          // The client gave up meanwhile (timeout or stopConnecting): the server sees a reset.
          server.closeWith(new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: Connection reset by peer.")), false);
          return;
        }
        let clientProtocol = connector.buildProtocol(attempt, client);
        client.onClosed = (reason) => connector.connectionLost(reason);
        this.record(`connected ${id}`);
        if (clientProtocol === null) {
          clientProtocol = new Protocol();
          client.attach(clientProtocol);
          client.loseConnection();
          return;
        }
        client.attach(clientProtocol);
      });
    });
  }

  /** Resets `connection` now: both ends lose it with `ConnectionLost` (a peer vanishing). */
  resetConnection(connection: MemoryConnection): void {
    this.record(`reset ${connection.id}`);
    connection.client.reset();
  }
}
