/**
 * TLS over TCP on Node (`node:tls`): `listenSSL` and `connectSSL` (reactor first), configured
 * with PEM files as Twisted's `ssl:` endpoints are. The transport is the same `Connection`
 * (write/loseConnection/producers); the protocol's `connectionMade` runs once the handshake is
 * done, so a failed handshake is a failed connection attempt (`clientConnectionFailed`).
 * (To switch an established plain connection to TLS, see `Connection.startTLS`.)
 *
 * Half-close over TLS: `loseWriteConnection()` sends TLS's close_notify and then the TCP FIN,
 * and keeps reading; the peer's close_notify (or FIN) reaches a half-closeable protocol as
 * `readConnectionLost()`. Twisted 22.4 differs here: its TLS layer never calls
 * `readConnectionLost` (a close_notify shuts the whole connection) and its `loseWriteConnection`
 * sends a bare FIN without close_notify. A peer that closes without close_notify is reported as
 * `ConnectionDone`, not `ConnectionLost` as in Twisted: Node does not tell a truncated TLS
 * stream from a clean one.
 */
import type net from "node:net";
import tls from "node:tls";
import type { IProtocolFactory, ReactorTime, TLSFileOptions } from "../interfaces.js";
import type { IPv4Address, IPv6Address } from "../protocols/address.js";
import { Connector } from "./connector.js";
import { Port } from "./port.js";
import { Logger } from "../logger.js";
import { secureContextOptions } from "./tls-socket.js";
import { applyConnectOptions, type ConnectTCPOptions, type ListenTCPOptions } from "./tcp.js";

export { secureContextOptions };

const log = new Logger("reed.node.tls");

/**
 * Listens for TLS connections on `port` with the certificate `tlsFiles.certKey` and key
 * `tlsFiles.privateKey` (PEM files, read now).
 * @throws CannotListenError when the address cannot be bound; the fs error when a file cannot be read.
 */
export function listenSSL(
  reactor: ReactorTime,
  port: number,
  factory: IProtocolFactory,
  tlsFiles: TLSFileOptions,
  options: ListenTCPOptions = {},
): Port<IPv4Address | IPv6Address> {
  const ctx = secureContextOptions(tlsFiles);
  const p = new Port<IPv4Address | IPv6Address>(
    reactor,
    { kind: "TCP", port, interface: options.interface ?? "0.0.0.0" },
    factory,
    options.backlog ?? 50,
    () => {
      // Not allowHalfOpen while handshaking: with it, Node leaves a client that hangs up
      // mid-handshake half-open and silent until the 120 s handshake timeout. Once the handshake
      // is done the connection may half-close like any other (Node reads the flag when the peer's
      // close_notify or FIN arrives); this listener runs before the Port's.
      const server = tls.createServer({ ...ctx });
      server.on("secureConnection", (socket: tls.TLSSocket) => {
        socket.allowHalfOpen = true;
      });
      // A client that fails the handshake never reaches the factory; its error must not escape,
      // and its socket must be destroyed (with a listener here Node leaves that to us).
      server.on("tlsClientError", (err, socket) => {
        log.debug("TLS handshake with a client failed: {error}", { error: err.message });
        socket.destroy();
      });
      return server;
    },
    "secureConnection",
    "tls-port",
  );
  p.startListening();
  return p;
}

/**
 * Connects over TLS to `host:port`. The server's certificate is verified against `trustRoots`
 * (or the system's roots) and `host`; a verification or handshake failure arrives at
 * `clientConnectionFailed` as a `ConnectError`. A client certificate is sent when
 * `certKey`/`privateKey` are given.
 */
export function connectSSL(
  reactor: ReactorTime,
  host: string,
  port: number,
  factory: IProtocolFactory,
  tlsFiles: TLSFileOptions = {},
  options: ConnectTCPOptions = {},
): Connector {
  const ctx = secureContextOptions(tlsFiles);
  const c = new Connector(reactor, { kind: "TCP", host, port }, factory, options.timeout ?? 30, () => {
    // tls.connect passes socket.connect() options (allowHalfOpen, localAddress, lookup) through.
    const opts: tls.ConnectionOptions & net.TcpNetConnectOpts = { ...ctx, host, port, allowHalfOpen: true };
    if (!/^[\d.]+$|:/.test(host)) opts.servername = host;
    applyConnectOptions(opts, options);
    return { socket: tls.connect(opts), readyEvent: "secureConnect" };
  });
  c.connect();
  return c;
}
