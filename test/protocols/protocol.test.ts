import { test } from "node:test";
import assert from "node:assert/strict";
import { Protocol } from "../../src/protocols/protocol.js";
import { Factory, ClientFactory, ServerFactory } from "../../src/protocols/factory.js";
import { IPv4Address, IPv6Address, UNIXAddress } from "../../src/protocols/address.js";
import { Failure } from "../../src/failure.js";
import { ConnectionDone } from "../../src/errors.js";
import type { ITransport } from "../../src/interfaces.js";

const fakeTransport: ITransport = {
  write() {},
  writeSequence() {},
  loseConnection() {},
  getPeer: () => new IPv4Address("TCP", "127.0.0.1", 1),
  getHost: () => new IPv4Address("TCP", "127.0.0.1", 2),
};

class Recorder extends Protocol {
  events: string[] = [];
  override connectionMade(): void {
    this.events.push(`made connected=${this.connected}`);
  }
  override dataReceived(data: Uint8Array): void {
    this.events.push(`data ${data.length}`);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.events.push(`lost ${reason.typeName} connected=${this.connected}`);
  }
}

test("makeConnection sets the transport and calls connectionMade", () => {
  const p = new Recorder();
  p.makeConnection(fakeTransport);
  assert.equal(p.transport, fakeTransport);
  p.dataReceived(new Uint8Array(3));
  p.connectionLost(new Failure(new ConnectionDone()));
  assert.deepEqual(p.events, ["made connected=true", "data 3", "lost ConnectionDone connected=false"]);
});

test("Factory.forProtocol builds protocols with factory set", () => {
  const f = Factory.forProtocol(Recorder);
  const p = f.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!;
  assert.ok(p instanceof Recorder);
  assert.equal(p.factory, f);
  const cf = ClientFactory.forProtocol(Recorder);
  assert.ok(cf instanceof ClientFactory);
});

test("a factory without a protocol class cannot build", () => {
  assert.throws(() => new ServerFactory().buildProtocol(new UNIXAddress(null)), /protocol is not set/);
});

test("doStart/doStop count users and call startFactory/stopFactory at the edges", () => {
  const calls: string[] = [];
  class Counted extends Factory {
    override startFactory(): void {
      calls.push("start");
    }
    override stopFactory(): void {
      calls.push("stop");
    }
  }
  const f = new Counted();
  f.doStart();
  f.doStart();
  f.doStop();
  assert.deepEqual(calls, ["start"]);
  f.doStop();
  f.doStop(); // extra stops are ignored
  assert.deepEqual(calls, ["start", "stop"]);
  assert.equal(f.numPorts, 0);
});

test("addresses print like Twisted's", () => {
  assert.equal(String(new IPv4Address("TCP", "127.0.0.1", 8000)), "IPv4Address(TCP, '127.0.0.1', 8000)");
  assert.equal(String(new IPv6Address("UDP", "::1", 53)), "IPv6Address(UDP, '::1', 53)");
  assert.equal(String(new UNIXAddress("/tmp/s")), "UNIXAddress('/tmp/s')");
  assert.equal(String(new UNIXAddress(null)), "UNIXAddress(None)");
});
