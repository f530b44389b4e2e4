/**
 * PipeWriter: the write end of a pipe (or any Node writable stream) as a consumer that follows the
 * transports' shared producer rule (`emptyBufferAction`). Twisted's `ProcessWriter`, which serves
 * both `StandardIO`'s stdout and a child process's stdin pipes. Never exported from an entry point.
 *
 * Invariants:
 * - `loseConnection()` waits for the buffer to empty; each time it does, a pull producer or a
 *   streaming producer this writer paused is asked to resume instead (and the close waits again);
 *   otherwise the stream is ended. Writes are accepted until then.
 * - `onLost(reason)` is called exactly once, when the write side is over: `ConnectionDone` after a
 *   close, `ConnectionLost` on a stream error or an unexpected close. A producer still registered
 *   is told `stopProducing()` just before.
 * - `shutdown()` ends quietly (no `onLost`): the owner is going away, but what was written is still
 *   flushed.
 */
import type { Writable } from "node:stream";
import { ConnectionDone, ConnectionLost, ProducerAlreadyRegistered } from "../errors.js";
import { Failure } from "../failure.js";
import type { IPullProducer, IPushProducer } from "../interfaces.js";
import { Logger } from "../logger.js";
import { emptyBufferAction } from "../_internal/write-flow.js";
import { FlushWatch } from "./_flush-watch.js";

const log = new Logger("reed.node.pipe");

function describeType(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** Writes to one stream for a transport; see the module comment. */
export class PipeWriter {
  /** The producer writing through this pipe, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether `producer` is a streaming (push) producer. */
  streamingProducer = false;
  /** True once `loseConnection()` has been called. */
  disconnecting = false;
  /** True once the write side is over (`onLost` called, or `shutdown()`): writes are ignored. */
  disconnected = false;

  private producerPaused = false;
  private ending = false; // end() called on the stream
  private flush: FlushWatch | null = null;
  private readonly onError = (err: Error): void => {
    this.destroyOnLost = true;
    this.connectionLost(new Failure(new ConnectionLost(`${this.label} failed: ${err.message}`, { cause: err })));
  };
  private readonly onClose = (): void => {
    this.connectionLost(new Failure(new ConnectionLost(`${this.label} was closed`)));
  };
  private readonly onDrain = (): void => this.drained();
  private destroyOnLost = false;

  /**
   * @param stream where the bytes go.
   * @param owned whether to end the stream when closing (false for `process.stdout` or a stream
   *   the caller lent: the close then just stops using it, once everything is flushed).
   * @param label what the stream is, for error messages ("Standard output").
   * @param onLost called once the write side is over (see the module comment).
   */
  constructor(
    readonly stream: Writable,
    private readonly owned: boolean,
    private readonly label: string,
    private readonly onLost: (reason: Failure) => void,
  ) {
    stream.on("error", this.onError);
    stream.on("close", this.onClose);
    stream.on("drain", this.onDrain);
  }

  /** Queues bytes; pauses a streaming producer when the stream's buffer is full. Ignored once closed. */
  write(data: Uint8Array): void {
    const s = this.stream;
    if (this.disconnected || this.ending || data.length === 0 || s.destroyed || s.writableEnded) return;
    if (this.watchingWrites()) {
      if (s.write(data, this.flushWatch().track()) || !this.streamingProducer) return;
    } else if (s.write(data)) {
      return;
    }
    if (this.producer !== null && this.streamingProducer && !this.producerPaused) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /**
   * Attaches a producer: a streaming one is paused while the buffer is full and resumed on drain;
   * a pull one is asked for a chunk now and another each time the buffer has emptied. On a closed
   * pipe it is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new ProducerAlreadyRegistered(`${describeType(producer)} while ${describeType(this.producer)} was never unregistered`);
    }
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (streaming) {
      if (this.stream.writableNeedDrain) {
        this.producerPaused = true;
        (producer as IPushProducer).pauseProducing();
      }
    } else {
      producer.resumeProducing();
    }
  }

  /** Detaches the producer (not told anything); a pending close goes ahead once the buffer is flushed. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.disconnecting && !this.disconnected && !this.ending) this.watchFlush();
  }

  /** Closes once the buffer has emptied and no producer holds the close (see the module comment). */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.watchFlush();
  }

  /**
   * The write side is over: a producer still registered is stopped, then `onLost(reason)`. The
   * stream is destroyed when it failed, otherwise left to finish.
   */
  connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.stopProducer();
    this.detach();
    if (this.destroyOnLost && this.owned) this.stream.destroy();
    this.onLost(reason);
  }

  /**
   * Ends without reporting (the owner is gone): a producer still registered is stopped, writes are
   * ignored from now on, and what was written is still flushed before the stream (when owned) ends.
   */
  shutdown(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.stopProducer();
    this.stream.off("close", this.onClose);
    this.stream.off("drain", this.onDrain);
    // The error listener stays: a late EPIPE must not become an uncaught exception.
    if (this.owned && !this.ending && !this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
  }

  private stopProducer(): void {
    const p = this.producer;
    this.producer = null;
    if (p === null) return;
    try {
      p.stopProducing();
    } catch (e) {
      log.failure("Producer {producer} raised in stopProducing", e, { producer: describeType(p) });
    }
  }

  private detach(): void {
    this.stream.off("close", this.onClose);
    this.stream.off("drain", this.onDrain);
  }

  private watchingWrites(): boolean {
    return this.disconnecting || (this.producer !== null && !this.streamingProducer);
  }

  private flushWatch(): FlushWatch {
    return (this.flush ??= new FlushWatch(() => this.bufferEmptied()));
  }

  private watchFlush(): void {
    this.flushWatch().watchSocket(this.stream);
  }

  private drained(): void {
    // While closing every write is watched, and `bufferEmptied` decides.
    if (this.disconnecting || this.producer === null || !this.streamingProducer || !this.producerPaused) return;
    this.producerPaused = false;
    this.resumeProducer(this.producer);
  }

  /** Asks `p` for more; its exception (thrown into a stream event it would be uncaught) ends the writer. */
  private resumeProducer(p: IPushProducer | IPullProducer): void {
    try {
      p.resumeProducing();
    } catch (e) {
      const f = Failure.from(e);
      log.failure("Producer {producer} raised in resumeProducing: closing", f, { producer: describeType(p) });
      this.destroyOnLost = true;
      this.connectionLost(f);
    }
  }

  /** The buffer has emptied: Twisted's `doWrite` rule (`emptyBufferAction`). */
  private bufferEmptied(): void {
    if (this.disconnected || this.ending) return;
    const p = this.producer;
    switch (emptyBufferAction(p !== null, this.streamingProducer, this.producerPaused, this.disconnecting)) {
      case "resume-producer":
        this.producerPaused = false;
        this.resumeProducer(p!);
        break;
      case "close":
        this.close();
        break;
      case "nothing":
        break;
    }
  }

  private close(): void {
    const done = (): void => this.connectionLost(new Failure(new ConnectionDone()));
    const s = this.stream;
    if (!this.owned || s.destroyed || s.writableEnded) {
      done();
      return;
    }
    this.ending = true;
    // `end`'s callback runs on 'finish', or with the error before the 'error' event comes.
    s.end((err?: Error | null) => (err ? this.onError(err) : done()));
  }
}
