/**
 * Snek motion: one axis moving at a constant speed between two walls, bouncing. `step` is what the
 * movement loop does per counted frame; `positionAfter` is the closed form (a triangle wave), which
 * says where a snek must be after any number of frames: the hiccup test compares the two.
 */

/** One axis: position in [0, limit] and signed velocity per frame. */
export interface Axis {
  /** Position in pixels, 0 ≤ p ≤ limit. */
  p: number;
  /** Pixels per frame (sign = direction). */
  v: number;
}

/** Advances `axis` by one frame inside [0, limit], reflecting off the walls. */
export function step(axis: Axis, limit: number): void {
  let p = axis.p + axis.v;
  // A step is far smaller than the field, so at most one wall is crossed.
  if (p < 0) {
    p = -p;
    axis.v = -axis.v;
  } else if (p > limit) {
    p = 2 * limit - p;
    axis.v = -axis.v;
  }
  axis.p = p;
}

/** Where an axis that starts at `p0` with velocity `v` per frame is after `frames` frames. */
export function positionAfter(p0: number, v: number, limit: number, frames: number): number {
  const period = 2 * limit;
  const m = (((p0 + v * frames) % period) + period) % period;
  return m <= limit ? m : period - m;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
