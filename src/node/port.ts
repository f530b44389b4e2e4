/**
 * Port: a listening stream socket (TCP, TLS or UNIX) that builds a protocol per accepted
 * connection with its factory.
 *
 * Binding is synchronous where Node allows it, as in Twisted: after `startListening()` returns,
 * `getHost()` has the real port and a bind failure has already been thrown as
 * `CannotListenError`. (For an IP-literal TCP interface reed binds the handle itself; for a host
 * *name* Node must resolve it first, so binding completes a moment later and a failure is logged.)
 */
import { existsSync } from "node:fs";
import net from "node:net";
import { getSystemErrorName } from "node:util";
import { CannotListenError } from "../errors.js";
import { Deferred } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { IListeningPort, IProtocol, IProtocolFactory, ReactorTime } from "../interfaces.js";
import { Logger } from "../logger.js";
import { IPv4Address, IPv6Address, UNIXAddress, type IAddress } from "../protocols/address.js";
import { Connection, describeAddr, socketAddress } from "./connection.js";
import { creatorStack, hasRegistry, track, untrack, type TrackedResource } from "./_resources.js";

const log = new Logger("reed.node.port");

/** Where a Port listens: a TCP interface and port, or a UNIX socket path. */
export type PortAddress =
  | { readonly kind: "TCP"; readonly port: number; readonly interface: string }
  | { readonly kind: "UNIX"; readonly path: string };

/** Node's cluster helper that creates and binds a server handle synchronously (present since Node 0.x). */
type CreateServerHandle = (address: string, port: number, addressType: number, fd?: number, flags?: number) => object | number;
const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;

/**
 * A listening server socket. Accepted connections get a `Connection` transport and a protocol
 * from `factory.buildProtocol(peerAddress)`; a factory that returns null (or throws, which is
 * logged) refuses the connection by closing it. `stopListening()` closes only the listening
 * socket: established connections carry on, as in Twisted.
 */
export class Port<A extends IAddress = IAddress> implements IListeningPort, TrackedResource {
  /** For the reactor's resource registry. */
  readonly kind: string;
  /** Where this port was created. */
  readonly creator = creatorStack();
  /** True while the socket is listening. */
  connected = false;
  /** The Node server underneath. */
  readonly server: net.Server;
  private host: IAddress;
  private stopped: Deferred<void> | null = null;
  private readonly tracking: boolean;
  /** The connections this port accepted that are still open. */
  readonly connections = new Set<Connection>();

  /**
   * Makes a port; call `startListening()` to bind it.
   * @param reactor the reactor the port and its connections run on.
   * @param address where to listen: a TCP interface and port, or a UNIX socket path.
   * @param factory builds one protocol per accepted connection.
   * @param backlog how many not-yet-accepted connections the OS may queue.
   * @param makeServer creates the Node server (net or tls), calling the given listener per accepted socket.
   * @param secureEvent the server event that delivers ready sockets (`"connection"` or `"secureConnection"`).
   */
  constructor(
    readonly reactor: ReactorTime,
    readonly address: PortAddress,
    readonly factory: IProtocolFactory,
    readonly backlog: number,
    makeServer: () => net.Server,
    secureEvent: "connection" | "secureConnection" = "connection",
    kind = address.kind === "UNIX" ? "unix-port" : "tcp-port",
  ) {
    this.kind = kind;
    this.tracking = hasRegistry(reactor);
    this.server = makeServer();
    this.server.on(secureEvent, this.onConnection);
    this.server.on("error", this.onServerError);
    this.host =
      address.kind === "UNIX"
        ? new UNIXAddress(address.path)
        : net.isIPv6(address.interface)
          ? new IPv6Address("TCP", address.interface, address.port)
          : new IPv4Address("TCP", address.interface, address.port);
  }

  /**
   * Binds and starts listening, then calls `factory.doStart()`.
   * @throws CannotListenError when the address cannot be bound (in use, no permission...).
   */
  startListening(): void {
    const a = this.address;
    if (a.kind === "UNIX") {
      if (existsSync(a.path)) this.failListen(a.path, 0, "EADDRINUSE: the path exists");
      this.server.listen({ path: a.path, backlog: this.backlog });
      if (!this.server.listening) this.failListen(a.path, 0, "listen failed");
    } else {
      const family = net.isIP(a.interface);
      if (family !== 0 && typeof createServerHandle === "function") {
        const handle = createServerHandle(a.interface, a.port, family, undefined, 0);
        if (typeof handle === "number") this.failListen(a.interface, a.port, getSystemErrorName(handle));
        // On Linux a port in use is only detected by listen(2): do it here to get the error now.
        // (Node calls listen again on the same handle, which just keeps the backlog.)
        const err = (handle as { listen(backlog: number): number }).listen(this.backlog);
        if (err !== 0) {
          (handle as { close(): void }).close();
          this.failListen(a.interface, a.port, getSystemErrorName(err));
        }
        this.server.listen(handle, this.backlog);
        if (!this.server.listening) this.failListen(a.interface, a.port, "listen failed");
      } else {
        // A host name: Node resolves it first, so the bind completes (or fails) asynchronously.
        this.server.once("listening", () => this.updateHost());
        this.server.listen({ port: a.port, host: a.interface, backlog: this.backlog });
      }
    }
    this.connected = true;
    this.updateHost();
    track(this.reactor, this);
    this.factory.doStart();
    log.debug("{factory} starting on {address}", { factory: this.factory.constructor.name, address: describeAddr(this.host) });
  }

  private failListen(iface: string, port: number | string, why: string): never {
    // Node also reports the failure as an 'error' event on the next tick: it is already thrown here.
    this.server.removeListener("error", this.onServerError);
    this.server.on("error", () => {});
    this.server.close();
    throw new CannotListenError(iface, port, new Error(why));
  }

  private updateHost(): void {
    const info = this.server.address();
    if (info !== null && typeof info === "object") {
      this.host = info.family === "IPv6" ? new IPv6Address("TCP", info.address, info.port) : new IPv4Address("TCP", info.address, info.port);
    }
  }

  private readonly onServerError = (err: Error): void => {
    if (this.server.listening) {
      // An accept failure (EMFILE, ECONNABORTED...): log it and keep serving, as Twisted does.
      log.failure("Port {port} could not accept a connection", err, { port: describeAddr(this.host) }, "error");
      return;
    }
    // A bind that completed asynchronously (host-name interface) failed.
    const a = this.address;
    const e = new CannotListenError(a.kind === "UNIX" ? a.path : a.interface, a.kind === "UNIX" ? 0 : a.port, err);
    log.failure("Port {port} failed", e, { port: describeAddr(this.host) }, "error");
    if (this.connected) void this.stopListening();
  };

  private readonly onConnection = (socket: net.Socket): void => {
    const a = this.address;
    const peer = socketAddress(a.kind, socket.remoteFamily, socket.remoteAddress, socket.remotePort, null);
    let protocol: IProtocol | null;
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (e) {
      log.failure("Factory {factory} failed to build a protocol for {peer}", e, { factory: this.factory.constructor.name, peer: describeAddr(peer) });
      protocol = null;
    }
    if (protocol === null) {
      socket.on("error", () => {});
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, protocol, a.kind, peer, this.onConnectionLost, a.kind === "UNIX" ? a.path : null);
    this.connections.add(conn);
    if (this.tracking) track(this.reactor, connectionResource(conn, this.creator));
    conn.start();
  };

  private readonly onConnectionLost = (conn: Connection): void => {
    this.connections.delete(conn);
    if (this.tracking) untrack(this.reactor, connectionResource(conn, this.creator));
  };

  /**
   * Stops accepting connections; fires once the listening socket is closed, after
   * `factory.doStop()`. Established connections are not closed. Calling it again returns the
   * same Deferred's result (a new Deferred fired at the same time).
   */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.stopped !== null) {
      this.stopped.addBoth(() => d.callback(undefined));
      return d;
    }
    const stopped = new Deferred<void>();
    this.stopped = stopped;
    stopped.addBoth(() => d.callback(undefined));
    if (!this.connected) {
      stopped.callback(undefined);
      return d;
    }
    this.connected = false;
    // Node's close callback waits for every accepted connection to end; Twisted's stopListening
    // is about the listening socket only. Its handle is freed in the close phase of this loop
    // iteration, so the second setImmediate from now runs after the port is free again.
    this.server.close();
    setImmediate(() => setImmediate(() => this.finishStop(stopped)));
    return d;
  }

  /**
   * Stops listening now because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`): the listening socket is closed and
   * `factory.doStop()` runs before this returns (as in Twisted's `Port.connectionLost`); a
   * `stopListening()` Deferred fires then too. Accepted connections are closed separately.
   */
  disconnectAtShutdown(_reason: Failure): void {
    if (this.stopped !== null || !this.connected) return;
    const stopped = (this.stopped = new Deferred<void>());
    this.connected = false;
    this.server.close();
    this.finishStop(stopped);
  }

  private finishStop(stopped: Deferred<void>): void {
    untrack(this.reactor, this);
    try {
      this.factory.doStop();
    } catch (e) {
      log.failure("Factory {factory} failed in doStop", e, { factory: this.factory.constructor.name });
    }
    stopped.callback(undefined);
  }

  /** The address it listens on (with the real port when 0 was asked for). */
  getHost(): A {
    return this.host as A;
  }

  /** One line for the resource registry. */
  describe(): string {
    return `${this.kind} ${describeAddr(this.host)} (${this.factory.constructor.name})`;
  }

  /** `<Port tcp-port 127.0.0.1:8000>`. */
  toString(): string {
    return `<Port ${this.describe()}>`;
  }
}

const resources = new WeakMap<Connection, TrackedResource>();

/** The registry entry for a connection (one per connection, made on first use). */
export function connectionResource(conn: Connection, creator: string): TrackedResource {
  let r = resources.get(conn);
  if (r === undefined) {
    r = {
      kind: conn.getHost() instanceof UNIXAddress ? "unix-connection" : "tcp-connection",
      describe: () => conn.toString(),
      creator,
      disconnectAtShutdown: (reason) => conn.disconnectAtShutdown(reason),
    };
    resources.set(conn, r);
  }
  return r;
}
