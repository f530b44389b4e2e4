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
 * - Write back-pressure: a page's WebSocket has no "drained" event, so while it matters (a
 *   streaming producer paused, a pull producer waiting for its chunk to go, a close held by a
 *   producer) the transport polls `bufferedAmount` on the reactor every `BUFFER_POLL_INTERVAL`
 *   seconds. A streaming producer is paused when `bufferedAmount` reaches `WRITE_HIGH_WATER_MARK`
 *   (a Node socket's default high-water mark, as on reed's TCP transport) and resumed once it is 0.
 */
import { Deferred } from "../deferred.js";
import { ConnectError, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered, TimeoutError } from "../errors.js";
import { Failure } from "../failure.js";
import type { IConsumer, IDelayedCall, IProtocol, IProtocolFactory, IPullProducer, IPushProducer, ITransport, ReactorTime } from "../interfaces.js";
import { IPv4Address, IPv6Address, type IAddress } from "../protocols/address.js";
import { emptyBufferAction, WRITE_HIGH_WATER_MARK as SHARED_HIGH_WATER_MARK } from "../_internal/write-flow.js";
import { Logger } from "../logger.js";

const log = new Logger("reed.browser.websocket");

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
  /**
   * Drops the connection at once, in any state (`ws`'s client in Node has it; a page's WebSocket
   * does not). Used, when present, to give up an attempt so no TCP socket outlives it.
   */
  terminate?(): void;
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

/** Buffered bytes at which a streaming producer is paused: a Node socket's default `writableHighWaterMark`. */
export const WRITE_HIGH_WATER_MARK: number = SHARED_HIGH_WATER_MARK;

/** Seconds between looks at `bufferedAmount` while back-pressure needs it (a page has no drain event). */
export const BUFFER_POLL_INTERVAL = 0.005;
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
 * `ITransport` over a browser `WebSocket`: `write()` sends one binary message. Also an
 * `IConsumer`: a registered producer gets back-pressure from `bufferedAmount` (see the module notes).
 * `getPeer()` is the server's host and port from the URL (a host name may stand where an IPv4
 * address would); `getHost()` is the page's own origin, which is all a page can know.
 */
export class WebSocketTransport implements ITransport, IConsumer {
  /** True once `loseConnection()`/`abortConnection()`/`close()` was called. */
  disconnecting = false;
  /** @internal set by `abortConnection()` so the close is reported as `ConnectionLost`. */
  aborted = false;
  /** The producer writing to this transport, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether `producer` is a streaming (push) producer. */
  streamingProducer = false;
  private producerPaused = false;
  private ended = false;
  private pendingClose: { code: number; reason: string } | null = null;
  private poll: IDelayedCall | null = null;

  /**
   * @param socket the browser WebSocket (or a look-alike) this transport reads and writes.
   * @param peer the server's address.
   * @param host the page's address.
   * @param reactor the clock that polls `bufferedAmount` for back-pressure (`connectWS` passes its
   *   reactor); without one, producers are not paused and a close is not held for them.
   */
  constructor(
    /** The browser WebSocket (or a look-alike) this transport reads and writes. */
    readonly socket: WebSocketLike,
    private readonly peer: IAddress,
    private readonly host: IAddress,
    private readonly reactor: ReactorTime | null = null,
  ) {}

  /**
   * Sends `data` as one binary message. Writes are accepted until the close starts: at once on
   * `loseConnection()` without a producer (later writes are dropped; unlike TCP, which takes them
   * until its buffer has emptied), else as `loseConnection()` describes.
   * @throws TypeError when `data` is not a Uint8Array.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("Data must be bytes (a Uint8Array): encode strings yourself");
    if (data.byteLength === 0 || (this.disconnecting && this.pendingClose === null) || this.ended || this.socket.readyState !== OPEN) return;
    this.socket.send(data);
    if (this.reactor === null) return;
    const p = this.producer;
    if (p !== null && this.streamingProducer && !this.producerPaused && this.socket.bufferedAmount >= WRITE_HIGH_WATER_MARK) {
      this.producerPaused = true;
      (p as IPushProducer).pauseProducing();
    }
    // Look again once this has gone when that moment matters: a pull producer is asked for more
    // then, a paused one resumed, a held close started.
    if (this.pendingClose !== null || (p !== null && (!this.streamingProducer || this.producerPaused))) this.watch(BUFFER_POLL_INTERVAL);
  }

  /** Looks at `bufferedAmount` after `delay` seconds (one look pending at a time). */
  private watch(delay: number): void {
    if (this.reactor === null || this.ended || this.poll?.active()) return;
    this.poll = this.reactor.callLater(delay, () => {
      this.poll = null;
      if (this.socket.bufferedAmount > 0) this.watch(BUFFER_POLL_INTERVAL);
      else this.bufferEmptied();
    });
  }

  /**
   * The send buffer is empty: Twisted's `doWrite` rule (`emptyBufferAction`). A pull producer or a paused streaming
   * producer is asked for more; otherwise a close held for a producer is started.
   */
  private bufferEmptied(): void {
    if (this.ended || this.socket.readyState !== OPEN) return;
    const p = this.producer;
    const action = emptyBufferAction(p !== null, this.streamingProducer, this.producerPaused, this.pendingClose !== null);
    if (action === "resume-producer") {
      this.producerPaused = false;
      try {
        p!.resumeProducing();
      } catch (e) {
        // As the other transports: the producer's error drops the connection.
        log.failure("Producer raised in resumeProducing; dropping the connection", e);
        this.abortConnection();
      }
    } else if (action === "close") {
      const { code, reason } = this.pendingClose!;
      this.pendingClose = null;
      this.socket.close(code, reason);
    }
  }

  /**
   * Attaches a producer: a streaming (push) producer is paused while `bufferedAmount` is at
   * `WRITE_HIGH_WATER_MARK` or more and resumed once it is 0; a pull producer is asked for one
   * chunk now and another each time the buffer has emptied. On a closed connection the producer
   * is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new ProducerAlreadyRegistered("a producer was registered and never unregistered");
    if (this.ended) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (!streaming) {
      producer.resumeProducing();
    } else if (this.reactor !== null && this.socket.bufferedAmount >= WRITE_HIGH_WATER_MARK) {
      this.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
      this.watch(BUFFER_POLL_INTERVAL);
    }
  }

  /** Detaches the producer (it is not told anything); a close it held starts once the buffer is empty. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.pendingClose !== null) this.watch(0);
  }

  /** @internal The socket closed: stop polling, and tell a producer still registered `stopProducing()`. */
  connectionEnded(): void {
    this.ended = true;
    this.disconnecting = true;
    this.pendingClose = null;
    this.poll?.cancel();
    this.poll = null;
    const p = this.producer;
    this.producer = null;
    try {
      p?.stopProducing();
    } catch (e) {
      // Logged, so that the protocol still hears connectionLost.
      log.failure("Producer raised in stopProducing", e);
    }
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

  /**
   * Closes cleanly (code 1000) once what was written has been sent; the protocol sees
   * `ConnectionDone`. Messages are no longer delivered. Without a producer the close starts at
   * once (the page sends it behind the queued messages). With a producer registered (and a
   * reactor), as on TCP (Twisted's rule): the close starts once `bufferedAmount` is 0, and writes
   * made meanwhile still go; a pull producer or a paused streaming producer is asked to resume
   * then instead, until it is unregistered; one still registered at the end is stopped.
   */
  loseConnection(): void {
    this.close(1000, "");
  }

  /**
   * Stops for good (a consumer going away): closes cleanly, exactly as `loseConnection()` does
   * (Twisted's transports lose the connection here; they do not abort it). A page's socket cannot
   * pause its reading, so this is the only producer method the transport has.
   */
  stopProducing(): void {
    this.loseConnection();
  }

  /**
   * Closes without ceremony; the protocol sees `ConnectionLost`. (A page cannot reset a socket, so
   * messages already handed to the browser may still be sent.)
   */
  abortConnection(): void {
    this.aborted = true;
    if (this.disconnecting && this.pendingClose === null) return; // the close has started already
    this.disconnecting = true;
    this.pendingClose = null; // a close still waiting for the buffer goes now, as an abort
    this.socket.close(4000, "aborted");
  }

  /**
   * Closes with a WebSocket close `code` (1000, or 3000–4999) and a short `reason` the peer sees,
   * when `loseConnection()` would.
   */
  close(code: number, reason: string): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    if (this.producer === null || this.reactor === null) {
      this.socket.close(code, reason);
      return;
    }
    this.pendingClose = { code, reason };
    this.watch(0);
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
 *   fails it with `CancelledError` and drops the socket at once (with Node's `ws`, its TCP socket
 *   is destroyed before `cancel()` returns or as soon as it exists); the factory is stopped and no
 *   protocol is built. Giving up on a timeout or a refusing factory drops the socket the same way.
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
  // Giving up an attempt drops the socket at once, as connectTCP does: `terminate()` where there
  // is one (Node's `ws`: no close handshake to wait for, even once open), else `close()` (a page
  // fails a connecting socket at once).
  const drop = (): void => {
    if (typeof socket.terminate === "function") socket.terminate();
    else if (socket.readyState <= OPEN) socket.close();
  };

  const d = new Deferred<P>(() => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    detach();
    drop();
    factory.doStop();
  });
  const failConnect = (error: Error): void => {
    if (settled) return;
    settled = true;
    if (timer?.active()) timer.cancel();
    detach();
    drop();
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
    transport = new WebSocketTransport(socket, peer, host, reactor);
    p.makeConnection(transport);
    d.callback(p);
  };
  socket.onmessage = (ev) => {
    // As Twisted's transports: nothing is delivered after loseConnection()/abortConnection().
    if (transport?.disconnecting) return;
    try {
      protocol?.dataReceived(toBytes(ev.data));
    } catch (e) {
      // As reed's other transports (and Twisted's reactor): logged, and this connection dropped.
      log.failure("Unhandled error in dataReceived; dropping the connection", e);
      transport?.abortConnection();
    }
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
    transport?.connectionEnded();
    try {
      p.connectionLost(closeReason(ev.code, ev.reason, ev.wasClean, transport?.aborted));
    } finally {
      factory.doStop();
    }
  };
  return d;
}
