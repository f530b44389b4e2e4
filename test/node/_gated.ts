/**
 * Writes held until the test says so, for transports over Node streams (Connection, PipeWriter):
 * a stream's `_write` hands each chunk to a WriteGate, and `release()` completes them in order.
 */

/** Lets the event loop deliver what is due (stream callbacks, 'drain', 'finish'). */
export const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Holds each write's completion; records what was written once released. */
export class WriteGate {
  written = "";
  private pending: (() => void)[] = [];

  /** A stream's `_write`: the chunk is written (and `cb` called) on `release()`. */
  hold(chunk: Buffer, cb: (e?: Error | null) => void): void {
    this.pending.push(() => {
      this.written += chunk.toString();
      cb();
    });
  }

  /** Completes the writes held so far, then lets the event loop deliver what follows. */
  async release(): Promise<void> {
    while (this.pending.length > 0) {
      this.pending.shift()!();
      await turn();
    }
    await turn();
  }
}
