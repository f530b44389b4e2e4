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
 *   `loseConnection`'s close has happened, or on a read/write error (`ConnectionLost`).
 * - Closing with a producer registered follows the rule every reed transport shares (Twisted's
 *   `FileDescriptor`, which its `StandardIO` writes stdout through): each time stdout's buffer
 *   empties, a pull producer or a streaming producer StandardIO paused is asked to resume and the
 *   close waits; otherwise stdout is closed, and a producer still registered is told
 *   `stopProducing()` before `connectionLost`. Writes made after `loseConnection()` still go out
 *   until stdout is closed. (The writer is `PipeWriter`, shared with `spawnProcess`'s stdin.)
 * - Writes made before `connectionLost` are still flushed afterwards (the stream is ended, not
 *   destroyed), so a filter that writes its answer and then sees EOF loses nothing. (Twisted
 *   drops them when stdin's EOF ends the connection.)
 */
import { fstatSync, createReadStream, createWriteStream } from "node:fs";
import { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import { ConnectionDone, ConnectionLost } from "../errors.js";
import { PipeWriter } from "./_pipe-writer.js";
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
/** ...and that stdout was closed by `loseWriteConnection()` (reading goes on). */
type WriteHalfCloseable = Pick<IHalfCloseableProtocol, "writeConnectionLost">;

function isHalfCloseable(p: IProtocol): p is IProtocol & ReadHalfCloseable {
  return typeof (p as Partial<ReadHalfCloseable>).readConnectionLost === "function";
}

function isWriteHalfCloseable(p: IProtocol): p is IProtocol & WriteHalfCloseable {
  return typeof (p as Partial<WriteHalfCloseable>).writeConnectionLost === "function";
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
  private readonly ownsInput: boolean;
  /** Stdout; null once it is closed (by `loseConnection`/`loseWriteConnection`, or a failure). */
  private writer: PipeWriter | null;
  private reading = true;
  private readonly onData = (chunk: Uint8Array | string): void => this.dataArrived(chunk);
  private readonly onEnd = (): void => this.readEnded();
  private readonly onReadError = (err: Error): void => this.connectionLost(new Failure(new ConnectionLost(`Standard input failed: ${err.message}`, { cause: err })));

  /**
   * @param protocol the protocol to connect; its `connectionMade()` runs before this returns.
   * @param options the descriptors or streams to use (default: this process's stdin and stdout).
   */
  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    this.protocol = protocol;
    const inOpt = options.stdin ?? 0;
    const outOpt = options.stdout ?? 1;
    const input = typeof inOpt === "number" ? openInput(inOpt) : { stream: inOpt, owned: false };
    const output = typeof outOpt === "number" ? openOutput(outOpt) : { stream: outOpt, owned: false };
    this.input = input.stream;
    this.ownsInput = input.owned;
    this.writer = new PipeWriter(output.stream, output.owned, "Standard output", (reason) => this.writeSideLost(reason));
    this.input.on("error", this.onReadError);
    this.input.on("end", this.onEnd);
    this.input.on("data", this.onData);
    protocol.makeConnection(this);
  }

  // --- ITransport --------------------------------------------------------------------------------

  /**
   * Queues bytes for stdout and returns at once. When the stream's buffer is full, a registered
   * streaming producer is paused until it drains. Ignored once stdout is closed.
   * @throws TypeError when `data` is not bytes.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`Data must be bytes (Uint8Array): got ${typeof data}`);
    this.writer?.write(data);
  }

  /** Writes several chunks. */
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const chunk of data) this.write(chunk);
  }

  /**
   * Stops reading stdin and closes stdout once what was written has been flushed (closing it when
   * StandardIO opened it itself), then calls `connectionLost` with `ConnectionDone`. A registered
   * pull producer, or a streaming producer StandardIO paused, is asked to resume each time the
   * buffer empties and holds the close until it is unregistered; one still registered at the
   * close is told `stopProducing()` first. When stdout is already closed (`loseWriteConnection`)
   * the connection ends at once (Twisted's StandardIO would wait for ever here).
   */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.stopReading();
    if (this.writer !== null) this.writer.loseConnection();
    else this.connectionLost(new Failure(new ConnectionDone()));
  }

  /**
   * Half-close: closes stdout (by the same rule as `loseConnection()`, producers included; a
   * producer still registered is stopped) but keeps reading stdin. A protocol with
   * `writeConnectionLost()` is told once stdout is closed.
   */
  loseWriteConnection(): void {
    this.writer?.loseConnection();
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
   * resumed when it drains; a pull one is asked for more each time the buffer has emptied (and
   * once now). Once stdout is closed the producer is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.writer === null) {
      producer.stopProducing();
      return;
    }
    this.writer.registerProducer(producer, streaming);
  }

  /** Detaches the producer (it is not told anything); a pending close goes ahead once stdout is flushed. */
  unregisterProducer(): void {
    this.writer?.unregisterProducer();
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
    if (this.disconnected || !this.reading) return;
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

  /** Stdout is closed (Twisted's `_writeConnectionLost`), or failed. */
  private writeSideLost(reason: Failure): void {
    this.writer = null;
    if (this.disconnected) return;
    if (!(reason.value instanceof ConnectionDone)) {
      this.connectionLost(reason);
      return;
    }
    if (this.disconnecting) {
      this.connectionLost(reason);
      return;
    }
    const p = this.protocol;
    if (p && isWriteHalfCloseable(p)) {
      try {
        p.writeConnectionLost();
      } catch (e) {
        log.failure("A standard I/O protocol's writeConnectionLost failed", Failure.from(e));
        this.connectionLost(Failure.from(e));
      }
    }
  }

  private connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.stopReading();
    this.input.off("end", this.onEnd);
    // A producer still registered is stopped; what was written is flushed (not discarded), and
    // the stream closes after it when it is ours.
    const w = this.writer;
    this.writer = null;
    w?.shutdown();
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
