/**
 * MemoryTransport: one end of an in-memory TCP-like connection of a `MemoryNetwork`.
 *
 * Invariants:
 * - Bytes written travel through this end's outgoing `Pipe` and reach the peer's protocol in
 *   order, in chunks, one chunk in flight at a time, each after the network's latency; nothing
 *   is delivered to a protocol before its `makeConnection` nor after its `connectionLost`.
 * - `connectionLost` is called exactly once per end, after which the transport ignores writes.
 * - A clean close (FIN) travels behind the data written before it; an abort or reset (RST)
 *   overtakes it and discards what was still queued. Data that reaches an end which has already
 *   closed is dropped and draws a reset back to its writer (as TCP does).
 * - After `loseConnection()` an end stops reading (as Twisted's transports do); the peer's FIN
 *   is not needed for it to close.
 * - `connectionLost` (and `writeConnectionLost`) never run inside a call the protocol made
 *   (`loseConnection`, `loseWriteConnection`, `abortConnection`, `unregisterProducer`): as with
 *   Twisted's reactor they come later, from a call scheduled on the network's clock (delay 0).
 * - A streaming producer is paused when more than `bufferSize` bytes are queued and resumed when
 *   the queue has drained; a non-streaming producer is asked for more each time it drains.
 * - Closing follows Twisted's `FileDescriptor`: `loseConnection()`/`loseWriteConnection()` act
 *   when the outgoing queue is empty (checked on the next clock step, or when a delivery empties
 *   it). Then a pull producer or a paused streaming producer is asked to resume and the close
 *   waits (until the producer is unregistered, or writes more and the queue empties again with
 *   the producer not paused); otherwise the FIN is sent. Writes are accepted until the FIN. A
 *   producer still registered when the connection is lost is told `stopProducing()` first.
 */
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../errors.js";
import { Failure } from "../failure.js";
import type { IProtocol, IPullProducer, IPushProducer, ITCPTransport } from "../interfaces.js";
import type { IAddress } from "../protocols/address.js";
import { concatAll, mustBeBytes } from "../_internal/bytes.js";
import { emptyBufferAction } from "../_internal/write-flow.js";

/** What a transport needs from its network: time, randomness and the trace. */
export interface PipeHost {
  /** Schedules `fn` after `delay` seconds on the network's clock. */
  schedule(delay: number, fn: () => void): void;
  /** A delivery latency, in seconds (sampled from the network's faults). */
  latency(): number;
  /** The size of the next chunk, at most `available` bytes. */
  chunkSize(available: number): number;
  /** Whether the network resets the connection now (a sampled fault). */
  resetNow(): boolean;
  /** Records an event in the network's trace. */
  record(text: string): void;
  /** This end has closed (after its protocol heard). */
  ended(transport: MemoryTransport): void;
  /** Logs an exception a protocol raised (the connection is dropped; others go on). */
  logError(text: string, error: unknown): void;
  /** The network's high-water mark for queued bytes. */
  readonly bufferSize: number;
}

/** A protocol that can be told its peer stopped writing (Twisted's IHalfCloseableProtocol). */
interface HalfCloseable {
  readConnectionLost(): void;
  writeConnectionLost?(): void;
}

function isHalfCloseable(p: IProtocol | null): p is IProtocol & HalfCloseable {
  return p !== null && typeof (p as Partial<HalfCloseable>).readConnectionLost === "function";
}

type Segment = { kind: "data"; bytes: Uint8Array } | { kind: "fin" };

/** One direction of a connection: bytes queued by `from`, delivered to `to`. */
class Pipe {
  private readonly queue: Segment[] = [];
  /** Bytes queued and not yet delivered (what back-pressure looks at). */
  queued = 0;
  private busy = false;
  private lastDelivery = 0;
  private generation = 0;

  constructor(
    private readonly host: PipeHost,
    private readonly from: MemoryTransport,
    private readonly to: MemoryTransport,
    private readonly now: () => number,
  ) {}

  push(segment: Segment): void {
    this.queue.push(segment);
    if (segment.kind === "data") this.queued += segment.bytes.length;
    this.kick();
  }

  /** Drops everything queued (an abort or a reset). */
  discard(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.generation++;
    this.busy = false;
  }

  /** Starts a delivery if none is in flight and the receiver can take one. */
  kick(): void {
    // Bytes for an end that has closed still travel; on arrival they draw a reset (below).
    if (this.busy || this.queue.length === 0 || (!this.to.disconnected && !this.to.canReceive())) return;
    const head = this.queue[0]!;
    let segment: Segment;
    if (head.kind === "fin") {
      this.queue.shift();
      segment = head;
    } else {
      const n = this.host.chunkSize(head.bytes.length);
      if (n >= head.bytes.length) {
        this.queue.shift();
        segment = head;
      } else {
        segment = { kind: "data", bytes: head.bytes.subarray(0, n) };
        this.queue[0] = { kind: "data", bytes: head.bytes.subarray(n) };
      }
    }
    this.busy = true;
    const gen = this.generation;
    // Deliveries in one direction never overtake each other.
    const at = Math.max(this.now() + this.host.latency(), this.lastDelivery);
    this.lastDelivery = at;
    this.host.schedule(at - this.now(), () => {
      if (gen !== this.generation) return;
      this.busy = false;
      if (this.to.disconnected) {
        // Data reaching a closed end: as with TCP, the writer gets a reset one latency later.
        this.discard();
        if (segment.kind === "data" && !this.from.disconnected) {
          this.host.schedule(this.host.latency(), () => {
            if (this.from.disconnected) return;
            this.host.record(`rst ${this.to.label} -> ${this.from.label}`);
            this.from.closeWith(new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: Connection reset by peer.")), false);
          });
        }
        return;
      }
      if (segment.kind === "data") {
        this.queued -= segment.bytes.length;
        this.to.deliver(segment.bytes, this.from);
        this.from.drained();
      } else {
        this.to.finReceived();
      }
      this.kick();
    });
  }
}

/**
 * One end of an in-memory connection. Created by `MemoryNetwork`; protocols see it as their
 * `transport` (an `ITCPTransport`, and an `IPushProducer` for pausing reads).
 */
export class MemoryTransport implements ITCPTransport, IPushProducer {
  /** The protocol using this end; null until the connection is made. */
  protocol: IProtocol | null = null;
  /** True from `makeConnection` until `connectionLost`. */
  connected = false;
  /** True once `loseConnection()` was called. */
  disconnecting = false;
  /** True once this end has closed (its protocol got `connectionLost`). */
  disconnected = false;
  /** The registered producer, or null. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether the registered producer is streaming. */
  streaming = false;
  /** Whether the producer is currently paused by this transport. */
  producerPaused = false;
  /** True while reading is paused (`pauseProducing`). */
  readPaused = false;
  /** Last `setTcpNoDelay` value (recorded only). */
  tcpNoDelay = false;
  /** Last `setTcpKeepAlive` value (recorded only). */
  tcpKeepAlive = false;
  /** Called once, after the protocol's `connectionLost` (the network uses it for factories). */
  onClosed: ((reason: Failure) => void) | null = null;
  private peer: MemoryTransport | null = null;
  private outgoing: Pipe | null = null;
  private writeShutdown = false;
  private finSent = false;
  private emptyCheckScheduled = false;
  private readClosed = false;
  private pendingReset: Failure | null = null;
  private aborting = false;

  constructor(
    private readonly host: PipeHost,
    /** A label for traces, e.g. `c1.client`. */
    readonly label: string,
    private readonly hostAddress: IAddress,
    private readonly peerAddress: IAddress,
    private readonly now: () => number,
  ) {}

  /** The other end. */
  get peerTransport(): MemoryTransport | null {
    return this.peer;
  }

  /** @internal Joins two ends. */
  static join(a: MemoryTransport, b: MemoryTransport): void {
    a.peer = b;
    b.peer = a;
    a.outgoing = new Pipe(a.host, a, b, a.now);
    b.outgoing = new Pipe(b.host, b, a, b.now);
  }

  /** @internal Connects `protocol` to this end (calls `makeConnection`). */
  attach(protocol: IProtocol): void {
    this.protocol = protocol;
    this.connected = true;
    try {
      protocol.makeConnection(this);
    } catch (e) {
      // As in Twisted's reactor: logged, and only this connection is dropped.
      this.host.logError(`Unhandled error in ${this.label} connectionMade; dropping the connection`, e);
      this.closeWith(Failure.from(e), true);
      return;
    }
    if (this.pendingReset) {
      // The peer reset the connection before this end knew it was connected.
      this.closeWith(this.pendingReset, false);
      return;
    }
    // Data the peer sent before this end was connected can flow now.
    this.peer?.outgoing?.kick();
  }

  /** @internal Whether a delivery to this end may happen now. */
  canReceive(): boolean {
    // After loseConnection a transport stops reading, as Twisted's do.
    return this.connected && !this.readPaused && !this.readClosed && !this.disconnecting;
  }

  /** @internal Bytes from the peer arrive. */
  deliver(bytes: Uint8Array, from: MemoryTransport): void {
    if (!this.connected || this.readClosed || this.disconnecting) return;
    this.host.record(`deliver ${from.label} -> ${this.label} ${bytes.length} bytes`);
    if (this.host.resetNow()) {
      this.host.record(`fault: reset ${this.label}`);
      this.reset();
      return;
    }
    try {
      this.protocol!.dataReceived(bytes);
    } catch (e) {
      // Twisted's reactor logs a protocol's exception and drops that connection only.
      this.host.record(`error in ${this.label} dataReceived: ${e instanceof Error ? e.message : String(e)}`);
      this.host.logError(`Unhandled error in ${this.label} dataReceived; dropping the connection`, e);
      this.closeWith(Failure.from(e), true);
    }
  }

  /** @internal The peer's FIN arrives: its write side is closed. */
  finReceived(): void {
    if (!this.connected) return;
    this.readClosed = true;
    this.host.record(`fin ${this.peer?.label} -> ${this.label}`);
    if (this.writeShutdown && this.finSent) {
      this.closeWith(new Failure(new ConnectionDone()), false);
    } else if (isHalfCloseable(this.protocol) && !this.disconnecting) {
      this.protocol.readConnectionLost();
    } else {
      this.closeWith(new Failure(new ConnectionDone()), false);
    }
  }

  /** @internal The outgoing queue shrank (a delivery): when it is empty, see `emptied`. */
  drained(): void {
    this.emptied();
  }

  /**
   * Twisted's `doWrite` on an empty buffer (`emptyBufferAction`): a pull producer or a paused streaming producer is
   * asked for more (and a pending close waits); otherwise a pending close or half-close sends
   * the FIN. Runs only from the network's own callbacks.
   */
  private emptied(): void {
    // After abortConnection() nothing is sent and no producer is asked for more: the abort decides.
    if (!this.connected || this.aborting || this.outgoing!.queued > 0) return;
    const p = this.producer;
    if (emptyBufferAction(p !== null, this.streaming, this.producerPaused, this.writeShutdown) === "resume-producer") {
      if (this.streaming) {
        this.producerPaused = false;
        this.host.record(`resume producer ${this.label}`);
      }
      try {
        p!.resumeProducing();
      } catch (e) {
        // As reed's TCP transport: the producer's error drops this connection only.
        this.host.logError(`Producer of ${this.label} raised in resumeProducing; dropping the connection`, e);
        this.closeWith(Failure.from(e), true);
      }
      return;
    }
    this.maybeSendFin();
  }

  /** Runs `emptied` on the next clock step (a call the protocol made: nothing happens inside it). */
  private checkEmptiedLater(): void {
    if (this.emptyCheckScheduled) return;
    this.emptyCheckScheduled = true;
    this.host.schedule(0, () => {
      this.emptyCheckScheduled = false;
      this.emptied();
    });
  }

  /** Sends the FIN (a close or half-close is pending and nothing is queued), then tells the protocol. */
  private maybeSendFin(): void {
    const pipe = this.outgoing!;
    if (!this.writeShutdown || this.finSent || !this.connected || pipe.queued > 0) return;
    this.finSent = true;
    pipe.push({ kind: "fin" });
    this.afterFin();
  }

  /** Our FIN went out: the connection is over (after `loseConnection`), or half-closed. */
  private afterFin(): void {
    if (this.disconnected) return;
    if (this.disconnecting) {
      this.closeWith(new Failure(new ConnectionDone()), false);
    } else {
      const p = this.protocol as Partial<HalfCloseable> | null;
      try {
        p?.writeConnectionLost?.();
      } catch (e) {
        this.host.logError(`Unhandled error in ${this.label} writeConnectionLost; dropping the connection`, e);
        this.closeWith(Failure.from(e), true);
        return;
      }
      if (this.readClosed) this.closeWith(new Failure(new ConnectionDone()), false);
    }
  }

  /** @internal Ends this side: protocol.connectionLost(reason) once; `rst` also resets the peer. */
  closeWith(reason: Failure, rst: boolean): void {
    if (this.disconnected) return;
    this.disconnected = true;
    const wasConnected = this.connected;
    this.connected = false;
    if (rst) {
      this.outgoing?.discard();
      const peer = this.peer;
      if (peer && !peer.disconnected) {
        this.host.schedule(this.host.latency(), () => {
          peer.host.record(`rst ${this.label} -> ${peer.label}`);
          peer.outgoing?.discard();
          const reason = new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: Connection reset by peer."));
          if (peer.protocol === null) peer.pendingReset = reason;
          else peer.closeWith(reason, false);
        });
      }
    } else if (!this.finSent && this.outgoing) {
      // Closing without having shut down writing (EOF from a non-half-close protocol): what is
      // still queued is dropped and the peer sees the end of the stream.
      this.finSent = true;
      this.outgoing.discard();
      this.outgoing.push({ kind: "fin" });
    }
    if (this.producer) {
      const p = this.producer;
      this.producer = null;
      try {
        p.stopProducing();
      } catch (e) {
        // Logged, so that the protocol still hears connectionLost.
        this.host.logError(`Producer of ${this.label} raised in stopProducing`, e);
      }
    }
    this.host.record(`lost ${this.label} ${reason.typeName}`);
    if (wasConnected && this.protocol) {
      try {
        this.protocol.connectionLost(reason);
      } catch (e) {
        this.host.logError(`Unhandled error in ${this.label} connectionLost`, e);
      }
    }
    this.onClosed?.(reason);
    this.host.ended(this);
  }

  /**
   * Queues bytes for the peer.
   * @throws TypeError when `data` is not a Uint8Array.
   */
  write(data: Uint8Array): void {
    mustBeBytes(data);
    if (!this.connected || this.finSent || this.aborting || data.length === 0) return;
    this.outgoing!.push({ kind: "data", bytes: data.slice() });
    this.checkHighWater();
  }

  /** Queues the chunks as one write. @throws TypeError when a chunk is not bytes. */
  writeSequence(data: Iterable<Uint8Array>): void {
    const list = Array.from(data);
    for (const c of list) mustBeBytes(c);
    this.write(concatAll(list));
  }

  private checkHighWater(): void {
    if (this.producer && this.streaming && !this.producerPaused && this.outgoing!.queued > this.host.bufferSize) {
      this.producerPaused = true;
      this.host.record(`pause producer ${this.label}`);
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /**
   * Closes after everything written has been delivered; the protocol then sees `ConnectionDone`.
   * Reading stops at once; writes are still accepted until the FIN. With a producer registered
   * the close follows Twisted (see the module notes): a pull producer holds it until unregistered.
   */
  loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    this.disconnecting = true;
    if (this.finSent) {
      // The write side is already shut (a half-close): nothing to flush, the connection is over.
      this.host.schedule(0, () => this.closeWith(new Failure(new ConnectionDone()), false));
      return;
    }
    this.writeShutdown = true;
    this.checkEmptiedLater();
  }

  /**
   * Half-close: sends the FIN once the queue is empty (the peer sees the end of the stream), with
   * the same producer rule as `loseConnection()`; reading goes on.
   */
  loseWriteConnection(): void {
    if (!this.connected || this.writeShutdown) return;
    this.writeShutdown = true;
    this.checkEmptiedLater();
  }

  /**
   * Closes at once, discarding queued bytes (nothing more is sent or delivered); this side sees
   * `ConnectionAborted` (a `ConnectionLost`) on the next clock step, the peer `ConnectionLost`.
   */
  abortConnection(): void {
    if (!this.connected || this.aborting) return;
    this.aborting = true;
    this.disconnecting = true;
    this.outgoing?.discard();
    this.host.schedule(0, () => this.closeWith(new Failure(new ConnectionAborted()), true));
  }

  /** @internal A network reset: both ends lose the connection with `ConnectionLost` now. */
  reset(): void {
    const peer = this.peer;
    this.outgoing?.discard();
    peer?.outgoing?.discard();
    const reason = () => new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: Connection reset by peer."));
    for (const end of peer ? [this, peer] : [this]) {
      if (end.protocol === null) end.pendingReset = reason();
      else end.closeWith(reason(), false);
    }
  }

  /** The peer's address. */
  getPeer(): IAddress {
    return this.peerAddress;
  }

  /** This end's address. */
  getHost(): IAddress {
    return this.hostAddress;
  }

  /** Records the setting (no effect in memory). */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** Records the setting (no effect in memory). */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
  }

  /**
   * Attaches a producer; a non-streaming one is asked for data at once.
   * @throws Error when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new Error(`Cannot register producer ${String(producer)}: ${String(this.producer)} is already registered`);
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streaming = streaming;
    this.producerPaused = false;
    if (!streaming) producer.resumeProducing();
    else this.checkHighWater();
  }

  /** Detaches the producer (it is not told anything); a pending close then completes once the queue is empty. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.connected && this.writeShutdown && !this.finSent) this.checkEmptiedLater();
  }

  /** Stops reading: nothing more is delivered to this end's protocol until `resumeProducing()`. */
  pauseProducing(): void {
    this.readPaused = true;
  }

  /** Resumes reading. */
  resumeProducing(): void {
    this.readPaused = false;
    this.peer?.outgoing?.kick();
  }

  /** Stops reading for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** `<MemoryTransport c1.client>`. */
  toString(): string {
    return `<MemoryTransport ${this.label}>`;
  }
}
