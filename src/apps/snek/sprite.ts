/**
 * The snek sprite, reed's own, drawn in code: a wiggling body of overlapping discs along a sine
 * wave, a head with an eye and a flickering tongue. `FRAMES` animation frames move the wave along.
 */

/** Sprite width in pixels. */
export const SPRITE_W = 80;
/** Sprite height in pixels. */
export const SPRITE_H = 40;
/** Animation frames in one wiggle cycle. */
export const FRAMES = 8;

/** Draws frame `frame` of a snek of hue `hue` (degrees) with its top-left corner at (0, 0), facing right. */
export function drawSnekFrame(ctx: CanvasRenderingContext2D, frame: number, hue: number): void {
  const phase = (frame / FRAMES) * Math.PI * 2;
  const segments = 11;
  const mid = SPRITE_H / 2;
  const points: Array<[number, number, number]> = [];
  for (let i = 0; i < segments; i++) {
    const t = i / (segments - 1); // 0 = tail, 1 = head
    const x = 6 + t * (SPRITE_W - 20);
    const amp = 9 * (1 - 0.6 * t);
    const y = mid + Math.sin(phase + t * Math.PI * 2.2) * amp;
    const r = 4 + 5 * Math.sin(Math.min(1, t * 1.15) * Math.PI * 0.5);
    points.push([x, y, r]);
  }
  // Body: a darker outline pass, then the fill, tail first so the head is on top.
  for (const [x, y, r] of points) disc(ctx, x, y, r + 1.5, `hsl(${hue} 70% 22%)`);
  points.forEach(([x, y, r], i) => disc(ctx, x, y, r, `hsl(${hue} 75% ${i % 2 ? 42 : 50}%)`));
  // Belly stripe.
  for (const [x, y, r] of points) disc(ctx, x, y + r * 0.35, r * 0.45, `hsl(${(hue + 40) % 360} 80% 68%)`);
  const [hx, hy, hr] = points[points.length - 1]!;
  disc(ctx, hx + 3, hy, hr + 1, `hsl(${hue} 75% 45%)`);
  // Eye.
  disc(ctx, hx + 5, hy - 3, 2.6, "#fff");
  disc(ctx, hx + 5.8, hy - 3, 1.3, "#000");
  // Tongue flickers out on half the frames.
  if (frame % 4 < 2) {
    ctx.strokeStyle = "#e33";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(hx + hr + 3, hy + 1);
    ctx.lineTo(hx + hr + 9, hy + 1);
    ctx.lineTo(hx + hr + 12, hy - 2);
    ctx.moveTo(hx + hr + 9, hy + 1);
    ctx.lineTo(hx + hr + 12, hy + 4);
    ctx.stroke();
  }
}

function disc(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, fill: string): void {
  ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
}

/** Pre-renders every frame of a snek of `hue`, facing right and left, into one offscreen canvas per frame. */
export function renderSprites(hue: number): { right: HTMLCanvasElement[]; left: HTMLCanvasElement[] } {
  const right: HTMLCanvasElement[] = [];
  const left: HTMLCanvasElement[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const r = document.createElement("canvas");
    r.width = SPRITE_W;
    r.height = SPRITE_H;
    drawSnekFrame(r.getContext("2d")!, f, hue);
    right.push(r);
    const l = document.createElement("canvas");
    l.width = SPRITE_W;
    l.height = SPRITE_H;
    const lc = l.getContext("2d")!;
    lc.translate(SPRITE_W, 0);
    lc.scale(-1, 1);
    lc.drawImage(r, 0, 0);
    left.push(l);
  }
  return { right, left };
}
