// DrawSnek in headless Chromium (real browser, real time; bounded, browser always closed).
// Skips loudly when /usr/bin/chromium is absent (.ci/run installs it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launch, skipReason } from "./_chromium.js";
import { serveSnek } from "../../src/apps/snek/main.js";
import type { PageServer } from "../../src/apps/_pages.js";

const reason = skipReason();
if (reason) console.warn(reason);
const screenshots = mkdtempSync(join(tmpdir(), "reed-snek-screens-"));

let browser: Awaited<ReturnType<typeof launch>> | null = null;
let server: PageServer | null = null;

before(async () => {
  if (reason) return;
  server = await serveSnek(0);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

interface SnekState {
  id: number;
  x: number;
  y: number;
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  steps: number;
  startedAt: number;
  lastMoveAt: number;
  moveInterval: number;
}
interface Stats {
  draws: number;
  overlaps: number;
  frames: number;
  maxDrawsPerFrame: number;
  fps: number;
  lastHiccupSkipped: number;
  lastHiccupSeconds: number;
  hiccups: number;
}
type SnekApi = { sneks: SnekState[]; stats: Stats; running: boolean; limits: { x: number; y: number } };

async function open(query: string): Promise<Page> {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server!.url}${query}`);
  await page.waitForFunction(() => (globalThis as unknown as { snek?: SnekApi }).snek?.running === true, null, { timeout: 10_000 });
  pageErrors.set(page, errors);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Closes the page; fails the test if the page threw. */
async function close(page: Page): Promise<void> {
  await page.close();
  assert.deepEqual(pageErrors.get(page), [], "errors thrown in the page");
}

const api = (page: Page): Promise<{ sneks: SnekState[]; stats: Stats; running: boolean; limits: { x: number; y: number } }> =>
  page.evaluate(() => {
    const s = (globalThis as unknown as { snek: SnekApi }).snek;
    return { sneks: s.sneks, stats: s.stats, running: s.running, limits: s.limits };
  });

/** Where a bouncing axis must be after `frames` frames (a triangle wave; independent of the page's code). */
function bounced(p0: number, perFrame: number, limit: number, frames: number): number {
  let p = (p0 + perFrame * frames) % (2 * limit);
  if (p < 0) p += 2 * limit;
  return p > limit ? 2 * limit - p : p;
}

test("pressing s spawns a snek, which then moves", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const page = await open("?seed=1");
  try {
    assert.equal((await api(page)).sneks.length, 0);
    await page.keyboard.press("s");
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.sneks.length === 1);
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.sneks[0]!.steps > 10);
    const [snek] = (await api(page)).sneks;
    assert.notEqual(snek!.x, snek!.x0);
    assert.ok(Math.abs(snek!.vx) >= 50 && Math.abs(snek!.vx) <= 100, `vx ${snek!.vx}`);
    await page.keyboard.press("Shift+S");
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.sneks.length === 2);
    await page.keyboard.press("d");
    const after = (await api(page)).sneks;
    assert.deepEqual(after.map((s) => s.id), [2], "d removes the oldest snek");
  } finally {
    await close(page);
  }
});

test("after an h hiccup, every snek is where it would have been without one (within a pixel)", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const page = await open("?seed=42&hiccup=0.8");
  try {
    for (const key of ["s", "Shift+S", "s"]) await page.keyboard.press(key);
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.sneks.every((s) => s.steps > 5));
    const before = await api(page);
    await page.keyboard.press("h");
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.stats.hiccups === 1);
    // Let every loop run once after the stall.
    await page.waitForTimeout(100);
    const { sneks, stats, limits } = await api(page);
    assert.equal(stats.lastHiccupSeconds, 0.8);
    assert.ok(stats.lastHiccupSkipped >= 40, `the hiccup skipped ${stats.lastHiccupSkipped} frames (expected about 48)`);
    assert.equal(sneks.length, 3);
    for (const s of sneks) {
      const old = before.sneks.find((b) => b.id === s.id)!;
      assert.ok(s.lastMoveAt - old.lastMoveAt >= 0.8, "the snek's loop was stalled by the hiccup");
      // LoopingCall's call grid: calls at startedAt + k·interval; withCount's counts add up to the
      // number of grid points passed, however few calls actually ran. (Twisted's formula, in the
      // same floating point: with epoch-sized times the first call's "one interval before the
      // start" can round to interval 0, so the first count may be 0 and that call is skipped.)
      const intervalOf = (time: number): number => Math.trunc((time - s.startedAt) / s.moveInterval);
      const frames = intervalOf(s.lastMoveAt) - intervalOf(s.startedAt - s.moveInterval);
      assert.equal(s.steps, frames, `snek ${s.id} counted every frame`);
      const ex = bounced(s.x0, s.vx * s.moveInterval, limits.x, frames);
      const ey = bounced(s.y0, s.vy * s.moveInterval, limits.y, frames);
      assert.ok(Math.abs(s.x - ex) < 1 && Math.abs(s.y - ey) < 1, `snek ${s.id} at (${s.x}, ${s.y}), expected (${ex}, ${ey})`);
    }
  } finally {
    await close(page);
  }
});

test("draws never overlap: one draw per animation frame", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const page = await open("?seed=7");
  try {
    for (const key of ["s", "Shift+S", "Shift+S", "Shift+S"]) await page.keyboard.press(key);
    await page.waitForFunction(() => (globalThis as unknown as { snek: SnekApi }).snek.stats.frames >= 60, null, { timeout: 10_000 });
    const { stats } = await api(page);
    assert.equal(stats.overlaps, 0);
    assert.equal(stats.maxDrawsPerFrame, 1);
    assert.ok(stats.draws - stats.frames <= 1, `${stats.draws} draws for ${stats.frames} frames`);
    const shot = join(screenshots, "snek-running.png");
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);
  } finally {
    await close(page);
  }
});

test("q stops the reactor: nothing is drawn any more and the page says so", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const page = await open("?seed=3");
  try {
    await page.keyboard.press("s");
    await page.keyboard.press("q");
    await page.waitForFunction(() => document.body.dataset.reactor === "stopped", null, { timeout: 5_000 });
    const stopped = await api(page);
    assert.equal(stopped.running, false);
    assert.equal(await page.textContent("#status"), "reactor stopped");
    await page.waitForTimeout(200);
    const later = await api(page);
    assert.equal(later.stats.draws, stopped.stats.draws);
    assert.equal(later.sneks[0]!.steps, stopped.sneks[0]!.steps);
    const shot = join(screenshots, "snek-stopped.png");
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);
  } finally {
    await close(page);
  }
});
