import { test } from "node:test";
import assert from "node:assert/strict";
import { StringTransport, StringTransportWithDisconnection } from "../../src/testing/string-transport.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { IPv4Address } from "../../src/protocols/address.js";
import type { Failure } from "../../src/failure.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

test("value() returns every byte written since the last clear(), as a copy", () => {
  const t = new StringTransport();
  const buf = enc("abc");
  t.write(buf);
  buf[0] = 0x7a; // the transport copied it
  t.writeSequence([enc("de"), enc(""), enc("f")]);
  assert.equal(dec(t.value()), "abcdef");
  const v = t.value();
  v[0] = 0;
  assert.equal(dec(t.value()), "abcdef");
  t.clear();
  assert.equal(t.value().length, 0);
  assert.ok(t.value() instanceof Uint8Array);
});

test("write of a string is a TypeError and writes nothing", () => {
  const t = new StringTransport();
  assert.throws(() => t.write("text" as unknown as Uint8Array), TypeError);
  assert.throws(() => t.writeSequence([enc("a"), "b" as unknown as Uint8Array]), TypeError);
  assert.equal(t.value().length, 0);
});

test("loseConnection sets disconnecting; abortConnection also sets disconnected", () => {
  const t = new StringTransport();
  assert.equal(t.disconnecting, false);
  t.loseConnection();
  assert.equal(t.disconnecting, true);
  assert.equal(t.disconnected, false);
  const u = new StringTransport();
  u.abortConnection();
  assert.equal(u.disconnecting, true);
  assert.equal(u.disconnected, true);
});

test("getPeer and getHost default to Twisted's addresses and can be given", () => {
  const t = new StringTransport();
  assert.equal(String(t.getHost()), "IPv4Address(TCP, '10.0.0.1', 12345)");
  assert.equal(String(t.getPeer()), "IPv4Address(TCP, '192.168.1.1', 54321)");
  const peer = new IPv4Address("TCP", "127.0.0.1", 1);
  assert.equal(new StringTransport({ peerAddress: peer }).getPeer(), peer);
});

test("registerProducer records the producer; a second one is an error; unregister without one is an error", () => {
  const t = new StringTransport();
  const p = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
  t.registerProducer(p, true);
  assert.equal(t.producer, p);
  assert.equal(t.streaming, true);
  assert.throws(() => t.registerProducer(p, false), /Cannot register two producers/);
  t.unregisterProducer();
  assert.equal(t.producer, null);
  assert.equal(t.streaming, null);
  assert.throws(() => t.unregisterProducer(), /Cannot unregister a producer unless one is registered/);
});

test("pause/resume/stopProducing record producerState, with Twisted's checks", () => {
  const t = new StringTransport();
  assert.equal(t.producerState, "producing");
  t.pauseProducing();
  assert.equal(t.producerState, "paused");
  t.resumeProducing();
  assert.equal(t.producerState, "producing");
  t.stopProducing();
  assert.equal(t.producerState, "stopped");
  assert.throws(() => t.resumeProducing(), /Cannot resume a stopped producer/);
  const u = new StringTransport();
  u.loseConnection();
  assert.throws(() => u.pauseProducing(), /Cannot resume producing after loseConnection/);
  const lenient = new StringTransport({ lenient: true });
  lenient.loseConnection();
  lenient.pauseProducing();
  assert.equal(lenient.producerState, "paused");
});

test("StringTransportWithDisconnection calls connectionLost with ConnectionDone once, inside loseConnection() as Twisted's does", () => {
  const reasons: string[] = [];
  class P extends Protocol {
    override connectionLost(reason: Failure): void {
      reasons.push(`${reason.typeName}: ${reason.getErrorMessage()}`);
    }
  }
  const t = new StringTransportWithDisconnection();
  const p = new P();
  t.protocol = p;
  p.makeConnection(t);
  t.loseConnection();
  t.loseConnection();
  assert.deepEqual(reasons, ["ConnectionDone: Bye."]);
  assert.equal(t.connected, false);
});
