import { test } from "node:test";
import assert from "node:assert/strict";
import { downloadAll, formatTimedelta, newTasks } from "../../../src/apps/poetry/download.js";
import { SlowPoetryFactory } from "../../../src/apps/poetry/server.js";
import { TransformFactory } from "../../../src/apps/poetry/transform.js";
import { MemoryNet } from "./_memory-net.js";

test("formatTimedelta prints seconds as Python's timedelta does", () => {
  assert.equal(formatTimedelta(10.13422), "0:00:10.134220");
  assert.equal(formatTimedelta(23.065661), "0:00:23.065661");
  assert.equal(formatTimedelta(3725.5), "1:02:05.500000");
  assert.equal(formatTimedelta(1), "0:00:01");
  assert.equal(formatTimedelta(0.000001), "0:00:00.000001");
  assert.equal(formatTimedelta(86400 + 61), "1 day, 0:01:01");
});

function threeServers(net: MemoryNet): { host: string; port: number }[] {
  const sizes = [30, 20, 10];
  return sizes.map((n, i) => {
    net.listenTCP(8000 + i, new SlowPoetryFactory(net, new Uint8Array(n).fill(65 + i), { numBytes: 10, delay: 1 }));
    return { host: "127.0.0.1", port: 8000 + i };
  });
}

test("the concurrent client takes as long as the slowest server and interleaves the chunks", () => {
  const net = new MemoryNet();
  const tasks = newTasks(threeServers(net));
  let done = false;
  downloadAll(net, tasks).addCallback(() => (done = true));
  net.run(3.5);
  assert.equal(done, true);
  assert.deepEqual(tasks.map((t) => t.bytes), [30, 20, 10]);
  const order = tasks.flatMap((t) => t.chunks.map((c) => [c.time, t.index] as const)).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  assert.deepEqual(order.slice(0, 3).sort(), [1, 2, 3], "every task got a chunk before any got a second");
  assert.ok(Math.max(...tasks.map((t) => t.finished!)) < 3);
});

test("the sequential client starts each download after the previous one finished", () => {
  const net = new MemoryNet();
  const tasks = newTasks(threeServers(net));
  let done = false;
  downloadAll(net, tasks, { sequential: true }).addCallback(() => (done = true));
  net.run(2.5);
  assert.equal(done, false, "the sum of the three takes longer than the slowest");
  net.run(5);
  assert.equal(done, true);
  assert.ok(tasks[1]!.started! >= tasks[0]!.finished!);
  assert.ok(tasks[2]!.started! >= tasks[1]!.finished!);
});

test("a failed server is reported in its task and the others still finish", () => {
  const net = new MemoryNet();
  const addrs = [...threeServers(net), { host: "127.0.0.1", port: 9 }];
  const tasks = newTasks(addrs);
  downloadAll(net, tasks);
  net.run(4);
  assert.equal(tasks[3]!.error?.getErrorMessage(), "Connection was refused by other side: ECONNREFUSED");
  assert.deepEqual(tasks.slice(0, 3).map((t) => t.error), [null, null, null]);
});

test("with a transform server each poem is cummingsified; if that fails the original is kept", () => {
  const net = new MemoryNet();
  const addrs = threeServers(net);
  let tasks = newTasks(addrs);
  net.listenTCP(11000, new TransformFactory());
  downloadAll(net, tasks, { transform: { host: "127.0.0.1", port: 11000 } });
  net.run(4);
  assert.deepEqual(tasks.map((t) => [t.poem, t.transformed]), [["a".repeat(30), true], ["b".repeat(20), true], ["c".repeat(10), true]]);
  tasks = newTasks(addrs);
  downloadAll(net, tasks, { transform: { host: "127.0.0.1", port: 11999 } });
  net.run(4);
  assert.deepEqual(tasks.map((t) => [t.poem, t.transformed]), [["A".repeat(30), false], ["B".repeat(20), false], ["C".repeat(10), false]]);
});
