/**
 * WebSocket servers: `listenWS` accepts WebSocket connections (via the `ws` library) and hands each
 * to a protocol from a Factory, so a page running reed (`connectWS` in reed/browser) talks to the
 * same Protocol classes a TCP client would.
 *
 * Invariants:
 * - Each `write()` is one binary message; each message received (binary or text) is one
 *   `dataReceived(Uint8Array)` call with its bytes.
 * - `connectionLost` gets `ConnectionDone` after a close handshake with code 1000 or 1005, and
 *   `ConnectionLost` otherwise (1006 when the socket just went away, `abortConnection`, any other
 *   code).
 * - `stopListening()` stops accepting (and closes the HTTP server when `listenWS` made it); open
 *   connections carry on, as with TCP; its Deferred fires when the listening socket has closed.
 * - Write back-pressure works as on a TCP `Connection`, on the same socket buffer: a streaming
 *   producer is paused when the socket's buffer reaches its high-water mark and resumed on its
 *   `'drain'`; a pull producer is asked for more once what it wrote has been flushed. A close
 *   asked for with a producer registered follows Twisted's rule (see `loseConnection`).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket } from "ws";
import { Deferred } from "../deferred.js";
import { CannotListenError, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered } from "../errors.js";
import { emptyBufferAction, WRITE_HIGH_WATER_MARK } from "../_internal/write-flow.js";
import { FlushWatch } from "./_flush-watch.js";
import { Failure } from "../failure.js";
import type {
  IConsumer,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  ITransport,
  ReactorTime,
  TrackedResource,
} from "../interfaces.js";
import { IPv4Address, IPv6Address, type IAddress } from "../protocols/address.js";
import { Logger } from "../logger.js";
import { registryOf } from "./_resources.js";

const log = new Logger("reed.websocket");

function address(host: string | undefined, port: number | undefined): IAddress {
  const h = host ?? "0.0.0.0";
  return h.includes(":") ? new IPv6Address("TCP", h, port ?? 0) : new IPv4Address("TCP", h, port ?? 0);
}

/**
 * The server side of one WebSocket connection: `write()` sends one binary message. It is also the
 * connection's push producer on the reading side: `pauseProducing()` stops delivering messages
 * (the socket stops reading, so the client is slowed by TCP) until `resumeProducing()`, and a
 * consumer of a producer's writes (`registerProducer`), with back-pressure as on TCP.
 */
export class NodeWebSocketTransport implements ITransport, IPushProducer, IConsumer {
  /**
   * True once `loseConnection()`/`abortConnection()`/`close()` was called (or the peer started
   * the close handshake); no message is delivered to the protocol after that.
   */
  disconnecting = false;
  /** The producer writing to this transport, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether `producer` is a streaming (push) producer. */
  streamingProducer = false;
  /** @internal the close is to be reported as `ConnectionLost`. */
  aborted = false;
  /** @internal `connectionLost` has been delivered (at shutdown, before the socket's own close event). */
  lost = false;
  /** @internal reports the loss now (set by `listenWS`; used at reactor shutdown). */
  shutdownHook: ((reason: Failure) => void) | null = null;

  private producerPaused = false;
  /** The close asked for while a producer holds it back (sent by `bufferEmptied`). */
  private pendingClose: { code: number; reason: string } | null = null;
  /** Watches sends for the moment the buffer empties (a pull producer, or a close pending). */
  private flush: FlushWatch | null = null;
  /** The TCP socket under the WebSocket: its buffer and `'drain'` are the back-pressure signal. */
  private readonly raw: Socket | null;

  constructor(
    private readonly socket: WebSocket,
    private readonly peer: IAddress,
    private readonly host: IAddress,
  ) {
    // `ws` writes each frame straight to this socket (listenWS does not compress), so its buffer
    // is what `bufferedAmount` counts, and its 'drain' says when a paused producer may resume.
    this.raw = (socket as unknown as { _socket?: Socket })._socket ?? null;
    this.raw?.on("drain", () => this.handleDrain());
  }

  /**
   * Sends `data` as one binary message. As on TCP, writes are accepted until the close frame is
   * sent (once the buffer has emptied after `loseConnection()`).
   * @throws TypeError when `data` is not a Uint8Array.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("Data must be bytes (a Uint8Array): encode strings yourself");
    if (data.byteLength === 0 || (this.disconnecting && this.pendingClose === null) || this.lost || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.pendingClose !== null || (this.producer !== null && !this.streamingProducer)) {
      this.socket.send(data, { binary: true }, this.flushWatch().track());
    } else {
      this.socket.send(data, { binary: true });
    }
    if (this.producer !== null && this.streamingProducer && !this.producerPaused && this.bufferFull()) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /** Whether the socket's buffer has reached its high-water mark (as a TCP `Connection` pauses). */
  private bufferFull(): boolean {
    const hwm = this.raw?.writableHighWaterMark ?? WRITE_HIGH_WATER_MARK;
    return this.socket.bufferedAmount >= hwm;
  }

  private handleDrain(): void {
    // With a close pending every send is watched, and `bufferEmptied` decides.
    if (this.pendingClose !== null) return;
    if (this.producer !== null && this.streamingProducer && this.producerPaused) {
      this.producerPaused = false;
      try {
        (this.producer as IPushProducer).resumeProducing();
      } catch (e) {
        // Thrown into the socket's 'drain' it would be an uncaught exception; as in bufferEmptied.
        log.failure("Producer raised in resumeProducing; dropping the connection", e);
        this.abortConnection();
      }
    }
  }

  private flushWatch(): FlushWatch {
    return (this.flush ??= new FlushWatch(() => this.bufferEmptied()));
  }

  /** Runs `bufferEmptied` once everything sent so far has been flushed to the kernel. */
  private watchFlush(): void {
    // `ws` writes frames straight to the socket, so an empty write there completes after them.
    this.flushWatch().watchSocket(this.raw);
  }

  /**
   * The send buffer has emptied: Twisted's `doWrite` rule (`emptyBufferAction`), as on TCP. A
   * pull producer or a paused streaming producer is asked for more; otherwise a pending close is sent.
   */
  private bufferEmptied(): void {
    if (this.lost || this.socket.readyState !== WebSocket.OPEN) return;
    const p = this.producer;
    switch (emptyBufferAction(p !== null, this.streamingProducer, this.producerPaused, this.pendingClose !== null)) {
      case "resume-producer":
        this.producerPaused = false;
        try {
          p!.resumeProducing();
        } catch (e) {
          log.failure("Producer raised in resumeProducing; dropping the connection", e);
          this.abortConnection();
        }
        break;
      case "close": {
        const { code, reason } = this.pendingClose!;
        this.pendingClose = null;
        this.socket.close(code, reason);
        break;
      }
      case "nothing":
        break;
    }
  }

  /**
   * Attaches a producer, as on a TCP `Connection`: a streaming (push) producer is paused while
   * the socket's buffer is at its high-water mark and resumed when it drains; a pull producer is
   * asked for one chunk now and another each time what it wrote has been flushed. On a closed
   * connection the producer is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new ProducerAlreadyRegistered("a producer was registered and never unregistered");
    if (this.lost) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (!streaming) {
      producer.resumeProducing();
    } else if (this.bufferFull()) {
      this.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  /** Detaches the producer (it is not told anything); a pending close is sent once the buffer is flushed. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.pendingClose !== null && !this.lost) this.watchFlush();
  }

  /** @internal The connection is over: a producer still registered is told `stopProducing()`. */
  stopProducer(): void {
    const p = this.producer;
    this.producer = null;
    if (p === null) return;
    try {
      p.stopProducing();
    } catch (e) {
      log.failure("Producer raised in stopProducing", e);
    }
  }

  /** Sends the chunks as one message. */
  writeSequence(data: Iterable<Uint8Array>): void {
    this.write(Buffer.concat([...data]));
  }

  /**
   * Closes cleanly (code 1000) after what was written; the protocol sees `ConnectionDone`.
   * Messages are no longer delivered. As a TCP `Connection` (Twisted's rule): the close frame is
   * sent once the buffer has emptied, and writes made meanwhile still go; with a producer
   * registered, a pull producer or a paused streaming producer is asked to resume then instead
   * (the close waits until it is unregistered, or a streaming one writes and the buffer empties
   * again unpaused); a producer still registered at the end is told `stopProducing()`.
   */
  loseConnection(): void {
    this.close(1000, "");
  }

  /** Drops the socket at once, discarding unsent data; the protocol sees `ConnectionLost`. */
  abortConnection(): void {
    this.disconnecting = true;
    this.aborted = true;
    this.socket.terminate();
  }

  /**
   * Closes with a WebSocket close `code` (1000, or 3000–4999) and a short `reason` the peer sees,
   * when `loseConnection()` would.
   */
  close(code: number, reason: string): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.pendingClose = { code, reason };
    this.watchFlush();
  }

  /**
   * Drops the connection now because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`): the protocol's `connectionLost(reason)` runs before
   * this returns.
   */
  disconnectAtShutdown(reason: Failure): void {
    this.disconnecting = true;
    this.aborted = true;
    this.socket.terminate();
    this.shutdownHook?.(reason);
  }

  /** Stops reading: no `dataReceived` until `resumeProducing()`. */
  pauseProducing(): void {
    this.socket.pause();
  }

  /** Starts reading again after `pauseProducing()`. */
  resumeProducing(): void {
    this.socket.resume();
  }

  /**
   * Stops for good (a consumer going away): the connection is closed cleanly, as
   * `loseConnection()` does (Twisted's `FileDescriptor.stopProducing`): what was written is still
   * sent, and the protocol sees `ConnectionDone`.
   */
  stopProducing(): void {
    this.loseConnection();
  }

  /** How many bytes are queued and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** The client's address. */
  getPeer(): IAddress {
    return this.peer;
  }

  /** The server's address for this connection. */
  getHost(): IAddress {
    return this.host;
  }
}

/** Where and how `listenWS` listens. */
export interface ListenWSOptions {
  /** TCP port (0 = any free port; default 0). Ignored with `server`. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). Ignored with `server`. */
  host?: string;
  /** The URL path WebSocket clients connect to (default `/`); upgrades to other paths are refused. */
  path?: string;
  /**
   * An HTTP server to share (e.g. the one serving the page): `listenWS` handles upgrades to `path`
   * on it and leaves other requests and paths alone (so an upgrade to a path that no `listenWS`
   * serves is left hanging, unless you answer it). The caller listens on it and closes it.
   */
  server?: Server;
  /** Largest message accepted, in bytes (default 16 MiB); a bigger one closes the connection. */
  maxPayload?: number;
}

/** A listening WebSocket endpoint (see `listenWS`). */
export class WebSocketPort implements IListeningPort, TrackedResource {
  /** For the reactor's resource registry. */
  readonly kind = "websocket-port";
  /** Where this port was created. */
  readonly creator = new Error().stack?.split("\n").slice(2).join("\n") ?? "";
  /** The connections currently open. */
  readonly connections = new Set<NodeWebSocketTransport>();
  private listening = true;

  constructor(
    private readonly server: Server,
    private readonly ownsServer: boolean,
    private readonly wss: WebSocketServer,
    private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
    private readonly factory: IProtocolFactory,
    /** The URL path clients connect to. */
    readonly path: string,
    private readonly untrack: ((r: TrackedResource) => void) | null = null,
  ) {}

  /** The address it listens on (with the real port when 0 was asked for). */
  getHost(): IAddress {
    const a = this.server.address();
    if (a && typeof a === "object") return address(a.address, a.port);
    return new IPv4Address("TCP", "0.0.0.0", 0);
  }

  /** `ws://HOST:PORT/path` for this port (the bound host; 127.0.0.1 for a wildcard bind). */
  url(): string {
    const h = this.getHost();
    const name = !("host" in h) || h.host === "0.0.0.0" || h.host === "::" ? "127.0.0.1" : h.host;
    const port = "port" in h ? h.port : 0;
    return `ws://${name.includes(":") ? `[${name}]` : name}:${port}${this.path}`;
  }

  /** One line for the resource registry. */
  describe(): string {
    return `websocket-port ${this.url()} (${this.factory.constructor.name})`;
  }

  /**
   * Stops listening now because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`); `factory.doStop()` runs before this returns.
   */
  disconnectAtShutdown(_reason: Failure): void {
    void this.stopListening();
  }

  /** Stops accepting connections; fires once the listening socket is closed. Open connections stay. */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (!this.listening) {
      d.callback(undefined);
      return d;
    }
    this.listening = false;
    this.untrack?.(this);
    this.server.off("upgrade", this.onUpgrade);
    this.wss.close();
    this.factory.doStop();
    if (!this.ownsServer) {
      d.callback(undefined);
      return d;
    }
    this.server.close(() => d.callback(undefined));
    // Upgraded sockets no longer belong to the HTTP server; plain keep-alive ones would hold it open.
    this.server.closeIdleConnections();
    return d;
  }
}

/**
 * Listens for WebSocket connections and runs a protocol from `factory` on each.
 *
 * @param reactor the reactor the port belongs to (events arrive from Node's event loop).
 * @returns a Deferred firing with the port once it listens; failing with `CannotListenError` when
 *   the address cannot be bound.
 *
 * @example
 * const port = await listenWS(reactor, { port: 8000, path: "/lines" }, Factory.forProtocol(Echo));
 * console.log(port.url()); // ws://127.0.0.1:8000/lines
 */
export function listenWS(reactor: ReactorTime, options: ListenWSOptions, factory: IProtocolFactory): Deferred<WebSocketPort> {
  const path = options.path ?? "/";
  const registry = registryOf(reactor);
  const ownsServer = !options.server;
  const server =
    options.server ??
    createServer((_req, res) => {
      res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
      res.end("Upgrade required: this is a WebSocket endpoint\n");
    });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 16 * 1024 * 1024 });
  let port: WebSocketPort | null = null;

  const accept = (ws: WebSocket, req: IncomingMessage): void => {
    const peer = address(req.socket.remoteAddress, req.socket.remotePort);
    const host = address(req.socket.localAddress, req.socket.localPort);
    let protocol: IProtocol | null;
    try {
      protocol = factory.buildProtocol(peer);
    } catch (e) {
      log.failure("Factory failed to build a protocol for {peer}", e, { peer: String(peer) });
      protocol = null;
    }
    if (!protocol) {
      ws.terminate();
      return;
    }
    const p = protocol;
    const transport = new NodeWebSocketTransport(ws, peer, host);
    port?.connections.add(transport);
    const resource: TrackedResource = {
      kind: "websocket-connection",
      describe: () => `websocket-connection from ${String(peer)} (${p.constructor.name})`,
      creator: port?.creator ?? "",
      disconnectAtShutdown: (reason) => transport.disconnectAtShutdown(reason),
    };
    const lost = (why: Failure): void => {
      if (transport.lost) return;
      transport.lost = true;
      transport.disconnecting = true;
      port?.connections.delete(transport);
      registry?.untrackResource(resource);
      transport.stopProducer();
      try {
        p.connectionLost(why);
      } catch (e) {
        log.failure("Unhandled error in connectionLost", e);
      }
    };
    transport.shutdownHook = lost;
    registry?.trackResource(resource);
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      if (transport.disconnecting) return; // as Twisted's transports: nothing is read after loseConnection()
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      try {
        p.dataReceived(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      } catch (e) {
        log.failure("Unhandled error in dataReceived; closing the connection", e);
        transport.abortConnection();
      }
    });
    ws.on("error", (e) => log.debug("WebSocket error from {peer}: {error}", { peer: String(peer), error: e.message }));
    ws.on("close", (code: number, reason: Buffer) => {
      const clean = !transport.aborted && (code === 1000 || code === 1005);
      const why = clean
        ? new ConnectionDone()
        : new ConnectionLost(`Connection to the other side was lost: WebSocket closed with code ${code}${reason.length ? `, ${reason.toString()}` : ""}`);
      lost(new Failure(why));
    });
    try {
      p.makeConnection(transport);
    } catch (e) {
      // Inside the HTTP server's 'upgrade' event it would be an uncaught exception.
      log.failure("Unhandled error in connectionMade; dropping the connection", e);
      transport.abortConnection();
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    if (pathname !== path) {
      if (ownsServer) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  };

  const d = new Deferred<WebSocketPort>();
  const ready = (): void => {
    factory.doStart();
    port = new WebSocketPort(server, ownsServer, wss, onUpgrade, factory, path, registry ? (r) => registry.untrackResource(r) : null);
    registry?.trackResource(port);
    server.on("upgrade", onUpgrade);
    d.callback(port);
  };
  if (!ownsServer) {
    ready();
    return d;
  }
  const host = options.host ?? "127.0.0.1";
  const onError = (e: Error): void => {
    wss.close();
    d.errback(new CannotListenError(host, options.port ?? 0, e));
  };
  server.once("error", onError);
  server.listen(options.port ?? 0, host, () => {
    server.off("error", onError);
    ready();
  });
  return d;
}
