/**
 * The poetry client: connect, read until the server closes, and that is the poem (the tutorial's
 * client 4.0 onwards). `getPoetry` returns a Deferred; cancelling it closes the connection.
 */
import { Deferred } from "../../deferred.js";
import { CancelledError, ConnectionDone, ConnectionLost, TimeoutError } from "../../errors.js";
import { Failure } from "../../failure.js";
import type { IConnector } from "../../interfaces.js";
import { ClientFactory } from "../../protocols/factory.js";
import { Protocol } from "../../protocols/protocol.js";
import { connect, type PoetryReactor } from "./reactor.js";

const decoder = new TextDecoder();

/** Collects a poem's bytes; the server closing the connection marks the end of the poem. */
export class PoetryProtocol extends Protocol {
  /** The chunks received so far. */
  readonly chunks: Uint8Array[] = [];
  /** How many bytes have arrived. */
  received = 0;

  /** Keeps the chunk and reports its size to the factory's chunk observer. */
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data);
    this.received += data.length;
    (this.factory as PoetryClientFactory).chunkReceived(data.length, this);
  }

  /** Hands the bytes received to the factory, which decides from `reason` whether the poem is complete. */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const bytes = Buffer.concat(this.chunks);
    (this.factory as PoetryClientFactory).poemFinished(bytes, reason);
  }
}

/** Something told about every chunk of a download (for progress bars and timelines). */
export type ChunkObserver = (bytes: number, totalSoFar: number) => void;

/**
 * Builds the `PoetryProtocol` for one download and fires `deferred` once: with the poem when the
 * server closes cleanly, or with the failure (cannot connect, or connection broken mid-poem).
 */
export class PoetryClientFactory extends ClientFactory<PoetryProtocol> {
  /** Each download is read by a `PoetryProtocol`. */
  override protocol = PoetryProtocol;
  /** Quiet: starting and stopping this factory is not logged. */
  override noisy = false;
  /** Fired with the poem; set to null once fired (or cancelled), so it fires at most once. */
  deferred: Deferred<string> | null;
  /** Told about each chunk. */
  onChunk: ChunkObserver | undefined;

  constructor(deferred: Deferred<string>, onChunk?: ChunkObserver) {
    super();
    this.deferred = deferred;
    this.onChunk = onChunk;
  }

  /** A chunk arrived (called by the protocol). */
  chunkReceived(bytes: number, protocol: PoetryProtocol): void {
    if (this.deferred) this.onChunk?.(bytes, protocol.received);
  }

  /** The connection closed: clean means the poem is complete; otherwise the download failed. */
  poemFinished(bytes: Uint8Array, reason: Failure): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = null;
    if (reason.check(ConnectionDone)) d.callback(decoder.decode(bytes));
    else {
      const why = reason.getErrorMessage();
      d.errback(new ConnectionLost(`Poem incomplete: connection lost after ${bytes.length} bytes: ${why}`, { cause: reason.value }));
    }
  }

  /** The connection could not be made: fails `deferred` with `reason` (unless it already fired). */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = null;
    d.errback(reason);
  }
}

/** Options for `getPoetry`. */
export interface GetPoetryOptions {
  /** Seconds before giving up (the connection is closed and the Deferred fails with `TimeoutError`). */
  timeout?: number;
  /** Told about each chunk as it arrives. */
  onChunk?: ChunkObserver;
}

/**
 * Downloads a poem from a slow poetry server.
 *
 * @returns a Deferred firing with the poem's text (UTF-8), or failing with `ConnectError` (and
 *   subclasses such as `ConnectionRefusedError`) when it cannot connect, `ConnectionLost` when the
 *   connection breaks mid-poem, or `TimeoutError` after `timeout` seconds.
 *   Cancelling it closes the connection (or stops connecting) and fails it with `CancelledError`.
 */
export function getPoetry(reactor: PoetryReactor, host: string, port: number, options: GetPoetryOptions = {}): Deferred<string> {
  let connector: IConnector | null = null;
  let factory: PoetryClientFactory | null = null;
  const d = new Deferred<string>(() => {
    // Forget the Deferred first, so the connection closing does not fire it with a partial poem.
    if (factory) factory.deferred = null;
    connector?.disconnect();
  });
  factory = new PoetryClientFactory(d, options.onChunk);
  const timeout = options.timeout;
  connector = connect(reactor, host, port, factory, timeout ?? 30);
  if (timeout !== undefined) {
    d.addTimeout(timeout, reactor, (result) => {
      if (result instanceof Failure && result.check(CancelledError)) {
        throw new TimeoutError(`Timed out after ${timeout} seconds`, timeout);
      }
      return result;
    });
  }
  return d;
}
