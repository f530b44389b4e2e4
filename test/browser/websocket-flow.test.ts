// Write back-pressure of the page's WebSocketTransport (reed/browser), with a fake WebSocket whose
// `bufferedAmount` the test sets, on a Clock: deterministic, no browser needed. (The transport's
// behaviour against a real page is in websocket.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BUFFER_POLL_INTERVAL,
  connectWS,
  WRITE_HIGH_WATER_MARK,
  type WebSocketLike,
} from "../../src/browser/websocket.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { Factory } from "../../src/protocols/factory.js";
import type { Failure } from "../../src/failure.js";
import type { IPullProducer, IPushProducer, ITransport, IConsumer } from "../../src/interfaces.js";
import { Clock } from "../../src/testing/clock.js";
import { ProducerAlreadyRegistered } from "../../src/errors.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";

/** A WebSocket look-alike: `send` adds to `bufferedAmount`; the test drains it with `flush`. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | null = null;
  binaryType = "blob";
  readyState = 0;
  bufferedAmount = 0;
  sent = 0;
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: ArrayBufferView | ArrayBuffer | string): void {
    const n = typeof data === "string" ? data.length : data.byteLength;
    this.bufferedAmount += n;
    this.sent += n;
  }
  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.readyState = 2;
  }
  /** The browser sends `n` more bytes (all by default). */
  flush(n = this.bufferedAmount): void {
    this.bufferedAmount = Math.max(0, this.bufferedAmount - n);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** The close handshake completes. */
  finishClose(code = 1000): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "", wasClean: true });
  }
}

class Lost extends Protocol {
  reason: Failure | null = null;
  override connectionLost(reason: Failure): void {
    this.reason = reason;
  }
}

/** An open connection over a FakeSocket on a Clock. */
async function open(): Promise<{ clock: Clock; socket: FakeSocket; t: ITransport & IConsumer; proto: Lost }> {
  const clock = new Clock();
  const d = connectWS(clock, "ws://127.0.0.1:1/", Factory.forProtocol(Lost), { WebSocket: FakeSocket });
  const socket = FakeSocket.last!;
  socket.open();
  const proto = await d.asPromise();
  return { clock, socket, t: proto.transport as ITransport & IConsumer, proto };
}

function pushRecorder(log: string[], onResume?: () => void): IPushProducer {
  return {
    pauseProducing: () => void log.push("pause"),
    resumeProducing: () => {
      log.push("resume");
      onResume?.();
    },
    stopProducing: () => void log.push("stop"),
  };
}

test("a streaming producer is paused at the high-water mark and resumed once the page has sent everything", async () => {
  const { clock, socket, t } = await open();
  const log: string[] = [];
  t.registerProducer(pushRecorder(log), true);
  t.write(new Uint8Array(WRITE_HIGH_WATER_MARK - 1));
  assert.deepEqual(log, []);
  t.write(new Uint8Array(1));
  assert.deepEqual(log, ["pause"]);
  t.write(new Uint8Array(100)); // a paused producer that writes anyway is not paused twice
  assert.deepEqual(log, ["pause"]);
  socket.flush(WRITE_HIGH_WATER_MARK);
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.deepEqual(log, ["pause"], "not resumed while anything is still buffered");
  socket.flush();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.deepEqual(log, ["pause", "resume"]);
  assert.equal(clock.getDelayedCalls().length, 0, "no polling once resumed");
});

test("a pull producer is asked for its next chunk once the previous one has left the buffer", async () => {
  const { clock, socket, t } = await open();
  let asked = 0;
  const pull: IPullProducer = {
    resumeProducing: () => {
      asked++;
      t.write(new Uint8Array(10));
    },
    stopProducing: () => {},
  };
  t.registerProducer(pull, false);
  assert.equal(asked, 1);
  assert.throws(() => t.registerProducer(pull, false), ProducerAlreadyRegistered);
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.equal(asked, 1, "still buffered: not asked again");
  socket.flush();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.equal(asked, 2);
  t.unregisterProducer();
  socket.flush();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.equal(asked, 2);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("loseConnection with a pull producer registered waits for it to be unregistered, then closes", async () => {
  const { clock, socket, t, proto } = await open();
  let asked = 0;
  t.registerProducer({ resumeProducing: () => void asked++, stopProducing: () => assert.fail("not stopped") }, false);
  t.loseConnection();
  clock.advance(0);
  assert.equal(asked, 2, "asked once more when the buffer was found empty");
  assert.equal(socket.closed, null, "the close waits for the producer");
  t.write(new Uint8Array(3)); // still accepted while the close is held
  assert.equal(socket.sent, 3);
  t.unregisterProducer();
  clock.advance(0);
  assert.equal(socket.closed, null, "the close waits for the buffer");
  socket.flush();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.deepEqual(socket.closed, { code: 1000, reason: "" });
  socket.finishClose();
  assert.equal(proto.reason?.typeName, "ConnectionDone");
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("loseConnection with an unpaused streaming producer closes once the buffer is empty, and the producer is stopped", async () => {
  const { clock, socket, t, proto } = await open();
  const log: string[] = [];
  t.registerProducer(pushRecorder(log), true);
  t.write(new Uint8Array(5));
  t.loseConnection();
  clock.advance(0);
  assert.equal(socket.closed, null);
  socket.flush();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.deepEqual(socket.closed, { code: 1000, reason: "" });
  socket.finishClose();
  assert.deepEqual(log, ["stop"]);
  assert.equal(proto.reason?.typeName, "ConnectionDone");
  t.registerProducer(pushRecorder(log), true);
  assert.deepEqual(log, ["stop", "stop"], "a producer registered after the end is stopped at once");
});

test("a page socket closed under a paused producer stops it and stops polling", async () => {
  const { clock, socket, t } = await open();
  const log: string[] = [];
  t.registerProducer(pushRecorder(log), true);
  t.write(new Uint8Array(WRITE_HIGH_WATER_MARK));
  assert.equal(clock.getDelayedCalls().length, 1);
  socket.finishClose(1006);
  assert.deepEqual(log, ["pause", "stop"]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("stopProducing closes cleanly as loseConnection does (code 1000, ConnectionDone), not as an abort", async () => {
  const { socket, t, proto } = await open();
  t.write(new Uint8Array(3));
  (t as unknown as { stopProducing(): void }).stopProducing();
  assert.deepEqual(socket.closed, { code: 1000, reason: "" });
  assert.equal(socket.sent, 3, "what was written went first");
  socket.finishClose(1000);
  assert.equal(proto.reason?.typeName, "ConnectionDone");
});

test("a producer raising in stopProducing at the close is logged; the protocol still gets connectionLost", async () => {
  const { socket, t, proto } = await open();
  t.registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => { throw new Error("boom"); } }, true);
  const logs = captureLogs();
  socket.finishClose(1000);
  assert.equal(proto.reason?.typeName, "ConnectionDone");
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
});

test("a producer raising in resumeProducing when the buffer empties drops the connection (as on TCP), logged", async () => {
  const { clock, socket, t, proto } = await open();
  let asked = 0;
  const pull: IPullProducer = {
    resumeProducing: () => {
      if (++asked === 1) t.write(new Uint8Array(5));
      else throw new Error("boom");
    },
    stopProducing() {},
  };
  t.registerProducer(pull, false);
  socket.flush();
  const logs = captureLogs();
  clock.advance(BUFFER_POLL_INTERVAL);
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
  assert.deepEqual(socket.closed, { code: 4000, reason: "aborted" });
  socket.finishClose(4000);
  assert.equal(proto.reason?.typeName, "ConnectionLost");
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("a protocol raising in dataReceived is logged and its connection dropped (as on the other transports)", async () => {
  const { socket, proto } = await open();
  proto.dataReceived = () => {
    throw new Error("dataReceived broke");
  };
  const logs = captureLogs();
  socket.onmessage?.({ data: new Uint8Array([1, 2]).buffer });
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
  assert.deepEqual(socket.closed, { code: 4000, reason: "aborted" });
  socket.onmessage?.({ data: new Uint8Array([3]).buffer }); // nothing more is delivered
  socket.finishClose(4000);
  assert.equal(proto.reason?.typeName, "ConnectionLost");
});

test("an empty write or writeSequence sends no message, as TCP and Twisted send nothing", async () => {
  const { socket, t } = await open();
  let messages = 0;
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    messages++;
    send(data);
  };
  t.write(new Uint8Array(0));
  t.writeSequence([]);
  t.writeSequence([new Uint8Array(0), new Uint8Array(0)]);
  assert.equal(messages, 0);
  t.write(new Uint8Array([1]));
  assert.equal(messages, 1);
});
