import { test } from "node:test";
import assert from "node:assert/strict";
import { Int16StringReceiver, Int32StringReceiver, Int8StringReceiver } from "../../../src/protocols/basic/int-prefix.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { StringTooLongError } from "../../../src/errors.js";
import { formatEvent } from "../../../src/logger.js";
import { assertNoLoggedErrors, captureLogs } from "../../../src/testing/log-capture.js";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class Strings extends Int32StringReceiver {
  got: string[] = [];
  limits: number[] = [];
  override stringReceived(s: Uint8Array): void {
    this.got.push(dec(s));
  }
  override lengthLimitExceeded(length: number): void {
    this.limits.push(length);
    super.lengthLimitExceeded(length);
  }
}

test("golden §25: Int32 byte at a time, 00000002 'hi' 00000000, gives hi and empty", () => {
  const p = new Strings();
  p.makeConnection(new StringTransport());
  for (const b of [0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 0]) p.dataReceived(Uint8Array.of(b));
  assert.deepEqual(p.got, ["hi", ""]);
});

test("golden §25: a prefix of 100000 calls lengthLimitExceeded(100000), which closes with a logged reason", () => {
  const logs = captureLogs();
  try {
    const p = new Strings();
    const t = new StringTransport();
    p.makeConnection(t);
    p.dataReceived(Uint8Array.of(0, 1, 0x86, 0xa0));
    assert.deepEqual(p.limits, [100000]);
    assert.equal(t.disconnecting, true);
  } finally {
    assertNoLoggedErrors(logs);
  }
  assert.deepEqual(logs.events.map(formatEvent), [
    "String too long: 100000 bytes announced, limit 99999; closing the connection to IPv4Address(TCP, '192.168.1.1', 54321)",
  ]);
});

test("sendString writes a big-endian prefix of the right width", () => {
  for (const [Cls, head] of [
    [Int8StringReceiver, [3]],
    [Int16StringReceiver, [0, 3]],
    [Int32StringReceiver, [0, 0, 0, 3]],
  ] as const) {
    const p = new Cls();
    const t = new StringTransport();
    p.makeConnection(t);
    p.sendString(Uint8Array.of(7, 8, 9));
    assert.deepEqual([...t.value()], [...head, 7, 8, 9]);
  }
});

test("sendString of a string too long for the prefix throws StringTooLongError and writes nothing", () => {
  const p = new Int8StringReceiver();
  const t = new StringTransport();
  p.makeConnection(t);
  p.sendString(new Uint8Array(255));
  t.clear();
  assert.throws(() => p.sendString(new Uint8Array(256)), (e: unknown) => {
    assert.ok(e instanceof StringTooLongError);
    assert.equal(e.code, "ERR_REED_STRING_TOO_LONG");
    assert.equal(e.message, "String too long for a 1-byte length prefix: 256 bytes, limit 255");
    return true;
  });
  assert.equal(t.value().length, 0);
  const q = new Int16StringReceiver();
  q.makeConnection(t);
  assert.throws(() => q.sendString(new Uint8Array(65536)), StringTooLongError);
});

test("a 99999-byte string arriving one byte at a time is delivered once, intact", () => {
  const p = new Strings();
  p.makeConnection(new StringTransport());
  const data = new Uint8Array(4 + 99999);
  new DataView(data.buffer).setUint32(0, 99999);
  for (let i = 4; i < data.length; i++) data[i] = i % 251;
  const seen: Uint8Array[] = [];
  p.stringReceived = (s: Uint8Array) => void seen.push(s);
  for (let i = 0; i < data.length; i++) p.dataReceived(data.subarray(i, i + 1));
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0], data.subarray(4));
});
