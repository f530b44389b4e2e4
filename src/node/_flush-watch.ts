/**
 * FlushWatch: tells a Node transport when everything it wrote while watching has been flushed to
 * the kernel, on a later `setImmediate` (so a producer asked for more then cannot starve I/O).
 * Shared by the TCP `Connection` and the WebSocket server transport.
 */
import type { Socket } from "node:net";
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
   * Waits for everything already written to `socket` (watched or not) to be flushed: an empty
   * write, which completes after them. A destroyed socket counts as flushed.
   */
  watchSocket(socket: Socket | null): void {
    this.pending++;
    if (socket !== null && !socket.destroyed) socket.write(EMPTY, this.written);
    else queueMicrotask(this.written);
  }
}
