/**
 * TEMPORARY netstring framing (`<length>:<bytes>,`) for the transform protocol, until the
 * `framing` branch's `NetstringReceiver` is merged (issue 7); then the transform protocols extend
 * that instead and this file goes.
 */
import { Protocol } from "../../protocols/protocol.js";

const COLON = 0x3a;
const COMMA = 0x2c;

/** Encodes one netstring. */
export function encodeNetstring(data: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`${data.length}:`);
  const out = new Uint8Array(head.length + data.length + 1);
  out.set(head, 0);
  out.set(data, head.length);
  out[out.length - 1] = COMMA;
  return out;
}

/** A protocol that receives netstrings; malformed input closes the connection. */
export class NetstringReceiver extends Protocol {
  /** Longest string accepted (as Twisted's default). */
  MAX_LENGTH = 99999;
  private buffer: Uint8Array = new Uint8Array(0);
  private broken = false;

  /** Sends `data` as one netstring. */
  sendString(data: Uint8Array): void {
    this.transport.write(encodeNetstring(data));
  }

  /** One complete string arrived. */
  stringReceived(_data: Uint8Array): void {}

  /** The input is not netstrings: by default the connection is closed. */
  protected handleParseError(_why: string): void {
    this.transport.loseConnection();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.broken) return;
    const joined = new Uint8Array(this.buffer.length + data.length);
    joined.set(this.buffer, 0);
    joined.set(data, this.buffer.length);
    let pos = 0;
    while (!this.broken && this.connected) {
      const colon = joined.indexOf(COLON, pos);
      if (colon < 0) {
        const pending = joined.length - pos;
        if (pending > String(this.MAX_LENGTH).length || !/^\d*$/.test(new TextDecoder().decode(joined.subarray(pos)))) return this.fail("bad length prefix");
        break;
      }
      const digits = new TextDecoder().decode(joined.subarray(pos, colon));
      if (!/^\d+$/.test(digits) || (digits.length > 1 && digits.startsWith("0"))) return this.fail(`bad length prefix: ${JSON.stringify(digits.slice(0, 20))}`);
      const n = Number(digits);
      if (n > this.MAX_LENGTH) return this.fail(`string too long: ${n} bytes, limit ${this.MAX_LENGTH}`);
      const end = colon + 1 + n;
      if (joined.length < end + 1) break;
      if (joined[end] !== COMMA) return this.fail("missing comma after the string");
      pos = end + 1;
      this.stringReceived(joined.slice(colon + 1, end));
    }
    this.buffer = joined.slice(pos);
  }

  private fail(why: string): void {
    this.broken = true;
    this.buffer = new Uint8Array(0);
    this.handleParseError(why);
  }
}
