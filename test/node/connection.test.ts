// Connection (src/node/connection.ts) over a Duplex the test controls instead of a socket: each
// write completes only when the test says, so 'drain' comes exactly when the test releases it.
// No sockets, no timers.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { Connection } from "../../src/node/connection.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { IPv4Address } from "../../src/protocols/address.js";
import type { Failure } from "../../src/failure.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";
import { WriteGate } from "./_gated.js";


/** A Duplex standing in for a socket: writes are held until `release()`; nothing is ever read. */
class GatedSocket extends Duplex {
  private readonly gate = new WriteGate();
  constructor() {
    super({ writableHighWaterMark: 4, allowHalfOpen: true });
  }
  get written(): string {
    return this.gate.written;
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.gate.hold(chunk, cb);
  }
  /** Completes the writes held so far, then lets the event loop deliver what follows. */
  release(): Promise<void> {
    return this.gate.release();
  }
}

class Lost extends Protocol {
  reason: Failure | null = null;
  override connectionLost(reason: Failure): void {
    this.reason = reason;
  }
}

test("a streaming producer that throws from resumeProducing on drain drops the connection with that error (logged), not an uncaught exception", async () => {
  const logs = captureLogs();
  const socket = new GatedSocket();
  const proto = new Lost();
  const c = new Connection(socket as unknown as Socket, proto, "TCP", new IPv4Address("TCP", "127.0.0.1", 1), null);
  c.start();
  c.registerProducer(
    {
      pauseProducing: () => {},
      resumeProducing: () => {
        throw new Error("producer broke");
      },
      stopProducing: () => {},
    },
    true,
  );
  c.write(new Uint8Array(10));
  try {
    await socket.release();
    assert.equal(proto.reason?.getErrorMessage(), "producer broke");
    assert.equal(c.connected, false);
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("the peer's FIN does not cut short a loseConnection held by a pull producer: reading has stopped, as in Twisted", async () => {
  const socket = new GatedSocket();
  const proto = new Lost();
  const c = new Connection(socket as unknown as Socket, proto, "TCP", new IPv4Address("TCP", "127.0.0.1", 1), null);
  c.start();
  let asked = 0;
  c.registerProducer(
    {
      resumeProducing: () => {
        asked++;
        c.write(new TextEncoder().encode(`chunk${asked};`));
        if (asked === 5) c.unregisterProducer();
      },
      stopProducing: () => assert.fail("the producer finishes on its own"),
    },
    false,
  );
  c.loseConnection();
  socket.push(null); // the peer is done sending (it half-closes and waits for the answer)
  await socket.release();
  assert.equal(asked, 5);
  assert.equal(proto.reason?.typeName, "ConnectionDone");
  assert.equal(socket.written, "chunk1;chunk2;chunk3;chunk4;chunk5;");
});
