/**
 * A binary min-heap of timed entries with O(log n) insert, removal of any entry, and re-keying.
 *
 * Invariants:
 * - `items[i].heapIndex === i` for every stored entry; a removed entry has `heapIndex === -1`.
 * - Order is by `time`, then by `seq` (insertion order), so equal times come out FIFO.
 */

/** Something the heap can hold. */
export interface HeapEntry {
  /** When it is due. */
  time: number;
  /** Tie-breaker: insertion order. */
  seq: number;
  /** Position in the heap; -1 when not in it. */
  heapIndex: number;
}

export class TimerHeap<E extends HeapEntry> {
  private items: E[] = [];
  private nextSeq = 0;

  /** The `seq` the next pushed entry will get: entries with a lower `seq` were pushed before now. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(e: E): void {
    e.seq = this.nextSeq++;
    e.heapIndex = this.items.length;
    this.items.push(e);
    this.up(e.heapIndex);
  }

  pop(): E | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  remove(e: E): void {
    const i = e.heapIndex;
    if (i < 0 || this.items[i] !== e) return;
    const last = this.items.pop()!;
    e.heapIndex = -1;
    if (last !== e) {
      this.items[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  /** Re-keys `e` to `time`, keeping its insertion number (its place among equal times). */
  update(e: E, time: number): void {
    this.remove(e);
    e.time = time;
    e.heapIndex = this.items.length;
    this.items.push(e);
    this.up(e.heapIndex);
  }

  /** The entries in due order (a copy; O(n log n)). */
  sorted(): E[] {
    return [...this.items].sort((a, b) => a.time - b.time || a.seq - b.seq);
  }

  private less(a: E, b: E): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const e = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.less(e, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = e;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const e = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!this.less(child, e)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = e;
    e.heapIndex = i;
  }
}
