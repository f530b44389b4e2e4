/**
 * Connector: one outgoing stream connection (TCP, TLS or UNIX) and its attempts, reporting to a
 * ClientFactory as Twisted's connectors do.
 *
 * States: `disconnected` → `connecting` (attempt running, timeout armed) → `connected` → back to
 * `disconnected` when the attempt fails or the connection is lost. `factory.doStart()` is called
 * when the first attempt starts and `doStop()` when the connector ends up disconnected and nobody
 * called `connect()` again from `clientConnectionFailed`/`clientConnectionLost` (how reconnecting
 * factories retry).
 *
 * Every failure of an attempt (refused, DNS, timeout, `stopConnecting`, TLS handshake) reaches
 * `factory.clientConnectionFailed(connector, reason)` exactly once; nothing escapes as an
 * unhandled `'error'` event.
 */
import net from "node:net";
import { ConnectError, NotConnectingError, TimeoutError, UserError } from "../errors.js";
import { Failure } from "../failure.js";
import type { ClientFactoryLike, IConnector, IDelayedCall, IProtocol, IProtocolFactory, ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import { IPv4Address, IPv6Address, UNIXAddress, type IAddress } from "../protocols/address.js";
import { Connection, describeAddr, socketAddress } from "./connection.js";
import { connectErrorFrom } from "./_errors.js";
import { connectionResource } from "./port.js";
import { creatorStack, hasRegistry, track, untrack, type TrackedResource } from "./_resources.js";

const log = new Logger("reed.node.connector");

/** Starts one connection attempt: a socket that is connecting, and the event that says it is ready. */
export type Dialer = () => { socket: net.Socket; readyEvent: "connect" | "secureConnect" };

/** Where a Connector connects: a TCP host and port, or a UNIX socket path. */
export type ConnectorAddress =
  | { readonly kind: "TCP"; readonly host: string; readonly port: number }
  | { readonly kind: "UNIX"; readonly path: string };

/**
 * A pending or established outgoing connection. Made (and started) by `connectTCP`,
 * `connectUNIX` and `connectSSL`.
 */
export class Connector implements IConnector, TrackedResource {
  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  state: "disconnected" | "connecting" | "connected" = "disconnected";
  /** The transport while connected. */
  transport: Connection | null = null;
  /** For the reactor's resource registry. */
  readonly kind: string;
  /** Where this connector was created. */
  readonly creator = creatorStack();
  private socket: net.Socket | null = null;
  private timeoutCall: IDelayedCall | null = null;
  private factoryStarted = false;
  private connResource: TrackedResource | null = null;

  /**
   * Makes a connector in the `disconnected` state; `connect()` starts the first attempt.
   * @param reactor the reactor the connection runs on.
   * @param address where to connect: a TCP host and port, or a UNIX socket path.
   * @param factory the client factory told of each attempt's start, failure and loss.
   * @param timeout seconds an attempt may take (resolution, connect and any handshake); 0 or
   *   less = no limit.
   * @param dial starts one attempt.
   */
  constructor(
    readonly reactor: ReactorTime,
    readonly address: ConnectorAddress,
    readonly factory: IProtocolFactory,
    readonly timeout: number,
    private readonly dial: Dialer,
  ) {
    this.kind = address.kind === "UNIX" ? "unix-connector" : "tcp-connector";
  }

  /**
   * Starts an attempt: `factory.doStart()` (first time), arms the timeout, then
   * `factory.startedConnecting(this)`.
   * @throws Error when already connecting or connected.
   */
  connect(): void {
    if (this.state !== "disconnected") throw new Error(`Cannot connect: the connector is ${this.state}`);
    this.state = "connecting";
    if (!this.factoryStarted) {
      this.factory.doStart();
      this.factoryStarted = true;
    }
    track(this.reactor, this);
    let started: ReturnType<Dialer>;
    try {
      started = this.dial();
    } catch (e) {
      // Bad arguments (an invalid port, say) are thrown by Node synchronously: report them like any failure.
      this.reactor.callLater(0, () => this.connectionFailed(connectErrorFrom(e)));
      (this.factory as ClientFactoryLike).startedConnecting?.(this);
      return;
    }
    const { socket, readyEvent } = started;
    this.socket = socket;
    socket.on("error", this.onAttemptError);
    socket.once(readyEvent, this.onReady);
    if (this.timeout > 0) this.timeoutCall = this.reactor.callLater(this.timeout, this.onTimeout);
    (this.factory as ClientFactoryLike).startedConnecting?.(this);
  }

  private readonly onTimeout = (): void => {
    this.timeoutCall = null;
    this.connectionFailed(new TimeoutError("User timeout caused connection failure.", this.timeout));
  };

  private readonly onAttemptError = (err: Error): void => {
    this.connectionFailed(connectErrorFrom(err));
  };

  private readonly onReady = (): void => {
    const socket = this.socket;
    if (this.state !== "connecting" || socket === null) return;
    this.cancelTimeout();
    const a = this.address;
    const peer = socketAddress(a.kind, socket.remoteFamily, socket.remoteAddress, socket.remotePort, a.kind === "UNIX" ? a.path : null);
    let protocol: IProtocol | null;
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (e) {
      log.failure("Factory {factory} failed to build a protocol for {peer}", e, { factory: this.factory.constructor.name, peer: describeAddr(peer) });
      this.connectionFailed(new ConnectError(`Factory failed to build a protocol: ${e instanceof Error ? e.message : String(e)}`, "ERR_REED_CONNECT", { cause: e }));
      return;
    }
    if (protocol === null) {
      this.connectionFailed(new ConnectError("Factory refused to build a protocol: buildProtocol returned null"));
      return;
    }
    socket.removeListener("error", this.onAttemptError);
    this.state = "connected";
    this.socket = null;
    const conn = new Connection(socket, protocol, a.kind, peer, this.onConnectionLost, null, true);
    this.transport = conn;
    if (hasRegistry(this.reactor)) {
      this.connResource = connectionResource(conn, this.creator);
      track(this.reactor, this.connResource);
    }
    conn.start();
  };

  private cancelTimeout(): void {
    if (this.timeoutCall !== null) {
      if (this.timeoutCall.active()) this.timeoutCall.cancel();
      this.timeoutCall = null;
    }
  }

  /** An attempt failed: close its socket, tell the factory, stop the factory unless it reconnected. */
  private connectionFailed(reason: Error): void {
    if (this.state !== "connecting") return;
    this.cancelTimeout();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.removeListener("error", this.onAttemptError);
      socket.on("error", () => {}); // late errors from a socket we gave up on
      socket.destroy();
    }
    this.state = "disconnected";
    untrack(this.reactor, this);
    try {
      (this.factory as ClientFactoryLike).clientConnectionFailed?.(this, new Failure(reason));
    } catch (e) {
      log.failure("Factory {factory} failed in clientConnectionFailed", e, { factory: this.factory.constructor.name });
    }
    this.maybeStopFactory();
  }

  private readonly onConnectionLost = (_conn: Connection, reason: Failure): void => {
    if (this.connResource !== null) untrack(this.reactor, this.connResource);
    this.connResource = null;
    this.transport = null;
    this.state = "disconnected";
    untrack(this.reactor, this);
    try {
      (this.factory as ClientFactoryLike).clientConnectionLost?.(this, reason);
    } catch (e) {
      log.failure("Factory {factory} failed in clientConnectionLost", e, { factory: this.factory.constructor.name });
    }
    this.maybeStopFactory();
  };

  private maybeStopFactory(): void {
    if (this.state === "disconnected" && this.factoryStarted) {
      this.factoryStarted = false;
      this.factory.doStop();
    }
  }

  /**
   * Gives up an attempt in progress because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`): the factory's `clientConnectionFailed` gets `reason`
   * before this returns. A connected connector's connection is closed as its own resource.
   */
  disconnectAtShutdown(reason: Failure): void {
    if (this.state === "connecting") this.connectionFailed(reason.value as Error);
  }

  /**
   * Stops the attempt in progress; the factory's `clientConnectionFailed` gets `UserError`.
   * @throws NotConnectingError when no attempt is in progress.
   */
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError();
    this.connectionFailed(new UserError());
  }

  /** Stops connecting, or closes the connection (`loseConnection`), whichever applies. */
  disconnect(): void {
    if (this.state === "connecting") this.stopConnecting();
    else if (this.state === "connected" && this.transport !== null) this.transport.loseConnection();
  }

  /** Where it connects to. */
  getDestination(): IAddress {
    const a = this.address;
    if (a.kind === "UNIX") return new UNIXAddress(a.path);
    return net.isIPv6(a.host) ? new IPv6Address("TCP", a.host, a.port) : new IPv4Address("TCP", a.host, a.port);
  }

  /** One line for the resource registry. */
  describe(): string {
    return `${this.kind} to ${describeAddr(this.getDestination())} (${this.state}, ${this.factory.constructor.name})`;
  }

  /** `<Connector tcp-connector to 127.0.0.1:80 (connecting, MyFactory)>`. */
  toString(): string {
    return `<Connector ${this.describe()}>`;
  }
}
