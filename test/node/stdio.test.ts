import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { spawn } from "node:child_process";
import { StandardIO } from "../../src/node/stdio.js";
import { Protocol, Failure, ConnectionDone, ConnectionLost, PipeAddress, type IPushProducer } from "../../src/index.js";
import { pullProducer, pushProducer } from "./_transport-scenarios.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

class Upper extends Protocol {
  lost: Failure | null = null;
  private resolve!: () => void;
  readonly done = new Promise<void>((r) => (this.resolve = r));
  override dataReceived(data: Uint8Array): void {
    this.transport.write(enc.encode(dec.decode(data).toUpperCase()));
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    this.resolve();
  }
}

function collect(stream: PassThrough): () => string {
  let s = "";
  stream.on("data", (d: Buffer) => (s += d.toString()));
  return () => s;
}

test("stdin data reaches dataReceived, writes reach stdout, and stdin EOF ends with ConnectionDone", async () => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const output = collect(stdout);
  const p = new Upper();
  const t = new StandardIO(p, { stdin, stdout });
  assert.ok(p.transport === t);
  assert.ok(t.getPeer() instanceof PipeAddress);
  stdin.write("hello ");
  stdin.end("world");
  await p.done;
  assert.ok(p.lost?.value instanceof ConnectionDone);
  await new Promise((r) => setImmediate(r));
  assert.equal(output(), "HELLO WORLD");
});

test("loseConnection flushes what was written before connectionLost", async () => {
  const stdin = new PassThrough();
  let written = "";
  const slow = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        written += chunk.toString();
        cb();
      }, 2);
    },
  });
  class Bye extends Upper {
    override connectionMade(): void {
      this.transport.write(enc.encode("one "));
      this.transport.write(enc.encode("two "));
      this.transport.write(enc.encode("three"));
      this.transport.loseConnection();
    }
  }
  const p = new Bye();
  new StandardIO(p, { stdin, stdout: slow });
  await p.done;
  assert.equal(written, "one two three");
  assert.ok(p.lost?.value instanceof ConnectionDone);
});

test("a half-closeable protocol gets readConnectionLost on EOF and stays connected", async () => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const output = collect(stdout);
  class Half extends Upper {
    readLost = false;
    readConnectionLost(): void {
      this.readLost = true;
      this.transport.write(enc.encode("bye"));
      this.transport.loseConnection();
    }
  }
  const p = new Half();
  new StandardIO(p, { stdin, stdout });
  stdin.end("x");
  await p.done;
  assert.equal(p.readLost, true);
  assert.ok(p.lost?.value instanceof ConnectionDone);
  await new Promise((r) => setImmediate(r));
  assert.equal(output(), "Xbye");
});

test("a full stdout pauses a streaming producer and resumes it when drained", async () => {
  const stdin = new PassThrough();
  const events: string[] = [];
  let release: (() => void) | null = null;
  const gated = new Writable({
    highWaterMark: 8,
    write(_chunk, _enc, cb) {
      release = cb;
    },
  });
  const p = new Upper();
  const t = new StandardIO(p, { stdin, stdout: gated });
  const producer: IPushProducer = {
    pauseProducing: () => events.push("pause"),
    resumeProducing: () => events.push("resume"),
    stopProducing: () => events.push("stop"),
  };
  t.registerProducer(producer, true);
  t.write(enc.encode("0123456789"));
  assert.deepEqual(events, ["pause"]);
  while (events.length < 2) {
    const r = release as (() => void) | null;
    release = null;
    if (r) r();
    await new Promise((res) => setImmediate(res));
  }
  assert.deepEqual(events, ["pause", "resume"]);
  t.unregisterProducer();
  stdin.end();
  await p.done;
});

test("a stdout write error ends the connection with ConnectionLost", async () => {
  const stdin = new PassThrough();
  const broken = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    },
  });
  const p = new Upper();
  new StandardIO(p, { stdin, stdout: broken });
  stdin.write("x");
  await p.done;
  assert.ok(p.lost?.value instanceof ConnectionLost);
  assert.match(p.lost!.getErrorMessage(), /EPIPE/);
});

test("writing a string is a TypeError", () => {
  const stdin = new PassThrough();
  const t = new StandardIO(new Upper(), { stdin, stdout: new PassThrough() });
  assert.throws(() => t.write("text" as unknown as Uint8Array), TypeError);
  t.loseConnection();
});

/** A half-closeable protocol recording its events; `onWriteLost` runs in writeConnectionLost. */
class HalfRecorder extends Upper {
  events: string[] = [];
  onWriteLost: () => void = () => {};
  onReadLost: () => void = () => {};
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
    this.onReadLost();
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
    this.onWriteLost();
  }
  override connectionLost(reason: Failure): void {
    this.events.push(`lost ${reason.typeName}`);
    super.connectionLost(reason);
  }
}

test("loseWriteConnection closes stdout once flushed and stops a streaming producer (as Twisted's StandardIO), then tells writeConnectionLost; stdin is still read", async () => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const output = collect(stdout);
  const p = new HalfRecorder();
  const wrote = new Promise<void>((r) => (p.onWriteLost = r));
  const t = new StandardIO(p, { stdin, stdout });
  t.registerProducer(pushProducer((e) => p.events.push(e)), true);
  t.write(enc.encode("a"));
  t.loseWriteConnection();
  t.write(enc.encode("b"));
  p.events.push("half-close returned");
  await wrote;
  assert.deepEqual(p.events, ["half-close returned", "stop", "writeConnectionLost"]);
  assert.equal(output(), "ab");
  t.write(enc.encode("ignored"));
  stdin.write("x");
  await new Promise((r) => setImmediate(r));
  assert.equal(t.disconnected, false);
  assert.equal(output(), "ab", "dataReceived ran (it echoes) but stdout is closed");
  t.registerProducer(pushProducer((e) => p.events.push(`${e} late`)), true);
  assert.deepEqual(p.events.slice(-1), ["stop late"], "a producer registered after the close is stopped at once");
  // Both halves done: loseConnection ends the connection at once (Twisted's would wait for ever).
  t.loseConnection();
  assert.deepEqual(p.events.slice(-1), ["lost ConnectionDone"]);
});

test("a pull producer holds loseWriteConnection until it is unregistered, as in Twisted's StandardIO", async () => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const output = collect(stdout);
  const p = new HalfRecorder();
  const wrote = new Promise<void>((r) => (p.onWriteLost = r));
  const t = new StandardIO(p, { stdin, stdout });
  t.registerProducer(
    pullProducer(
      (e) => p.events.push(e),
      (n) => {
        if (n === 1) t.write(enc.encode("p"));
        else {
          p.events.push("unregister");
          t.unregisterProducer();
        }
      },
    ),
    false,
  );
  t.loseWriteConnection();
  p.events.push("half-close returned");
  await wrote;
  assert.deepEqual(p.events, ["resume 1", "half-close returned", "resume 2", "unregister", "writeConnectionLost"]);
  assert.equal(output(), "p");
  // Both halves closed: the connection stays until loseConnection, as in Twisted.
  p.onReadLost = () => t.loseConnection();
  stdin.end();
  await p.done;
  assert.deepEqual(p.events.slice(-2), ["readConnectionLost", "lost ConnectionDone"]);
});

test("stdin's EOF does not cut short a loseConnection that a pull producer holds open", async () => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const p = new HalfRecorder();
  const t = new StandardIO(p, { stdin, stdout });
  let unregister!: () => void;
  const asked = new Promise<void>((r) => (unregister = r));
  t.registerProducer(pullProducer((e) => p.events.push(e), (n) => n === 2 && unregister()), false);
  t.loseConnection();
  stdin.end();
  await asked;
  assert.equal(t.disconnected, false, "still held by the producer");
  assert.deepEqual(p.events, ["resume 1", "resume 2"]);
  t.unregisterProducer();
  await p.done;
  assert.deepEqual(p.events, ["resume 1", "resume 2", "lost ConnectionDone"]);
});

// Real child process: the REPL example over real pipes (bounded by a timeout).
test("StandardIO over a child's real stdin/stdout pipes: the line REPL answers each line, then exits on EOF", async () => {
  const script = new URL("../../examples/threads/stdio-repl.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["pipe", "pipe", "inherit"], timeout: 20_000 });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stdin.write("upper hello\n");
  child.stdin.write("add 2 3\r\n");
  child.stdin.end("bogus\n");
  const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  assert.equal(code, 0);
  assert.equal(out, "> HELLO\n> 5\n> error: unknown command: bogus\n> bye\n");
});
