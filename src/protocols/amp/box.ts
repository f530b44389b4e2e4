/**
 * AMP boxes on the wire, byte-compatible with `twisted.protocols.amp`.
 *
 * A box is a sequence of key/value pairs, each a 16-bit big-endian length and that many bytes,
 * ended by an empty key (two NUL bytes):
 *
 *     <len><key><len><value> ... <len><key><len><value> 00 00
 *
 * Invariants:
 * - Keys are 1–255 bytes (their length prefix's first byte is always 0), values 0–65535 bytes.
 * - reed holds a key as a "binary string": one char per byte (latin-1), so any key bytes round
 *   trip; values stay bytes. A key with a char above U+00FF cannot be encoded (TypeError).
 * - `serializeBox` writes keys sorted by their bytes, as Twisted does, so the same box gives the
 *   same bytes in both implementations.
 * - `BoxParser` accepts any chunking of its input: a box split anywhere, several boxes in one
 *   chunk, one byte at a time. A key length above 255 is a `TooLong` error (remote key); after
 *   an error the parser refuses further input.
 * - `stopParsing()` (from `onBox` or between chunks) hands back exactly the unparsed bytes: a
 *   protocol switch loses and duplicates nothing.
 */
import { TooLong } from "../../errors.js";

/** The largest key, in bytes. */
export const MAX_KEY_LENGTH = 0xff;
/** The largest value, in bytes. */
export const MAX_VALUE_LENGTH = 0xffff;

/** Marks a command box; the value is the tag its answer or error will echo. */
export const ASK = "_ask";
/** Marks a successful answer; the value is the tag of the command answered. */
export const ANSWER = "_answer";
/** The command's name. */
export const COMMAND = "_command";
/** Marks an error answer; the value is the tag of the command that failed. */
export const ERROR = "_error";
/** The error's code (a declared error's code, `UNKNOWN` or `UNHANDLED`). */
export const ERROR_CODE = "_error_code";
/** The error's human-readable description (UTF-8). */
export const ERROR_DESCRIPTION = "_error_description";
/** The code of an error the responder did not declare; the responder's side drops the connection. */
export const UNKNOWN_ERROR_CODE = "UNKNOWN";
/** The code sent for a command that has no responder; the connection is kept. */
export const UNHANDLED_ERROR_CODE = "UNHANDLED";

/**
 * One AMP box: keys (binary strings, one char per byte) to byte values. Order of insertion does
 * not matter on the wire (keys are sorted when serialised).
 */
export type AmpBox = Map<string, Uint8Array>;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/** Encodes a JS string as UTF-8 bytes. */
export function utf8(s: string): Uint8Array {
  if (s.length <= 24) {
    // Short ASCII strings (numbers, tags, codes) are the common case: skip TextEncoder's overhead.
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return utf8Encoder.encode(s);
      out[i] = c;
    }
    return out;
  }
  return utf8Encoder.encode(s);
}

/** Decodes UTF-8 bytes (invalid sequences become U+FFFD, as Python's `"replace"`). */
export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Decodes bytes as a binary string (one char per byte); lossless for any bytes. */
export function fromBinary(b: Uint8Array): string {
  if (b.length <= 32) {
    // Keys and tags are short: a plain loop beats String.fromCharCode.apply's call overhead.
    let t = "";
    for (let i = 0; i < b.length; i++) t += String.fromCharCode(b[i]!);
    return t;
  }
  let s = "";
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

/**
 * Encodes a binary string (one char per byte) as bytes.
 * @throws TypeError when a char is above U+00FF (it is not a byte).
 */
export function toBinary(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new TypeError(`AMP keys are byte strings: ${JSON.stringify(s)} has a char above U+00FF`);
    out[i] = c;
  }
  return out;
}

/**
 * Makes a box from an object of string or byte values (strings are UTF-8 encoded).
 * @example box({ _command: "Sum", _ask: "1", a: "13" })
 */
export function box(fields: Readonly<Record<string, string | Uint8Array>>): AmpBox {
  const b: AmpBox = new Map();
  for (const [k, v] of Object.entries(fields)) b.set(k, typeof v === "string" ? utf8(v) : v);
  return b;
}

/**
 * Serialises a box to its wire bytes, keys sorted by their bytes (as Twisted does).
 * @throws TooLong for an empty or over-long key or an over-long value (`isLocal` true);
 *   TypeError for a key that is not a byte string.
 */
export function serializeBox(b: AmpBox): Uint8Array {
  const keys = [...b.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  let total = 2;
  for (const k of keys) {
    const v = b.get(k)!;
    if (k.length > MAX_KEY_LENGTH) throw new TooLong(true, true, k.length);
    // An empty key would end the box early: Twisted rejects it on the receiving side, reed here.
    if (k.length === 0) throw new TooLong(true, true, 0);
    if (v.length > MAX_VALUE_LENGTH) throw new TooLong(false, true, v.length, k);
    total += 4 + k.length + v.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const k of keys) {
    const v = b.get(k)!;
    out[o] = 0;
    out[o + 1] = k.length;
    o += 2;
    for (let i = 0; i < k.length; i++) {
      const c = k.charCodeAt(i);
      if (c > 0xff) throw new TypeError(`AMP keys are byte strings: ${JSON.stringify(k)} has a char above U+00FF`);
      out[o++] = c;
    }
    out[o] = v.length >>> 8;
    out[o + 1] = v.length & 0xff;
    o += 2;
    out.set(v, o);
    o += v.length;
  }
  // The final two bytes are already 0: the empty key that ends the box.
  return out;
}

/** Parser states: what the next length prefix announces. */
const enum Want {
  Key,
  Value,
}

/**
 * An incremental AMP box parser: feed it chunks with `feed()`, it calls `onBox` for each complete
 * box, in order. Robust to any chunking.
 *
 * Errors: a key length above 255 throws `TooLong` (remote key) from `feed()`; after any error
 * (including one thrown by `onBox`), `feed()` throws the same error again without parsing.
 */
export class BoxParser {
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  private want: Want = Want.Key;
  private current: AmpBox | null = null;
  private key = "";
  private broken: unknown = undefined;
  private stopped = false;

  /** @param onBox called with each complete box (an empty box too: rejecting it is the caller's job). */
  constructor(private readonly onBox: (b: AmpBox) => void) {}

  /** Bytes received but not yet part of a complete key or value. */
  get pendingBytes(): number {
    return this.buf.length - this.off;
  }

  /** True while part of a box has been received (a key, value or length prefix is pending). */
  get midBox(): boolean {
    return this.current !== null || this.want === Want.Value || this.pendingBytes > 0;
  }

  /**
   * Stops parsing for good, even from inside `onBox` in the middle of `feed()` (no further box is
   * delivered), and returns the bytes received but not yet parsed: what follows the last box
   * delivered, when called from `onBox`. Used to hand a connection's remaining bytes to another
   * protocol (AMP's protocol switch). Keys and values of a box only partly received are not
   * included. Later `feed()` calls throw.
   */
  stopParsing(): Uint8Array {
    const rest = this.buf.slice(this.off);
    this.stopped = true;
    this.broken ??= new RangeError("Cannot parse AMP boxes: the parser was stopped");
    this.buf = new Uint8Array(0);
    this.off = 0;
    this.current = null;
    this.want = Want.Key;
    return rest;
  }

  /**
   * Parses `data`, calling `onBox` for every box it completes.
   * @throws TooLong for a key length above 255, or whatever `onBox` threw (the parser then stays broken).
   */
  feed(data: Uint8Array): void {
    if (this.broken !== undefined) throw this.broken;
    if (this.off < this.buf.length) {
      const joined = new Uint8Array(this.buf.length - this.off + data.length);
      joined.set(this.buf.subarray(this.off), 0);
      joined.set(data, this.buf.length - this.off);
      this.buf = joined;
    } else {
      this.buf = data;
    }
    this.off = 0;
    try {
      this.parse();
    } catch (e) {
      this.broken = e;
      this.buf = new Uint8Array(0);
      this.off = 0;
      throw e;
    }
  }

  private parse(): void {
    const buf = this.buf;
    let off = this.off;
    for (;;) {
      if (buf.length - off < 2) break;
      const len = (buf[off]! << 8) | buf[off + 1]!;
      if (this.want === Want.Key) {
        if (len > MAX_KEY_LENGTH) {
          this.off = off;
          throw new TooLong(true, false, len);
        }
        if (len === 0) {
          // The empty key: the box is complete.
          off += 2;
          this.off = off;
          const done = this.current ?? new Map<string, Uint8Array>();
          this.current = null;
          this.onBox(done);
          // onBox stopped the parser (a protocol switch): the rest is no longer ours.
          if (this.stopped) return;
          continue;
        }
        if (buf.length - off - 2 < len) break;
        this.key = fromBinary(buf.subarray(off + 2, off + 2 + len));
        off += 2 + len;
        this.want = Want.Value;
      } else {
        if (buf.length - off - 2 < len) break;
        // Copy the value: the caller may keep it, and the chunk it came in may be reused.
        const value = buf.slice(off + 2, off + 2 + len);
        off += 2 + len;
        (this.current ??= new Map()).set(this.key, value);
        this.want = Want.Key;
      }
    }
    this.off = off;
    if (off === buf.length) {
      this.buf = new Uint8Array(0);
      this.off = 0;
    }
  }
}

/**
 * Parses a complete byte string of boxes (Twisted's `amp.parseString`).
 * @param strict when true (the default) a truncated last box is an error; Twisted ignores it.
 * @throws TooLong for a key length above 255; RangeError for truncated data when `strict`.
 */
export function parseString(data: Uint8Array, strict = true): AmpBox[] {
  const boxes: AmpBox[] = [];
  const p = new BoxParser((b) => boxes.push(b));
  p.feed(data);
  if (strict && p.midBox) throw new RangeError(`Truncated AMP data: ${p.pendingBytes} bytes after the last complete box`);
  return boxes;
}
