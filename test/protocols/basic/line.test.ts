import { test } from "node:test";
import assert from "node:assert/strict";
import { CRLF, LineOnlyReceiver, LineReceiver } from "../../../src/protocols/basic/line.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { formatEvent } from "../../../src/logger.js";
import { assertNoLoggedErrors, captureLogs } from "../../../src/testing/log-capture.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class Lines extends LineReceiver {
  lines: string[] = [];
  raw: string[] = [];
  override lineReceived(line: Uint8Array): void {
    this.lines.push(dec(line));
  }
  override rawDataReceived(data: Uint8Array): void {
    this.raw.push(dec(data));
  }
}

function connected<P extends { makeConnection(t: StringTransport): void }>(p: P): [P, StringTransport] {
  const t = new StringTransport();
  p.makeConnection(t);
  return [p, t];
}

test("the default delimiter is CRLF and MAX_LENGTH is 16384", () => {
  const p = new Lines();
  assert.deepEqual(p.delimiter, CRLF);
  assert.equal(p.MAX_LENGTH, 16384);
  assert.equal(new LineOnlyReceiver().MAX_LENGTH, 16384);
});

test("sendLine writes the line and the delimiter; a string is a TypeError", () => {
  const [p, t] = connected(new Lines());
  p.sendLine(enc("hello"));
  assert.equal(dec(t.value()), "hello\r\n");
  assert.throws(() => p.sendLine("hello" as unknown as Uint8Array), TypeError);
  const [q, u] = connected(new (class extends LineOnlyReceiver {})());
  q.sendLine(enc("x"));
  assert.equal(dec(u.value()), "x\r\n");
  assert.throws(() => q.sendLine("x" as unknown as Uint8Array), TypeError);
});

test("an overlong line closes the connection with a logged reason naming the peer", () => {
  const logs = captureLogs();
  try {
    const [p, t] = connected(new Lines());
    p.dataReceived(new Uint8Array(16386).fill(0x61));
    assert.equal(t.disconnecting, true);
    assert.deepEqual(p.lines, []);
    assert.equal(p.clearLineBuffer().length, 0, "the long line is not kept");
  } finally {
    assertNoLoggedErrors(logs);
  }
  assert.deepEqual(logs.events.map(formatEvent), [
    "Line too long: 16386 bytes, limit 16384; closing the connection to IPv4Address(TCP, '192.168.1.1', 54321)",
  ]);
});

test("setRawMode hands the rest of the buffer to rawDataReceived; setLineMode(extra) parses extra", () => {
  class Switcher extends Lines {
    override lineReceived(line: Uint8Array): void {
      super.lineReceived(line);
      if (dec(line) === "BODY") this.setRawMode();
    }
    override rawDataReceived(data: Uint8Array): void {
      const s = dec(data);
      const end = s.indexOf("END");
      if (end < 0) return void this.raw.push(s);
      this.raw.push(s.slice(0, end));
      this.setLineMode(enc(s.slice(end + 3)));
    }
  }
  const [p] = connected(new Switcher());
  p.dataReceived(enc("a\r\nBODY\r\nraw1"));
  p.dataReceived(enc("raw2END\r\nb\r\nc"));
  assert.deepEqual(p.lines, ["a", "BODY", "", "b"]);
  assert.deepEqual(p.raw, ["raw1", "raw2"]);
  assert.equal(dec(p.clearLineBuffer()), "c");
});

test("pauseProducing holds lines and pauses the transport; resumeProducing delivers them", () => {
  class Pauser extends Lines {
    override lineReceived(line: Uint8Array): void {
      super.lineReceived(line);
      if (dec(line) === "wait") this.pauseProducing();
    }
  }
  const [p, t] = connected(new Pauser());
  p.dataReceived(enc("one\r\nwait\r\ntwo\r\nthree\r\n"));
  assert.deepEqual(p.lines, ["one", "wait"]);
  assert.equal(t.producerState, "paused");
  p.resumeProducing();
  assert.equal(t.producerState, "producing");
  assert.deepEqual(p.lines, ["one", "wait", "two", "three"]);
});

test("delivered lines are copies: mutating the input chunk afterwards changes nothing", () => {
  const [p] = connected(new Lines());
  const chunk = enc("abc\r\ndef");
  const seen: Uint8Array[] = [];
  p.lineReceived = (l: Uint8Array) => void seen.push(l);
  p.dataReceived(chunk);
  chunk.fill(0x7a);
  p.dataReceived(enc("\r\n"));
  assert.deepEqual(seen.map(dec), ["abc", "def"]);
});

test("lineReceived not overridden throws a clear error", () => {
  const [p] = connected(new LineReceiver());
  assert.throws(() => p.dataReceived(enc("x\r\n")), /LineReceiver\.lineReceived is not implemented/);
});

test("a long line arriving one byte at a time is delivered once, and the limit trips at Twisted's byte", () => {
  // As in Twisted, LineOnlyReceiver counts a partial delimiter against MAX_LENGTH, so a line of
  // exactly MAX_LENGTH bytes fed byte by byte trips it on the "\r" (checked on Twisted 22.4).
  for (const [Cls, longest, tripAt] of [
    [LineReceiver, 16384, 16386],
    [LineOnlyReceiver, 16383, 16385],
  ] as const) {
    const lines: number[] = [];
    const p = new Cls();
    p.lineReceived = (l: Uint8Array) => void lines.push(l.length);
    const t = new StringTransport();
    p.makeConnection(t);
    const one = Uint8Array.of(0x61);
    for (let i = 0; i < longest; i++) p.dataReceived(one);
    p.dataReceived(Uint8Array.of(13));
    p.dataReceived(Uint8Array.of(10));
    assert.deepEqual(lines, [longest], Cls.name);
    let sent = 0;
    while (!t.disconnecting) {
      p.dataReceived(one);
      sent++;
    }
    assert.equal(sent, tripAt, `${Cls.name} closes on byte ${tripAt} of a line without an end`);
  }
  const p = new LineOnlyReceiver();
  const t = new StringTransport();
  p.makeConnection(t);
  for (let i = 0; i < 16384; i++) p.dataReceived(Uint8Array.of(0x61));
  p.dataReceived(Uint8Array.of(13));
  assert.equal(t.disconnecting, true);
});
