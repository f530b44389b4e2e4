// `reed snek` as a real process on 127.0.0.1 (bounded; the process is always stopped).
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../_serve-process.js";
import { main } from "../../../src/apps/snek/main.js";

test("reed snek prints its URL and serves the page and its script until interrupted", { timeout: 60_000 }, async () => {
  const run = await serve(["snek", "--port", "0"], /^DrawSnek is at (http:\/\/127\.0\.0\.1:\d+\/)$/);
  try {
    const url = run.match[1]!;
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<canvas id="screen" width="1280" height="960">/);
    assert.match(html, /src="\/snek\.js"/);
    const script = await fetch(`${url}snek.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
    const js = await script.text();
    assert.doesNotMatch(js, /^\s*import\s/m, "the script is a self-contained bundle");
    assert.match(js, /nextFrame/);
    assert.equal((await fetch(`${url}nothing-here`)).status, 404);
  } finally {
    assert.equal(await run.stop(), 0);
  }
});

test("reed snek refuses a bad port with a usage error (exit 2)", async () => {
  const errors: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(["--port", "70000"]), 2);
    assert.equal(await main(["extra"]), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errors.join(""), /Bad value for --port/);
  assert.match(errors.join(""), /Unexpected argument: extra/);
});
