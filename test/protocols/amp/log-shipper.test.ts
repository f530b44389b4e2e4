import { test } from "node:test";
import assert from "node:assert/strict";
import { AMP } from "../../../src/protocols/amp/amp.js";
import { LogShipper, ShipLogEvent, ShipLogsDropped } from "../../../src/protocols/amp/log-shipper.js";
import { Logger, LogPublisher } from "../../../src/logger.js";
import { Clock } from "../../../src/testing/clock.js";
import { Failure } from "../../../src/failure.js";
import { ConnectionRefusedError } from "../../../src/errors.js";
import type { IConnector } from "../../../src/interfaces.js";
import { IPv4Address } from "../../../src/protocols/address.js";
import { Loopback } from "./_loopback.js";

interface Received {
  events: { seq: number; text: string; repeats: number }[];
  drops: number[];
}

function collector(rec: Received): AMP {
  return new AMP()
    .responder(ShipLogEvent, ({ seq, text, repeats }) => {
      rec.events.push({ seq, text, repeats });
      return {};
    })
    .responder(ShipLogsDropped, ({ count }) => {
      rec.drops.push(count);
      return {};
    });
}

function setup(options: { maxQueue?: number; maxInFlight?: number } = {}) {
  const shipper = new LogShipper({ sender: "t", ...options });
  const publisher = new LogPublisher();
  publisher.addObserver(shipper.observer);
  const log = new Logger("test", publisher);
  return { shipper, log };
}

function connect(shipper: LogShipper, rec: Received): Loopback {
  const client = new AMP();
  const net = new Loopback(client, collector(rec));
  shipper.attach(client);
  return net;
}

function books(s: LogShipper): void {
  assert.equal(s.emitted, s.delivered + s.dropped + s.pending, `emitted ${s.emitted} = delivered ${s.delivered} + dropped ${s.dropped} + pending ${s.pending}`);
}

test("events are shipped in order with their sequence numbers and rendered text", () => {
  const { shipper, log } = setup();
  const rec: Received = { events: [], drops: [] };
  const net = connect(shipper, rec);
  log.info("hello {who}", { who: "world" });
  log.warn("second");
  net.pump();
  assert.deepEqual(rec.events, [{ seq: 0, text: "hello world", repeats: 0 }, { seq: 1, text: "second", repeats: 0 }]);
  assert.equal(shipper.delivered, 2);
  books(shipper);
});

test("logging never waits: with no collector the queue fills, then events are dropped and counted", () => {
  const { shipper, log } = setup({ maxQueue: 3 });
  for (let i = 0; i < 10; i++) assert.equal(log.info("event {i}", { i }), undefined);
  assert.equal(shipper.queued, 3);
  assert.equal(shipper.dropped, 7);
  books(shipper);
});

test("drops are reported as 'and N more' before the entries queued after them", () => {
  const { shipper, log } = setup({ maxQueue: 2 });
  for (let i = 0; i < 5; i++) log.info("event {i}", { i });
  const rec: Received = { events: [], drops: [] };
  const net = connect(shipper, rec);
  net.pump();
  assert.deepEqual(rec.drops, [3]);
  assert.deepEqual(rec.events.map((e) => e.text), ["event 0", "event 1"]);
  assert.equal(shipper.droppedReported, 3);
  books(shipper);
});

test("consecutive repeats fold into one entry, even when the queue is full", () => {
  const { shipper, log } = setup({ maxQueue: 2 });
  log.info("a");
  log.info("b");
  for (let i = 0; i < 50; i++) log.info("b");
  log.info("c"); // queue full: dropped
  log.info("c"); // still not the tail: dropped
  const rec: Received = { events: [], drops: [] };
  const net = connect(shipper, rec);
  net.pump();
  assert.deepEqual(rec.events, [{ seq: 0, text: "a", repeats: 0 }, { seq: 1, text: "b", repeats: 50 }]);
  assert.deepEqual(rec.drops, [2]);
  assert.equal(shipper.delivered, 52);
  books(shipper);
});

test("entries in flight when the connection is lost are sent again on the next connection, in order", () => {
  const { shipper, log } = setup({ maxInFlight: 4 });
  const rec1: Received = { events: [], drops: [] };
  const net1 = connect(shipper, rec1);
  for (let i = 0; i < 10; i++) log.info("event {i}", { i });
  // The collector never saw them: lose the connection with 4 in flight and 6 queued.
  net1.clientTransport.written.length = 0;
  net1.clientTransport.loseConnection();
  net1.pump();
  shipper.detach(net1.client as AMP);
  books(shipper);
  assert.equal(shipper.queued, 10);
  const rec2: Received = { events: [], drops: [] };
  const net2 = connect(shipper, rec2);
  net2.pump();
  assert.deepEqual(rec2.events.map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(shipper.delivered, 10);
  books(shipper);
});

test("at most maxInFlight entries wait for acknowledgement", () => {
  const { shipper, log } = setup({ maxInFlight: 3 });
  const rec: Received = { events: [], drops: [] };
  const net = connect(shipper, rec);
  for (let i = 0; i < 10; i++) log.info("event {i}", { i });
  assert.equal((net.client as AMP).outstandingCalls, 3);
  assert.equal(shipper.queued, 7);
  net.pump();
  assert.equal(rec.events.length, 10);
});

test("the factory reconnects with back-off on the clock and ships what was queued meanwhile", () => {
  const clock = new Clock();
  const { shipper, log } = setup();
  const factory = shipper.factory(clock, { initialDelay: 1, random: () => 0.5 });
  factory.jitter = 0;
  const rec: Received = { events: [], drops: [] };
  let collectorUp = false;
  let attempts = 0;
  let net: Loopback | null = null;
  const connector: IConnector = {
    connect() {
      attempts++;
      if (!collectorUp) {
        factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError()));
        return;
      }
      const proto = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 7010))!;
      net = new Loopback(proto, collector(rec));
    },
    stopConnecting() {},
    disconnect() {},
    getDestination: () => new IPv4Address("TCP", "127.0.0.1", 7010),
  };
  connector.connect();
  log.info("while down");
  assert.equal(attempts, 1);
  clock.advance(2.72); // e × 1 s
  assert.equal(attempts, 2);
  collectorUp = true;
  clock.advance(7.39); // e² × 1 s
  assert.equal(attempts, 3);
  net!.pump();
  assert.deepEqual(rec.events.map((e) => e.text), ["while down"]);
  factory.stopTrying();
});

test("entries a collector refuses are counted as dropped, not resent forever", () => {
  const { shipper, log } = setup();
  const client = new AMP();
  const net = new Loopback(client, new AMP()); // no responders: every entry gets UNHANDLED
  shipper.attach(client);
  log.info("one");
  log.info("two");
  net.pump();
  assert.equal(shipper.dropped, 2);
  assert.equal(shipper.delivered, 0);
  assert.equal(shipper.connected, true, "the connection is kept");
  books(shipper);
});
