// reed protocols in a real page (headless Chromium) over the WebSocket transport, against
// listenWS on 127.0.0.1; plus the page reactor's unclamped callLater(0). Bounded; the browser and
// every server are closed. Skips loudly when /usr/bin/chromium is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { launch, skipReason } from "./_chromium.js";
import { listenWS, type WebSocketPort } from "../../src/node/websocket.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { NetstringReceiver } from "../../src/protocols/basic/netstring.js";
import { Factory } from "../../src/protocols/factory.js";
import { Clock } from "../../src/testing/clock.js";

const reason = skipReason();
if (reason) console.warn(reason);

/** Answers every line with its upper-case version. */
class Shout extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(new TextEncoder().encode(new TextDecoder().decode(line).toUpperCase()));
  }
}

/** Answers every netstring with its reverse. */
class Reverse extends NetstringReceiver {
  override stringReceived(s: Uint8Array): void {
    this.sendString(s.slice().reverse());
  }
}

let browser: Awaited<ReturnType<typeof launch>> | null = null;
let http: Server | null = null;
let lines: WebSocketPort | null = null;
let netstrings: WebSocketPort | null = null;
let page: Page | null = null;
let base = "";
const pageErrors: string[] = [];

before(async () => {
  if (reason) return;
  const bundle = await build({
    entryPoints: ["test/browser/_ws-page.ts"],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.text;
  http = createServer((req, res) => {
    if (req.url === "/page.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(script);
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end('<!doctype html><meta charset="utf-8"><title>ws</title><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((r) => http!.listen(0, "127.0.0.1", r));
  base = `127.0.0.1:${(http.address() as { port: number }).port}`;
  const clock = new Clock();
  lines = await listenWS(clock, { server: http, path: "/lines" }, Factory.forProtocol(Shout));
  netstrings = await listenWS(clock, { server: http, path: "/netstrings" }, Factory.forProtocol(Reverse));
  browser = await launch();
  page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`http://${base}/`);
  await page.waitForFunction(() => "reedTest" in globalThis, null, { timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  await lines?.stopListening();
  await netstrings?.stopListening();
  if (http) await new Promise((r) => http!.close(r));
  assert.deepEqual(pageErrors, []);
});

type TestApi = {
  lines(url: string, chunks: string[], expected: number): Promise<{ received: string[]; reason: string }>;
  netstrings(url: string, strings: string[], expected: number): Promise<{ received: string[]; reason: string }>;
  zeroDelayChain(n: number): Promise<{ calls: number; setTimeouts: number }>;
  failedConnect(url: string): Promise<string>;
};

test("a LineReceiver in the page talks to a LineReceiver server, lines split across messages", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const got = await page!.evaluate(
    ([url]) => (globalThis as unknown as { reedTest: TestApi }).reedTest.lines(url!, ["hel", "lo\r\nwor", "ld\r\nünï", "code\r\n"], 3),
    [`ws://${base}/lines`],
  );
  assert.deepEqual(got.received, ["HELLO", "WORLD", "ÜNÏCODE"]);
  assert.equal(got.reason, "ConnectionDone");
});

test("a NetstringReceiver in the page talks to a NetstringReceiver server", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const got = await page!.evaluate(
    ([url]) => (globalThis as unknown as { reedTest: TestApi }).reedTest.netstrings(url!, ["abc", "", "reed"], 3),
    [`ws://${base}/netstrings`],
  );
  assert.deepEqual(got.received, ["cba", "", "deer"]);
  assert.equal(got.reason, "ConnectionDone");
});

test("connecting where nothing listens fails with ConnectError in the page", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  const name = await page!.evaluate(
    ([url]) => (globalThis as unknown as { reedTest: TestApi }).reedTest.failedConnect(url!),
    [`ws://127.0.0.1:${port}/lines`],
  );
  assert.equal(name, "ConnectError");
});

test("callLater(0) chains in the page never go through setTimeout (no clamping)", { timeout: 30_000 }, async (t) => {
  if (reason) return t.skip(reason);
  const got = await page!.evaluate(() => (globalThis as unknown as { reedTest: TestApi }).reedTest.zeroDelayChain(200));
  assert.deepEqual(got, { calls: 200, setTimeouts: 0 });
});
