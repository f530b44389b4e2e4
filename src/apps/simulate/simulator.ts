/**
 * The deferred simulator from the Twisted tutorial (Part 9): a chain of callback/errback pairs,
 * written in a tiny language, is run on a real reed `Deferred` twice (once fired with
 * `callback("initial")`, once with `errback(initial)`), and the chain and both firings are drawn
 * side by side (or one under the other with `narrow`).
 *
 * Layout (all in character cells; these numbers are what make the drawings match the tutorial):
 * - every box is `STAGE_HEIGHT` (5) rows high and `callbackWidth` (18) columns wide; the errback
 *   box sits 2 columns right of its callback box; stages are 3 rows apart;
 * - a firing draws each stage the Deferred actually ran (input value on the box's row 1, output
 *   on row 3) and connects consecutive stages with an arrow, or with a dog-leg when control
 *   switches between the callback and errback lines;
 * - a failure shows as its value followed by `*`.
 */
import { Deferred } from "../../deferred.js";
import { BadSimulatorInput } from "../../errors.js";
import { Failure } from "../../failure.js";
import { pyCenter, SvgCanvas, TextCanvas, type Canvas } from "./canvas.js";

/** What a simulated callback does: return a value, fail with a value, or pass its input on. */
export type StageStyle = "return" | "fail" | "passthru";

/** The error a `fail VALUE` stage raises; its message is the value. */
export class SimulatedError extends Error {
  constructor(readonly value: string) {
    super(value);
    this.name = "SimulatedError";
  }
}

/** One simulated callback or errback. Calling `run` behaves as the stage says. */
export class Stage {
  /** Rows a stage's box takes. */
  static readonly height = 5;
  /** The narrowest box that fits any caption or 6-character value with its `*`. */
  readonly minWidth = "0123456*".length + "return ".length + 3;

  constructor(
    /** What the stage does. */
    readonly style: StageStyle,
    /** The value for `return` and `fail`. */
    readonly value: string = "",
  ) {}

  /** The stage's effect on a result: a value, a Failure (for `fail`), or the input unchanged. */
  run(result: unknown): unknown {
    if (this.style === "return") return this.value;
    if (this.style === "fail") return new Failure(new SimulatedError(this.value));
    return result;
  }

  /** `return good`, `fail bad` or `passthru`. */
  get caption(): string {
    return this.style === "passthru" ? "passthru" : `${this.style} ${this.value}`;
  }
}

/** A callback and its errback, added together as one link of the chain. */
export type StagePair = readonly [callback: Stage, errback: Stage];

/** Shows a result as the simulator does: a failure's value gets a trailing `*`. */
export function formatValue(result: unknown): string {
  if (result instanceof Failure) {
    const v = result.value;
    return (v instanceof SimulatedError ? v.value : result.getErrorMessage()) + "*";
  }
  return String(result);
}

const COMMANDS: readonly StageStyle[] = ["return", "fail", "passthru"];

/**
 * Reads one line of simulator input: `CALLBACK ERRBACK`, each `return VALUE`, `fail VALUE` or
 * `passthru`, any prefix of those words accepted (`r`, `f`, `p`), case-insensitive.
 * @returns the pair, or `null` for an empty line (the end of the input).
 * @throws BadSimulatorInput with the tutorial's messages: `missing command`, `bad command: X`,
 *   `missing argument`, `('result more than 6 chars long', 'X')`, `extra arguments`.
 */
export function parsePair(line: string): StagePair | null {
  if (line === "") return null;
  const trimmed = line.trim();
  const parts = trimmed === "" ? [] : trimmed.split(/\s+/);
  const next = (): Stage => {
    const word = parts.shift();
    if (word === undefined) throw new BadSimulatorInput("missing command");
    const cmd = word.toLowerCase();
    const style = COMMANDS.find((c) => c.startsWith(cmd));
    if (!style) throw new BadSimulatorInput(`bad command: ${cmd}`);
    if (style === "passthru") return new Stage(style);
    const value = parts.shift();
    if (value === undefined) throw new BadSimulatorInput("missing argument");
    if (value.length > 6) throw new BadSimulatorInput("result more than 6 chars long", value);
    return new Stage(style, value);
  };
  const pair: StagePair = [next(), next()];
  if (parts.length) throw new BadSimulatorInput("extra arguments");
  return pair;
}

/** A chain of stage pairs with its drawing geometry. */
export class Chain {
  /** Width of each box. */
  readonly callbackWidth: number;
  /** Width of the whole chain (both columns). */
  readonly width: number;
  /** Height of the whole chain. */
  readonly height: number;

  /** @throws RangeError for an empty chain. */
  constructor(readonly pairs: readonly StagePair[]) {
    if (pairs.length === 0) throw new RangeError("A chain needs at least one callback/errback pair");
    this.callbackWidth = Math.max(...pairs.flatMap(([cb, eb]) => [cb.minWidth, eb.minWidth]));
    this.width = this.callbackWidth * 2 + 2;
    this.height = Stage.height * pairs.length + 3 * (pairs.length - 1);
  }

  /** Height of a firing drawing (the chain plus the value above and below). */
  get firingHeight(): number {
    return this.height + 8;
  }
}

function drawBox(canvas: Canvas, x: number, y: number, width: number): void {
  canvas.drawHorizLine(x, y, width);
  canvas.drawHorizLine(x, y + 4, width);
  canvas.drawVertLine(x, y + 1, 3);
  canvas.drawVertLine(x + width - 1, y + 1, 3);
}

function drawBoxText(canvas: Canvas, x: number, y: number, width: number, text: string): void {
  canvas.drawText(x + 1, y, pyCenter(text, width - 2));
}

/** Draws the chain's boxes with their captions, callbacks left and errbacks right, from (x, y). */
export function drawChain(canvas: Canvas, chain: Chain, x: number, y: number): void {
  const w = chain.callbackWidth;
  for (const [cb, eb] of chain.pairs) {
    drawBox(canvas, x, y, w);
    drawBoxText(canvas, x, y + 2, w, cb.caption);
    drawBox(canvas, x + w + 2, y, w);
    drawBoxText(canvas, x + w + 2, y + 2, w, eb.caption);
    y += Stage.height + 3;
  }
}

/**
 * Fires a real Deferred built from the chain with `callback(result)` or `errback(result)` and
 * draws, from (x, y), the path the result takes: the starting value, each stage that ran (its
 * input and output), and the final value.
 */
export function drawFiring(canvas: Canvas, chain: Chain, method: "callback" | "errback", x: number, y: number, result = "initial"): void {
  const w = chain.callbackWidth;
  const half = Math.floor(w / 2);
  const callbackMidX = x - 1 + half;
  const errbackLeftX = x + w + 2;
  const errbackMidX = errbackLeftX - 1 + half;
  let lastX = 0;
  let lastY = 0;

  // An arrow from the previous stage (ending 3 rows above lastY) into the column at `toX`.
  const drawConnection = (toX: number): void => {
    if (lastX === toX) {
      canvas.drawVertLine(toX - 1 + half, lastY - 3, 3, true);
      return;
    }
    if (lastX < toX) {
      canvas.drawVertLine(callbackMidX, lastY - 3, 2);
      canvas.drawVertLine(errbackMidX, lastY - 2, 2, true);
    } else {
      canvas.drawVertLine(errbackMidX, lastY - 3, 2);
      canvas.drawVertLine(callbackMidX, lastY - 2, 2, true);
    }
    canvas.drawHorizLine(callbackMidX + 1, lastY - 2, errbackMidX - callbackMidX - 1);
  };

  const drawValue = (res: unknown, atY: number): void => {
    if (res instanceof Failure) canvas.drawText(errbackLeftX - 10, atY, pyCenter(formatValue(res), w + 20));
    else canvas.drawText(x, atY, pyCenter(formatValue(res), w));
  };

  const wrap = (stage: Stage, atX: number) => (res: unknown): unknown => {
    drawBox(canvas, atX, lastY, w);
    drawBoxText(canvas, atX, lastY + 1, w, formatValue(res));
    const out = stage.run(res);
    drawBoxText(canvas, atX, lastY + 3, w, formatValue(out));
    drawConnection(atX);
    lastX = atX;
    lastY += Stage.height + 3;
    return out;
  };

  const d = new Deferred<unknown>();
  d.addBoth((res) => {
    drawValue(res, y);
    lastX = res instanceof Failure ? errbackLeftX : x;
    lastY = y + 4;
    return res;
  });
  for (const [cb, eb] of chain.pairs) d.addCallbacks(wrap(cb, x), wrap(eb, errbackLeftX));
  d.addBoth((res) => {
    drawValue(res, lastY);
    drawConnection(res instanceof Failure ? errbackLeftX : x);
  });
  if (method === "callback") d.callback(result);
  else d.errback(new SimulatedError(result));
}

/** Draws the chain and both firings side by side, with separators between them (the default). */
export function drawWide(canvas: Canvas, chain: Chain): void {
  const col = chain.width + 6;
  canvas.drawText(0, 0, pyCenter("Deferred", chain.width));
  canvas.drawText(0, 1, pyCenter("--------", chain.width));
  canvas.drawText(col, 0, pyCenter("d.callback(initial)", chain.width));
  canvas.drawText(col, 1, pyCenter("-------------------", chain.width));
  canvas.drawText(2 * col, 0, pyCenter("d.errback(initial*)", chain.width));
  canvas.drawText(2 * col, 1, pyCenter("-------------------", chain.width));
  drawChain(canvas, chain, 0, 4 + 3);
  drawFiring(canvas, chain, "callback", col, 3);
  drawFiring(canvas, chain, "errback", 2 * col, 3);
  canvas.drawVertLine(chain.width + 3, 3, chain.firingHeight);
  canvas.drawVertLine(chain.width + 3 + col, 3, chain.firingHeight);
}

/**
 * Draws the chain, then each firing, as three separate drawings (`canvas.clear()` between them);
 * `emit` is called after each with the canvas holding that drawing.
 */
export function drawNarrow(canvas: Canvas, chain: Chain, emit: () => void): void {
  canvas.drawText(0, 1, pyCenter("Deferred", chain.width));
  canvas.drawText(0, 2, pyCenter("--------", chain.width));
  drawChain(canvas, chain, 0, 4);
  emit();
  canvas.clear();
  canvas.drawText(0, 2, pyCenter("d.callback(initial)", chain.width));
  canvas.drawText(0, 3, pyCenter("-------------------", chain.width));
  drawFiring(canvas, chain, "callback", 0, 5);
  emit();
  canvas.clear();
  canvas.drawText(0, 2, pyCenter("d.errback(initial*)", chain.width));
  canvas.drawText(0, 3, pyCenter("-------------------", chain.width));
  drawFiring(canvas, chain, "errback", 0, 5);
  emit();
}

/**
 * The simulator's text output for a chain: each drawing as a padded character grid followed by
 * one blank line (as the tutorial's program prints them).
 */
export function renderText(chain: Chain, narrow = false): string {
  const canvas = new TextCanvas();
  if (!narrow) {
    drawWide(canvas, chain);
    return canvas.toString() + "\n";
  }
  let out = "";
  drawNarrow(canvas, chain, () => (out += canvas.toString() + "\n"));
  return out;
}

/** The same drawings as one SVG picture (the narrow layout stacks the three drawings). */
export function renderSvg(chain: Chain, narrow = false): string {
  const canvas = new SvgCanvas();
  if (narrow) drawNarrow(canvas, chain, () => undefined);
  else drawWide(canvas, chain);
  return canvas.render();
}
