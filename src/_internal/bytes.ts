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
