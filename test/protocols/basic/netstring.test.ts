import { test } from "node:test";
import assert from "node:assert/strict";
import { NetstringReceiver } from "../../../src/protocols/basic/netstring.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { formatEvent, type LogEvent } from "../../../src/logger.js";
import { assertNoLoggedErrors, captureLogs } from "../../../src/testing/log-capture.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class Strings extends NetstringReceiver {
  got: string[] = [];
  override stringReceived(s: Uint8Array): void {
    this.got.push(dec(s));
  }
}

function connected(): [Strings, StringTransport] {
  const p = new Strings();
  const t = new StringTransport();
  p.makeConnection(t);
  return [p, t];
}

function quietly<T>(fn: (events: readonly LogEvent[]) => T): T {
  const logs = captureLogs();
  try {
    return fn(logs.events);
  } finally {
    assertNoLoggedErrors(logs);
  }
}

test("golden §25: 3:abc,0:, then 5:he then llo, gives abc, empty, hello", () => {
  const [p, t] = connected();
  p.dataReceived(enc("3:abc,0:,"));
  p.dataReceived(enc("5:he"));
  p.dataReceived(enc("llo,"));
  assert.deepEqual(p.got, ["abc", "", "hello"]);
  assert.equal(p.brokenPeer, 0);
  assert.equal(t.disconnecting, false);
});

test("golden §25: 03:abc, sets brokenPeer and disconnects, with the reason logged", () => {
  quietly((events) => {
    const [p, t] = connected();
    p.dataReceived(enc("03:abc,"));
    assert.equal(p.brokenPeer, 1);
    assert.equal(t.disconnecting, true);
    assert.deepEqual(p.got, []);
    assert.deepEqual(events.map(formatEvent), [
      "Malformed netstring from IPv4Address(TCP, '192.168.1.1', 54321); closing the connection: Malformed netstring: it does not start with a length specification",
    ]);
  });
});

test("a missing comma is a parse error", () => {
  quietly((events) => {
    const [p, t] = connected();
    p.dataReceived(enc("3:abcX"));
    assert.equal(p.brokenPeer, 1);
    assert.equal(t.disconnecting, true);
    assert.match(formatEvent(events[0]!), /it is not terminated by a comma$/);
  });
});

test("sendString frames the payload as length, colon, payload, comma", () => {
  const [p, t] = connected();
  p.sendString(enc("hello"));
  p.sendString(new Uint8Array(0));
  assert.equal(dec(t.value()), "5:hello,0:,");
  assert.throws(() => p.sendString("x" as unknown as Uint8Array), TypeError);
});

test("makeConnection resets the parser and brokenPeer", () => {
  quietly(() => {
    const [p] = connected();
    p.dataReceived(enc("x"));
    assert.equal(p.brokenPeer, 1);
    p.makeConnection(new StringTransport());
    assert.equal(p.brokenPeer, 0);
    p.dataReceived(enc("2:ok,"));
    assert.deepEqual(p.got, ["ok"]);
  });
});
