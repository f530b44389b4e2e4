/**
 * Byte-array helpers for the framers and fakes (Uint8Array only; no Buffer, so the core runs in
 * browsers). Never exported from an entry point.
 */

/** An empty byte array (shared; never write into it). */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** `a + b` as a new array (returns the other one unchanged when one side is empty). */
export function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** All `chunks` joined into one new array. */
export function concatAll(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = Array.from(chunks);
  let n = 0;
  for (const c of list) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of list) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The index of the first occurrence of `needle` in `hay` at or after `from`, or -1.
 * An empty needle is found at `from`.
 */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const n = needle.length;
  if (n === 0) return from <= hay.length ? from : -1;
  const first = needle[0]!;
  const last = hay.length - n;
  let i = from;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i === -1 || i > last) return -1;
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
    i++;
  }
  return -1;
}

/** Whether two arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of an ASCII string (code points above 0x7f are a programming error here). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Throws a TypeError unless `data` is a Uint8Array (transports take bytes, never strings). */
export function mustBeBytes(data: unknown, what = "Data"): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${what} must be bytes: got ${typeof data === "string" ? "a string" : typeof data}`);
  }
}

/**
 * Bytes received but not yet parsed, kept as a list of chunks so that a long partial message
 * arriving in many small pieces costs O(n) to collect instead of O(n²) re-concatenation.
 * Chunks pushed are copies owned by the list.
 */
export class PendingBytes {
  private chunks: Uint8Array[] = [];
  /** Total bytes held. */
  length = 0;

  /** Appends a copy of `data`. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data.slice());
    this.length += data.length;
  }

  /** Appends `data`, which the caller hands over (it must not be changed afterwards). */
  pushOwned(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.length += data.length;
  }

  /** Everything held followed by `more`, as one array; the list is emptied. */
  takeWith(more: Uint8Array): Uint8Array {
    if (this.chunks.length === 0) return more;
    this.chunks.push(more);
    const all = concatAll(this.chunks);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  /** The last `k` bytes held (fewer if fewer are held). */
  tail(k: number): Uint8Array {
    if (k <= 0) return EMPTY;
    const parts: Uint8Array[] = [];
    let need = k;
    for (let i = this.chunks.length - 1; i >= 0 && need > 0; i--) {
      const c = this.chunks[i]!;
      const part = c.length <= need ? c : c.subarray(c.length - need);
      parts.unshift(part);
      need -= part.length;
    }
    return concatAll(parts);
  }

  /** The first `k` bytes held (fewer if fewer are held). */
  head(k: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let need = k;
    for (const c of this.chunks) {
      if (need <= 0) break;
      const part = c.length <= need ? c : c.subarray(0, need);
      parts.push(part);
      need -= part.length;
    }
    return concatAll(parts);
  }
}

// A slab that small copies are carved from, as Node's Buffer pool does: typed arrays over 64 bytes
// get their own off-heap backing store in V8 (a malloc each), which made per-string copies the
// framers' main cost. Copies of 4 KiB and more, and of 64 bytes or less (allocated on V8's heap),
// are plain slices.
const SLAB_SIZE = 8192;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/**
 * A copy of `src[start, end)` that does not keep `src` alive. Copies between 65 bytes and 4 KiB
 * are views into a shared 8 KiB slab (so their `.buffer` also holds other copies' bytes: use them
 * through the view, as with Node's pooled Buffers); a held copy pins at most one slab.
 */
export function copyOut(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n <= 64 || n >= SLAB_SIZE >>> 1) return src.slice(start, end);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  out.set(src.subarray(start, end));
  slabUsed = (slabUsed + n + 7) & ~7; // keep each copy 8-byte aligned
  return out;
}
