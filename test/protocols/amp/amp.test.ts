import { test } from "node:test";
import assert from "node:assert/strict";
import * as amp from "../../../src/protocols/amp/index.js";
import { AMP, CommandLocator, command, Integer, Float, Unicode } from "../../../src/protocols/amp/index.js";
import { Deferred } from "../../../src/deferred.js";
import { Failure } from "../../../src/failure.js";
import {
  AmpArgumentError, BadLocalReturn, RemoteAmpError, ConnectionDone, InvalidSignature, MalformedAmpBox, NoEmptyBoxes, TooLong, UnhandledCommand, UnknownRemoteError,
} from "../../../src/errors.js";
import { captureLogs, errorsIn, Loopback } from "./_loopback.js";
import { createConnection } from "node:net";
import { defaultLogObserver, formatEvent, globalLogPublisher, type LogEvent } from "../../../src/logger.js";
import { Factory } from "../../../src/protocols/factory.js";
import { listenTCP } from "../../../src/node/tcp.js";
import { TestReactor, waitFor } from "../../node/_reactor.js";
import { connectAMP } from "./_interop-commands.js";

class ZeroDivision extends Error {}
class Overdrawn extends Error {}

const Sum = command({ commandName: "Sum", arguments: { a: Integer(), b: Integer() }, response: { total: Integer() } });
const Divide = command({
  commandName: "Divide",
  arguments: { numerator: Integer(), denominator: Integer() },
  response: { result: Float() },
  errors: { ZERO_DIVISION: ZeroDivision },
  fatalErrors: { OVERDRAWN: Overdrawn },
});
const Boom = command({ commandName: "Boom" });
const Notify = command({ commandName: "Notify", arguments: { text: Unicode() }, requiresAnswer: false });
const Missing = command({ commandName: "Missing" });

function calculator(): AMP {
  return new AMP()
    .responder(Sum, ({ a, b }) => ({ total: a + b }))
    .responder(Divide, ({ numerator, denominator }) => {
      if (numerator < 0) throw new Overdrawn("negative");
      if (denominator === 0) throw new ZeroDivision();
      return { result: numerator / denominator };
    })
    .responder(Boom, () => {
      throw new RangeError("kaboom");
    });
}

type Outcome = { ok: unknown } | { fail: Failure };
function outcome<T>(d: Deferred<T>): { value?: Outcome } {
  const box: { value?: Outcome } = {};
  d.addCallbacks((v) => void (box.value = { ok: v }), (f) => void (box.value = { fail: f }));
  return box;
}

test("callRemote fires with the typed response", () => {
  const net = new Loopback(new AMP(), calculator());
  const r = outcome((net.client as AMP).callRemote(Sum, { a: 13, b: 81 }));
  assert.equal(r.value, undefined, "no answer before the bytes move");
  net.pump();
  assert.deepEqual(r.value, { ok: { total: 94 } });
});

test("the first command on a connection is tagged 1, the next 2, in hex from there", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  client.callRemote(Sum, { a: 1, b: 2 });
  const first = amp.parseString(net.clientTransport.take())[0]!;
  assert.equal(Buffer.from(first.get("_ask")!).toString(), "1");
  for (let i = 0; i < 9; i++) client.callRemote(Sum, { a: 1, b: 2 });
  const boxes = amp.parseString(net.clientTransport.take());
  assert.equal(Buffer.from(boxes.at(-1)!.get("_ask")!).toString(), "a");
});

test("both sides can call each other on one connection, with interleaved answers", () => {
  const left = calculator();
  const right = calculator();
  const net = new Loopback(left, right);
  const a = outcome(left.callRemote(Sum, { a: 1, b: 2 }));
  const b = outcome(right.callRemote(Divide, { numerator: 1, denominator: 4 }));
  const c = outcome(left.callRemote(Sum, { a: 10, b: 20 }));
  net.pump(3);
  assert.deepEqual([a.value, b.value, c.value], [{ ok: { total: 3 } }, { ok: { result: 0.25 } }, { ok: { total: 30 } }]);
});

test("a responder may answer later with a Deferred or a Promise", async () => {
  const later = new Deferred<{ total: number }>();
  const server = new AMP().responder(Sum, () => later).responder(Divide, async ({ numerator }) => ({ result: numerator / 2 }));
  const net = new Loopback(new AMP(), server);
  const r = outcome((net.client as AMP).callRemote(Sum, { a: 1, b: 1 }));
  const p = (net.client as AMP).callRemote(Divide, { numerator: 3, denominator: 1 });
  net.pump();
  later.callback({ total: 7 });
  await Promise.resolve();
  net.pump();
  assert.deepEqual(r.value, { ok: { total: 7 } });
  assert.deepEqual(await p, { result: 1.5 });
});

test("a declared error reaches the caller as its class, with Twisted's box, and the connection is kept", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  client.callRemote(Sum, { a: 0, b: 0 });
  net.pump();
  const r = outcome(client.callRemote(Divide, { numerator: 1, denominator: 0 }));
  net.clientTransport.peerTransport!.protocol.dataReceived(net.clientTransport.take());
  const reply = amp.parseString(net.serverTransport.take())[0]!;
  assert.deepEqual(Object.fromEntries([...reply].map(([k, v]) => [k, Buffer.from(v).toString()])), {
    _error: "2",
    _error_code: "ZERO_DIVISION",
    _error_description: "",
  });
  client.dataReceived(amp.serializeBox(reply));
  assert.ok("fail" in r.value! && r.value.fail.value instanceof ZeroDivision);
  assert.equal(net.serverTransport.disconnecting, false);
  const again = outcome(client.callRemote(Sum, { a: 2, b: 2 }));
  net.pump();
  assert.deepEqual(again.value, { ok: { total: 4 } });
});

test("an undeclared error answers UNKNOWN, is logged, and the server drops the connection", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  let r: { value?: Outcome } = {};
  const logs = captureLogs(() => {
    r = outcome(client.callRemote(Boom, {}));
    net.serverTransport.protocol.dataReceived(net.clientTransport.take());
    const reply = amp.parseString(net.serverTransport.written[0]!)[0]!;
    assert.equal(Buffer.from(reply.get("_error_code")!).toString(), "UNKNOWN");
    assert.equal(Buffer.from(reply.get("_error_description")!).toString(), "Unknown Error");
    assert.equal(net.serverTransport.disconnecting, true);
    net.pump();
  });
  assert.ok("fail" in r.value! && r.value.fail.value instanceof UnknownRemoteError);
  assert.ok(errorsIn(logs).some((m) => m.includes("Boom")), "the server logs the responder's failure");
  assert.equal(net.clientTransport.disconnected, true);
});

test("a fatal declared error is sent, then the connection is dropped", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  const r = outcome(client.callRemote(Divide, { numerator: -1, denominator: 1 }));
  net.pump();
  assert.ok("fail" in r.value! && r.value.fail.value instanceof Overdrawn && r.value.fail.value.message === "negative");
  assert.equal(net.serverTransport.disconnected, true);
});

test("an unknown command answers UNHANDLED and the connection is kept", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  const r = outcome(client.callRemote(Missing, {}));
  net.pump();
  assert.ok("fail" in r.value! && r.value.fail.value instanceof UnhandledCommand);
  assert.equal((r.value.fail.value as UnhandledCommand).description, "Unhandled Command: b'Missing'");
  assert.equal(net.serverTransport.disconnecting, false);
  assert.equal(net.clientTransport.disconnecting, false);
});

test("an error nobody handled when it arrived is logged and drops the caller's connection", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  const d = client.callRemote(Divide, { numerator: 1, denominator: 0 });
  const logs = captureLogs(() => net.pump());
  assert.equal(net.clientTransport.disconnected, true);
  assert.ok(errorsIn(logs).some((m) => m.includes("add errbacks to ALL remote commands")));
  const late = outcome(d); // the unhandled-error errback already took the failure
  assert.deepEqual(late.value, { ok: undefined });
});

test("a command without requiresAnswer sends no _ask and gets no reply", () => {
  const seen: string[] = [];
  const server = new AMP().responder(Notify, ({ text }) => {
    seen.push(text);
    return {};
  });
  const client = new AMP();
  const net = new Loopback(client, server);
  const r: undefined = client.callRemote(Notify, { text: "hi" });
  assert.equal(r, undefined);
  const sent = amp.parseString(net.clientTransport.written[0]!)[0]!;
  assert.equal(sent.has("_ask"), false);
  net.pump();
  assert.deepEqual(seen, ["hi"]);
  assert.equal(net.serverTransport.written.length, 0);
});

test("arguments that do not decode answer UNKNOWN and drop the connection", () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  let r: { value?: Outcome } = {};
  captureLogs(() => {
    r = outcome(client.callRemoteString("Sum", amp.box({ a: "1", b: "two" }))!);
    net.pump();
  });
  const err = "fail" in r.value! ? r.value.fail.value : undefined;
  assert.ok(err instanceof RemoteAmpError && err.errorCode === "UNKNOWN");
  assert.equal(net.serverTransport.disconnected, true);
});

test("a responder's result that does not fit the response answers UNKNOWN and logs BadLocalReturn", () => {
  const server = new AMP().responder(Sum, () => ({ total: "many" }) as unknown as { total: number });
  const client = new AMP();
  const net = new Loopback(client, server);
  let r: { value?: Outcome } = {};
  const logs = captureLogs(() => {
    r = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
    net.pump();
  });
  assert.ok("fail" in r.value! && r.value.fail.value instanceof UnknownRemoteError);
  assert.ok(logs.some((e) => e.failure?.value instanceof BadLocalReturn));
  assert.equal(net.serverTransport.disconnected, true);
});

test("an answer that does not decode fails the call with AmpArgumentError", () => {
  const server = new AMP({ locator: { locateResponder: () => () => amp.box({ total: "NaN-ish" }) } });
  const client = new AMP();
  const net = new Loopback(client, server);
  const r = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
  net.pump();
  assert.ok("fail" in r.value! && r.value.fail.value instanceof AmpArgumentError);
  assert.equal(net.clientTransport.disconnecting, false, "handled by the caller: the connection stays");
});

for (const [what, bytes, errorClass] of [
  ["an empty box", new Uint8Array([0, 0]), NoEmptyBoxes],
  ["a box with no _command, _answer or _error", amp.serializeBox(amp.box({ hello: "world" })), NoEmptyBoxes],
  ["a key longer than 255 bytes", new Uint8Array([0x01, 0x00, 0x41]), TooLong],
  ["an answer to a tag never asked", amp.serializeBox(amp.box({ _answer: "99" })), MalformedAmpBox],
  ["an error box without a code", amp.serializeBox(amp.box({ _error: "1" })), MalformedAmpBox],
] as const) {
  test(`${what} drops that connection with a logged reason; other connections keep working`, () => {
    const victim = new AMP();
    const bystander = new AMP();
    const netA = new Loopback(victim, calculator());
    const netB = new Loopback(bystander, calculator());
    const pending = outcome(victim.callRemote(Sum, { a: 1, b: 1 }));
    netA.clientTransport.take(); // the server never sees the call
    const logs = captureLogs(() => {
      victim.dataReceived(bytes);
      victim.dataReceived(amp.serializeBox(amp.box({ _answer: "1", total: "2" }))); // ignored from now on
    });
    assert.ok(errorsIn(logs).some((m) => m.startsWith("Dropping AMP connection")), "logged");
    assert.equal(netA.clientTransport.disconnecting, true);
    netA.pump();
    assert.ok("fail" in pending.value! && pending.value.fail.value instanceof errorClass, `outstanding call fails with ${errorClass.name}`);
    const ok = outcome(bystander.callRemote(Sum, { a: 2, b: 3 }));
    netB.pump();
    assert.deepEqual(ok.value, { ok: { total: 5 } });
  });
}

test("losing the connection fails outstanding calls, and later calls fail at once", () => {
  const client = new AMP();
  const net = new Loopback(client, new AMP().responder(Sum, () => new Deferred<{ total: number }>()));
  const r = outcome(client.callRemote(Sum, { a: 1, b: 1 }));
  net.pump();
  net.clientTransport.loseConnection();
  net.pump();
  assert.ok("fail" in r.value! && r.value.fail.value instanceof ConnectionDone);
  const later = outcome(client.callRemote(Sum, { a: 1, b: 1 }));
  assert.ok("fail" in later.value! && later.value.fail.value instanceof ConnectionDone);
  assert.equal(client.outstandingCalls, 0);
});

test("callRemote with a missing or undeclared argument fails with InvalidSignature", () => {
  const client = new AMP();
  new Loopback(client, calculator());
  const missing = outcome(client.callRemote(Sum, { a: 1 } as unknown as { a: number; b: number }));
  const extra = outcome(client.callRemote(Sum, { a: 1, b: 2, c: 3 } as unknown as { a: number; b: number }));
  assert.ok("fail" in missing.value! && missing.value.fail.value instanceof InvalidSignature);
  assert.ok("fail" in extra.value! && extra.value.fail.value instanceof InvalidSignature);
});

test("a CommandLocator serves many connections; command types are checked by the compiler", () => {
  const locator = new CommandLocator().responder(Sum, ({ a, b }) => ({ total: a * 100 + b }));
  const client = new AMP();
  const net = new Loopback(client, new AMP({ locator }));
  const r = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
  net.pump();
  assert.deepEqual(r.value, { ok: { total: 102 } });
  if (r.value === undefined) {
    // Never runs: compile-time checks only.
    // @ts-expect-error b must be a number
    client.callRemote(Sum, { a: 1, b: "2" });
    // @ts-expect-error the response has no field `sum`
    client.callRemote(Sum, { a: 1, b: 2 }).addCallback((x) => x.sum);
    // @ts-expect-error a responder must return the response shape
    locator.responder(Sum, () => ({ totl: 1 }));
  }
});

test("an error delivered to an awaiting caller counts as handled: the connection is kept", async () => {
  const client = new AMP();
  const net = new Loopback(client, calculator());
  const p = client.callRemote(Divide, { numerator: 1, denominator: 0 }).asPromise();
  await Promise.resolve();
  net.pump();
  await assert.rejects(p, ZeroDivision);
  assert.equal(net.clientTransport.disconnecting, false);
});

test("@Command.responder registers a method of an AMP subclass, bound to each instance", () => {
  class Calculator extends AMP {
    offset = 1000;
    @Sum.responder
    sum({ a, b }: { a: number; b: number }) {
      return { total: a + b + this.offset };
    }
    @Divide.responder
    divide({ numerator, denominator }: { numerator: number; denominator: number }) {
      return { result: numerator / denominator };
    }
  }
  const client = new AMP();
  const net = new Loopback(client, new Calculator());
  const r = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
  const q = outcome(client.callRemote(Divide, { numerator: 1, denominator: 8 }));
  net.pump();
  assert.deepEqual([r.value, q.value], [{ ok: { total: 1003 } }, { ok: { result: 0.125 } }]);
  if (r.value === undefined) {
    class Wrong extends AMP {
      // @ts-expect-error the method must return Sum's response shape
      @Sum.responder
      sum() {
        return { totl: 1 };
      }
    }
    void Wrong;
  }
});

test("fuzz: mutated command boxes never escape dataReceived; each connection either answers or drops itself", () => {
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const valid = [
    amp.serializeBox(amp.box({ _command: "Sum", _ask: "1", a: "1", b: "2" })),
    amp.serializeBox(amp.box({ _command: "Divide", _ask: "1", numerator: "1", denominator: "0" })),
    amp.serializeBox(amp.box({ _answer: "1", total: "3" })),
    amp.serializeBox(amp.box({ _error: "1", _error_code: "X", _error_description: "d" })),
  ];
  captureLogs(() => {
    for (let run = 0; run < 300; run++) {
      const bytes = Uint8Array.from(valid[Math.floor(rand() * valid.length)]!);
      for (let m = 0, n = 1 + Math.floor(rand() * 4); m < n; m++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const server = calculator();
      const net = new Loopback(new AMP(), server);
      assert.doesNotThrow(() => server.dataReceived(bytes), `run ${run}`);
      assert.doesNotThrow(() => net.pump(), `run ${run}`);
    }
  });
});

// REAL-SOCKET TEST (127.0.0.1): a client sending garbage is dropped; the server keeps serving others.
test("over TCP, a peer sending a too-long key is disconnected while other clients keep being served", { timeout: 10_000 }, async () => {
  const reactor = new TestReactor();
  class SumServer extends AMP {
    constructor() {
      super();
      this.responder(Sum, ({ a, b }) => ({ total: a + b }));
    }
  }
  const port = listenTCP(reactor, 0, Factory.forProtocol(SumServer), { interface: "127.0.0.1" });
  const portNumber = (port.getHost() as { port: number }).port;
  const events: string[] = [];
  const obs = (e: LogEvent): void => void events.push(formatEvent(e));
  try {
    const good = await connectAMP(reactor, portNumber);
    let closed = false;
    const raw = createConnection(portNumber, "127.0.0.1");
    raw.on("close", () => (closed = true));
    raw.on("error", () => {});
    await new Promise((r) => raw.on("connect", r));
    globalLogPublisher.removeObserver(defaultLogObserver);
    globalLogPublisher.addObserver(obs);
    raw.write(Buffer.from([0x01, 0x00, 0x41]));
    await waitFor(() => closed, 5000, "the garbage connection to close");
    assert.ok(events.some((l) => /Dropping AMP connection .*Remote key too long: 256 bytes/.test(l)), events.join("\n"));
    assert.deepEqual(await good.callRemote(Sum, { a: 20, b: 22 }), { total: 42 });
    good.transport.loseConnection();
  } finally {
    globalLogPublisher.removeObserver(obs);
    globalLogPublisher.addObserver(defaultLogObserver);
    await port.stopListening();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
});
