import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { spawn } from "node:child_process";
import { StandardIO } from "../../src/node/stdio.js";
import { Protocol, Failure, ConnectionDone, ConnectionLost, PipeAddress, type IPushProducer } from "../../src/index.js";

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
