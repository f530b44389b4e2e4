import { test } from "node:test";
import assert from "node:assert/strict";
import { concat2, copyOut, indexOfBytes, PendingBytes } from "../../src/_internal/bytes.js";

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

test("copyOut copies: later changes to the source do not show, for every size class", () => {
  for (const n of [0, 10, 64, 65, 100, 4095, 4096, 10_000]) {
    const src = bytes(n + 20, 7);
    const c = copyOut(src, 10, 10 + n);
    src.fill(9);
    assert.equal(c.length, n);
    assert.ok(c.every((b) => b === 7), `size ${n}`);
  }
});

test("pooled copies never overlap one another", () => {
  const copies: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) copies.push(copyOut(bytes(200, i & 0xff), 0, 100 + (i % 50)));
  copies.forEach((c, i) => assert.ok(c.every((b) => b === (i & 0xff)), `copy ${i}`));
});

test("a pooled copy pins at most one 8 KiB slab, not the source", () => {
  const c = copyOut(bytes(65536, 1), 100, 300);
  assert.ok(c.buffer.byteLength <= 8192);
});

test("PendingBytes keeps copies and hands back everything with the next chunk", () => {
  const p = new PendingBytes();
  const a = Uint8Array.of(1, 2);
  p.push(a);
  a[0] = 99;
  assert.equal(p.length, 2);
  assert.deepEqual([...p.takeWith(Uint8Array.of(3))], [1, 2, 3]);
  assert.equal(p.length, 0);
});

test("concat2 and indexOfBytes", () => {
  assert.deepEqual([...concat2(Uint8Array.of(1), Uint8Array.of(2, 3))], [1, 2, 3]);
  assert.equal(indexOfBytes(Uint8Array.of(1, 13, 10, 5), Uint8Array.of(13, 10)), 1);
  assert.equal(indexOfBytes(Uint8Array.of(1, 13, 5), Uint8Array.of(13, 10)), -1);
});
