/**
 * UDP on Node (`node:dgram`): `listenUDP` binds a port and delivers datagrams to a
 * `DatagramProtocol`.
 *
 * As in Twisted, an IP-address interface (the default `0.0.0.0` included) is bound before
 * `listenUDP` returns: `getHost()` tells the real port at once, and a port in use throws
 * `CannotListenError` before the protocol starts. (Node resolves the interface before binding,
 * on a later tick; the socket's lookup answers IP addresses at once, so the bind happens inside
 * `bind()`.) A host-name interface still needs a DNS lookup, so that bind completes a moment
 * later: `whenListening()` fires then, and a failure is logged as `CannotListenError`, fails
 * `whenListening()` and stops the protocol (which was started at once, as in Twisted; datagrams
 * it writes meanwhile are queued by Node).
 */
import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";
import { CannotListenError } from "../errors.js";
import { Deferred } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { IDatagramProtocol, IUDPTransport, ReactorTime, UDPListenOptions } from "../interfaces.js";
import { Logger } from "../logger.js";
import { IPv4Address, IPv6Address } from "../protocols/address.js";
import { creatorStack, track, untrack, type TrackedResource } from "./_resources.js";

const log = new Logger("reed.node.udp");

/**
 * The socket's name lookup (for bind, connect and send): an IP address is answered at once,
 * which makes Node bind synchronously; a host name goes to `dns.lookup`.
 */
function lookupNow(
  address: string,
  options: dns.LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const ipFamily = net.isIP(address);
  if (ipFamily !== 0) callback(null, address, ipFamily);
  else dns.lookup(address, options, callback); // (Node 20 passes the family as a number: dns takes both)
}

/** A bound UDP socket: the transport of a `DatagramProtocol`. */
export class UDPPort implements IUDPTransport, TrackedResource {
  /** For the reactor's resource registry. */
  readonly kind = "udp-port";
  /** Where this port was created. */
  readonly creator = creatorStack();
  /** The Node socket underneath. */
  readonly socket: dgram.Socket;
  /** Largest datagram delivered whole; longer ones are truncated (as `recvfrom` does). */
  readonly maxPacketSize: number;
  private host: IPv4Address | IPv6Address;
  private connectedTo: [string, number] | null = null;
  private connectQueue: Uint8Array[] | null = null;
  private readonly listening = new Deferred<void>();
  private stopped: Deferred<void> | null = null;
  private open = true;
  // While `bind()` runs: an error then is a failed synchronous bind (see the module note).
  private binding = false;
  private bindError: Error | null = null;

  /**
   * Binds a UDP socket for `protocol`; `listenUDP` is the usual way to make one.
   * @param reactor the reactor the port runs on.
   * @param port the port number to bind; 0 picks a free one.
   * @param protocol receives the datagrams (`datagramReceived`) and refusals (`connectionRefused`).
   * @param options the interface to bind and the largest datagram delivered whole.
   * @throws CannotListenError when an IP-address interface cannot be bound (see `listenUDP`).
   */
  constructor(
    readonly reactor: ReactorTime,
    port: number,
    readonly protocol: IDatagramProtocol,
    options: UDPListenOptions = {},
  ) {
    const iface = options.interface ?? "0.0.0.0";
    this.maxPacketSize = options.maxPacketSize ?? 8192;
    const v6 = net.isIPv6(iface);
    this.host = v6 ? new IPv6Address("UDP", iface, port) : new IPv4Address("UDP", iface, port);
    this.socket = dgram.createSocket({ type: v6 ? "udp6" : "udp4", lookup: lookupNow });
    this.socket.on("error", this.onError);
    this.socket.on("message", this.onMessage);
    this.socket.once("listening", () => {
      const a = this.socket.address();
      this.host = a.family === "IPv6" ? new IPv6Address("UDP", a.address, a.port) : new IPv4Address("UDP", a.address, a.port);
      this.listening.callback(undefined);
    });
    this.binding = true;
    try {
      this.socket.bind(port, iface);
    } finally {
      this.binding = false;
    }
    if (this.bindError !== null) {
      this.open = false;
      this.socket.close();
      throw new CannotListenError(this.host.host, this.host.port, this.bindError);
    }
    track(reactor, this);
    protocol.makeConnection(this);
  }

  private readonly onError = (err: Error & { code?: string }): void => {
    if (this.binding) {
      this.bindError = err;
      return;
    }
    if (!this.listening.called) {
      const e = new CannotListenError(this.host.host, this.host.port, err);
      log.failure("UDP port {port} could not be bound", e, { port: `${this.host.host}:${this.host.port}` }, "error");
      this.listening.errback(e);
      void this.stopListening();
      return;
    }
    if (err.code === "ECONNREFUSED") {
      this.refused();
      return;
    }
    log.failure("UDP port {port} error", err, { port: `${this.host.host}:${this.host.port}` }, "warn");
  };

  private refused(): void {
    try {
      this.protocol.connectionRefused();
    } catch (e) {
      log.failure("Unhandled error in connectionRefused", e);
    }
  }

  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const c = this.connectedTo;
    if (c !== null && (rinfo.address !== c[0] || rinfo.port !== c[1])) return;
    const data = msg.length > this.maxPacketSize ? msg.subarray(0, this.maxPacketSize) : msg;
    try {
      this.protocol.datagramReceived(data, [rinfo.address, rinfo.port]);
    } catch (e) {
      log.failure("Unhandled error in datagramReceived of {protocol}", e, { protocol: this.protocol.constructor.name });
    }
  };

  private readonly onSent = (err: (Error & { code?: string }) | null): void => {
    if (err === null) return;
    if (err.code === "ECONNREFUSED") this.refused();
    else log.failure("Sending a datagram failed", err, {}, "warn");
  };

  /**
   * Whether the socket is bound; fires when it is (with `getHost()` then telling the real port),
   * fails with `CannotListenError` when binding failed.
   */
  whenListening(): Deferred<void> {
    const d = new Deferred<void>();
    this.listening.addCallbacks(
      () => {
        d.callback(undefined);
        return undefined;
      },
      (f) => {
        d.errback(f);
        return undefined;
      },
    );
    return d;
  }

  /**
   * Sends one datagram to `addr`, or to the connected peer when omitted.
   * @throws TypeError when `data` is not bytes, or when `addr` is missing on an unconnected port
   *   or given on a connected one.
   */
  write(data: Uint8Array, addr?: readonly [string, number]): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`Data must be bytes (Uint8Array), not ${typeof data === "object" ? (data as object)?.constructor?.name : typeof data}`);
    if (!this.open) return;
    if (this.connectedTo !== null) {
      if (addr !== undefined && (addr[0] !== this.connectedTo[0] || addr[1] !== this.connectedTo[1])) {
        throw new TypeError(`Cannot write to ${addr[0]}:${addr[1]}: the port is connected to ${this.connectedTo[0]}:${this.connectedTo[1]}`);
      }
      if (this.connectQueue !== null) this.connectQueue.push(data);
      else this.socket.send(data, this.onSent);
      return;
    }
    if (addr === undefined) throw new TypeError("Cannot write without an address: the port is not connected");
    this.socket.send(data, addr[1], addr[0], this.onSent);
  }

  /**
   * Connects the port to one peer: `write(data)` sends there, and datagrams from anyone else are
   * dropped; an ICMP refusal reaches `protocol.connectionRefused()`.
   * @throws Error when already connected; TypeError when `host` is not an IP address.
   */
  connect(host: string, port: number): void {
    if (this.connectedTo !== null) throw new Error("The UDP port is already connected: reconnecting is not supported");
    if (net.isIP(host) === 0) throw new TypeError(`Cannot connect a UDP port to ${host}: not an IP address`);
    this.connectedTo = [host, port];
    this.connectQueue = [];
    const doConnect = () =>
      this.socket.connect(port, host, () => {
        const q = this.connectQueue ?? [];
        this.connectQueue = null;
        for (const d of q) this.socket.send(d, this.onSent);
      });
    if (this.listening.called) doConnect();
    else this.listening.addCallback(() => void doConnect());
  }

  /** The bound address (the requested one until the bind completes; see `whenListening`). */
  getHost(): IPv4Address | IPv6Address {
    return this.host;
  }

  /** Closes the port; the protocol's `stopProtocol()` runs, then the Deferred fires. */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.stopped === null) {
      const stopped = new Deferred<void>();
      this.stopped = stopped;
      this.open = false;
      const finish = () => this.finishStop(stopped);
      try {
        this.socket.close(finish);
      } catch {
        finish(); // already closed (a failed bind)
      }
    }
    this.stopped.addBoth(() => d.callback(undefined));
    return d;
  }

  /**
   * Closes the port now because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`): the protocol's `stopProtocol()` runs before this
   * returns, as in Twisted's `udp.Port.connectionLost`.
   */
  disconnectAtShutdown(_reason: Failure): void {
    if (this.stopped !== null) return;
    const stopped = (this.stopped = new Deferred<void>());
    this.open = false;
    try {
      this.socket.close();
    } catch {
      // already closed (a failed bind)
    }
    this.finishStop(stopped);
  }

  private finishStop(stopped: Deferred<void>): void {
    untrack(this.reactor, this);
    try {
      this.protocol.doStop();
    } catch (e) {
      log.failure("Unhandled error in stopProtocol", e);
    }
    stopped.callback(undefined);
  }

  /** Same as `stopListening()`. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  /** One line for the resource registry. */
  describe(): string {
    return `udp-port ${this.host.host}:${this.host.port} (${this.protocol.constructor.name})`;
  }
}

/**
 * Binds a UDP port (0 = any free port) on `options.interface` (default `"0.0.0.0"`) and starts
 * `protocol` on it. On an IP-address interface the port is bound when this returns (`getHost()`
 * has the real port); a host-name interface binds a moment later (see the module note and
 * `whenListening()`).
 * @throws CannotListenError when an IP-address interface cannot be bound (e.g. the port is in
 *   use); the protocol is not started then.
 */
export function listenUDP(reactor: ReactorTime, port: number, protocol: IDatagramProtocol, options: UDPListenOptions = {}): UDPPort {
  return new UDPPort(reactor, port, protocol, options);
}
