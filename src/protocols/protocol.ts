/**
 * Protocol: one connection's event handler. Events are past tense (`connectionMade`,
 * `dataReceived`, `connectionLost`); requests go to `this.transport` (`write`, `loseConnection`).
 */
import type { Failure } from "../failure.js";
import type { IProtocol, IProtocolFactory, ITransport } from "../interfaces.js";

/**
 * Base class for connection protocols. Override the events you care about.
 *
 * @example
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array) { this.transport.write(data); }
 * }
 */
export class Protocol implements IProtocol {
  /** The factory that built this protocol (set by `Factory.buildProtocol`). */
  factory: IProtocolFactory | null = null;
  /** The connection; set by `makeConnection` (reading it before then is a programming error). */
  transport!: ITransport;
  /** True between `makeConnection` and `connectionLost`. */
  connected = false;

  /** Connects to `transport` and calls `connectionMade()`. Transports call this; you rarely do. */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up: `this.transport` is ready for writing. */
  connectionMade(): void {}

  /** Bytes arrived; chunk boundaries are arbitrary. */
  dataReceived(_data: Uint8Array): void {}

  /** The connection is gone: `ConnectionDone` when it closed cleanly, `ConnectionLost` otherwise. */
  connectionLost(_reason: Failure): void {
    this.connected = false;
  }
}
