/**
 * TLS over TCP on Node (`node:tls`): `listenSSL` and `connectSSL` (reactor first), configured
 * with PEM files as Twisted's `ssl:` endpoints are. The transport is the same `Connection`
 * (write/loseConnection/producers); the protocol's `connectionMade` runs once the handshake is
 * done, so a failed handshake is a failed connection attempt (`clientConnectionFailed`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type net from "node:net";
import tls from "node:tls";
import type { IProtocolFactory, ReactorTime, TLSFileOptions } from "../interfaces.js";
import type { IPv4Address, IPv6Address } from "../protocols/address.js";
import { Connector } from "./connector.js";
import { Port } from "./port.js";
import { Logger } from "../logger.js";

const log = new Logger("reed.node.tls");
import { applyConnectOptions, type ConnectTCPOptions, type ListenTCPOptions } from "./tcp.js";

/** The PEM text of `trustRoots`: one file, or every `.pem`/`.crt` file of a directory. */
function readTrustRoots(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((n) => /\.(pem|crt)$/i.test(n))
      .map((n) => readFileSync(join(path, n), "utf8"));
  }
  return [readFileSync(path, "utf8")];
}

/** Node's secure-context options for reed's TLS file options. */
export function secureContextOptions(files: TLSFileOptions): tls.SecureContextOptions {
  const o: tls.SecureContextOptions = {};
  if (files.certKey !== undefined) o.cert = readFileSync(files.certKey);
  if (files.privateKey !== undefined) o.key = readFileSync(files.privateKey);
  else if (files.certKey !== undefined) o.key = readFileSync(files.certKey); // Twisted: the key may sit in the cert file
  if (files.trustRoots !== undefined) o.ca = readTrustRoots(files.trustRoots);
  return o;
}

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
      // Not allowHalfOpen: with it, Node leaves a client that hangs up mid-handshake half-open and
      // silent until the 120 s handshake timeout. So TLS servers cannot half-close (Node ends the
      // write side when the peer does).
      const server = tls.createServer({ ...ctx });
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
