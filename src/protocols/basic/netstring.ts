/**
 * Netstrings (`twisted.protocols.basic.NetstringReceiver`): `<decimal length>:<payload>,`.
 * See http://cr.yp.to/proto/netstrings.txt. Delivered strings are copies (those of 65 B to 4 KiB
 * are views into a shared 8 KiB slab, like Node's pooled Buffers: see `copyOut`).
 *
 * Invariants (matching Twisted 22.4 byte for byte):
 * - A length has no leading zero (`0:` is fine, `03:` is malformed) and is checked against
 *   `MAX_LENGTH` while its digits are still arriving: more digits than
 *   `ceil(log10(MAX_LENGTH)) + 1`, or a value over `MAX_LENGTH`, is a parse error at once.
 * - Twisted matches a partial length with a regular expression whose `$` also matches before a
 *   final newline, so `"12\n"` is "incomplete" rather than malformed until more bytes arrive.
 * - On a parse error the connection is closed (`loseConnection`), `brokenPeer` is set, and the
 *   bad bytes stay buffered: later data is parsed again from them, and fails again.
 */
import { Protocol } from "../protocol.js";
import { Logger } from "../../logger.js";
import { NetstringParseError } from "../../errors.js";
import type { ITransport } from "../../interfaces.js";
import { ascii, concat2, concatAll, copyOut, EMPTY, mustBeBytes } from "../../_internal/bytes.js";

const log = new Logger("reed.protocols.basic");

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
const NEWLINE = 0x0a;

enum State {
  ParsingLength,
  ParsingPayload,
}

/** Thrown inside the parser when more bytes are needed; never escapes. */
const INCOMPLETE = Symbol("incomplete");

/** `<length>:<data>,` for `data`. */
function formatNetstring(data: Uint8Array): Uint8Array {
  return concatAll([ascii(String(data.length)), Uint8Array.of(COLON), data, Uint8Array.of(COMMA)]);
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= ZERO && b <= NINE;
}

/** The end of `(0|[1-9]\d*)` at the start of `data`, or -1 when it does not match. */
function matchNumber(data: Uint8Array): number {
  const first = data[0];
  if (first === ZERO) return 1;
  if (first === undefined || first < ZERO + 1 || first > NINE) return -1;
  let i = 1;
  while (isDigit(data[i])) i++;
  return i;
}

/**
 * Sends and receives netstrings. Override `stringReceived`; send with `sendString`.
 * Malformed input (see `NetstringParseError`) closes the connection and sets `brokenPeer`.
 *
 * @example
 * class Echo extends NetstringReceiver {
 *   override stringReceived(s: Uint8Array) { this.sendString(s); }
 * }
 */
export class NetstringReceiver extends Protocol {
  /** The longest payload accepted, in bytes (default 99999). */
  MAX_LENGTH = 99999;
  /** 1 once the peer sent something that is not a netstring (Twisted's name and type). */
  brokenPeer = 0;
  private remainingData: Uint8Array = EMPTY;
  private payloadChunks: Uint8Array[] = [];
  private currentPayloadSize = 0;
  private expectedPayloadSize = 0;
  private state = State.ParsingLength;

  /** Resets the parser, then connects (see `Protocol.makeConnection`). */
  override makeConnection(transport: ITransport): void {
    this.remainingData = EMPTY;
    this.payloadChunks = [];
    this.currentPayloadSize = 0;
    this.expectedPayloadSize = 0;
    this.state = State.ParsingLength;
    this.brokenPeer = 0;
    super.makeConnection(transport);
  }

  /**
   * Sends `string` as one netstring, in one write.
   * @throws TypeError when `string` is not bytes.
   */
  sendString(string: Uint8Array): void {
    mustBeBytes(string, "String");
    this.transport.write(formatNetstring(string));
  }

  /** Parses bytes; each complete netstring's payload goes to `stringReceived`. */
  override dataReceived(data: Uint8Array): void {
    this.remainingData = concat2(this.remainingData, data);
    while (this.remainingData.length > 0) {
      try {
        this.consumeData();
      } catch (e) {
        if (e === INCOMPLETE) break;
        if (e instanceof NetstringParseError) {
          this.handleParseError(e);
          break;
        }
        throw e;
      }
    }
    // Keep only what is needed, so a finished chunk is not pinned by a small leftover.
    if (this.remainingData.byteOffset !== 0 || this.remainingData.byteLength !== this.remainingData.buffer.byteLength) {
      this.remainingData = this.remainingData.slice();
    }
  }

  /** A complete netstring arrived: `string` is its payload. Override it. */
  stringReceived(_string: Uint8Array): void {
    throw new Error(`${this.constructor.name}.stringReceived is not implemented`);
  }

  /**
   * The peer sent a malformed netstring: logs `error` and closes the connection (setting
   * `brokenPeer`). Override to react differently.
   */
  protected handleParseError(error: NetstringParseError): void {
    log.info("Malformed netstring from {peer}; closing the connection: {reason}", {
      peer: String(this.transport?.getPeer?.()),
      reason: error.message,
    });
    this.transport.loseConnection();
    this.brokenPeer = 1;
  }

  // Phase 1 parses the length, phase 2 the payload and its comma; each throws INCOMPLETE when
  // it needs more bytes and NetstringParseError when the bytes cannot be a netstring.
  private consumeData(): void {
    if (this.state === State.ParsingLength) {
      this.consumeLength();
      this.state = State.ParsingPayload;
      this.currentPayloadSize = 0;
      this.payloadChunks = [];
    }
    if (this.state === State.ParsingPayload) this.consumePayload();
  }

  private maxLengthSize(): number {
    return Math.ceil(Math.log10(this.MAX_LENGTH)) + 1;
  }

  private tooLong(): NetstringParseError {
    return new NetstringParseError(`Netstring too long: the length specification exceeds the limit of ${this.MAX_LENGTH} bytes`);
  }

  private extractLength(digits: Uint8Array): number {
    if (digits.length > this.maxLengthSize()) throw this.tooLong();
    let text = "";
    for (const b of digits) text += String.fromCharCode(b);
    const length = digits.length <= 15 ? Number(text) : BigInt(text) > BigInt(Math.floor(this.MAX_LENGTH)) ? Infinity : Number(text);
    if (length > this.MAX_LENGTH) throw this.tooLong();
    return length;
  }

  private consumeLength(): void {
    const data = this.remainingData;
    const end = matchNumber(data);
    if (end < 0 || data[end] !== COLON) {
      // Not a whole length yet: it must be a valid partial one, `(0|[1-9]\d*)$`.
      const atEnd = end === data.length || (end === data.length - 1 && data[end] === NEWLINE);
      if (end < 0 || !atEnd) {
        throw new NetstringParseError("Malformed netstring: it does not start with a length specification");
      }
      this.extractLength(data.subarray(0, end));
      throw INCOMPLETE;
    }
    this.expectedPayloadSize = this.extractLength(data.subarray(0, end)) + 1;
    this.remainingData = data.subarray(end + 1);
  }

  private consumePayload(): void {
    const need = this.expectedPayloadSize - this.currentPayloadSize;
    if (this.remainingData.length >= need) {
      this.payloadChunks.push(this.remainingData.subarray(0, need));
      this.remainingData = this.remainingData.subarray(need);
      this.currentPayloadSize = this.expectedPayloadSize;
    } else {
      this.payloadChunks.push(this.remainingData.slice());
      this.currentPayloadSize += this.remainingData.length;
      this.remainingData = EMPTY;
      throw INCOMPLETE;
    }
    const chunks = this.payloadChunks;
    const last = chunks[chunks.length - 1]!;
    if (last[last.length - 1] !== COMMA) {
      throw new NetstringParseError("Malformed netstring: it is not terminated by a comma");
    }
    // One copy of the payload, without its comma (the chunks may be views of received data).
    const payload = chunks.length === 1 ? copyOut(last, 0, last.length - 1) : concatAll(chunks).subarray(0, this.expectedPayloadSize - 1);
    this.state = State.ParsingLength;
    this.payloadChunks = [];
    this.stringReceived(payload);
  }
}
