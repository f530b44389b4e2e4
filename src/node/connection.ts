/**
 * Connection: the transport of one established stream socket (TCP, TLS or UNIX) on Node, driving
 * a Protocol.
 *
 * Invariants:
 * - The protocol sees `makeConnection` → `dataReceived`* → `connectionLost` exactly once, and
 *   nothing after `connectionLost`. Node's `'close'` event is the one place that ends a connection.
 * - The reason is decided before `'close'`: the first of (an exception thrown by protocol code,
 *   `abortConnection`, a socket error) wins; a close with none of them is `ConnectionDone`.
 * - No socket `'error'` ever goes unhandled: a listener is attached before anything can fail.
 * - Hot path: `dataReceived` gets Node's Buffer itself (a Uint8Array, no copy); `write` hands the
 *   bytes straight to the socket. No Failure, closure or copy per chunk.
 * - Back-pressure uses the socket's own buffer: a streaming producer is paused when `write`
 *   returns false and resumed on `'drain'`; a pull producer is asked for the next chunk once what
 *   it wrote has been flushed (on `setImmediate`, so it cannot starve I/O).
 * - `loseConnection()` stops delivering data (Twisted stops reading). Each time the write buffer
 *   then empties, Twisted's `FileDescriptor.doWrite` rule decides: a pull producer or a paused
 *   streaming producer is asked to resume (and the connection stays open); otherwise the socket
 *   is closed, and a producer still registered is told `stopProducing()`. Writes are accepted
 *   until the socket is shut.
 * - `startTLS()` swaps `socket` for a `TLSSocket` wrapping it, moving the listeners across;
 *   every method works on whichever socket is current, so nothing else changes (see
 *   tls-socket.ts for why no byte is lost or duplicated). The plain socket keeps its `'error'`
 *   and `'drain'` listeners (a producer paused by plain writes resumes when they flush); its
 *   `'close'` reaches us through the TLS socket, which Node closes with it.
 */
import type { Socket } from "node:net";
import tls from "node:tls";
import { ConnectionAborted, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered, TLSAlreadyStarted } from "../errors.js";
import { emptyBufferAction } from "../_internal/write-flow.js";
import { Failure } from "../failure.js";
import type {
  IProtocol,
  IPullProducer,
  IPushProducer,
  ISSLTransport,
  ITLSTransport,
  PeerCertificate,
  TLSStartOptions,
} from "../interfaces.js";
import { Logger } from "../logger.js";
import { IPv4Address, IPv6Address, UNIXAddress, type IAddress } from "../protocols/address.js";
import { connectionErrorFrom } from "./_errors.js";
import { FlushWatch } from "./_flush-watch.js";
import { wrapInTLS } from "./tls-socket.js";

const log = new Logger("reed.node.connection");

/** A protocol that wants to know about each direction closing separately (Twisted's `IHalfCloseableProtocol`). */
interface HalfCloseable {
  readConnectionLost(): void;
  writeConnectionLost(): void;
}

function handshakeListener(p: IProtocol): (IProtocol & { handshakeCompleted(): void }) | null {
  const h = p as IProtocol & { handshakeCompleted?: unknown };
  return typeof h.handshakeCompleted === "function" ? (h as IProtocol & { handshakeCompleted(): void }) : null;
}

function halfCloseable(p: IProtocol): (IProtocol & HalfCloseable) | null {
  const h = p as IProtocol & Partial<HalfCloseable>;
  return typeof h.readConnectionLost === "function" && typeof h.writeConnectionLost === "function"
    ? (h as IProtocol & HalfCloseable)
    : null;
}

/** The address of one side of a connected socket, as reed reports it. */
export function socketAddress(kind: "TCP" | "UNIX", family: string | undefined, host: string | undefined, port: number | undefined, path?: string | null): IAddress {
  if (kind === "UNIX") return new UNIXAddress(path ? path : null);
  if (family === "IPv6") return new IPv6Address("TCP", host ?? "::", port ?? 0);
  return new IPv4Address("TCP", host ?? "0.0.0.0", port ?? 0);
}

function describeType(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

const kConnection = Symbol("reed.connection");
type OwnedSocket = Socket & { [kConnection]: Connection };

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[kConnection].handleData(chunk);
}
function onError(this: OwnedSocket, err: Error): void {
  this[kConnection].handleError(err);
}
function onEnd(this: OwnedSocket): void {
  this[kConnection].handleEnd();
}
function onFinish(this: OwnedSocket): void {
  this[kConnection].handleFinish();
}
function onDrain(this: OwnedSocket): void {
  this[kConnection].handleDrain();
}
function onClose(this: OwnedSocket, hadError: boolean): void {
  this[kConnection].handleClose(hadError);
}
function onHandshakeDone(this: OwnedSocket): void {
  this[kConnection].handleHandshakeDone(this);
}

/** What a Connection tells its owner (a port or connector) when it is over. */
export type ConnectionLostHook = (connection: Connection, reason: Failure) => void;

/**
 * The transport of one connected stream socket. Made by ports (server side) and connectors
 * (client side); protocols reach it as `this.transport`.
 *
 * Beside `ITCPTransport` it is a push producer of the bytes it reads (`pauseProducing` stops
 * reading from the socket, `resumeProducing` restarts it), as Twisted's transports are. It is an
 * `ITLSTransport` (`startTLS`) and, once running TLS, an `ISSLTransport` (`getPeerCertificate`).
 */
export class Connection implements ITLSTransport, ISSLTransport, IPushProducer {
  /** True from construction until the socket has closed. */
  connected = true;
  /** True once `loseConnection()` has been called (incoming data is no longer delivered). */
  disconnecting = false;
  /** The producer writing to this transport, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether `producer` is a streaming (push) producer. */
  streamingProducer = false;

  private producerPaused = false;
  /** Watches writes for the moment the buffer empties (made on first need; see `watchingWrites`). */
  private flush: FlushWatch | null = null;
  private ended = false; // socket.end() called
  private writeDisconnected = false; // loseWriteConnection() called
  private reason: Failure | null = null;
  private noDelay = false;
  private keepAlive = false;
  private readonly peer: IAddress;
  private host: IAddress | null = null; // asked of the socket on first use (a system call we mostly never need)
  private readonly kind: "TCP" | "UNIX";
  private readonly hostPath: string | null;
  private current: Socket;
  private readonly isClient: boolean;
  private readPaused = false; // pauseProducing() in force (carried across startTLS)
  private handshaking = false; // startTLS() called, handshake not finished
  private heldForHandshake = false; // written to while handshaking (so loseConnection must wait for it)

  /**
   * Wraps a connected socket and starts `protocol` on it (`makeConnection`).
   * @param socket a connected socket (`allowHalfOpen: true`, so half-closes are ours to handle).
   * @param protocol the protocol to drive.
   * @param kind `"TCP"` (also TLS) or `"UNIX"`, for the addresses.
   * @param peer the other side's address (the owner has already worked it out for `buildProtocol`).
   * @param onLost called once after the protocol's `connectionLost`, with the same reason.
   * @param hostPath the socket path for this side's address (UNIX servers only).
   * @param isClient whether this side connected (it is then the TLS client of a `startTLS`).
   */
  constructor(
    socket: Socket,
    readonly protocol: IProtocol,
    kind: "TCP" | "UNIX",
    peer: IAddress,
    private readonly onLost: ConnectionLostHook | null,
    hostPath: string | null = null,
    isClient = false,
  ) {
    this.current = socket;
    this.kind = kind;
    this.peer = peer;
    this.hostPath = hostPath;
    this.isClient = isClient;
    // Shared module-level listeners find their Connection through the socket: no closures per
    // connection (they are most of the memory of an idle connection).
    (socket as OwnedSocket)[kConnection] = this;
    socket.on("error", onError);
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("finish", onFinish);
    socket.on("drain", onDrain);
    socket.on("close", onClose);
  }

  /** The Node socket underneath: the plain one, or after `startTLS()` the `TLSSocket` wrapping it. */
  get socket(): Socket {
    return this.current;
  }

  /** Whether the connection runs TLS (made by `connectSSL`/`listenSSL`, or after `startTLS()`), as Twisted's `TLS` flag. */
  get TLS(): boolean {
    return this.current instanceof tls.TLSSocket;
  }

  /**
   * Starts the protocol (`makeConnection`); an exception there is logged and closes the
   * connection. On a TLS connection (whose handshake is already done) a protocol with
   * `handshakeCompleted()` is told so right after `connectionMade`; one that called `startTLS()`
   * from `connectionMade` is told once that handshake is done, as usual.
   */
  start(): void {
    try {
      this.protocol.makeConnection(this);
      if (this.TLS && this.connected && !this.handshaking) handshakeListener(this.protocol)?.handshakeCompleted();
    } catch (e) {
      this.protocolFailed(e);
    }
  }

  // --- TLS -------------------------------------------------------------------------------------

  /**
   * Switches this connection to TLS now (Twisted's `ITLSTransport.startTLS`). Bytes written
   * before this call are sent first, in the clear; bytes written after it are encrypted (held
   * until the handshake is done); `dataReceived` gets decrypted data from the first byte that
   * had not been delivered yet. A protocol with `handshakeCompleted()` is told when the
   * handshake is done. A failed handshake or certificate check closes the connection, and the
   * protocol's `connectionLost` gets a `ConnectionLost` whose `cause` is Node's TLS error.
   * Producers, `pauseProducing`, `loseConnection` and half-close carry on across the switch.
   * Does nothing on a connection that is closing or closed.
   * @param options this side's certificate and key, the roots to trust and what to verify (see `TLSStartOptions`); files are read now.
   * @param normal true (default): the side that connected is the TLS client; false swaps the roles.
   * @throws TLSAlreadyStarted when the connection already runs TLS; the fs error when a file cannot be read.
   */
  startTLS(options: TLSStartOptions, normal = true): void {
    if (this.TLS) throw new TLSAlreadyStarted(this.handshaking ? "startTLS() was already called" : "the connection already runs TLS");
    if (!this.connected || this.disconnecting || this.ended) return;
    const raw = this.current;
    raw.removeListener("data", onData);
    let wrapped: ReturnType<typeof wrapInTLS>;
    try {
      wrapped = wrapInTLS(raw, options, normal ? this.isClient : !this.isClient);
    } catch (e) {
      raw.on("data", onData);
      if (!this.readPaused) raw.resume();
      throw e;
    }
    raw.removeListener("end", onEnd);
    raw.removeListener("finish", onFinish);
    raw.removeListener("close", onClose);
    const s = wrapped.socket;
    this.current = s;
    this.handshaking = true;
    (s as unknown as OwnedSocket)[kConnection] = this;
    s.on("error", onError);
    s.on("data", onData);
    s.on("end", onEnd);
    s.on("finish", onFinish);
    s.on("drain", onDrain);
    s.on("close", onClose);
    s.once(wrapped.readyEvent, onHandshakeDone);
    if (this.readPaused) s.pause();
    if (this.noDelay) s.setNoDelay(true);
  }

  /** @internal The TLS handshake begun by `startTLS()` succeeded (and the certificate checks passed). */
  handleHandshakeDone(socket: Socket): void {
    if (socket !== this.current || socket.destroyed || !this.connected) return;
    this.handshaking = false;
    const h = handshakeListener(this.protocol);
    if (h === null) return;
    try {
      h.handshakeCompleted();
    } catch (e) {
      this.protocolFailed(e);
    }
  }

  /**
   * The peer's certificate (Node's `X509Certificate`), or null when the connection does not run
   * TLS, the peer sent none, the handshake has not finished or the connection is closed (ask
   * while connected; Twisted's `ISSLTransport`).
   */
  getPeerCertificate(): PeerCertificate | null {
    const s = this.current;
    if (!(s instanceof tls.TLSSocket) || this.handshaking) return null;
    return s.getPeerX509Certificate() ?? null;
  }

  // --- socket events ---------------------------------------------------------------------------

  /** @internal Socket event (see the module-level listeners). */
  handleData(chunk: Buffer): void {
    if (this.disconnecting) return;
    try {
      this.protocol.dataReceived(chunk);
    } catch (e) {
      this.protocolFailed(e);
    }
  }

  /** @internal Socket event (see the module-level listeners). */
  handleError(err: Error): void {
    if (this.reason === null) this.reason = new Failure(connectionErrorFrom(err));
  }

  /** The peer finished sending (FIN). */
  /** @internal Socket event (see the module-level listeners). */
  handleEnd(): void {
    if (!this.connected) return;
    if (this.handshaking) {
      // The peer hung up before the TLS handshake finished: that is a failure, not a half-close.
      if (this.reason === null) this.reason = new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: closed during the TLS handshake"));
      this.current.destroy();
      return;
    }
    const h = halfCloseable(this.protocol);
    if (h !== null && !this.disconnecting) {
      try {
        h.readConnectionLost();
      } catch (e) {
        this.protocolFailed(e);
      }
      return;
    }
    // A protocol that cannot half-close: the connection is over once our side has flushed.
    if (this.ended) {
      if (this.current.writableFinished) this.current.destroy();
    } else if (!this.disconnecting) {
      this.disconnecting = true;
      this.endSocket();
    }
    // Else loseConnection() is pending: Twisted has stopped reading and never sees this FIN, so
    // its close (which a producer may be holding) goes on by the usual rule.
  }

  /** Everything we wrote has been flushed and our FIN sent. */
  /** @internal Socket event (see the module-level listeners). */
  handleFinish(): void {
    if (this.writeDisconnected && !this.disconnecting) {
      const h = halfCloseable(this.protocol);
      if (h !== null) {
        try {
          h.writeConnectionLost();
        } catch (e) {
          this.protocolFailed(e);
        }
      }
    }
    if (this.disconnecting || this.current.readableEnded) this.current.destroy();
  }

  /** @internal Socket event (see the module-level listeners). */
  handleDrain(): void {
    // While closing every write is watched, and `bufferEmptied` makes the decision.
    if (this.disconnecting || this.writeDisconnected) return;
    if (this.producer !== null && this.streamingProducer && this.producerPaused) {
      this.producerPaused = false;
      try {
        (this.producer as IPushProducer).resumeProducing();
      } catch (e) {
        // Thrown into a socket event it would be an uncaught exception: it drops this connection.
        this.protocolFailed(e);
      }
    }
  }

  /** @internal Socket event (see the module-level listeners). */
  handleClose(hadError: boolean): void {
    if (!this.connected) return;
    this.connected = false;
    const reason =
      this.reason ?? new Failure(hadError ? connectionErrorFrom(new Error("socket closed with an error")) : new ConnectionDone());
    const producer = this.producer;
    this.producer = null;
    if (producer !== null) {
      try {
        producer.stopProducing();
      } catch (e) {
        log.failure("Producer {producer} raised in stopProducing", e, { producer: describeType(producer) });
      }
    }
    try {
      this.protocol.connectionLost(reason);
    } catch (e) {
      log.failure("Unhandled error in connectionLost of {protocol}", e, { protocol: describeType(this.protocol) });
    }
    if (this.onLost !== null) this.onLost(this, reason);
  }

  /** Protocol code threw: log it and drop the connection at once with that error as the reason (as Twisted does). */
  private protocolFailed(e: unknown): void {
    const f = Failure.from(e);
    log.failure("Unhandled error in protocol {protocol}: closing the connection", f, { protocol: describeType(this.protocol) });
    if (this.reason === null) this.reason = f;
    this.disconnecting = true;
    this.current.destroy();
  }

  private endSocket(): void {
    if (this.ended) return;
    this.ended = true;
    this.current.end();
  }

  // --- ITransport ------------------------------------------------------------------------------

  /**
   * Queues bytes to send, without waiting. Ignored once the write side is closed.
   * @throws TypeError when `data` is not a Uint8Array (or Buffer): strings must be encoded first.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`Data must be bytes (Uint8Array), not ${describeType(data)}`);
    }
    if (this.ended || !this.connected || data.length === 0) return;
    if (this.handshaking) this.heldForHandshake = true;
    if (this.watchingWrites()) {
      if (this.current.write(data, this.flushWatch().track()) || !this.streamingProducer) return;
    } else if (this.current.write(data)) {
      return;
    }
    if (this.producer !== null && !this.producerPaused) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /**
   * Writes several chunks as one batch (corked into a single system call where possible).
   * @throws TypeError when a chunk is not bytes (nothing is written then).
   */
  writeSequence(data: Iterable<Uint8Array>): void {
    const chunks = Array.from(data);
    for (const c of chunks) {
      if (!(c instanceof Uint8Array)) throw new TypeError(`Data must be bytes (Uint8Array), not ${describeType(c)}`);
    }
    this.current.cork();
    try {
      for (const c of chunks) this.write(c);
    } finally {
      this.current.uncork();
    }
  }

  /**
   * Closes the connection once everything written has been sent; the protocol then sees
   * `ConnectionDone`. Incoming data is no longer delivered; writes made meanwhile are still sent.
   *
   * With a producer registered this follows Twisted: when the buffer empties, a pull producer or
   * a paused streaming producer is asked to resume instead, and the connection stays open until
   * the producer is unregistered (or, for a streaming one, until the buffer empties while it is
   * not paused); a producer still registered at the close is told `stopProducing()`.
   * While the handshake of a `startTLS()` is in progress and nothing was written since, it
   * aborts instead, as Twisted does (`ConnectionAborted`), whether or not a producer is registered.
   */
  loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    if (this.handshaking && !this.heldForHandshake) {
      // As Twisted: a TLS handshake with nothing to send after it is not finished just to be shut
      // down again; the connection is aborted (the protocol sees ConnectionAborted).
      this.abortConnection();
      return;
    }
    this.disconnecting = true;
    if (this.ended) {
      if (this.current.writableFinished) this.current.destroy();
      return;
    }
    this.watchFlush();
  }

  /** Closes at once, discarding unsent data; the protocol sees `ConnectionAborted` (a `ConnectionLost`). */
  abortConnection(): void {
    if (!this.connected) return;
    if (this.reason === null) this.reason = new Failure(new ConnectionAborted());
    this.disconnecting = true;
    this.current.destroy();
  }

  /**
   * Drops the connection now because the reactor is shutting down (see
   * `TrackedResource.disconnectAtShutdown`): the socket is destroyed, unsent data discarded, and
   * the protocol's `connectionLost(reason)` (then the owner's hook) runs before this returns.
   */
  disconnectAtShutdown(reason: Failure): void {
    if (!this.connected) return;
    if (this.reason === null) this.reason = reason;
    this.disconnecting = true;
    this.current.destroy();
    this.handleClose(false); // the socket's own 'close' event comes later and finds it closed
  }

  /**
   * Half-close: sends FIN once the buffer empties, keeps reading. A protocol with
   * `writeConnectionLost()` is told when the write side has closed. As with `loseConnection()`,
   * writes are accepted until then, and a pull producer or a paused streaming producer holds the
   * FIN back (it is asked to resume instead) until it is unregistered.
   */
  loseWriteConnection(): void {
    if (!this.connected || this.writeDisconnected) return;
    this.writeDisconnected = true;
    this.watchFlush();
  }

  /** The other side's address. */
  getPeer(): IAddress {
    return this.peer;
  }

  /**
   * This side's address. Asked of the socket the first time (so ask while connected if you will
   * need it after the connection is lost).
   */
  getHost(): IAddress {
    if (this.host === null) {
      const s = this.socket;
      const local = s.localAddress;
      this.host = socketAddress(this.kind, local?.includes(":") ? "IPv6" : "IPv4", local, s.localPort, this.hostPath);
    }
    return this.host;
  }

  /** Turns Nagle's algorithm off (`true`) or on. */
  setTcpNoDelay(enabled: boolean): void {
    this.noDelay = enabled;
    this.current.setNoDelay(enabled);
  }

  /** Whether Nagle's algorithm is off (as last set through this transport; false until set, as in Twisted). */
  getTcpNoDelay(): boolean {
    return this.noDelay;
  }

  /** Turns TCP keep-alive probes on or off. */
  setTcpKeepAlive(enabled: boolean): void {
    this.keepAlive = enabled;
    this.current.setKeepAlive(enabled);
  }

  /** Whether keep-alive probes are on (as last set through this transport). */
  getTcpKeepAlive(): boolean {
    return this.keepAlive;
  }

  // --- IConsumer -------------------------------------------------------------------------------

  /**
   * Attaches a producer. A streaming (push) producer is paused whenever the socket's buffer is
   * over its high-water mark and resumed when it drains; a pull producer is asked for one chunk
   * now and another each time what it wrote has been flushed. On a closed connection the
   * producer is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new ProducerAlreadyRegistered(`${describeType(producer)} while ${describeType(this.producer)} was never unregistered`);
    }
    if (!this.connected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (streaming) {
      if (this.current.writableNeedDrain) {
        this.producerPaused = true;
        (producer as IPushProducer).pauseProducing();
      }
    } else {
      producer.resumeProducing();
    }
  }

  /** Detaches the producer (it is not told anything); a pending `loseConnection()` proceeds once the buffer is flushed. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.connected && (this.disconnecting || this.writeDisconnected) && !this.ended) this.watchFlush();
  }

  /** Whether writes are watched for the moment the buffer empties (Twisted's `doWrite` cares then). */
  private watchingWrites(): boolean {
    return this.disconnecting || this.writeDisconnected || (this.producer !== null && !this.streamingProducer);
  }

  /** Only connections with a pull producer or a close pending watch their writes. */
  private flushWatch(): FlushWatch {
    return (this.flush ??= new FlushWatch(() => this.bufferEmptied()));
  }

  /** Waits for everything written so far (watched or not) to be flushed, then runs `bufferEmptied`. */
  private watchFlush(): void {
    this.flushWatch().watchSocket(this.current);
  }

  /**
   * The write buffer has emptied: Twisted's `doWrite` rule (`emptyBufferAction`). A pull producer
   * or a paused streaming producer is asked for more; otherwise a pending `loseConnection()` or
   * `loseWriteConnection()` shuts the socket's write side (FIN).
   */
  private bufferEmptied(): void {
    if (!this.connected || this.ended || this.current.destroyed) return;
    const p = this.producer;
    switch (emptyBufferAction(p !== null, this.streamingProducer, this.producerPaused, this.disconnecting || this.writeDisconnected)) {
      case "resume-producer":
        this.producerPaused = false;
        try {
          p!.resumeProducing();
        } catch (e) {
          this.protocolFailed(e);
        }
        break;
      case "close":
        this.endSocket();
        break;
      case "nothing":
        break;
    }
  }

  // --- the transport as a producer of incoming data --------------------------------------------

  /** Stops reading from the socket (incoming data waits in the kernel). */
  pauseProducing(): void {
    this.readPaused = true;
    this.current.pause();
  }

  /** Starts reading again. */
  resumeProducing(): void {
    this.readPaused = false;
    this.current.resume();
  }

  /** Closes the connection (a consumer going away). */
  stopProducing(): void {
    this.loseConnection();
  }

  /** `<Connection TCP 127.0.0.1:5000 -> 127.0.0.1:41234>`. */
  toString(): string {
    return `<Connection ${describeAddr(this.getHost())} -> ${describeAddr(this.peer)} ${describeType(this.protocol)}>`;
  }
}

/** `127.0.0.1:80`, `[::1]:80` or a UNIX path. */
export function describeAddr(a: IAddress): string {
  if (a instanceof UNIXAddress) return a.name ?? "<unnamed>";
  if (a instanceof IPv6Address) return `[${a.host}]:${a.port}`;
  if (a instanceof IPv4Address) return `${a.host}:${a.port}`;
  return String(a); // PipeAddress (added on main by the threads branch): nothing more to say
}
