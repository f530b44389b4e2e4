/**
 * TCP on Node: `listenTCP` and `connectTCP`, taking the reactor as their first argument (the
 * NodeReactor's `listenTCP`/`connectTCP` methods call these). IPv4 and IPv6.
 */
import net from "node:net";
import type { IProtocolFactory, ReactorTime, TCPConnectOptions, TCPListenOptions } from "../interfaces.js";
import type { IPv4Address, IPv6Address } from "../protocols/address.js";
import { Connector } from "./connector.js";
import { Port } from "./port.js";

/** Options of `listenTCP` (see `TCPListenOptions`). */
export type ListenTCPOptions = TCPListenOptions;

/** Options of `connectTCP`: `TCPConnectOptions` plus an injectable host-name lookup. */
export interface ConnectTCPOptions extends TCPConnectOptions {
  /**
   * Host-name lookup to use instead of the system resolver (Node's `dns.lookup` signature); for
   * tests and custom resolvers.
   */
  lookup?: net.LookupFunction;
}

/** Copies `bindAddress` and `lookup` from reed's connect options onto Node's (TCP and TLS share it). */
export function applyConnectOptions(opts: net.TcpNetConnectOpts, options: ConnectTCPOptions): void {
  if (options.bindAddress) {
    opts.localAddress = options.bindAddress[0];
    opts.localPort = options.bindAddress[1];
  }
  if (options.lookup) opts.lookup = options.lookup;
}

/**
 * Listens for TCP connections on `port` (0 = any free port), building a protocol per connection
 * with `factory`. Binding happens now: `getHost()` has the real port when this returns.
 * @returns the listening port; `stopListening()` closes it.
 * @throws CannotListenError when the address cannot be bound.
 */
export function listenTCP(reactor: ReactorTime, port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): Port<IPv4Address | IPv6Address> {
  const iface = options.interface ?? "0.0.0.0";
  const p = new Port<IPv4Address | IPv6Address>(reactor, { kind: "TCP", port, interface: iface }, factory, options.backlog ?? 50, () =>
    net.createServer({ allowHalfOpen: true }),
  );
  p.startListening();
  return p;
}

/**
 * Connects to `host:port` (a name, an IPv4 or an IPv6 address), reporting to `factory`
 * (`startedConnecting`, then `buildProtocol` or `clientConnectionFailed`, later
 * `clientConnectionLost`). Failures arrive as `ConnectionRefusedError`, `DNSLookupError`,
 * `TimeoutError` or another `ConnectError`.
 * @returns the connector (already connecting).
 */
export function connectTCP(reactor: ReactorTime, host: string, port: number, factory: IProtocolFactory, options: ConnectTCPOptions = {}): Connector {
  const c = new Connector(reactor, { kind: "TCP", host, port }, factory, options.timeout ?? 30, () => {
    const opts: net.TcpNetConnectOpts = { host, port, allowHalfOpen: true };
    applyConnectOptions(opts, options);
    return { socket: net.connect(opts), readyEvent: "connect" };
  });
  c.connect();
  return c;
}
