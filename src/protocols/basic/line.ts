/**
 * Line framing (`twisted.protocols.basic.LineReceiver` and `LineOnlyReceiver`), byte-exact with
 * Twisted 22.4 for every boundary (see test/protocols/fixtures/framing-cases.json).
 *
 * Invariants:
 * - `buffer` holds received bytes not yet delivered. It is never mutated in place (only replaced),
 *   so views of it handed out earlier stay valid; lines are delivered as copies (those of 65 B to
 *   4 KiB are views into a shared 8 KiB slab, like Node's pooled Buffers: see `copyOut`), and a
 *   leftover kept between calls is compacted so a small partial line does not pin a large chunk.
 * - A line longer than `MAX_LENGTH` is never delivered: `lineLengthExceeded` gets it (by default
 *   closing the connection, with the reason logged) and the buffer is emptied.
 * - `dataReceived` is not re-entered: data arriving while it runs (from `setLineMode(extra)` in a
 *   callback, say) is appended and handled by the running loop.
 */
import { Protocol } from "../protocol.js";
import { Logger } from "../../logger.js";
import { concat2, copyOut, EMPTY, indexOfBytes, mustBeBytes, PendingBytes } from "../../_internal/bytes.js";
import type { ITransport } from "../../interfaces.js";
import { PausableReceiver } from "./pausable.js";

const log = new Logger("reed.protocols.basic");

/** The default reaction to an overlong line (both receivers): log the reason, close the connection. */
function closeOverlong(p: Protocol, length: number, limit: number): void {
  log.info("Line too long: {length} bytes, limit {limit}; closing the connection to {peer}", {
    length,
    limit,
    peer: String(p.transport?.getPeer?.()),
  });
  p.transport.loseConnection();
}

/** `"\r\n"` as bytes: the default line delimiter. */
export const CRLF: Uint8Array = Uint8Array.of(13, 10);

/** Whether the transport says it is closing (`disconnecting`), when it reports that. */
export function isDisconnecting(transport: ITransport | undefined): boolean {
  return Boolean(transport && (transport as { disconnecting?: boolean }).disconnecting);
}

/** The array itself when it is a whole buffer, otherwise a compact copy. */
function compact(a: Uint8Array): Uint8Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/**
 * Receives lines and, after `setRawMode()`, raw data. In line mode each line (delimiter removed)
 * goes to `lineReceived`; in raw mode each chunk goes to `rawDataReceived`.
 *
 * Limits: a line longer than `MAX_LENGTH` bytes calls `lineLengthExceeded` (which closes the
 * connection by default); when no delimiter has arrived, that happens once the buffer reaches
 * `MAX_LENGTH + delimiter.length` bytes. Lines stop being delivered once the transport is
 * `disconnecting`, or when `lineReceived` returns a truthy value (which `dataReceived` returns).
 *
 * It is also a push producer for the transport: `pauseProducing()` stops delivery (and pauses
 * the transport), `resumeProducing()` delivers what is buffered.
 *
 * @example
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Uint8Array) { this.sendLine(line); }
 * }
 */
export class LineReceiver extends PausableReceiver {
  /** The line delimiter (default `"\r\n"`); set it in a subclass or before data arrives. */
  delimiter: Uint8Array = CRLF;
  /** The longest line accepted, in bytes (default 16384). */
  MAX_LENGTH = 16384;
  /** True in line mode, false in raw mode (Twisted's name). */
  line_mode = true;
  private buffer: Uint8Array = EMPTY;
  /** Bytes logically after `buffer`, collected by the fast path (see `dataReceived`). */
  private readonly pending = new PendingBytes();
  /** Set when `buffer` + `pending` is known to hold no delimiter: the (delimiter, limit) checked. */
  private partial: { delimiter: Uint8Array; max: number } | null = null;
  private busyReceiving = false;

  /** Empties the buffer and returns what it held (a copy). */
  clearLineBuffer(): Uint8Array {
    const b = this.pending.takeWith(EMPTY);
    const all = concat2(this.buffer, b);
    this.buffer = EMPTY;
    this.partial = null;
    return all === b && b.length > 0 ? b : all.slice();
  }

  /**
   * Whether `data` can simply be kept: in line mode, when what is buffered is a partial line,
   * `data` completes no delimiter and does not take the partial line to the limit. Then the
   * full parse would do nothing, and a long line arriving in small pieces costs O(n), not O(n²).
   */
  private canDefer(data: Uint8Array): boolean {
    const p = this.partial;
    if (!p || !this.line_mode || this.paused || p.delimiter !== this.delimiter || p.max !== this.MAX_LENGTH) return false;
    const d = p.delimiter.length;
    const held = this.buffer.length + this.pending.length;
    if (held + data.length >= p.max + d) return false;
    let tail: Uint8Array;
    if (this.pending.length >= d - 1) tail = this.pending.tail(d - 1);
    else tail = concat2(this.buffer.subarray(Math.max(0, this.buffer.length - (d - 1 - this.pending.length))), this.pending.tail(d - 1));
    return indexOfBytes(concat2(tail, data), p.delimiter) < 0;
  }

  /**
   * Splits bytes into lines for `lineReceived` (or hands them to `rawDataReceived` in raw mode).
   * @returns the truthy value a `lineReceived`/`rawDataReceived`/`lineLengthExceeded` returned
   * to stop delivery, if any.
   */
  override dataReceived(data: Uint8Array): unknown {
    if (this.busyReceiving) {
      this.buffer = concat2(this.buffer, data).slice();
      return undefined;
    }
    if (this.canDefer(data)) {
      this.pending.push(data);
      return undefined;
    }
    this.busyReceiving = true;
    this.partial = null;
    try {
      this.buffer = concat2(this.buffer, this.pending.takeWith(data));
      while (this.buffer.length > 0 && !this.paused) {
        if (this.line_mode) {
          const delim = this.delimiter;
          const at = indexOfBytes(this.buffer, delim);
          if (at < 0) {
            if (this.buffer.length >= this.MAX_LENGTH + delim.length) {
              const line = this.buffer;
              this.buffer = EMPTY;
              return this.lineLengthExceeded(line);
            }
            this.partial = { delimiter: delim, max: this.MAX_LENGTH };
            return undefined;
          }
          const line = copyOut(this.buffer, 0, at);
          this.buffer = this.buffer.subarray(at + delim.length);
          if (line.length > this.MAX_LENGTH) {
            const exceeded = concat2(concat2(line, delim), this.buffer);
            this.buffer = EMPTY;
            return this.lineLengthExceeded(exceeded);
          }
          const why = this.lineReceived(line);
          if (why || isDisconnecting(this.transport)) return why;
        } else {
          const raw = this.buffer;
          this.buffer = EMPTY;
          const why = this.rawDataReceived(raw);
          if (why) return why;
        }
      }
      return undefined;
    } finally {
      this.buffer = compact(this.buffer);
      this.busyReceiving = false;
    }
  }

  /**
   * Switches to line mode. From inside `rawDataReceived`, pass the bytes not consumed as `extra`:
   * they are parsed for lines. (Do not pass `extra` from inside `lineReceived`.)
   */
  setLineMode(extra: Uint8Array = EMPTY): unknown {
    this.line_mode = true;
    if (extra.length > 0) return this.dataReceived(extra);
    return undefined;
  }

  /** Switches to raw mode: later bytes (and what is buffered) go to `rawDataReceived`. */
  setRawMode(): void {
    this.line_mode = false;
    this.partial = null;
  }

  /** Raw-mode bytes arrived. Override it if you use raw mode. */
  rawDataReceived(_data: Uint8Array): unknown {
    throw new Error(`${this.constructor.name}.rawDataReceived is not implemented`);
  }

  /** A line arrived (delimiter removed). Override it. Returning a truthy value stops delivery. */
  lineReceived(_line: Uint8Array): unknown {
    throw new Error(`${this.constructor.name}.lineReceived is not implemented`);
  }

  /**
   * Sends `line` followed by the delimiter, in one write.
   * @throws TypeError when `line` is not bytes.
   */
  sendLine(line: Uint8Array): void {
    mustBeBytes(line, "Line");
    this.transport.write(concat2(line, this.delimiter).slice());
  }

  /**
   * A line longer than `MAX_LENGTH` arrived. `line` holds the rest of the buffer, starting with
   * (at least part of) the long line. By default logs the reason and closes the connection.
   */
  lineLengthExceeded(line: Uint8Array): unknown {
    closeOverlong(this, line.length, this.MAX_LENGTH);
    return undefined;
  }
}

/**
 * Receives lines only (no raw mode, no pausing): a faster `LineReceiver` for protocols that
 * never need raw data. A line longer than `MAX_LENGTH` (or a buffered partial line longer than
 * that) calls `lineLengthExceeded`, which closes the connection by default.
 */
export class LineOnlyReceiver extends Protocol {
  /** The line delimiter (default `"\r\n"`). */
  delimiter: Uint8Array = CRLF;
  /** The longest line accepted, in bytes (default 16384). */
  MAX_LENGTH = 16384;
  private readonly pending = new PendingBytes();

  /** Splits bytes into lines for `lineReceived`; stops once the transport is `disconnecting`. */
  override dataReceived(data: Uint8Array): unknown {
    const delim = this.delimiter;
    // Fast path: no delimiter completed and the partial line stays within the limit, so the
    // split below would find nothing; keep the bytes (O(n) for a long line in small pieces).
    if (this.pending.length + data.length <= this.MAX_LENGTH) {
      const window = concat2(this.pending.tail(delim.length - 1), data);
      if (indexOfBytes(window, delim) < 0) {
        this.pending.push(data);
        return undefined;
      }
    }
    const all = this.pending.takeWith(data);
    // Split the whole buffer first, as Python's bytes.split does; the last piece is kept.
    const lines: Uint8Array[] = [];
    let start = 0;
    for (;;) {
      const at = indexOfBytes(all, delim, start);
      if (at < 0) break;
      lines.push(copyOut(all, start, at));
      start = at + delim.length;
    }
    const rest = all.slice(start);
    this.pending.pushOwned(rest);
    for (const line of lines) {
      if (isDisconnecting(this.transport)) return undefined;
      if (line.length > this.MAX_LENGTH) return this.lineLengthExceeded(line);
      this.lineReceived(line);
    }
    if (rest.length > this.MAX_LENGTH) return this.lineLengthExceeded(rest);
    return undefined;
  }

  /** A line arrived (delimiter removed). Override it. */
  lineReceived(_line: Uint8Array): unknown {
    throw new Error(`${this.constructor.name}.lineReceived is not implemented`);
  }

  /**
   * Sends `line` and the delimiter with one `writeSequence`.
   * @throws TypeError when `line` is not bytes.
   */
  sendLine(line: Uint8Array): void {
    mustBeBytes(line, "Line");
    this.transport.writeSequence([line, this.delimiter]);
  }

  /** A line longer than `MAX_LENGTH` arrived. By default logs the reason and closes the connection. */
  lineLengthExceeded(line: Uint8Array): unknown {
    closeOverlong(this, line.length, this.MAX_LENGTH);
    return undefined;
  }
}
