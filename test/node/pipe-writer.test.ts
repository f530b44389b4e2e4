// PipeWriter (src/node/_pipe-writer.ts), the writer StandardIO and spawnProcess share, over Node
// Writables the test controls: a "gated" one that completes each write only when told, so every
// step of the close-with-a-producer rule is seen in order. No sockets, no timers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { PipeWriter } from "../../src/node/_pipe-writer.js";
import type { Failure } from "../../src/failure.js";
import { ConnectionDone, ConnectionLost, ProducerAlreadyRegistered } from "../../src/errors.js";
import { pullProducer, pushProducer } from "./_transport-scenarios.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";
import { WriteGate, turn } from "./_gated.js";

const enc = (s: string) => new TextEncoder().encode(s);

/** A Writable that holds each write until `release()`; records what was written and whether it ended. */
class Gated extends Writable {
  finished = false;
  private readonly gate = new WriteGate();
  constructor(highWaterMark = 1 << 16) {
    super({ highWaterMark });
    this.on("finish", () => (this.finished = true));
  }
  get written(): string {
    return this.gate.written;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.gate.hold(chunk, cb);
  }
  /** Completes the writes held so far, then lets the event loop deliver their callbacks. */
  release(): Promise<void> {
    return this.gate.release();
  }
}

function writer(stream: Writable, owned = true): { w: PipeWriter; events: string[]; lost: () => Failure | null } {
  const events: string[] = [];
  let reason: Failure | null = null;
  const w = new PipeWriter(stream, owned, "The test pipe", (r) => {
    reason = r;
    events.push(`lost ${r.typeName}`);
  });
  return { w, events, lost: () => reason };
}

test("loseConnection waits for the buffer to empty, then ends an owned stream and reports ConnectionDone", async () => {
  const s = new Gated();
  const { w, events, lost } = writer(s);
  w.write(enc("abc"));
  w.loseConnection();
  w.write(enc("def")); // still accepted: the close has not happened yet
  await turn();
  assert.deepEqual(events, [], "nothing while the writes are held");
  await s.release();
  assert.equal(s.written, "abcdef");
  assert.equal(s.finished, true);
  assert.deepEqual(events, ["lost ConnectionDone"]);
  assert.ok(lost()?.value instanceof ConnectionDone);
  w.write(enc("ignored"));
  assert.equal(s.written, "abcdef");
});

test("a stream that is not owned is not ended by the close, but the close still waits for the flush", async () => {
  const s = new Gated();
  const { w, events } = writer(s, false);
  w.write(enc("x"));
  w.loseConnection();
  await s.release();
  assert.deepEqual(events, ["lost ConnectionDone"]);
  assert.equal(s.finished, false);
  assert.equal(s.writableEnded, false);
});

test("a pull producer is asked again only once its chunk has been flushed, and holds the close until unregistered", async () => {
  const s = new Gated();
  const { w, events } = writer(s);
  const log = (e: string) => events.push(e);
  w.registerProducer(
    pullProducer(log, (n) => {
      if (n <= 2) w.write(enc(`p${n}`));
      else w.unregisterProducer();
    }),
    false,
  );
  w.loseConnection();
  await turn();
  assert.deepEqual(events, ["resume 1"], "p1 is still held: not asked again");
  await s.release();
  assert.deepEqual(events, ["resume 1", "resume 2", "resume 3", "lost ConnectionDone"]);
  assert.equal(s.written, "p1p2");
});

test("a streaming producer is paused when the buffer is full and resumed on drain; one still registered at the close is stopped before onLost", async () => {
  const s = new Gated(4);
  const { w, events } = writer(s);
  w.registerProducer(pushProducer((e) => events.push(e)), true);
  w.write(enc("0123456789"));
  assert.deepEqual(events, ["pause"]);
  await s.release();
  assert.deepEqual(events, ["pause", "resume"]);
  w.loseConnection();
  await s.release();
  assert.deepEqual(events, ["pause", "resume", "stop", "lost ConnectionDone"]);
});

test("registering a second producer is an error; registering once the pipe is closed stops the producer at once", async () => {
  const s = new Gated();
  const { w, events } = writer(s);
  w.registerProducer(pushProducer(() => {}), true);
  assert.throws(() => w.registerProducer(pushProducer(() => {}), true), ProducerAlreadyRegistered);
  w.unregisterProducer();
  w.loseConnection();
  await s.release();
  w.registerProducer(pushProducer((e) => events.push(e)), true);
  assert.deepEqual(events, ["lost ConnectionDone", "stop"]);
});

test("a stream error ends the writer with ConnectionLost, stopping the producer first", async () => {
  const broken = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    },
  });
  const { w, events, lost } = writer(broken);
  w.registerProducer(pullProducer((e) => events.push(e), () => w.write(enc("x"))), false);
  await turn();
  assert.deepEqual(events, ["resume 1", "stop", "lost ConnectionLost"]);
  assert.ok(lost()?.value instanceof ConnectionLost);
  assert.match(lost()!.getErrorMessage(), /The test pipe failed: write EPIPE/);
  assert.equal(broken.destroyed, true);
});

test("the stream closing under the writer (the child went away) ends it with ConnectionLost", async () => {
  const s = new Gated();
  const { w, events } = writer(s);
  w.registerProducer(pullProducer((e) => events.push(e)), false);
  s.destroy();
  await turn();
  assert.deepEqual(events, ["resume 1", "stop", "lost ConnectionLost"]);
  assert.equal(w.disconnected, true);
});

test("a producer that throws from resumeProducing ends the writer with that error (logged)", async () => {
  const logs = captureLogs();
  const s = new Gated();
  const { w, lost } = writer(s);
  let n = 0;
  w.registerProducer(
    {
      resumeProducing: () => {
        if (++n === 2) throw new Error("producer broke");
        w.write(enc("a"));
      },
      stopProducing: () => {},
    },
    false,
  );
  try {
    await s.release();
    assert.equal(lost()?.getErrorMessage(), "producer broke");
    assert.equal(s.destroyed, true);
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("shutdown stops the producer and flushes then ends an owned stream, without reporting", async () => {
  const s = new Gated();
  const { w, events } = writer(s);
  w.registerProducer(pushProducer((e) => events.push(e)), true);
  w.write(enc("last"));
  w.shutdown();
  w.write(enc("ignored"));
  await s.release();
  assert.deepEqual(events, ["stop"]);
  assert.equal(s.written, "last");
  assert.equal(s.finished, true);
});

test("a streaming producer that throws from resumeProducing on drain ends the writer with that error (logged), not an uncaught exception", async () => {
  const logs = captureLogs();
  const s = new Gated(4);
  const { w, lost } = writer(s);
  w.registerProducer(
    {
      pauseProducing: () => {},
      resumeProducing: () => {
        throw new Error("producer broke");
      },
      stopProducing: () => {},
    },
    true,
  );
  w.write(enc("0123456789"));
  try {
    await s.release();
    assert.equal(lost()?.getErrorMessage(), "producer broke");
    assert.equal(s.destroyed, true);
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("a close whose final flush fails reports ConnectionLost with the error, not ConnectionDone", async () => {
  const s = new Writable({
    write(_c, _e, cb) {
      cb();
    },
    final(cb) {
      setImmediate(() => cb(Object.assign(new Error("shutdown EPIPE"), { code: "EPIPE" })));
    },
  });
  const { w, events, lost } = writer(s);
  w.write(enc("x"));
  w.loseConnection();
  await turn();
  await turn();
  await turn();
  assert.deepEqual(events, ["lost ConnectionLost"]);
  assert.match(lost()!.getErrorMessage(), /The test pipe failed: shutdown EPIPE/);
});
