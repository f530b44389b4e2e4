// "Just a button" in headless Chromium: the page fetches a poem over the WebSocket transport from a
// slow poetry server on 127.0.0.1. Bounded; the browser and every server are closed.
// Skips loudly when /usr/bin/chromium is absent (.ci/run installs it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launch, skipReason } from "./_chromium.js";
import { serveButton, type ButtonServer } from "../../src/apps/button/main.js";
import { readPoem } from "../../src/apps/poetry/poems.js";

const FASCINATION = new TextDecoder().decode(readPoem("fascination"));

const reason = skipReason();
if (reason) console.warn(reason);
const screenshots = mkdtempSync(join(tmpdir(), "reed-button-screens-"));

let browser: Awaited<ReturnType<typeof launch>> | null = null;

before(async () => {
  if (!reason) browser = await launch();
});

after(async () => {
  await browser?.close();
});

interface ButtonState {
  heartbeats: number;
  bytes: number;
  progress: number[];
  status: string;
  poem: string;
}
const state = (page: Page): Promise<ButtonState> =>
  page.evaluate(() => (globalThis as unknown as { button: { state: ButtonState } }).button.state);

async function openButton(app: ButtonServer): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(app.url);
  await page.waitForFunction(() => document.body.dataset.reactor === "running", null, { timeout: 10_000 });
  return { page, errors };
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test("clicking the button turns the label to ✓ and the poem's first line, and the page stays responsive while it dribbles in", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  // 615 bytes, 40 bytes every 50 ms: about 0.8 s of dribbling.
  const app = await serveButton({ slow: { numBytes: 40, delay: 0.05 } });
  const { page, errors } = await openButton(app);
  try {
    assert.equal(await page.textContent("#label"), "✗");
    await page.click("#fetch");
    const during: ButtonState[] = [];
    let rtt = 0;
    for (;;) {
      const t0 = performance.now();
      const s = await state(page);
      rtt = Math.max(rtt, performance.now() - t0);
      if (s.status !== "fetching") break;
      during.push(s);
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await state(page);
    const firstLine = FASCINATION.split("\n")[0]!;
    assert.equal(await page.textContent("#label"), `✓ ${firstLine}`);
    assert.equal(done.poem, FASCINATION);
    // Responsive: the page answered while the poem arrived, its 20 Hz heartbeat kept beating, and
    // the bytes came in many chunks, each shown as it came.
    assert.ok(during.length >= 5, `polled ${during.length} times while fetching`);
    assert.ok(during.some((s) => s.bytes > 0 && s.bytes < 615), "a partial poem was seen");
    assert.ok(done.heartbeats - during[0]!.heartbeats >= 8, `heartbeats ${during[0]!.heartbeats} → ${done.heartbeats}`);
    assert.ok(done.progress.length >= 10, `${done.progress.length} chunks`);
    assert.ok(rtt < 500, `the page took ${rtt} ms to answer`);
    assert.equal(await page.isDisabled("#fetch"), false);
    const shot = join(screenshots, "button-done.png");
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await app.close();
  }
});

test("when the poetry server refuses the connection, the label shows the error", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const port = await closedPort();
  const app = await serveButton({ poetry: { host: "127.0.0.1", port } });
  const { page, errors } = await openButton(app);
  try {
    await page.click("#fetch");
    await page.waitForFunction(
      () => (globalThis as unknown as { button: { state: ButtonState } }).button.state.status === "failed",
      null,
      { timeout: 10_000 },
    );
    const label = (await page.textContent("#label"))!;
    assert.match(label, /^✗ /);
    assert.match(label, new RegExp(`refused.*127\\.0\\.0\\.1:${port}`));
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await app.close();
  }
});
