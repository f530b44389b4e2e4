// Real child processes (bounded: each runs a tiny script that exits on its own or is killed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnProcess, getProcessOutput, getProcessOutputAndValue, getProcessValue } from "../../src/node/process.js";
import { ProcessProtocol } from "../../src/protocols/process-protocol.js";
import { Clock } from "../../src/testing/clock.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";
import { Failure, ProcessDone, ProcessTerminated, ProcessExitedAlready, ProcessStderrOutput, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered } from "../../src/index.js";

const NODE = process.execPath;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Records every event, in order. */
class Recorder extends ProcessProtocol {
  events: string[] = [];
  out = "";
  err = "";
  exited: Failure | null = null;
  private resolveEnded!: (f: Failure) => void;
  /** A Promise (a Deferred would treat a Failure result as an error) of the end reason. */
  readonly ended = new Promise<Failure>((r) => (this.resolveEnded = r));
  override connectionMade(): void {
    this.events.push("connectionMade");
  }
  override outReceived(data: Uint8Array): void {
    this.out += dec.decode(data);
  }
  override errReceived(data: Uint8Array): void {
    this.err += dec.decode(data);
  }
  override inConnectionLost(): void {
    this.events.push("inConnectionLost");
  }
  override outConnectionLost(): void {
    this.events.push("outConnectionLost");
  }
  override errConnectionLost(): void {
    this.events.push("errConnectionLost");
  }
  override processExited(reason: Failure): void {
    this.events.push("processExited");
    this.exited = reason;
  }
  override processEnded(reason: Failure): void {
    this.events.push("processEnded");
    this.resolveEnded(reason);
  }
}

function run(script: string, proto = new Recorder(), env: Record<string, string> | null = {}): Recorder {
  spawnProcess(new Clock(), proto, NODE, ["node", "-e", script], { env });
  return proto;
}

test("a clean exit ends with ProcessDone, after every pipe has closed", async () => {
  const p = run("process.stdout.write('out'); process.stderr.write('err')");
  const reason = await p.ended;
  assert.ok(reason.value instanceof ProcessDone);
  assert.ok(reason.value instanceof ConnectionDone, "ProcessDone is a ConnectionDone, as in Twisted");
  assert.equal((reason.value as ProcessDone).exitCode, 0);
  assert.ok(p.exited?.value instanceof ProcessDone);
  assert.equal(p.out, "out");
  assert.equal(p.err, "err");
  assert.equal(p.events[0], "connectionMade");
  assert.equal(p.events.at(-1), "processEnded");
  assert.deepEqual([...p.events].sort(), ["connectionMade", "errConnectionLost", "inConnectionLost", "outConnectionLost", "processEnded", "processExited"]);
  assert.equal(p.transport.pid, null, "pid is cleared once the process has exited");
});

test("a non-zero exit code ends with ProcessTerminated carrying exitCode", async () => {
  const reason = await run("process.exit(3)").ended;
  assert.ok(reason.value instanceof ProcessTerminated);
  assert.ok(reason.value instanceof ConnectionLost);
  assert.equal((reason.value as ProcessTerminated).exitCode, 3);
  assert.equal((reason.value as ProcessTerminated).signal, null);
});

test("signalProcess('KILL') ends the child with ProcessTerminated carrying the signal number", async () => {
  const p = run("setInterval(() => {}, 1000); process.stdout.write('ready')");
  while (!p.out.includes("ready")) await new Promise((r) => setTimeout(r, 5));
  assert.equal(typeof p.transport.pid, "number");
  p.transport.signalProcess("KILL");
  const reason = await p.ended;
  const e = reason.value as ProcessTerminated;
  assert.ok(e instanceof ProcessTerminated);
  assert.equal(e.signal, 9);
  assert.equal(e.signalName, "SIGKILL");
  assert.equal(e.exitCode, null);
  assert.throws(() => p.transport.signalProcess("TERM"), ProcessExitedAlready);
});

test("signalProcess accepts SIG-prefixed names and numbers", async () => {
  const p = run("setInterval(() => {}, 1000); process.stdout.write('ready')");
  while (!p.out.includes("ready")) await new Promise((r) => setTimeout(r, 5));
  p.transport.signalProcess(15);
  assert.equal(((await p.ended).value as ProcessTerminated).signalName, "SIGTERM");
});

test("bytes written to stdin reach the child, and closeStdin gives it EOF", async () => {
  const p = run("let s=''; process.stdin.on('data', d => s += d); process.stdin.on('end', () => process.stdout.write(s.toUpperCase()))");
  p.transport.write(enc.encode("hello "));
  p.transport.writeSequence([enc.encode("wor"), enc.encode("ld")]);
  p.transport.closeStdin();
  assert.ok((await p.ended).value instanceof ProcessDone);
  assert.equal(p.out, "HELLO WORLD");
  assert.throws(() => p.transport.write("text" as unknown as Uint8Array), TypeError);
});

test("args[0] is the child's argv[0], as in Twisted", async () => {
  const p = new Recorder();
  spawnProcess(new Clock(), p, NODE, ["my-name", "-e", "process.stdout.write(process.argv0 + ' ' + process.argv.slice(1).join(','))", "a", "b"], { env: {} });
  await p.ended;
  assert.equal(p.out, "my-name a,b");
});

test("env is the complete environment when given, empty when left out, inherited when null", async () => {
  const show = "process.stdout.write(JSON.stringify(Object.keys(process.env).filter(k => k.startsWith('REED_'))))";
  const given = run(show, new Recorder(), { REED_X: "1" });
  await given.ended;
  assert.equal(given.out, '["REED_X"]');
  const empty = new Recorder();
  spawnProcess(new Clock(), empty, NODE, ["node", "-e", "process.stdout.write(String(Object.keys(process.env).length))"]);
  await empty.ended;
  assert.equal(empty.out, "0");
  process.env.REED_INHERITED = "yes";
  try {
    const inherited = run(show, new Recorder(), null);
    await inherited.ended;
    assert.match(inherited.out, /REED_INHERITED/);
  } finally {
    delete process.env.REED_INHERITED;
  }
});

test("path sets the working directory", async () => {
  const p = new Recorder();
  spawnProcess(new Clock(), p, NODE, ["node", "-e", "process.stdout.write(process.cwd())"], { env: {}, path: "/tmp" });
  await p.ended;
  assert.equal(p.out, "/tmp");
});

test("a missing executable ends with ProcessTerminated whose cause is the spawn error, not an exception", async () => {
  const p = new Recorder();
  spawnProcess(new Clock(), p, "/nonexistent/reed-no-such-program", ["x"]);
  const reason = await p.ended;
  const e = reason.value as ProcessTerminated;
  assert.ok(e instanceof ProcessTerminated);
  assert.match(e.message, /could not be started: .*ENOENT/);
  assert.equal((e.cause as NodeJS.ErrnoException).code, "ENOENT");
  assert.equal(p.events.at(-1), "processEnded");
  assert.ok(p.events.indexOf("processExited") > 0);
  assert.ok(p.events.includes("inConnectionLost"));
});

test("extra child file descriptors arrive through childDataReceived", async () => {
  const got: Array<[number, string]> = [];
  class Fd3 extends Recorder {
    override childDataReceived(fd: number, data: Uint8Array): void {
      got.push([fd, dec.decode(data)]);
      super.childDataReceived(fd, data);
    }
  }
  const p = new Fd3();
  spawnProcess(new Clock(), p, NODE, ["node", "-e", "require('fs').writeSync(3, 'three'); process.stdout.write('one')"], {
    env: {},
    childFDs: { 0: "w", 1: "r", 2: "r", 3: "r" },
  });
  await p.ended;
  assert.deepEqual(got.filter(([fd]) => fd === 3), [[3, "three"]]);
  assert.equal(p.out, "one");
});

test("an exception in a protocol handler is logged, not thrown into Node", async () => {
  class Throws extends Recorder {
    override outReceived(): void {
      throw new Error("handler bug");
    }
  }
  const logs = captureLogs();
  try {
    const p = run("process.stdout.write('x')", new Throws());
    assert.ok((await p.ended).value instanceof ProcessDone);
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("getProcessOutput fires with stdout, whatever the exit code", async () => {
  const out = await getProcessOutput(NODE, ["-e", "process.stdout.write('42'); process.exit(1)"]);
  assert.equal(dec.decode(out), "42");
});

test("getProcessOutput fails with ProcessStderrOutput on stderr output, unless errortoo", async () => {
  const d = getProcessOutput(NODE, ["-e", "process.stderr.write('oops'); setTimeout(() => {}, 50)"]);
  const e = await d.asPromise().then(
    () => assert.fail("expected a failure"),
    (err: unknown) => err as ProcessStderrOutput,
  );
  assert.ok(e instanceof ProcessStderrOutput);
  assert.equal(e.output, "oops");
  const endReason = await Promise.resolve(e.processEnded).then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(endReason instanceof ProcessDone || endReason instanceof ProcessTerminated);
  const both = await getProcessOutput(NODE, ["-e", "process.stdout.write('a'); process.stderr.write('b')"], {}, undefined, undefined, true);
  assert.deepEqual(dec.decode(both).split("").sort(), ["a", "b"]);
});

test("getProcessOutputAndValue fires with [out, err, code] and feeds stdinBytes", async () => {
  const [out, err, code] = await getProcessOutputAndValue(
    NODE,
    ["-e", "let s=''; process.stdin.on('data', d => s += d).on('end', () => { process.stdout.write(s); process.stderr.write('e'); process.exit(5); })"],
    {},
    undefined,
    undefined,
    enc.encode("piped"),
  );
  assert.equal(dec.decode(out), "piped");
  assert.equal(dec.decode(err), "e");
  assert.equal(code, 5);
});

test("getProcessOutputAndValue fails with [out, err, signal] when a signal kills the child", async () => {
  const d = getProcessOutputAndValue(NODE, ["-e", "process.stdout.write('partial'); process.kill(process.pid, 'SIGKILL')"]);
  const v = await d.asPromise().then(
    () => assert.fail("expected a failure"),
    (e: unknown) => e as [Uint8Array, Uint8Array, number],
  );
  assert.equal(dec.decode(v[0]), "partial");
  assert.equal(v[2], 9);
});

test("getProcessValue fires with the exit code", async () => {
  assert.equal(await getProcessValue(NODE, ["-e", "process.exit(7)"]), 7);
});

test("loseConnection closes the child's pipes: it sees EOF on stdin and can still exit cleanly", async () => {
  const p = run("process.stdin.on('end', () => process.exit(0)); process.stdin.resume()");
  p.transport.loseConnection();
  const reason = await p.ended;
  assert.ok(reason.value instanceof ProcessDone);
  assert.ok(p.events.includes("inConnectionLost") && p.events.includes("outConnectionLost"));
});

test("a producer registered without a stdin pipe is stopped at once; a second producer on stdin is an error", async () => {
  const events: string[] = [];
  const noStdin = new Recorder();
  spawnProcess(new Clock(), noStdin, NODE, ["node", "-e", ""], { env: {}, childFDs: { 1: "r", 2: "r" } });
  noStdin.transport.registerProducer({ resumeProducing: () => events.push("resume"), stopProducing: () => events.push("stop") }, false);
  assert.deepEqual(events, ["stop"]);
  await noStdin.ended;

  const p = run("process.stdin.resume()");
  p.transport.registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => events.push("stop 2") }, true);
  assert.throws(() => p.transport.registerProducer({ resumeProducing() {}, stopProducing() {} }, false), ProducerAlreadyRegistered);
  p.transport.closeStdin(); // the streaming producer is not paused: it does not hold the close
  await p.ended;
  assert.deepEqual(events, ["stop", "stop 2"]);
  assert.ok(p.events.indexOf("inConnectionLost") >= 0);
});

test("a pipe the parent writes to other than stdin goes through the same writer: written, then closed after the flush", async () => {
  const script = `const fs = require("node:fs"); let n = 0; const s = fs.createReadStream("", { fd: 3 });
    s.on("data", (d) => (n += d.length)); s.on("end", () => process.stdout.write(String(n)));`;
  const p = new Recorder();
  spawnProcess(new Clock(), p, NODE, ["node", "-e", script], { env: {}, childFDs: { 0: "w", 1: "r", 2: "r", 3: "w" } });
  p.transport.writeToChild(3, new Uint8Array(100_000));
  p.transport.closeChildFD(3);
  p.transport.writeToChild(3, new Uint8Array(5)); // before the flush: still sent (Twisted's writer)
  p.transport.closeStdin();
  assert.ok((await p.ended).value instanceof ProcessDone, p.err);
  assert.equal(p.out, "100005");
});
