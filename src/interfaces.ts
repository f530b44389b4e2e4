/**
 * Reactor interfaces (types only), so real and fake reactors implement the same contracts.
 * Networking, process and thread interfaces are added beside these by their modules.
 */
import type { Failure } from "./failure.js";
import type { Deferred } from "./deferred.js";
import type { IAddress } from "./protocols/address.js";

/** A call scheduled with `callLater`. */
export interface IDelayedCall {
  /** When it is due, in the reactor's seconds. */
  getTime(): number;
  /**
   * Stops it from running.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  cancel(): void;
  /**
   * Makes it due `seconds` from now.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  reset(seconds: number): void;
  /**
   * Postpones it by `seconds` (negative brings it forward).
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  delay(seconds: number): void;
  /** True until it has run or been cancelled. */
  active(): boolean;
}

/** Time: the part of a reactor that `Clock` fakes. Everything that needs time takes one of these. */
export interface ReactorTime {
  /** The current time in seconds (a float). */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds (0 = as soon as possible, after what is already due). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** The calls that are scheduled and have not run or been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}

// --- Connections ------------------------------------------------------------------------------

/** Something that produces data for a consumer (a transport) and can be told to stop. */
export interface IProducer {
  /** Stop producing for good (the consumer is going away). */
  stopProducing(): void;
}

/** A producer that writes on its own and must be paused when the consumer's buffer is full. */
export interface IPushProducer extends IProducer {
  /** The consumer's buffer is full: stop writing until `resumeProducing()`. */
  pauseProducing(): void;
  /** Writing may continue. */
  resumeProducing(): void;
}

/** A producer that writes one chunk each time it is asked. */
export interface IPullProducer extends IProducer {
  /** Write one chunk now. */
  resumeProducing(): void;
}

/** Takes data from a producer (transports are consumers). */
export interface IConsumer {
  /**
   * Attaches a producer: `streaming` true for an `IPushProducer` (paused/resumed by the consumer's
   * buffer), false for an `IPullProducer` (asked for a chunk whenever the buffer drains).
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Detaches the producer. */
  unregisterProducer(): void;
  /** Writes bytes. */
  write(data: Uint8Array): void;
}

/** A protocol's view of its connection. */
export interface ITransport {
  /**
   * Queues bytes to send, without waiting.
   * @throws TypeError when `data` is not bytes (a string is an error: encode it yourself).
   */
  write(data: Uint8Array): void;
  /** Writes several chunks as one. */
  writeSequence(data: Iterable<Uint8Array>): void;
  /** Closes the connection once everything written has been sent. */
  loseConnection(): void;
  /** The other side's address. */
  getPeer(): IAddress;
  /** This side's address. */
  getHost(): IAddress;
}

/** A TCP (or TLS, or UNIX stream) connection's transport. */
export interface ITCPTransport extends ITransport, IConsumer {
  /** Closes at once, discarding unsent data; the protocol sees `ConnectionLost`. */
  abortConnection(): void;
  /** Half-close: stop writing (sends FIN) but keep reading. */
  loseWriteConnection(): void;
  /** Enables/disables Nagle's algorithm being off (`true` = no delay). */
  setTcpNoDelay(enabled: boolean): void;
  /** Enables/disables TCP keep-alive probes. */
  setTcpKeepAlive(enabled: boolean): void;
}

/** One connection's event handler (see `Protocol`). */
export interface IProtocol {
  /** Connects the protocol to a transport and calls `connectionMade()`. */
  makeConnection(transport: ITransport): void;
  /** The connection is up. */
  connectionMade(): void;
  /** Bytes arrived (in arbitrary chunks: framing is the protocol's job). */
  dataReceived(data: Uint8Array): void;
  /** The connection is gone: `ConnectionDone` when clean, `ConnectionLost` otherwise. */
  connectionLost(reason: Failure): void;
}

/** Makes a protocol per connection. */
export interface IProtocolFactory {
  /** A protocol for a new connection from/to `addr`; null refuses the connection. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called when a port starts listening or a connector starts (counted). */
  doStart(): void;
  /** Called when a port stops listening or a connector finishes (counted). */
  doStop(): void;
}

/** A pending or established outgoing connection. */
export interface IConnector {
  /** Stops an attempt in progress (the factory sees `UserError`-style failure). */
  stopConnecting(): void;
  /** Disconnects (or stops connecting). */
  disconnect(): void;
  /** Tries again (used by reconnecting factories). */
  connect(): void;
  /** Where it connects to. */
  getDestination(): IAddress;
}

/** A listening server socket. */
export interface IListeningPort {
  /** Stops accepting connections; fires when the socket is closed. */
  stopListening(): Deferred<void>;
  /** The address it listens on (with the real port when 0 was asked for). */
  getHost(): IAddress;
}
