// `reed button` as a real process on 127.0.0.1 (bounded; the process is always stopped). A plain
// WebSocket client stands in for the page here; test/browser/button.test.ts drives the real page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { createServer } from "node:net";
import { serve } from "../_serve-process.js";
import { readPoem } from "../../../src/apps/poetry/poems.js";
import { serveButton } from "../../../src/apps/button/main.js";

/** Reads one WebSocket's messages until it closes: the bytes, and the close code and reason. */
function collect(url: string): Promise<{ bytes: Buffer; chunks: number; code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const parts: Buffer[] = [];
    ws.on("message", (d: Buffer) => parts.push(d));
    ws.on("error", reject);
    ws.on("close", (code, reason) => resolve({ bytes: Buffer.concat(parts), chunks: parts.length, code, reason: reason.toString() }));
  });
}

test("reed button serves the page and relays /poetry to its own slow poetry server", { timeout: 60_000 }, async () => {
  const run = await serve(["button", "--port", "0"], /^Just a button is at (http:\/\/127\.0\.0\.1:(\d+)\/)/);
  try {
    assert.match(run.lines[0]!, /^Serving a slow poem on 127\.0\.0\.1:\d+\.$/);
    const url = run.match[1]!;
    const html = await (await fetch(url)).text();
    assert.match(html, /<button id="fetch"/);
    assert.match(html, /<span id="label">✗<\/span>/);
    const got = await collect(`ws://127.0.0.1:${run.match[2]}/poetry`);
    assert.equal(got.code, 1000);
    assert.ok(got.bytes.equals(Buffer.from(readPoem("fascination"))), "the whole poem, byte for byte");
    assert.ok(got.chunks > 10, `${got.chunks} chunks: the poem dribbles in`);
  } finally {
    assert.equal(await run.stop(), 0);
  }
});

test("a refused poetry connection closes the WebSocket with code 4000 and the reason", { timeout: 30_000 }, async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  const app = await serveButton({ poetry: { host: "127.0.0.1", port } });
  try {
    const got = await collect(`${app.url.replace("http:", "ws:")}poetry`);
    assert.equal(got.code, 4000);
    assert.match(got.reason, new RegExp(`refused.*: 127\\.0\\.0\\.1:${port}$`, "i"));
    assert.equal(got.bytes.length, 0);
  } finally {
    await app.close();
  }
});
