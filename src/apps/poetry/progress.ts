/**
 * Live progress bars on a terminal: one line per download, redrawn in place (at most every
 * 50 ms). A poem's length is unknown until the server closes, so each bar is drawn against the
 * largest download so far; the byte count and the state say the rest.
 */
import type { IDelayedCall } from "../../interfaces.js";
import type { DownloadTask } from "./download.js";
import { addressText } from "./download.js";
import type { PoetryReactor } from "./reactor.js";

const BAR = 30;

/** A block of lines, one per task, redrawn in place on a terminal. */
export class ProgressDisplay {
  private drawnLines = 0;
  private pending: IDelayedCall | null = null;

  constructor(
    private readonly reactor: PoetryReactor,
    private readonly out: NodeJS.WritableStream,
    private readonly tasks: readonly DownloadTask[],
  ) {}

  /** Something changed: redraw soon. */
  update(): void {
    if (this.pending) return;
    this.pending = this.reactor.callLater(0.05, () => {
      this.pending = null;
      this.draw();
    });
  }

  /** Draws the final state now (and stops redrawing). */
  finish(): void {
    if (this.pending?.active()) this.pending.cancel();
    this.pending = null;
    this.draw();
  }

  private draw(): void {
    const scale = Math.max(1, ...this.tasks.map((t) => t.bytes));
    const labelW = Math.max(...this.tasks.map((t) => addressText(t.host, t.port).length));
    let text = this.drawnLines ? `\x1b[${this.drawnLines}A` : "";
    for (const t of this.tasks) {
      const filled = Math.round((t.bytes / scale) * BAR);
      const state = t.error ? `failed: ${t.error.getErrorMessage()}` : t.finished !== null ? "done" : t.started === null ? "waiting" : "downloading";
      const bar = "█".repeat(filled) + "░".repeat(BAR - filled);
      text += `\x1b[2KTask ${t.index} ${addressText(t.host, t.port).padEnd(labelW)} ${bar} ${String(t.bytes).padStart(6)} bytes  ${state}\n`;
    }
    this.drawnLines = this.tasks.length;
    this.out.write(text);
  }
}
