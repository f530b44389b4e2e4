/**
 * A FIFO ring buffer: O(1) push at the back and shift from the front, growing by doubling.
 *
 * Invariants:
 * - `items.length` is a power of two; the live items are `length` slots starting at `head`,
 *   wrapping around; every other slot is `undefined` (so shifted values can be collected).
 */
export class Deque<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16);
  private head = 0;
  /** How many items it holds. */
  length = 0;

  /** Adds `value` at the back. */
  push(value: T): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = value;
    this.length++;
  }

  /** Removes and returns the front item (`undefined` when empty). */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    return v;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
