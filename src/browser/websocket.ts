/**
 * A WebSocket transport for pages: the same Protocol classes that run over TCP on Node
 * (LineReceiver, NetstringReceiver, ...) run in a page, over a browser `WebSocket`, against a reed
 * server's `listenWS` (reed/node).
 *
 * Invariants:
 * - Each `write()` is one binary message; bytes arrive as `dataReceived(Uint8Array)` in arbitrary
 *   chunks (one per message), so framing stays the protocol's job. Text messages are passed on as
 *   their UTF-8 bytes.
 * - `connectionLost` gets `ConnectionDone` for a clean close with code 1000 or 1005 (no code), and
 *   `ConnectionLost` for anything else (network error, 1006, an application code, `abortConnection`).
 * - The Deferred from `connectWS` fires with the protocol after `connectionMade`, or fails with
 *   `ConnectError` (or `TimeoutError`, or `CancelledError` when cancelled) if the socket never opened.
 */
import { Deferred } from "../deferred.js";
import { ConnectError, ConnectionDone, ConnectionLost, TimeoutError } from "../errors.js";
import { Failure } from "../failure.js";
import type { IDelayedCall, IProtocol, IProtocolFactory, ITransport, ReactorTime } from "../interfaces.js";
import { IPv4Address, IPv6Address, type IAddress } from "../protocols/address.js";

/** The part of the WHATWG `WebSocket` the transport uses (the `ws` package's client has it too). */
export interface WebSocketLike {
  /** How binary messages arrive; the transport sets `"arraybuffer"`. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet sent. */
  readonly bufferedAmount: number;
  /** Sends one message (binary for bytes). */
  send(data: ArrayBufferView | ArrayBuffer | string): void;
  /** Starts the closing handshake (after queued messages). */
  close(code?: number, reason?: string): void;
  /** The socket opened. */
  onopen: ((ev: unknown) => void) | null;
  /** A message arrived. */
  onmessage: ((ev: { data: unknown }) => void) | null;
  /** The socket closed (or never opened). */
  onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null;
  /** Something went wrong; a close event follows. */
  onerror: ((ev: unknown) => void) | null;
}

/** A `WebSocket` constructor (the page's own by default). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

const OPEN = 1;
const encoder = new TextEncoder();

/** Turns a message's data (ArrayBuffer, a view, or text) into bytes. */
function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return encoder.encode(data);
  throw new TypeError(`Unexpected WebSocket message data: ${Object.prototype.toString.call(data)}`);
}

/** The address of a URL's host and port (IPv6 for a bracketed host, IPv4-typed otherwise). */
export function addressOfURL(url: URL): IAddress {
  const port = Number(url.port) || (url.protocol === "wss:" || url.protocol === "https:" ? 443 : 80);
  const host = url.hostname;
  return host.startsWith("[") ? new IPv6Address("TCP", host.slice(1, -1), port) : new IPv4Address("TCP", host, port);
}

/** How a WebSocket close turns into the reason `connectionLost` gets. */
export function closeReason(code: number, reason: string, wasClean: boolean, aborted = false): Failure {
  if (!aborted && wasClean && (code === 1000 || code === 1005)) return new Failure(new ConnectionDone());
  return new Failure(
    new ConnectionLost(`Connection to the other side was lost: WebSocket closed with code ${code}${reason ? `, ${reason}` : ""}`),
  );
}

/**
 * `ITransport` over a browser `WebSocket`: `write()` sends one binary message.
 * `getPeer()` is the server's host and port from the URL (a host name may stand where an IPv4
 * address would); `getHost()` is the page's own origin, which is all a page can know.
 */
export class WebSocketTransport implements ITransport {
  /** True once `loseConnection()`/`abortConnection()`/`close()` was called. */
  disconnecting = false;
  /** @internal set by `abortConnection()` so the close is reported as `ConnectionLost`. */
  aborted = false;

  constructor(
    /** The browser WebSocket (or a look-alike) this transport reads and writes. */
    readonly socket: WebSocketLike,
    private readonly peer: IAddress,
    private readonly host: IAddress,
  ) {}

  /**
   * Sends `data` as one binary message. Writes after `loseConnection()` are dropped, as on TCP.
   * @throws TypeError when `data` is not a Uint8Array.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("Data must be bytes (a Uint8Array): encode strings yourself");
    if (this.disconnecting || this.socket.readyState !== OPEN) return;
    this.socket.send(data);
  }

  /** Sends the chunks as one message. */
  writeSequence(data: Iterable<Uint8Array>): void {
    const parts = [...data];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      if (!(p instanceof Uint8Array)) throw new TypeError("Data must be bytes (a Uint8Array): encode strings yourself");
      all.set(p, at);
      at += p.byteLength;
    }
    this.write(all);
  }

  /** Closes cleanly (code 1000) once what was written has been sent; the protocol sees `ConnectionDone`. */
  loseConnection(): void {
    this.close(1000, "");
  }

  /**
   * Closes without ceremony; the protocol sees `ConnectionLost`. (A page cannot reset a socket, so
   * messages already handed to the browser may still be sent.)
   */
  abortConnection(): void {
    this.aborted = true;
    this.close(4000, "aborted");
  }

  /** Closes with a WebSocket close `code` (1000, or 3000–4999) and a short `reason` the peer sees. */
  close(code: number, reason: string): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.socket.close(code, reason);
  }

  /** The server's address. */
  getPeer(): IAddress {
    return this.peer;
  }

  /** The page's address (its origin's host and port). */
  getHost(): IAddress {
    return this.host;
  }
}

/** Options for `connectWS`. */
export interface ConnectWSOptions {
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /** Seconds to wait for the socket to open before failing with `TimeoutError` (default 30). */
  timeout?: number;
  /** The WebSocket class (default: the page's `WebSocket`; in Node, pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
}

/**
 * Connects to a WebSocket `url` and runs a protocol from `factory` over it.
 *
 * @param reactor the clock for the connect timeout.
 * @param url a `ws:`/`wss:` URL (relative URLs resolve against the page's location).
 * @returns a Deferred firing with the protocol once it is connected (after `connectionMade`);
 *   failing with `ConnectError` when the socket does not open (a page is not told why), or the
 *   factory refuses, with `TimeoutError` after `timeout` seconds. Cancelling it before it fires
 *   closes the socket (`CancelledError`).
 *
 * @example
 * const proto = await connectWS(reactor, "ws://127.0.0.1:8000/lines", Factory.forProtocol(Chat));
 */
export function connectWS<P extends IProtocol>(
  reactor: ReactorTime,
  url: string | URL,
  factory: Omit<IProtocolFactory, "buildProtocol"> & { buildProtocol(addr: IAddress): P | null },
  options: ConnectWSOptions = {},
): Deferred<P> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const target = new URL(url, base);
  if (target.protocol === "http:") target.protocol = "ws:";
  if (target.protocol === "https:") target.protocol = "wss:";
  const WS = options.WebSocket ?? (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
  const socket = new WS(target.href, options.protocols);
  socket.binaryType = "arraybuffer";
  const peer = addressOfURL(target);
  const here = (globalThis as { location?: { href: string } }).location;
  const host = here ? addressOfURL(new URL(here.href)) : new IPv4Address("TCP", "0.0.0.0", 0);

  let protocol: P | null = null;
  let transport: WebSocketTransport | null = null;
  let settled = false;
  let timer: IDelayedCall | null = null;
  factory.doStart();
  // Closing a socket that is still connecting makes it report an error (and `ws` in Node throws
  // when nobody listens for it), so handlers are replaced with no-ops rather than removed.
  const ignore = (): void => {};
  const detach = (): void => {
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = ignore;
  };

  const d = new Deferred<P>(() => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    detach();
    socket.close();
    factory.doStop();
  });
  const failConnect = (error: Error): void => {
    if (settled) return;
    settled = true;
    if (timer?.active()) timer.cancel();
    detach();
    if (socket.readyState <= OPEN) socket.close();
    factory.doStop();
    d.errback(error);
  };
  timer = reactor.callLater(options.timeout ?? 30, () =>
    failConnect(new TimeoutError(`WebSocket connection timed out: ${target.href} did not open in ${options.timeout ?? 30} s`, options.timeout ?? 30)),
  );

  socket.onopen = () => {
    if (settled) return;
    timer?.cancel();
    let p: P | null;
    try {
      p = factory.buildProtocol(peer);
    } catch (e) {
      failConnect(e instanceof Error ? e : new ConnectError(String(e)));
      return;
    }
    if (!p) {
      failConnect(new ConnectError(`Connection refused by the factory: ${target.href}`));
      return;
    }
    settled = true;
    protocol = p;
    transport = new WebSocketTransport(socket, peer, host);
    p.makeConnection(transport);
    d.callback(p);
  };
  socket.onmessage = (ev) => {
    // As Twisted's transports: nothing is delivered after loseConnection()/abortConnection().
    if (transport?.disconnecting) return;
    protocol?.dataReceived(toBytes(ev.data));
  };
  socket.onerror = () => {
    // The close event follows with the details a page may see; connection failures end up there.
  };
  socket.onclose = (ev) => {
    if (!protocol) {
      failConnect(new ConnectError(`WebSocket connection failed: ${target.href} (code ${ev.code})`));
      return;
    }
    const p = protocol;
    protocol = null;
    try {
      p.connectionLost(closeReason(ev.code, ev.reason, ev.wasClean, transport?.aborted));
    } finally {
      factory.doStop();
    }
  };
  return d;
}
