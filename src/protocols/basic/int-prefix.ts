/**
 * Length-prefixed strings (`twisted.protocols.basic.IntNStringReceiver` and its Int8/16/32
 * subclasses): each string is sent as an unsigned big-endian length of `prefixLength` bytes,
 * then that many bytes. Delivered strings are copies (those of 65 B to 4 KiB are views into a
 * shared 8 KiB slab, like Node's pooled Buffers: see `copyOut`).
 *
 * Invariants (matching Twisted 22.4):
 * - A prefix over `MAX_LENGTH` calls `lengthLimitExceeded(length)` as soon as the prefix itself
 *   has arrived (the payload is never awaited); the bytes stay buffered, so more data calls it
 *   again. By default it closes the connection. As in Twisted, what stays buffered is every byte
 *   of that `dataReceived` call, so strings completed earlier in the same call are delivered
 *   again if more data arrives (only possible when an override keeps the connection open).
 * - Strings already complete in a chunk keep being delivered after `loseConnection()`; only
 *   `pauseProducing()` stops delivery.
 */
import { Logger } from "../../logger.js";
import { StringTooLongError } from "../../errors.js";
import { copyOut, mustBeBytes, PendingBytes } from "../../_internal/bytes.js";
import { PausableReceiver } from "./pausable.js";

const log = new Logger("reed.protocols.basic");

/**
 * The generic length-prefixed receiver; use `Int8StringReceiver`, `Int16StringReceiver` or
 * `Int32StringReceiver` (or subclass this and set `prefixLength`).
 */
export abstract class IntNStringReceiver extends PausableReceiver {
  /** The longest string accepted, in bytes (default 99999). */
  MAX_LENGTH = 99999;
  /** The size of the length prefix in bytes (1, 2 or 4). */
  abstract readonly prefixLength: 1 | 2 | 4;
  private readonly pending = new PendingBytes();
  /** Bytes the first string in `pending` needs in all (prefix included); 0 when unknown. */
  private waitingFor = 0;
  private waitingMax = 0;

  /** A complete string arrived (prefix removed). Override it. */
  stringReceived(_string: Uint8Array): void {
    throw new Error(`${this.constructor.name}.stringReceived is not implemented`);
  }

  /**
   * A length prefix over `MAX_LENGTH` arrived. By default logs it and closes the connection.
   * @param length the length the prefix announced.
   */
  lengthLimitExceeded(length: number): void {
    log.info("String too long: {length} bytes announced, limit {limit}; closing the connection to {peer}", {
      length,
      limit: this.MAX_LENGTH,
      peer: String(this.transport?.getPeer?.()),
    });
    this.transport.loseConnection();
  }

  private readLength(data: Uint8Array, at: number): number {
    switch (this.prefixLength) {
      case 1:
        return data[at]!;
      case 2:
        return (data[at]! << 8) | data[at + 1]!;
      default:
        return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
    }
  }

  /** Splits bytes into strings for `stringReceived`. */
  override dataReceived(data: Uint8Array): void {
    // Fast path: still collecting one long string (or paused): just keep the bytes.
    if (this.paused || (this.waitingFor > 0 && this.waitingMax === this.MAX_LENGTH && this.pending.length + data.length < this.waitingFor)) {
      this.pending.push(data);
      return;
    }
    const all = this.pending.takeWith(data);
    const prefix = this.prefixLength;
    let offset = 0;
    this.waitingFor = 0;
    while (all.length >= offset + prefix && !this.paused) {
      const start = offset + prefix;
      const length = this.readLength(all, offset);
      if (length > this.MAX_LENGTH) {
        // Twisted keeps *all* of this call's bytes here, including strings already delivered
        // from them, so data arriving later re-delivers those strings (kept for fidelity).
        this.pending.pushOwned(all.slice());
        this.lengthLimitExceeded(length);
        return;
      }
      const end = start + length;
      if (all.length < end) {
        this.waitingFor = end - offset;
        this.waitingMax = this.MAX_LENGTH;
        break;
      }
      const packet = copyOut(all, start, end);
      offset = end;
      this.stringReceived(packet);
    }
    // A compact copy: a small leftover must not pin the whole chunk it came in.
    this.pending.pushOwned(all.slice(offset));
  }

  /**
   * Sends `string` with its length prefix, in one write.
   * @throws StringTooLongError when `string` is too long for the prefix (nothing is sent).
   * @throws TypeError when `string` is not bytes.
   */
  sendString(string: Uint8Array): void {
    mustBeBytes(string, "String");
    const limit = 2 ** (8 * this.prefixLength);
    if (string.length >= limit) throw new StringTooLongError(string.length, limit - 1, this.prefixLength);
    const out = new Uint8Array(this.prefixLength + string.length);
    let n = string.length;
    for (let i = this.prefixLength - 1; i >= 0; i--) {
      out[i] = n & 0xff;
      n = Math.floor(n / 256);
    }
    out.set(string, this.prefixLength);
    this.transport.write(out);
  }
}

/** Strings prefixed by a 1-byte length (so at most 255 bytes). */
export class Int8StringReceiver extends IntNStringReceiver {
  /** 1 byte. */
  readonly prefixLength = 1 as const;
}

/** Strings prefixed by a 2-byte big-endian length (at most 65535 bytes). */
export class Int16StringReceiver extends IntNStringReceiver {
  /** 2 bytes. */
  readonly prefixLength = 2 as const;
}

/** Strings prefixed by a 4-byte big-endian length (at most `MAX_LENGTH`, default 99999, on receipt). */
export class Int32StringReceiver extends IntNStringReceiver {
  /** 4 bytes. */
  readonly prefixLength = 4 as const;
}
