import { test } from "node:test";
import assert from "node:assert/strict";
import { SlowPoetryFactory } from "../../../src/apps/poetry/server.js";
import { PoetryClientFactory } from "../../../src/apps/poetry/client.js";
import { Deferred } from "../../../src/deferred.js";
import { MemoryNet } from "./_memory-net.js";

const poem = new TextEncoder().encode("abcdefghijklmnopqrstuvwxy"); // 25 bytes

function client(net: MemoryNet, port: number): { d: Deferred<string>; chunks: number[] } {
  const d = new Deferred<string>();
  const chunks: number[] = [];
  net.connectTCP("127.0.0.1", port, new PoetryClientFactory(d, (n) => chunks.push(n)));
  return { d, chunks };
}

test("the slow server sends numBytes every delay seconds, then closes", () => {
  const net = new MemoryNet();
  const port = net.listenTCP(0, new SlowPoetryFactory(net, poem, { numBytes: 10, delay: 1 }));
  const a = port.getHost();
  const { d, chunks } = client(net, "port" in a ? a.port : 0);
  let poemText: string | null = null;
  d.addCallback((p) => (poemText = p));
  net.clock.advance(0);
  net.clock.advance(0);
  assert.deepEqual(chunks, [10]);
  net.clock.advance(1);
  assert.deepEqual(chunks, [10, 10]);
  assert.equal(poemText, null);
  net.clock.advance(1);
  net.clock.advance(0);
  assert.deepEqual(chunks, [10, 10, 5]);
  assert.equal(poemText, "abcdefghijklmnopqrstuvwxy");
  assert.equal(net.clock.getDelayedCalls().length, 0, "no timer left behind");
});

test("the slow server serves every client at once by default", () => {
  const net = new MemoryNet();
  net.listenTCP(7000, new SlowPoetryFactory(net, poem, { numBytes: 10, delay: 1 }));
  const one = client(net, 7000);
  const two = client(net, 7000);
  net.run(0.5);
  assert.deepEqual([one.chunks, two.chunks], [[10], [10]]);
});

test("with oneAtATime a second client gets nothing until the first is served", () => {
  const net = new MemoryNet();
  const waiting: boolean[] = [];
  net.listenTCP(7000, new SlowPoetryFactory(net, poem, { numBytes: 10, delay: 1, oneAtATime: true, onEvent: (e) => e.kind === "connected" && waiting.push(e.waiting) }));
  const one = client(net, 7000);
  const two = client(net, 7000);
  net.run(1.5);
  assert.deepEqual(one.chunks, [10, 10]);
  assert.deepEqual(two.chunks, []);
  net.run(2);
  assert.equal(one.d.called, true);
  assert.deepEqual(two.chunks, [10, 10]);
  net.run(2);
  assert.equal(two.d.called, true);
  assert.deepEqual(waiting, [false, true], "the second client was told to wait");
});

test("a client that leaves mid-poem stops the server's timer and lets the next client in", () => {
  const net = new MemoryNet();
  const finished: boolean[] = [];
  net.listenTCP(7000, new SlowPoetryFactory(net, poem, { numBytes: 10, delay: 1, oneAtATime: true, onEvent: (e) => e.kind === "finished" && finished.push(e.complete) }));
  const one = client(net, 7000);
  const two = client(net, 7000);
  one.d.addErrback(() => undefined); // its download fails: the connection is aborted below
  net.run(0.5);
  net.connections[0]![0].abortConnection();
  assert.deepEqual(finished, [false]);
  net.run(0.5);
  assert.deepEqual(two.chunks, [10]);
  assert.equal(one.chunks.length, 1);
});

test("SlowPoetryFactory rejects a chunk size below one byte", () => {
  assert.throws(() => new SlowPoetryFactory(new MemoryNet(), poem, { numBytes: 0 }), RangeError);
});
