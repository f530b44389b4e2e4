/**
 * The slow poetry server: each client gets the poem `numBytes` bytes at a time, one chunk every
 * `delay` seconds, and then the connection is closed (the close marks the end of the poem).
 *
 * By default every client is served at once (the reactor interleaves them). With `oneAtATime`
 * it behaves like the tutorial's blocking server: one client is served while every other client
 * waits, connected but receiving nothing, until the ones before it are done.
 */
import type { IDelayedCall } from "../../interfaces.js";
import type { Failure } from "../../failure.js";
import { ServerFactory } from "../../protocols/factory.js";
import { Protocol } from "../../protocols/protocol.js";
import { Logger } from "../../logger.js";
import type { PoetryReactor } from "./reactor.js";

const log = new Logger("reed.poetry.server");

/** Options for `SlowPoetryFactory`. */
export interface SlowPoetryOptions {
  /** Bytes per chunk (default 10). */
  numBytes?: number;
  /** Seconds between chunks (default 0.1). */
  delay?: number;
  /** Serve one client at a time, making the others wait (the blocking server). */
  oneAtATime?: boolean;
  /** Told about every chunk sent and every client served (the CLI prints these). */
  onEvent?: (event: SlowPoetryEvent) => void;
}

/** What the server reports as it works. */
export type SlowPoetryEvent =
  | { kind: "connected"; peer: string; waiting: boolean }
  | { kind: "sent"; peer: string; bytes: number }
  | { kind: "finished"; peer: string; complete: boolean };

/** Sends the factory's poem slowly, then closes the connection. */
export class SlowPoetryProtocol extends Protocol {
  private offset = 0;
  private timer: IDelayedCall | null = null;
  private started = false;

  private get poetryFactory(): SlowPoetryFactory {
    return this.factory as SlowPoetryFactory;
  }

  /** The peer as `host:port`. */
  get peer(): string {
    const p = this.transport.getPeer();
    return "host" in p ? `${p.host}:${p.port}` : String(p);
  }

  /** Tells the factory a client arrived; it starts sending now or queues this client. */
  override connectionMade(): void {
    this.poetryFactory.clientArrived(this);
  }

  /** Starts sending (the factory calls this when it is this client's turn). */
  startSending(): void {
    if (this.started || !this.connected) return;
    this.started = true;
    this.sendChunk();
  }

  private sendChunk(): void {
    this.timer = null;
    const f = this.poetryFactory;
    if (this.offset >= f.poem.length) {
      this.transport.loseConnection();
      return;
    }
    const chunk = f.poem.subarray(this.offset, this.offset + f.numBytes);
    this.offset += chunk.length;
    f.onEvent?.({ kind: "sent", peer: this.peer, bytes: chunk.length });
    this.transport.write(chunk);
    // Close right after the last chunk (as the tutorial's server does), or wait for the next turn.
    if (this.offset >= f.poem.length) this.transport.loseConnection();
    else this.timer = f.reactor.callLater(f.delay, () => this.sendChunk());
  }

  /** Stops sending and tells the factory this client left (and whether it got the whole poem). */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.timer?.active()) this.timer.cancel();
    this.timer = null;
    this.poetryFactory.clientLeft(this, this.offset >= this.poetryFactory.poem.length);
  }
}

/** Makes `SlowPoetryProtocol`s for one poem, and runs the one-at-a-time queue when asked to. */
export class SlowPoetryFactory extends ServerFactory<SlowPoetryProtocol> {
  /** Each client is served by a `SlowPoetryProtocol`. */
  override protocol = SlowPoetryProtocol;
  /** Quiet: starting and stopping this factory is not logged. */
  override noisy = false;
  /** Bytes per chunk. */
  readonly numBytes: number;
  /** Seconds between chunks. */
  readonly delay: number;
  /** Whether clients are served one at a time. */
  readonly oneAtATime: boolean;
  /** Told about every client that connects, every chunk sent and every client finished. */
  readonly onEvent: ((event: SlowPoetryEvent) => void) | undefined;
  private readonly queue: SlowPoetryProtocol[] = [];
  private serving: SlowPoetryProtocol | null = null;

  /**
   * @param reactor schedules the chunks.
   * @param poem the poem's bytes.
   * @throws RangeError for a `numBytes` below 1 or a negative `delay`.
   */
  constructor(
    readonly reactor: PoetryReactor,
    readonly poem: Uint8Array,
    options: SlowPoetryOptions = {},
  ) {
    super();
    this.numBytes = options.numBytes ?? 10;
    this.delay = options.delay ?? 0.1;
    if (!(this.numBytes >= 1)) throw new RangeError(`numBytes must be at least 1: ${this.numBytes}`);
    if (!(this.delay >= 0)) throw new RangeError(`delay must be at least 0: ${this.delay}`);
    this.oneAtATime = options.oneAtATime ?? false;
    this.onEvent = options.onEvent;
  }

  /** A client connected: serve it now, or queue it behind the one being served. */
  clientArrived(p: SlowPoetryProtocol): void {
    const waiting = this.oneAtATime && this.serving !== null;
    this.onEvent?.({ kind: "connected", peer: p.peer, waiting });
    if (!this.oneAtATime) p.startSending();
    else if (waiting) this.queue.push(p);
    else {
      this.serving = p;
      p.startSending();
    }
  }

  /** A client's connection closed: in one-at-a-time mode, the next one gets its turn. */
  clientLeft(p: SlowPoetryProtocol, complete: boolean): void {
    this.onEvent?.({ kind: "finished", peer: p.peer, complete });
    if (!complete) log.info("Client {peer} went away before the end of the poem", { peer: p.peer });
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.serving !== p) return;
    this.serving = null;
    while (this.queue.length && !this.serving) {
      const next = this.queue.shift()!;
      if (!next.connected) continue;
      this.serving = next;
      next.startSending();
    }
  }
}
