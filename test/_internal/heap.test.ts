import { test } from "node:test";
import assert from "node:assert/strict";
import { TimerHeap, type HeapEntry } from "../../src/_internal/heap.js";

function entry(time: number): HeapEntry & { id: number } {
  return { time, seq: 0, heapIndex: -1, id: time };
}

test("the heap pops in time order with FIFO ties, under random inserts and removals", () => {
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const h = new TimerHeap<HeapEntry & { id: number }>();
  const live = new Set<HeapEntry & { id: number }>();
  for (let i = 0; i < 5000; i++) {
    const e = entry(Math.floor(rand() * 100));
    e.id = i;
    h.push(e);
    live.add(e);
    if (rand() < 0.3) {
      const victim = [...live][Math.floor(rand() * live.size)]!;
      h.remove(victim);
      live.delete(victim);
      assert.equal(victim.heapIndex, -1);
    }
  }
  assert.equal(h.size, live.size);
  const expected = [...live].sort((a, b) => a.time - b.time || a.id - b.id).map((e) => e.id);
  const got: number[] = [];
  for (let e = h.pop(); e; e = h.pop()) got.push(e.id);
  assert.deepEqual(got, expected);
});

test("update re-keys an entry and keeps its place among equal times", () => {
  const h = new TimerHeap<HeapEntry & { id: number }>();
  const a = entry(5);
  const b = entry(1);
  h.push(a);
  h.push(b);
  h.update(a, 1);
  assert.equal(h.pop(), a);
  assert.equal(h.pop(), b);
});

test("removing an entry that is not in the heap does nothing", () => {
  const h = new TimerHeap<HeapEntry & { id: number }>();
  h.remove(entry(1));
  assert.equal(h.size, 0);
});
