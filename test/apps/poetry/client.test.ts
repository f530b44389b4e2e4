import { test } from "node:test";
import assert from "node:assert/strict";
import { getPoetry } from "../../../src/apps/poetry/client.js";
import { SlowPoetryFactory } from "../../../src/apps/poetry/server.js";
import { CancelledError, ConnectionLost, ConnectionRefusedError, TimeoutError } from "../../../src/errors.js";
import type { Failure } from "../../../src/failure.js";
import { MemoryNet } from "./_memory-net.js";

const poem = new TextEncoder().encode("Sonnet — To Science\nScience! true daughter of Old Time thou art!\n");

function serve(net: MemoryNet, port = 7000, delay = 1): void {
  net.listenTCP(port, new SlowPoetryFactory(net, poem, { numBytes: 16, delay }));
}

test("getPoetry fires with the whole poem (UTF-8) when the server closes cleanly", () => {
  const net = new MemoryNet();
  serve(net);
  let got: string | undefined;
  getPoetry(net, "127.0.0.1", 7000).addCallback((p) => (got = p));
  net.run(10);
  assert.equal(got, new TextDecoder().decode(poem));
});

test("getPoetry reports each chunk as it arrives", () => {
  const net = new MemoryNet();
  serve(net);
  const seen: [number, number][] = [];
  getPoetry(net, "127.0.0.1", 7000, { onChunk: (n, total) => seen.push([n, total]) });
  net.run(10);
  assert.deepEqual(seen.slice(0, 2), [[16, 16], [16, 32]]);
  assert.equal(seen.at(-1)![1], poem.length);
});

test("getPoetry fails with ConnectionRefusedError when nothing listens", () => {
  const net = new MemoryNet();
  let err: Failure | undefined;
  getPoetry(net, "127.0.0.1", 9).addErrback((f) => {
    err = f;
  });
  net.run(0.1);
  assert.ok(err?.check(ConnectionRefusedError));
});

test("getPoetry fails with ConnectionLost (and the byte count) when the connection breaks mid-poem", () => {
  const net = new MemoryNet();
  serve(net);
  let err: Failure | undefined;
  getPoetry(net, "127.0.0.1", 7000).addErrback((f) => {
    err = f;
  });
  net.run(1.5);
  net.connections[0]![1].abortConnection();
  assert.ok(err?.check(ConnectionLost));
  assert.match(err!.getErrorMessage(), /after 32 bytes/);
});

test("cancelling getPoetry closes the connection and fails with CancelledError", () => {
  const net = new MemoryNet();
  serve(net);
  let err: Failure | undefined;
  const d = getPoetry(net, "127.0.0.1", 7000);
  d.addErrback((f) => {
    err = f;
  });
  net.run(1.5);
  d.cancel();
  assert.ok(err?.check(CancelledError));
  assert.equal(net.connections[0]![1].closed, true, "the server side saw the connection go");
  net.run(10);
  assert.equal(net.clock.getDelayedCalls().length, 0);
});

test("cancelling getPoetry before it connects stops the attempt", () => {
  const net = new MemoryNet();
  serve(net);
  let err: Failure | undefined;
  const d = getPoetry(net, "127.0.0.1", 7000);
  d.addErrback((f) => {
    err = f;
  });
  d.cancel();
  net.run(1);
  assert.ok(err?.check(CancelledError));
  assert.equal(net.connections.length, 0);
});

test("getPoetry times out with TimeoutError and closes the connection", () => {
  const net = new MemoryNet();
  serve(net, 7000, 5);
  let err: Failure | undefined;
  getPoetry(net, "127.0.0.1", 7000, { timeout: 2 }).addErrback((f) => {
    err = f;
  });
  net.run(1.9);
  assert.equal(err === undefined, true);
  net.run(0.2);
  assert.ok(err?.check(TimeoutError));
  assert.match(err!.getErrorMessage(), /Timed out after 2 seconds/);
  assert.equal(net.connections[0]![1].closed, true);
});

test("a poem that arrives in time cancels the timeout", () => {
  const net = new MemoryNet();
  serve(net, 7000, 0.1);
  let got = "";
  getPoetry(net, "127.0.0.1", 7000, { timeout: 30 }).addCallback((p) => (got = p));
  net.run(2);
  assert.equal(got.length > 0, true);
  assert.equal(net.clock.getDelayedCalls().length, 0);
});
