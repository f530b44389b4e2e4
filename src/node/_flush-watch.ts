/**
 * FlushWatch: tells a Node transport when everything it wrote while watching has been flushed to
 * the kernel, on a later `setImmediate` (so a producer asked for more then cannot starve I/O).
 * Shared by the TCP `Connection`, the WebSocket server transport and `PipeWriter` (StandardIO's
 * stdout, a child process's stdin).
 */
import type { Writable } from "node:stream";
import { EMPTY } from "../_internal/bytes.js";

function fire(w: FlushWatch): void {
  w.scheduled = false;
  if (w.pending === 0) w.onEmpty();
}

/** Counts watched writes in flight; calls `onEmpty` once none is left. */
export class FlushWatch {
  /** Watched writes not yet flushed. */
  pending = 0;
  /** @internal an `onEmpty` call is queued. */
  scheduled = false;
  /** The write callback to pass with each watched write (one function per watch, no closure per write). */
  readonly written = (): void => {
    if (--this.pending > 0 || this.scheduled) return;
    this.scheduled = true;
    setImmediate(fire, this);
  };

  /** @param onEmpty called when the watched writes have all been flushed (and none was added since). */
  constructor(readonly onEmpty: () => void) {}

  /** Counts one watched write; returns the callback to hand to it. */
  track(): () => void {
    this.pending++;
    return this.written;
  }

  /**
   * Waits for everything already written to `socket` (a socket or any Node writable stream;
   * watched writes or not) to be flushed: an empty write, which completes after them. A destroyed
   * or ended stream counts as flushed.
   */
  watchSocket(socket: Writable | null): void {
    this.pending++;
    if (socket !== null && !socket.destroyed && !socket.writableEnded) socket.write(EMPTY, this.written);
    else queueMicrotask(this.written);
  }
}
