import { test } from "node:test";
import assert from "node:assert/strict";
import { ReconnectingClientFactory } from "../../src/protocols/reconnecting.js";
import { Clock } from "../../src/testing/clock.js";
import { seededRandom } from "../../src/_internal/random.js";
import { Failure } from "../../src/failure.js";
import { ConnectionLost, ConnectionRefusedError } from "../../src/errors.js";
import { IPv4Address } from "../../src/protocols/address.js";
import { globalLogPublisher, type LogEvent, formatEvent } from "../../src/logger.js";
import type { IConnector } from "../../src/interfaces.js";

class FakeConnector implements IConnector {
  connects: number[] = [];
  stops = 0;
  onConnect: () => void = () => {};
  constructor(private readonly clock: Clock) {}
  connect(): void {
    this.connects.push(this.clock.seconds());
    this.onConnect();
  }
  stopConnecting(): void {
    this.stops++;
  }
  disconnect(): void {}
  getDestination() {
    return new IPv4Address("TCP", "127.0.0.1", 7000);
  }
  toString() {
    return "<FakeConnector>";
  }
}

const refused = () => new Failure(new ConnectionRefusedError());

function capture(): { events: LogEvent[]; stop(): void } {
  const events: LogEvent[] = [];
  const o = (e: LogEvent) => events.push(e);
  globalLogPublisher.addObserver(o);
  return { events, stop: () => globalLogPublisher.removeObserver(o) };
}

test("with Python's seed the delays equal Twisted 22.4's, draw for draw", () => {
  // Recorded with random.seed(2204), maxRetries 12, every attempt refused (see the test source).
  const twisted = [
    3.5856737078918552, 9.360158200266683, 19.311313786552365, 47.79387116253024, 123.21851263083548,
    366.0591647051483, 910.9683907670269, 2693.44034606242, 3045.307794942252, 3466.454047117916,
    3625.872546385505, 3565.8884065821676, 3565.8884065821676,
  ];
  const clock = new Clock();
  const f = new ReconnectingClientFactory({ clock, random: seededRandom(2204) });
  f.maxRetries = 12;
  f.noisy = false;
  const delays: number[] = [];
  const retry = f.retry.bind(f);
  f.retry = (c?: IConnector) => {
    retry(c);
    delays.push(f.delay);
  };
  const c = new FakeConnector(clock);
  c.onConnect = () => f.clientConnectionFailed(c, refused());
  f.clientConnectionFailed(c, refused());
  while (clock.getDelayedCalls().length) clock.advance(clock.getDelayedCalls()[0]!.getTime() - clock.seconds());
  assert.deepEqual(delays, twisted);
  assert.equal(f.retries, 13);
  assert.equal(c.connects.length, 12);
});

test("without jitter the first retry waits e seconds and the delay is capped at maxDelay", () => {
  const clock = new Clock();
  const f = new ReconnectingClientFactory({ clock });
  f.jitter = 0;
  f.noisy = false;
  const c = new FakeConnector(clock);
  f.clientConnectionFailed(c, refused());
  assert.equal(f.delay, Math.E);
  clock.advance(Math.E - 1e-9);
  assert.equal(c.connects.length, 0);
  clock.advance(1e-9);
  assert.equal(c.connects.length, 1);
  for (let i = 0; i < 20; i++) f.retry();
  assert.equal(f.delay, 3600);
});

test("a lost connection is retried on the clock, and resetDelay starts the back-off again", () => {
  const clock = new Clock();
  const f = new ReconnectingClientFactory({ clock, random: seededRandom(1) });
  f.noisy = false;
  const c = new FakeConnector(clock);
  f.clientConnectionLost(c, new Failure(new ConnectionLost()));
  assert.equal(f.retries, 1);
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(f.delay);
  assert.equal(c.connects.length, 1);
  f.resetDelay();
  assert.equal(f.delay, 1.0);
  assert.equal(f.retries, 0);
});

test("stopTrying cancels the scheduled retry, stops the connector and prevents later retries", () => {
  const clock = new Clock();
  const f = new ReconnectingClientFactory({ clock });
  f.noisy = false;
  const c = new FakeConnector(clock);
  f.clientConnectionFailed(c, refused());
  f.stopTrying();
  assert.equal(clock.getDelayedCalls().length, 0);
  assert.equal(c.stops, 1);
  assert.equal(f.continueTrying, false);
  f.clientConnectionLost(c, new Failure(new ConnectionLost()));
  clock.advance(10_000);
  assert.equal(c.connects.length, 0);
});

test("retry logs Twisted's messages: will retry, abandoning after N retries, abandoning on request", () => {
  const clock = new Clock();
  const f = new ReconnectingClientFactory({ clock, random: seededRandom(7) });
  f.maxRetries = 1;
  const c = new FakeConnector(clock);
  const cap = capture();
  try {
    f.clientConnectionFailed(c, refused());
    f.retry();
    f.stopTrying();
    f.retry(c);
  } finally {
    cap.stop();
  }
  const texts = cap.events.filter((e) => e.namespace === "reed.factory").map(formatEvent);
  assert.match(texts[0]!, /^<FakeConnector> will retry in \d+ seconds$/);
  assert.equal(texts[1], "Abandoning <FakeConnector> after 2 retries.");
  assert.equal(texts[2], "Abandoning <FakeConnector> on explicit request");
});

test("retry without a clock or without a connector throws", () => {
  const f = new ReconnectingClientFactory();
  f.noisy = false;
  assert.throws(() => f.retry(), /No connector to retry/);
  assert.throws(() => f.retry(new FakeConnector(new Clock())), /clock is not set/);
});
