import { test } from "node:test";
import assert from "node:assert/strict";
import { TimerHeap, type HeapEntry } from "../../src/_internal/heap.js";

const entry = (time: number, name: string): HeapEntry & { name: string } => ({ time, seq: 0, heapIndex: -1, name });

test("retain() drops entries in O(n) and keeps time-then-FIFO order", () => {
  const heap = new TimerHeap<HeapEntry & { name: string }>();
  const es = [entry(2, "a"), entry(1, "b"), entry(2, "c"), entry(1, "d"), entry(3, "e")];
  for (const e of es) heap.push(e);
  heap.retain((e) => e.name !== "b");
  assert.equal(es[1]!.heapIndex, -1);
  const out: string[] = [];
  for (let e = heap.pop(); e; e = heap.pop()) out.push(e.name);
  assert.deepEqual(out, ["d", "a", "c", "e"]);
});

test("nextSequence tells entries pushed before now from later ones", () => {
  const heap = new TimerHeap<HeapEntry & { name: string }>();
  heap.push(entry(1, "a"));
  const limit = heap.nextSequence;
  const b = entry(0, "b");
  heap.push(b);
  assert.ok(b.seq >= limit);
  assert.ok(heap.peek() === b);
});
