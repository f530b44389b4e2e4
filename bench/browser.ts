/**
 * The page reactor in headless Chromium: a chain of 1,000 `callLater(0)` calls on BrowserReactor
 * (MessageChannel tasks) against the same chain of `setTimeout(fn, 0)` (which browsers clamp to
 * ≥ 4 ms once nested 5 deep), and the rate a `nextFrame()`-paced loop draws at. Needs
 * /usr/bin/chromium; bounded to a few seconds.
 */
import { createServer } from "node:http";
import { build } from "esbuild";
import { launch, skipReason } from "../test/browser/_chromium.js";

const reason = skipReason();
if (reason) {
  console.log(reason);
  process.exit(0);
}
const script = (await build({ entryPoints: ["bench/fixtures/browser-page.ts"], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" }))
  .outputFiles[0]!.text;
const http = createServer((req, res) => {
  res.writeHead(200, { "content-type": req.url === "/b.js" ? "text/javascript" : "text/html" });
  res.end(req.url === "/b.js" ? script : '<!doctype html><script type="module" src="/b.js"></script>');
});
await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`http://127.0.0.1:${(http.address() as { port: number }).port}/`);
  await page.waitForFunction(() => "bench" in globalThis);
  type Bench = { reed(n: number): Promise<number>; setTimeout0(n: number): Promise<number>; frames(ms: number): Promise<number> };
  const N = 1000;
  const reed = await page.evaluate((n) => (globalThis as unknown as { bench: Bench }).bench.reed(n), N);
  const st = await page.evaluate((n) => (globalThis as unknown as { bench: Bench }).bench.setTimeout0(n), N);
  const fps = await page.evaluate(() => (globalThis as unknown as { bench: Bench }).bench.frames(1000));
  console.log(`${N} chained zero-delay calls in headless Chromium:`);
  console.log(`  reed BrowserReactor.callLater(0)  ${reed.toFixed(1).padStart(8)} ms  (${((reed * 1000) / N).toFixed(1)} µs per call)`);
  console.log(`  setTimeout(fn, 0)                 ${st.toFixed(1).padStart(8)} ms  (${((st * 1000) / N).toFixed(1)} µs per call)`);
  console.log(`  ratio setTimeout / reed: ${(st / reed).toFixed(1)}x`);
  console.log(`nextFrame()-paced loop: ${fps.toFixed(1)} frames/s (the display's rate; headless Chromium targets 60)`);
} finally {
  await browser.close();
  await new Promise((r) => http.close(r));
}
