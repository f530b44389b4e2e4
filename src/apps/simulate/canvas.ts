/**
 * Canvases the deferred simulator draws on: a character grid (the tutorial's "high-resolution
 * ASCII art") and an SVG picture of the same drawing.
 *
 * Invariants of the character grid (they make the output match the tutorial byte for byte):
 * - Every character drawn is a pixel, spaces included: a centred label overwrites what was under
 *   its padding, and padding widens the grid.
 * - The grid prints as `height` rows, each padded with spaces to the full `width`, each ending in
 *   a newline; width and height come from the furthest pixel drawn.
 */

/** The drawing operations the simulator uses, in character cells (x right, y down). */
export interface Canvas {
  /** Draws `width` dashes from (x, y) rightwards. */
  drawHorizLine(x: number, y: number, width: number): void;
  /** Draws `height` bars from (x, y) downwards; with `endArrow`, the last row becomes `\|/`. */
  drawVertLine(x: number, y: number, height: number, endArrow?: boolean): void;
  /** Draws `text` from (x, y) rightwards, spaces included. */
  drawText(x: number, y: number, text: string): void;
  /** Forgets everything drawn so far. */
  clear(): void;
}

/**
 * Centres `text` in `width` columns exactly as Python's `str.center` does (when the padding is
 * odd, the extra space goes left only if both the padding and `width` are odd).
 */
export function pyCenter(text: string, width: number): string {
  const marg = width - text.length;
  if (marg <= 0) return text;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return " ".repeat(left) + text + " ".repeat(marg - left);
}

/** A character grid, printed with `toString()`. */
export class TextCanvas implements Canvas {
  private readonly pixels = new Map<number, Map<number, string>>(); // y -> x -> char

  /** Sets one cell. */
  drawChar(x: number, y: number, char: string): void {
    let row = this.pixels.get(y);
    if (!row) this.pixels.set(y, (row = new Map()));
    row.set(x, char);
  }

  drawHorizLine(x: number, y: number, width: number): void {
    for (let i = 0; i < width; i++) this.drawChar(x + i, y, "-");
  }

  drawVertLine(x: number, y: number, height: number, endArrow = false): void {
    for (let i = 0; i < height; i++) this.drawChar(x, y + i, "|");
    if (endArrow) {
      this.drawChar(x - 1, y + height - 1, "\\");
      this.drawChar(x + 1, y + height - 1, "/");
    }
  }

  drawText(x: number, y: number, text: string): void {
    [...text].forEach((c, i) => this.drawChar(x + i, y, c));
  }

  clear(): void {
    this.pixels.clear();
  }

  /** The grid: every row padded to the full width, each followed by a newline ("" when empty). */
  toString(): string {
    let width = 0;
    let height = 0;
    for (const [y, row] of this.pixels) {
      height = Math.max(height, y + 1);
      for (const x of row.keys()) width = Math.max(width, x + 1);
    }
    let s = "";
    for (let y = 0; y < height; y++) {
      const row = this.pixels.get(y);
      for (let x = 0; x < width; x++) s += row?.get(x) ?? " ";
      s += "\n";
    }
    return s;
  }
}

type Shape =
  | { kind: "hline"; x: number; y: number; width: number }
  | { kind: "vline"; x: number; y: number; height: number; arrow: boolean }
  | { kind: "text"; x: number; y: number; text: string };

const CELL_W = 9;
const CELL_H = 18;

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Records the same drawing as shapes and renders it as an SVG picture: dashes and bars become
 * lines through the middle of their cells, arrows get heads, labels are monospace text, and a
 * value ending in `*` (a failure) is drawn in red. Several drawings can be stacked as panels.
 */
export class SvgCanvas implements Canvas {
  private shapes: Shape[] = [];
  private readonly panels: Shape[][] = [];

  drawHorizLine(x: number, y: number, width: number): void {
    if (width > 0) this.shapes.push({ kind: "hline", x, y, width });
  }

  drawVertLine(x: number, y: number, height: number, endArrow = false): void {
    if (height > 0) this.shapes.push({ kind: "vline", x, y, height, arrow: endArrow });
  }

  drawText(x: number, y: number, text: string): void {
    // Spaces only pad in the character grid; here a label is just its visible characters.
    const lead = text.length - text.trimStart().length;
    const t = text.trim();
    if (t) this.shapes.push({ kind: "text", x: x + lead, y, text: t });
  }

  /** Keeps what was drawn as a finished panel (shown below the previous ones) and starts anew. */
  clear(): void {
    if (this.shapes.length) this.panels.push(this.shapes);
    this.shapes = [];
  }

  /** The SVG document for every panel drawn (including the current one). */
  render(): string {
    const panels = this.shapes.length ? [...this.panels, this.shapes] : this.panels;
    let cols = 0;
    let rows = 0;
    const body: string[] = [];
    for (const shapes of panels) {
      let panelRows = 0;
      for (const s of shapes) {
        const right = s.kind === "hline" ? s.x + s.width : s.kind === "text" ? s.x + s.text.length : s.x + 2;
        const bottom = s.kind === "vline" ? s.y + s.height : s.y + 1;
        cols = Math.max(cols, right);
        panelRows = Math.max(panelRows, bottom);
        body.push(this.shapeSvg(s, rows));
      }
      rows += panelRows + 1;
    }
    const w = (cols + 2) * CELL_W;
    const h = (rows + 1) * CELL_H;
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${-CELL_W} ${-CELL_H / 2} ${w} ${h}">`,
      `<rect x="${-CELL_W}" y="${-CELL_H / 2}" width="${w}" height="${h}" fill="white"/>`,
      `<g stroke="#333" stroke-width="1.5" fill="none">`,
      ...body.filter((b) => !b.startsWith("<text")),
      `</g>`,
      `<g font-family="monospace" font-size="14" text-anchor="start" dominant-baseline="central">`,
      ...body.filter((b) => b.startsWith("<text")),
      `</g>`,
      `</svg>`,
      "",
    ].join("\n");
  }

  private shapeSvg(s: Shape, rowOffset: number): string {
    const cx = (x: number): number => x * CELL_W + CELL_W / 2;
    const cy = (y: number): number => (y + rowOffset) * CELL_H + CELL_H / 2;
    switch (s.kind) {
      case "hline":
        return `<line x1="${s.x * CELL_W}" y1="${cy(s.y)}" x2="${(s.x + s.width) * CELL_W}" y2="${cy(s.y)}"/>`;
      case "vline": {
        const top = (s.y + rowOffset) * CELL_H;
        const bottom = (s.y + rowOffset + s.height) * CELL_H;
        let out = `<line x1="${cx(s.x)}" y1="${top}" x2="${cx(s.x)}" y2="${bottom}"/>`;
        if (s.arrow) {
          const x = cx(s.x);
          out += `<polyline points="${x - CELL_W / 1.5},${bottom - CELL_H / 2} ${x},${bottom} ${x + CELL_W / 1.5},${bottom - CELL_H / 2}"/>`;
        }
        return out;
      }
      case "text": {
        const fill = s.text.endsWith("*") ? "#c0392b" : "#111";
        return `<text x="${s.x * CELL_W}" y="${cy(s.y)}" fill="${fill}" xml:space="preserve">${escapeXml(s.text)}</text>`;
      }
    }
  }
}
