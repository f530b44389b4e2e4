/**
 * StandardIO: this process's standard input and output as a transport for a `Protocol` (Twisted's
 * `twisted.internet.stdio.StandardIO`). Stdin arrives through `dataReceived`; `transport.write`
 * goes to stdout without blocking the reactor; stdin's EOF ends the connection.
 *
 * Why not just `process.stdout.write`: on Linux, Node writes `process.stdout` *synchronously* when
 * it is a pipe or a file, so a program in a pipeline whose reader is slow freezes its reactor on a
 * `print` (seed 003 part 2). StandardIO opens its own non-blocking stream on the descriptor when it
 * is a pipe or socket (files go through Node's async file writes; a TTY uses `process.stdout`),
 * and tells a registered producer to pause when the stream's buffer is full.
 *
 * Invariants:
 * - `connectionLost` is called exactly once: on stdin EOF (unless the protocol is half-closeable:
 *   it gets `readConnectionLost` and the connection stays up until `loseConnection`), once
 *   `loseConnection`'s writes are flushed, or on a read/write error (`ConnectionLost`).
 * - Writes made before `connectionLost` are still flushed afterwards (the stream is ended, not
 *   destroyed), so a filter that writes its answer and then sees EOF loses nothing.
 */
import { fstatSync, createReadStream, createWriteStream } from "node:fs";
import { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import { ConnectionDone, ConnectionLost } from "../errors.js";
import type { IConsumer, IHalfCloseableProtocol, IProtocol, IPullProducer, IPushProducer, ITransport, ReactorTime } from "../interfaces.js";
import { PipeAddress } from "../protocols/address.js";

const log = new Logger("reed.stdio");

/** Options for `StandardIO`: which descriptors (or Node streams, for tests) to use. */
export interface StandardIOOptions {
  /** Where input comes from: a file descriptor (default 0) or a readable stream. */
  stdin?: number | Readable;
  /** Where output goes: a file descriptor (default 1) or a writable stream. */
  stdout?: number | Writable;
  /** The reactor (Node delivers stream events on the reactor thread itself; kept for Twisted's signature). */
  reactor?: ReactorTime;
}

/** Half-close support StandardIO needs: to be told stdin reached its end (writing goes on). */
type ReadHalfCloseable = Pick<IHalfCloseableProtocol, "readConnectionLost">;

function isHalfCloseable(p: IProtocol): p is IProtocol & ReadHalfCloseable {
  return typeof (p as Partial<ReadHalfCloseable>).readConnectionLost === "function";
}

function openInput(fd: number): { stream: Readable; owned: boolean } {
  if (fd === 0) return { stream: process.stdin, owned: false };
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) return { stream: new Socket({ fd, readable: true, writable: false }), owned: true };
  return { stream: createReadStream("", { fd, autoClose: false }), owned: true };
}

function openOutput(fd: number): { stream: Writable; owned: boolean } {
  const st = fstatSync(fd);
  // Pipes and sockets: a non-blocking stream of our own (process.stdout would write synchronously).
  if (st.isFIFO() || st.isSocket()) return { stream: new Socket({ fd, readable: false, writable: true }), owned: true };
  if (st.isFile()) return { stream: createWriteStream("", { fd, autoClose: false }), owned: true };
  // A terminal (or anything else): Node's own stream for it.
  if (fd === 1) return { stream: process.stdout, owned: false };
  if (fd === 2) return { stream: process.stderr, owned: false };
  return { stream: createWriteStream("", { fd, autoClose: false }), owned: true };
}

/**
 * Connects `protocol` to standard input and output and calls its `connectionMade()`.
 *
 * @example
 * class Echo extends Protocol { override dataReceived(d: Uint8Array) { this.transport.write(d); } }
 * new StandardIO(new Echo());
 */
export class StandardIO implements ITransport, IConsumer, IPushProducer {
  /** True once `connectionLost` has been called. */
  disconnected = false;
  /** True once `loseConnection()` has been called. */
  disconnecting = false;
  /** The protocol; null after `connectionLost`. */
  protocol: IProtocol | null;

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly ownsInput: boolean;
  private readonly ownsOutput: boolean;
  private reading = true;
  private writerClosed = false;
  private producer: IPushProducer | IPullProducer | null = null;
  private streamingProducer = false;
  private producerPaused = false;
  private readonly onData = (chunk: Uint8Array | string): void => this.dataArrived(chunk);
  private readonly onEnd = (): void => this.readEnded();
  private readonly onReadError = (err: Error): void => this.connectionLost(new Failure(new ConnectionLost(`Standard input failed: ${err.message}`, { cause: err })));
  private readonly onWriteError = (err: Error): void => this.writeFailed(err);
  private readonly onDrain = (): void => this.drained();

  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    this.protocol = protocol;
    const inOpt = options.stdin ?? 0;
    const outOpt = options.stdout ?? 1;
    const input = typeof inOpt === "number" ? openInput(inOpt) : { stream: inOpt, owned: false };
    const output = typeof outOpt === "number" ? openOutput(outOpt) : { stream: outOpt, owned: false };
    this.input = input.stream;
    this.ownsInput = input.owned;
    this.output = output.stream;
    this.ownsOutput = output.owned;
    this.output.on("error", this.onWriteError);
    this.output.on("drain", this.onDrain);
    this.input.on("error", this.onReadError);
    this.input.on("end", this.onEnd);
    this.input.on("data", this.onData);
    protocol.makeConnection(this);
  }

  // --- ITransport --------------------------------------------------------------------------------

  /**
   * Queues bytes for stdout and returns at once. When the stream's buffer is full, a registered
   * streaming producer is paused until it drains. Ignored after the write side is closed.
   * @throws TypeError when `data` is not bytes.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`Data must be bytes (Uint8Array): got ${typeof data}`);
    if (this.writerClosed || this.output.destroyed || this.output.writableEnded) return;
    const ok = this.output.write(data);
    if (!ok && this.producer && this.streamingProducer && !this.producerPaused) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /** Writes several chunks. */
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const chunk of data) this.write(chunk);
  }

  /**
   * Stops reading stdin, flushes what was written to stdout, closes it (when StandardIO opened it
   * itself), then calls `connectionLost` with `ConnectionDone`.
   */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.stopReading();
    this.closeWriter(() => this.connectionLost(new Failure(new ConnectionDone())));
  }

  /** Flushes and closes stdout but keeps reading stdin (half-close). */
  loseWriteConnection(): void {
    this.closeWriter(() => {});
  }

  /** A `PipeAddress`. */
  getPeer(): PipeAddress {
    return new PipeAddress();
  }

  /** A `PipeAddress`. */
  getHost(): PipeAddress {
    return new PipeAddress();
  }

  // --- IConsumer ---------------------------------------------------------------------------------

  /**
   * Attaches a producer of output: a streaming one is paused while stdout's buffer is full and
   * resumed when it drains; a pull one is asked for more each time it drains (and once now).
   * @throws Error when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer) throw new Error("Cannot register a producer: one is already registered");
    if (this.writerClosed || this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (streaming && this.output.writableNeedDrain) {
      this.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    } else if (!streaming) {
      producer.resumeProducing();
    }
  }

  /** Detaches the producer. */
  unregisterProducer(): void {
    this.producer = null;
  }

  // --- IPushProducer (reading stdin) -------------------------------------------------------------

  /** Stops delivering stdin data until `resumeProducing()`. */
  pauseProducing(): void {
    this.input.pause();
  }

  /** Delivers stdin data again. */
  resumeProducing(): void {
    if (this.reading) this.input.resume();
  }

  /** Same as `loseConnection()`. */
  stopProducing(): void {
    this.loseConnection();
  }

  // --- internals ---------------------------------------------------------------------------------

  private dataArrived(chunk: Uint8Array | string): void {
    const p = this.protocol;
    if (!p || !this.reading) return;
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    try {
      p.dataReceived(bytes);
    } catch (e) {
      log.failure("A standard I/O protocol's dataReceived failed", Failure.from(e));
      this.connectionLost(Failure.from(e));
    }
  }

  private readEnded(): void {
    if (this.disconnected) return;
    this.stopReading();
    const p = this.protocol;
    if (p && isHalfCloseable(p)) {
      try {
        p.readConnectionLost();
      } catch (e) {
        log.failure("A standard I/O protocol's readConnectionLost failed", Failure.from(e));
        this.connectionLost(Failure.from(e));
      }
      return;
    }
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  private stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.input.off("data", this.onData);
    this.input.pause();
    if (this.ownsInput) this.input.destroy();
  }

  private closeWriter(then: () => void): void {
    if (this.writerClosed) {
      then();
      return;
    }
    this.writerClosed = true;
    if (this.producer) {
      const p = this.producer;
      this.producer = null;
      p.stopProducing();
    }
    if (this.output.destroyed) {
      then();
    } else if (this.ownsOutput) {
      this.output.end(then);
    } else {
      // process.stdout/stderr (or a caller's stream) stays open; wait for what was written.
      this.output.write(new Uint8Array(0), () => then());
    }
  }

  private drained(): void {
    const p = this.producer;
    if (!p) return;
    if (this.streamingProducer) {
      if (this.producerPaused) {
        this.producerPaused = false;
        (p as IPushProducer).resumeProducing();
      }
    } else {
      p.resumeProducing();
    }
  }

  private writeFailed(err: Error): void {
    this.writerClosed = true;
    this.connectionLost(new Failure(new ConnectionLost(`Standard output failed: ${err.message}`, { cause: err })));
  }

  private connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.stopReading();
    this.input.off("end", this.onEnd);
    // Flush (do not discard) what was written; the stream closes after it when it is ours.
    if (!this.writerClosed) this.closeWriter(() => {});
    const p = this.protocol;
    this.protocol = null;
    if (!p) return;
    try {
      p.connectionLost(reason);
    } catch (e) {
      log.failure("A standard I/O protocol's connectionLost failed", Failure.from(e));
    }
  }
}
