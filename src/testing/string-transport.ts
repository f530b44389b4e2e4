/**
 * StringTransport: a transport that records what a protocol writes and the state it asks for,
 * without sending anything (Twisted's `twisted.internet.testing.StringTransport`). Use it to test a
 * protocol with no sockets: feed `protocol.dataReceived(...)`, then assert on `value()`.
 */
import type { Failure as FailureT } from "../failure.js";
import { Failure } from "../failure.js";
import { ConnectionDone } from "../errors.js";
import type { IProtocol, IPullProducer, IPushProducer, ITCPTransport } from "../interfaces.js";
import { IPv4Address, type IAddress } from "../protocols/address.js";
import { concatAll, EMPTY, mustBeBytes } from "../_internal/bytes.js";

/** The state of a StringTransport in its role as a push producer. */
export type ProducerState = "producing" | "paused" | "stopped";

/** Options for `StringTransport`. */
export interface StringTransportOptions {
  /** What `getHost()` returns (default `IPv4Address(TCP, '10.0.0.1', 12345)`). */
  hostAddress?: IAddress;
  /** What `getPeer()` returns (default `IPv4Address(TCP, '192.168.1.1', 54321)`). */
  peerAddress?: IAddress;
  /** Allow `pauseProducing`/`resumeProducing` after `loseConnection` (default false). */
  lenient?: boolean;
}

/**
 * A transport that buffers written bytes in memory and records connection and producer state.
 *
 * @example
 * const t = new StringTransport();
 * proto.makeConnection(t);
 * proto.dataReceived(bytes("hello\r\n"));
 * assert.deepEqual(t.value(), bytes("HELLO\r\n"));
 */
export class StringTransport implements ITCPTransport {
  /** False until `loseConnection()` (or `abortConnection()`) is called, then true. */
  disconnecting = false;
  /** False until `abortConnection()` is called, then true. */
  disconnected = false;
  /** True until a subclass decides the connection has gone. */
  connected = true;
  /** The registered producer, or null. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether the registered producer is streaming (push); null when none is registered. */
  streaming: boolean | null = null;
  /** This transport's state as a push producer (the protocol may pause/resume reading). */
  producerState: ProducerState = "producing";
  /** Whether `setTcpNoDelay(true)` was last asked for. */
  tcpNoDelay = false;
  /** Whether `setTcpKeepAlive(true)` was last asked for. */
  tcpKeepAlive = false;
  /** True after `loseWriteConnection()`. */
  writeDisconnected = false;
  /** The address `getHost()` returns. */
  hostAddr: IAddress;
  /** The address `getPeer()` returns. */
  peerAddr: IAddress;
  private chunks: Uint8Array[] = [];
  private readonly lenient: boolean;

  constructor(options: StringTransportOptions = {}) {
    this.hostAddr = options.hostAddress ?? new IPv4Address("TCP", "10.0.0.1", 12345);
    this.peerAddr = options.peerAddress ?? new IPv4Address("TCP", "192.168.1.1", 54321);
    this.lenient = options.lenient ?? false;
  }

  /** Forgets everything written so far (a test helper, not a transport method). */
  clear(): void {
    this.chunks = [];
  }

  /** Every byte written since construction or the last `clear()`, as one new array. */
  value(): Uint8Array {
    if (this.chunks.length === 0) return EMPTY;
    if (this.chunks.length > 1) this.chunks = [concatAll(this.chunks)];
    return this.chunks[0]!.slice();
  }

  /**
   * Records `data` (copied, so the caller may reuse its array).
   * @throws TypeError when `data` is not a Uint8Array (a string included).
   */
  write(data: Uint8Array): void {
    mustBeBytes(data);
    if (data.length > 0) this.chunks.push(data.slice());
  }

  /**
   * Records the chunks as one write.
   * @throws TypeError when a chunk is not a Uint8Array.
   */
  writeSequence(data: Iterable<Uint8Array>): void {
    const list = Array.from(data);
    for (const c of list) mustBeBytes(c);
    this.write(concatAll(list));
  }

  /** Sets `disconnecting`; nothing else happens (see `StringTransportWithDisconnection`). */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Sets `disconnected`, then behaves like `loseConnection()`. */
  abortConnection(): void {
    this.disconnected = true;
    this.loseConnection();
  }

  /** Records a half-close (`writeDisconnected`). */
  loseWriteConnection(): void {
    this.writeDisconnected = true;
  }

  /** Records the no-delay setting. */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** Records the keep-alive setting. */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
  }

  /** The peer address (see `peerAddr`). */
  getPeer(): IAddress {
    return this.peerAddr;
  }

  /** The host address (see `hostAddr`). */
  getHost(): IAddress {
    return this.hostAddr;
  }

  /**
   * Records `producer` and `streaming`.
   * @throws Error "Cannot register two producers" when one is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new Error("Cannot register two producers");
    this.producer = producer;
    this.streaming = streaming;
  }

  /**
   * Forgets the producer.
   * @throws Error when no producer is registered.
   */
  unregisterProducer(): void {
    if (this.producer === null) throw new Error("Cannot unregister a producer unless one is registered");
    this.producer = null;
    this.streaming = null;
  }

  private checkState(): void {
    if (this.disconnecting && !this.lenient) throw new Error("Cannot resume producing after loseConnection");
    if (this.producerState === "stopped") throw new Error("Cannot resume a stopped producer");
  }

  /**
   * Records `producerState = "paused"`.
   * @throws Error after `loseConnection()` (unless lenient) or after `stopProducing()`.
   */
  pauseProducing(): void {
    this.checkState();
    this.producerState = "paused";
  }

  /**
   * Records `producerState = "producing"`.
   * @throws Error after `loseConnection()` (unless lenient) or after `stopProducing()`.
   */
  resumeProducing(): void {
    this.checkState();
    this.producerState = "producing";
  }

  /** Records `producerState = "stopped"`. */
  stopProducing(): void {
    this.producerState = "stopped";
  }
}

/**
 * A StringTransport whose `loseConnection()` tells `protocol` the connection is gone
 * (`connectionLost` with `ConnectionDone("Bye.")`), once.
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The protocol to tell; set it before calling `loseConnection()`. */
  protocol: IProtocol | null = null;

  /**
   * The first time, marks it not connected and calls `protocol.connectionLost`. As in Twisted,
   * `disconnecting` is left alone.
   */
  override loseConnection(): void {
    if (!this.connected) return;
    this.connected = false;
    const reason: FailureT = new Failure(new ConnectionDone("Bye."));
    this.protocol?.connectionLost(reason);
  }
}
