/**
 * DrawSnek in the browser (seed 001), on reed's BrowserReactor.
 *
 * - Movement (60 steps/s) and animation (5–35 frames/s per snek) are `LoopingCall.withCount`
 *   loops: after a stall each snek jumps by the number of intervals that passed, so it is exactly
 *   where it would have been without the stall.
 * - Drawing is a `LoopingCall` whose function paints and returns `reactor.nextFrame()`: it is not
 *   called again until the next animation frame, so draws never overlap and follow the display
 *   (DrawSnek's `deferToThread(pygame.display.flip)`).
 * - Keys: s spawn, Shift+s spawn with a random hue, d remove the oldest, h hiccup (block the page
 *   for up to 1 s), q stop the reactor. `?seed=N` makes the random choices reproducible;
 *   `?hiccup=S` fixes the hiccup's length.
 * - `window.snek` exposes the sneks' state and the frame statistics for tests and the curious.
 */
import { BrowserReactor } from "../../browser/reactor.js";
import { LoopingCall } from "../../task/looping-call.js";
import { FRAMES, renderSprites, SPRITE_H, SPRITE_W } from "./sprite.js";
import { positionAfter, seededRandom, step, type Axis } from "./motion.js";

const WIDTH = 1280;
const HEIGHT = 960;
/** Movement steps per second. */
const MOVE_HZ = 60;
const LIMIT_X = WIDTH - SPRITE_W;
const LIMIT_Y = HEIGHT - SPRITE_H;

const params = new URLSearchParams(location.search);
const seedParam = params.get("seed");
const random = seedParam !== null && seedParam !== "" ? seededRandom(Number(seedParam)) : Math.random;
/** `?hiccup=S` fixes how long `h` blocks the page (tests use it); otherwise random, up to 1 s. */
const hiccupParam = params.get("hiccup");
const fixedHiccup = hiccupParam !== null && hiccupParam !== "" ? Math.min(1, Math.max(0, Number(hiccupParam))) : null;

const reactor = new BrowserReactor();
const canvas = document.getElementById("screen") as HTMLCanvasElement;
canvas.width = WIDTH;
canvas.height = HEIGHT;
const ctx = canvas.getContext("2d")!;
const statusLine = document.getElementById("status")!;

const spriteCache = new Map<number, ReturnType<typeof renderSprites>>();
function spritesFor(hue: number): ReturnType<typeof renderSprites> {
  let s = spriteCache.get(hue);
  if (!s) spriteCache.set(hue, (s = renderSprites(hue)));
  return s;
}

/** One snek: its motion, its animation, and the loops that drive them. */
class Snek {
  readonly x: Axis;
  readonly y: Axis;
  frame = 0;
  /** Movement frames counted so far (sum of the counts withCount gave). */
  steps = 0;
  /** Reactor time of the last movement call. */
  lastMoveAt = 0;
  readonly moveLoop: LoopingCall<[]>;
  readonly animLoop: LoopingCall<[]>;

  constructor(
    readonly id: number,
    readonly hue: number,
    readonly x0: number,
    readonly y0: number,
    /** Speeds in px/s (signed). */
    readonly vx: number,
    readonly vy: number,
    /** Animation frames per second. */
    readonly fps: number,
  ) {
    this.x = { p: x0, v: vx / MOVE_HZ };
    this.y = { p: y0, v: vy / MOVE_HZ };
    this.moveLoop = LoopingCall.withCount((count) => this.move(count), reactor);
    this.animLoop = LoopingCall.withCount((count) => {
      this.frame = (this.frame + count) % FRAMES;
    }, reactor);
  }

  start(): void {
    this.moveLoop.start(1 / MOVE_HZ);
    this.animLoop.start(1 / this.fps);
  }

  stop(): void {
    if (this.moveLoop.running) this.moveLoop.stop();
    if (this.animLoop.running) this.animLoop.stop();
  }

  private move(count: number): void {
    for (let i = 0; i < count; i++) {
      step(this.x, LIMIT_X);
      step(this.y, LIMIT_Y);
    }
    this.steps += count;
    this.lastMoveAt = reactor.seconds();
  }

  draw(): void {
    const sprites = spritesFor(this.hue);
    const images = this.x.v >= 0 ? sprites.right : sprites.left;
    ctx.drawImage(images[this.frame]!, Math.round(this.x.p), Math.round(this.y.p));
  }

  /** What tests and the curious see. */
  state(): Record<string, number> {
    return {
      id: this.id,
      hue: this.hue,
      x: this.x.p,
      y: this.y.p,
      x0: this.x0,
      y0: this.y0,
      vx: this.vx,
      vy: this.vy,
      fps: this.fps,
      frame: this.frame,
      steps: this.steps,
      startedAt: this.moveLoop.starttime ?? 0,
      lastMoveAt: this.lastMoveAt,
      moveInterval: 1 / MOVE_HZ,
    };
  }
}

const sneks: Snek[] = [];
let nextId = 1;

function spawn(randomHue: boolean): Snek {
  const speed = (): number => (50 + random() * 50) * (random() < 0.5 ? -1 : 1);
  const x0 = random() * LIMIT_X;
  const y0 = random() * LIMIT_Y;
  const vx = speed();
  const vy = speed();
  const fps = 5 + Math.floor(random() * 31);
  const hue = randomHue ? Math.floor(random() * 360) : 125;
  const s = new Snek(nextId++, hue, x0, y0, vx, vy, fps);
  sneks.push(s);
  s.start();
  return s;
}

function removeOldest(): void {
  sneks.shift()?.stop();
}

// --- Frame statistics and hiccups ---------------------------------------------------------------

const stats = {
  /** Times draw() ran. */
  draws: 0,
  /** Times draw() was entered while the previous draw's frame had not come yet (must stay 0). */
  overlaps: 0,
  /** Animation frames seen by the draw loop. */
  frames: 0,
  /** The most draws that happened between two animation frames (must stay 1). */
  maxDrawsPerFrame: 0,
  /** Frames per second over the last second. */
  fps: 0,
  /** Movement frames the last hiccup skipped (what withCount reported, minus the one it ran). */
  lastHiccupSkipped: 0,
  /** How long the last hiccup blocked the page, in seconds. */
  lastHiccupSeconds: 0,
  /** Hiccups so far. */
  hiccups: 0,
};
const frameTimes: number[] = [];
let drawing = false;
let drawsSinceFrame = 0;
let hiccupPending = false;

/** Blocks the page's event loop for `seconds` (nothing else can run: no timers, input or painting). */
function hiccup(seconds = fixedHiccup ?? random()): number {
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    // Busy: this is the point.
  }
  stats.lastHiccupSeconds = seconds;
  stats.hiccups++;
  hiccupPending = true;
  return seconds;
}

// A 60 Hz withCount ticker that reports how many frames a hiccup swallowed.
const ticker = LoopingCall.withCount((count) => {
  if (hiccupPending) {
    hiccupPending = false;
    stats.lastHiccupSkipped = count - 1;
  }
}, reactor);

function draw(): unknown {
  if (drawing) stats.overlaps++;
  drawing = true;
  stats.draws++;
  drawsSinceFrame++;
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  for (const s of sneks) s.draw();
  drawOverlay();
  return reactor.nextFrame().addCallback((t) => {
    drawing = false;
    stats.frames++;
    stats.maxDrawsPerFrame = Math.max(stats.maxDrawsPerFrame, drawsSinceFrame);
    drawsSinceFrame = 0;
    frameTimes.push(t);
    while (frameTimes.length > 0 && frameTimes[0]! < t - 1000) frameTimes.shift();
    stats.fps = frameTimes.length;
  });
}

function drawOverlay(): void {
  const lines = [
    `${stats.fps} fps   ${sneks.length} snek${sneks.length === 1 ? "" : "s"}`,
    `last hiccup: ${stats.lastHiccupSkipped} frames skipped (${stats.lastHiccupSeconds.toFixed(2)} s)`,
    "s snek  S coloured snek  d remove  h hiccup  q quit",
  ];
  ctx.font = "16px ui-monospace, monospace";
  ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
  ctx.fillRect(8, 8, 470, 74);
  ctx.fillStyle = "#9f9";
  lines.forEach((line, i) => ctx.fillText(line, 18, 30 + i * 22));
}

const drawLoop = LoopingCall.on(reactor, draw);

// --- Input and lifecycle ------------------------------------------------------------------------

function quit(): void {
  if (!reactor.running) return;
  reactor.stop();
}

reactor.addSystemEventTrigger("before", "shutdown", () => {
  for (const s of sneks) s.stop();
  if (ticker.running) ticker.stop();
  if (drawLoop.running) drawLoop.stop();
});
reactor.addSystemEventTrigger("after", "shutdown", () => {
  ctx.fillStyle = "rgba(0, 0, 0, 0.7)";
  ctx.fillRect(0, HEIGHT / 2 - 60, WIDTH, 120);
  ctx.fillStyle = "#f66";
  ctx.font = "bold 48px ui-monospace, monospace";
  ctx.textAlign = "center";
  ctx.fillText("reactor stopped", WIDTH / 2, HEIGHT / 2 + 16);
  ctx.textAlign = "start";
  statusLine.textContent = "reactor stopped";
  document.body.dataset.reactor = "stopped";
});

addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || !reactor.running) return;
  switch (ev.key) {
    case "s":
      spawn(false);
      break;
    case "S":
      spawn(true);
      break;
    case "d":
      removeOldest();
      break;
    case "h":
      hiccup();
      break;
    case "q":
      quit();
      break;
    default:
      return;
  }
  ev.preventDefault();
});

reactor.callWhenRunning(() => {
  ticker.start(1 / MOVE_HZ);
  drawLoop.start(0);
  statusLine.textContent = "reactor running";
  document.body.dataset.reactor = "running";
});
reactor.run();

/** What the page exposes as `window.snek`. */
const api = {
  get sneks() {
    return sneks.map((s) => s.state());
  },
  get stats() {
    return { ...stats };
  },
  get running() {
    return reactor.running;
  },
  /** The reactor's clock, in seconds. */
  seconds: () => reactor.seconds(),
  /** Where snek `id` must be after `frames` movement frames, by the closed form (no stepping). */
  expectedPosition(id: number, frames: number): { x: number; y: number } | null {
    const s = sneks.find((k) => k.id === id);
    if (!s) return null;
    return {
      x: positionAfter(s.x0, s.vx / MOVE_HZ, LIMIT_X, frames),
      y: positionAfter(s.y0, s.vy / MOVE_HZ, LIMIT_Y, frames),
    };
  },
  spawn: (randomHue = false) => spawn(randomHue).state(),
  remove: removeOldest,
  hiccup,
  quit,
  width: WIDTH,
  height: HEIGHT,
  limits: { x: LIMIT_X, y: LIMIT_Y },
};
(globalThis as unknown as { snek: typeof api }).snek = api;
