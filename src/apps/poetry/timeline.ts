/**
 * A timeline picture of a download run, in the spirit of the tutorial's Figures 1–4: one lane
 * per task, time running left to right, a mark for every chunk received. Concurrent runs show
 * the lanes' marks interleaved; sequential runs show each lane waiting for the one before.
 */
import type { DownloadTask } from "./download.js";
import { addressText, formatTimedelta } from "./download.js";

const LANE_H = 34;
const LABEL_W = 190;
const PLOT_W = 720;
const TOP = 40;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Renders the tasks as an SVG document.
 * @param title a heading (e.g. "concurrent client").
 * @param t0 the run's start time (reactor seconds); the axis starts there.
 */
export function renderTimeline(tasks: readonly DownloadTask[], title: string, t0: number): string {
  const ends = tasks.map((t) => t.finished ?? t0);
  const span = Math.max(0.001, ...ends.map((e) => e - t0));
  const x = (t: number): number => LABEL_W + ((t - t0) / span) * PLOT_W;
  const height = TOP + tasks.length * LANE_H + 40;
  const width = LABEL_W + PLOT_W + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}: ${tasks.length} task${tasks.length === 1 ? "" : "s"} in ${formatTimedelta(span)}</text>`);
  tasks.forEach((task, i) => {
    const y = TOP + i * LANE_H;
    const mid = y + LANE_H / 2;
    out.push(`<g class="lane" data-task="${task.index}">`);
    out.push(`<rect x="${LABEL_W}" y="${y + 4}" width="${PLOT_W}" height="${LANE_H - 8}" fill="${i % 2 ? "#f4f6f8" : "#eef1f4"}"/>`);
    out.push(`<text x="10" y="${mid + 4}">Task ${task.index}: ${esc(addressText(task.host, task.port))}</text>`);
    if (task.started !== null) {
      const end = task.finished ?? task.started;
      // The span the task was alive (connected and waiting or reading).
      out.push(`<line x1="${x(task.started).toFixed(1)}" y1="${mid}" x2="${x(end).toFixed(1)}" y2="${mid}" stroke="#9aa5b1" stroke-width="2"/>`);
    }
    for (const c of task.chunks) {
      out.push(`<rect class="chunk" x="${(x(c.time) - 1).toFixed(1)}" y="${y + 8}" width="2.5" height="${LANE_H - 16}" fill="#2b7bb9"><title>${c.bytes} bytes at +${(c.time - t0).toFixed(3)} s</title></rect>`);
    }
    if (task.finished !== null) {
      const fx = x(task.finished);
      if (task.error) {
        out.push(`<text x="${(fx + 4).toFixed(1)}" y="${mid + 4}" fill="#c0392b" font-weight="bold">✗ ${esc(task.error.getErrorMessage().slice(0, 60))}</text>`);
      } else {
        out.push(`<text x="${(fx + 4).toFixed(1)}" y="${mid + 4}" fill="#2e7d32">✓ ${task.bytes} B</text>`);
      }
    }
    out.push(`</g>`);
  });
  // Time axis: ticks at round intervals.
  const axisY = TOP + tasks.length * LANE_H + 10;
  out.push(`<line x1="${LABEL_W}" y1="${axisY}" x2="${LABEL_W + PLOT_W}" y2="${axisY}" stroke="#333"/>`);
  const step = niceStep(span / 8);
  for (let t = 0; t <= span + 1e-9; t += step) {
    const tx = x(t0 + t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    out.push(`<text x="${tx}" y="${axisY + 18}" text-anchor="middle">${+t.toFixed(3)} s</text>`);
  }
  out.push(`</svg>`, "");
  return out.join("\n");
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
