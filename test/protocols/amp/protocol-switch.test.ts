import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AMP, Integer, ProtocolSwitchCommand, Unicode, command, parseString, serializeBox, box,
  type CallParameters, type CallResult, type Command, type ProtocolSwitchFactory,
} from "../../../src/protocols/amp/index.js";
import { Deferred } from "../../../src/deferred.js";
import { Failure } from "../../../src/failure.js";
import { ConnectionDone, ConnectionLost, ProtocolSwitched, UnhandledCommand, UnknownRemoteError } from "../../../src/errors.js";
import type { IConnector, IProtocol } from "../../../src/interfaces.js";
import type { IAddress } from "../../../src/protocols/address.js";
import { ClientFactory } from "../../../src/protocols/factory.js";
import { Protocol } from "../../../src/protocols/protocol.js";
import { connectionPair } from "../../../src/testing/loopback.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { assertNoLoggedErrors, captureLogs } from "../../../src/testing/log-capture.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

class Refused extends Error {}

/** Switches to a line-echo protocol; `name` picks the greeting the responder's protocol sends. */
const SwitchToEcho = ProtocolSwitchCommand({
  commandName: "SwitchToEcho",
  arguments: { name: Unicode() },
  errors: { REFUSED: Refused },
});
const Sum = command({ commandName: "Sum", arguments: { a: Integer(), b: Integer() }, response: { total: Integer() } });
const Notify = command({ commandName: "Notify", arguments: { text: Unicode() }, requiresAnswer: false });

/** Records what it is told; writes `greeting` on connectionMade when given one. */
class Recorder extends Protocol {
  made = 0;
  readonly chunks: string[] = [];
  readonly lost: Failure[] = [];
  constructor(private readonly greeting = "") {
    super();
  }
  override connectionMade(): void {
    this.made++;
    if (this.greeting) this.transport.write(enc.encode(this.greeting));
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(dec.decode(data));
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost.push(reason);
  }
  get text(): string {
    return this.chunks.join("");
  }
}

/** Echoes everything back, after a greeting. */
class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

/** The caller's factory: builds Recorders and records what it hears. */
class RecordingFactory implements ProtocolSwitchFactory {
  readonly built: Recorder[] = [];
  readonly addrs: IAddress[] = [];
  readonly failed: [IConnector | null, Failure][] = [];
  readonly lost: [IConnector | null, Failure][] = [];
  buildProtocol(addr: IAddress): IProtocol | null {
    const p = new Recorder();
    this.built.push(p);
    this.addrs.push(addr);
    return p;
  }
  clientConnectionFailed(connector: IConnector | null, reason: Failure): void {
    this.failed.push([connector, reason]);
  }
  clientConnectionLost(connector: IConnector | null, reason: Failure): void {
    this.lost.push([connector, reason]);
  }
}

type Outcome = { ok: unknown } | { fail: Failure };
function outcome<T>(d: Deferred<T>): { value?: Outcome } {
  const o: { value?: Outcome } = {};
  d.addCallbacks((v) => void (o.value = { ok: v }), (f) => void (o.value = { fail: f }));
  return o;
}

function failureOf(o: { value?: Outcome }): unknown {
  assert.ok(o.value && "fail" in o.value, `expected a failure, got ${JSON.stringify(o.value)}`);
  return o.value.fail.value;
}

/** A server AMP whose SwitchToEcho responder switches to an Echo greeting with "hello <name>\n". */
function echoServer(): { server: AMP; switched: Echo[] } {
  const switched: Echo[] = [];
  const server = new AMP()
    .responder(Sum, ({ a, b }) => ({ total: a + b }))
    .responder(SwitchToEcho, ({ name }) => {
      if (name === "nobody") throw new Refused("no switch for nobody");
      const p = new Echo(`hello ${name}\n`);
      switched.push(p);
      return p;
    });
  return { server, switched };
}

test("a ProtocolSwitchCommand switches both sides; the connection then carries the new protocols' bytes", () => {
  const { server, switched } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "reed" }, factory));
  pair.pump();

  assert.deepEqual(call.value, { ok: {} }, "the call fires with the empty response");
  assert.equal(switched.length, 1);
  assert.equal(server.innerProtocol, switched[0]);
  assert.equal(server.innerProtocolClientFactory, null, "the responding side has no client factory");
  assert.equal(factory.built.length, 1);
  const inner = factory.built[0]!;
  assert.equal(client.innerProtocol, inner);
  assert.equal(client.innerProtocolClientFactory, factory);
  assert.equal(String(factory.addrs[0]), String(pair.clientTransport.getPeer()), "buildProtocol gets the peer's address");
  assert.equal(inner.made, 1);
  assert.equal(inner.transport, pair.clientTransport, "the new protocol gets the same transport");
  assert.equal(switched[0]!.transport, pair.serverTransport);
  assert.equal(inner.text, "hello reed\n", "the responder's new protocol spoke first");

  // Bytes that look like an AMP box are just bytes now.
  const amp = serializeBox(box({ _command: "Sum", _ask: "9", a: "1", b: "2" }));
  inner.transport.write(amp);
  pair.pump();
  assert.deepEqual(enc.encode(switched[0]!.chunks.join("")).length, amp.length);
  assert.equal(inner.text, "hello reed\n" + dec.decode(amp), "echoed back by the new protocol, not answered by AMP");
  assert.equal(server.outstandingCalls, 0);
});

test("the caller is locked from the moment it sends the switch: calls fail and boxes are refused with ProtocolSwitched", () => {
  const { server } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client);
  client.callRemote(SwitchToEcho, { name: "reed" }, new RecordingFactory());

  const early = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
  const e = failureOf(early);
  assert.ok(e instanceof ProtocolSwitched);
  assert.equal((e as ProtocolSwitched).code, "ERR_REED_AMP_PROTOCOL_SWITCHED");
  assert.match((e as Error).message, /^No AMP traffic allowed: the connection is switching to another protocol/);
  assert.throws(() => client.callRemote(Notify, { text: "x" }), ProtocolSwitched, "a call without an answer throws it");
  assert.throws(() => client.sendBox(box({ _command: "Sum", a: "1", b: "2" })), ProtocolSwitched);
  assert.ok(failureOf(outcome(client.callRemote(SwitchToEcho, { name: "again" }, new RecordingFactory()))) instanceof ProtocolSwitched);

  pair.pump();
  assert.notEqual(client.innerProtocol, null);
  const after = failureOf(outcome(client.callRemote(Sum, { a: 1, b: 2 })));
  assert.ok(after instanceof ProtocolSwitched);
  assert.equal((after as Error).message, "No AMP traffic allowed: the connection has switched to another protocol");
  assert.throws(() => server.sendBox(box({ _command: "Sum" })), ProtocolSwitched, "the responder side is locked after switching");
  assert.ok(failureOf(outcome(server.callRemote(Sum, { a: 1, b: 2 }))) instanceof ProtocolSwitched);
});

test("bytes after the answer in the same chunk go to the new protocol, none lost or duplicated", () => {
  const client = new AMP();
  const t = new StringTransport();
  client.makeConnection(t);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "reed" }, factory));
  const sent = parseString(t.value());
  assert.equal(sent.length, 1);
  assert.equal(dec.decode(sent[0]!.get("_command")), "SwitchToEcho");
  assert.equal(dec.decode(sent[0]!.get("name")), "reed");
  t.clear();

  const answer = serializeBox(box({ _answer: "1" }));
  const tail = serializeBox(box({ _answer: "1" })); // would be a second answer if AMP still parsed
  const chunk = new Uint8Array([...answer, ...enc.encode("first|"), ...tail]);
  const logs = captureLogs();
  try {
    client.dataReceived(chunk);
  } finally {
    assertNoLoggedErrors(logs);
  }
  assert.equal(t.disconnecting, false, "AMP did not parse the tail as a (malformed) answer");
  assert.deepEqual(call.value, { ok: {} });
  const inner = factory.built[0]!;
  assert.deepEqual(inner.chunks, ["first|" + dec.decode(tail)], "the rest of the chunk, once, in order");
  client.dataReceived(enc.encode("second"));
  assert.deepEqual(inner.chunks, ["first|" + dec.decode(tail), "second"]);
  assert.equal(t.value().length, 0, "AMP wrote nothing more");
});

test("an answer split across chunks switches on its last byte and the next bytes go to the new protocol", () => {
  const client = new AMP();
  const t = new StringTransport();
  client.makeConnection(t);
  const factory = new RecordingFactory();
  client.callRemote(SwitchToEcho, { name: "reed" }, factory);
  const bytes = new Uint8Array([...serializeBox(box({ _answer: "1" })), ...enc.encode("xyz")]);
  for (const b of bytes) client.dataReceived(new Uint8Array([b]));
  assert.equal(factory.built[0]!.text, "xyz");
  assert.deepEqual(factory.built[0]!.chunks, ["x", "y", "z"]);
});

test("byte-by-byte delivery both ways still switches cleanly, and the greeting arrives whole", () => {
  const { server, switched } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client, { faults: { maxChunkSize: 1 } });
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "bytes" }, factory));
  pair.pump();
  assert.deepEqual(call.value, { ok: {} });
  factory.built[0]!.transport.write(enc.encode("ping"));
  pair.pump();
  assert.equal(factory.built[0]!.text, "hello bytes\nping");
  assert.equal(switched[0]!.text, "ping");
});

test("an error answer unlocks the caller, calls clientConnectionFailed with ConnectionLost, and fails the call with the declared error", () => {
  const { server } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "nobody" }, factory));
  pair.pump();
  const e = failureOf(call);
  assert.ok(e instanceof Refused);
  assert.equal((e as Error).message, "no switch for nobody");
  assert.equal(factory.built.length, 0, "no protocol was built");
  assert.equal(factory.failed.length, 1);
  assert.equal(factory.failed[0]![0], null, "no connector, as in Twisted");
  assert.ok(factory.failed[0]![1].value instanceof ConnectionLost);
  assert.equal(client.innerProtocol, null);
  assert.equal(server.innerProtocol, null);

  const sum = outcome(client.callRemote(Sum, { a: 2, b: 3 }));
  pair.pump();
  assert.deepEqual(sum.value, { ok: { total: 5 } }, "AMP works again after the refusal");
});

test("a peer without a responder fails the switch with UnhandledCommand and the caller unlocks", () => {
  const server = new AMP().responder(Sum, ({ a, b }) => ({ total: a + b }));
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "x" }, factory));
  pair.pump();
  assert.ok(failureOf(call) instanceof UnhandledCommand);
  assert.equal(factory.failed.length, 1);
  const sum = outcome(client.callRemote(Sum, { a: 1, b: 1 }));
  pair.pump();
  assert.deepEqual(sum.value, { ok: { total: 2 } });
});

test("a connection lost before the answer fails the call with the loss and calls clientConnectionFailed", () => {
  const client = new AMP();
  const t = new StringTransport();
  client.makeConnection(t);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "x" }, factory));
  client.connectionLost(new Failure(new ConnectionDone()));
  assert.ok(failureOf(call) instanceof ConnectionDone);
  assert.equal(factory.failed.length, 1);
  assert.ok(factory.failed[0]![1].value instanceof ConnectionLost);
  assert.equal(factory.lost.length, 0);
  // A switch on a connection already lost fails at once and leaves nothing locked.
  const late = new RecordingFactory();
  assert.ok(failureOf(outcome(client.callRemote(SwitchToEcho, { name: "y" }, late))) instanceof ConnectionDone);
  assert.equal(late.failed.length, 1);
});

test("after the switch the connection's loss goes to the new protocol and to the factory's clientConnectionLost", () => {
  const { server, switched } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client);
  // A call the server made before the switch is never answered (the client is locked): it fails with the loss.
  const pending = outcome(server.callRemote(Sum, { a: 1, b: 2 }));
  const factory = new RecordingFactory();
  client.callRemote(SwitchToEcho, { name: "reed" }, factory);
  pair.pump();
  assert.notEqual(client.innerProtocol, null);
  assert.equal(pending.value, undefined, "the client's answer was dropped while it was locked");
  assert.equal(server.outstandingCalls, 1);

  pair.clientTransport.loseConnection();
  pair.pump();
  const inner = factory.built[0]!;
  assert.equal(inner.lost.length, 1);
  assert.ok(inner.lost[0]!.value instanceof ConnectionDone);
  assert.equal(factory.lost.length, 1);
  assert.equal(factory.lost[0]![0], null);
  assert.equal(factory.lost[0]![1], inner.lost[0]);
  assert.equal(switched[0]!.lost.length, 1, "the responder's new protocol hears the loss too");
  assert.ok(failureOf(pending) instanceof ConnectionDone);
});

test("a responder may answer later with a Deferred; the switch happens when the answer is sent", () => {
  const later = new Deferred<IProtocol>();
  const server = new AMP().responder(SwitchToEcho, () => later);
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory = new RecordingFactory();
  const call = outcome(client.callRemote(SwitchToEcho, { name: "x" }, factory));
  pair.pump();
  assert.equal(call.value, undefined);
  assert.equal(server.innerProtocol, null);
  const echo = new Echo("late hello");
  later.callback(echo);
  assert.equal(server.innerProtocol, echo, "switched right after writing the answer");
  pair.pump();
  assert.deepEqual(call.value, { ok: {} });
  assert.equal(factory.built[0]!.text, "late hello");
});

test("a decorated responder method and a reed ClientFactory work as the two halves of a switch", () => {
  class Server extends AMP {
    readonly made: Echo[] = [];
    @SwitchToEcho.responder
    switchToEcho({ name }: { name: string }): IProtocol {
      const p = new Echo(`hi ${name}`);
      this.made.push(p);
      return p;
    }
  }
  const server = new Server();
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory = ClientFactory.forProtocol(Recorder);
  const call = outcome(client.callRemote(SwitchToEcho, { name: "deco" }, factory));
  pair.pump();
  assert.deepEqual(call.value, { ok: {} });
  assert.equal(server.innerProtocol, server.made[0]);
  assert.ok(client.innerProtocol instanceof Recorder);
  assert.equal((client.innerProtocol as Recorder).text, "hi deco");
  assert.equal((client.innerProtocol as Recorder).factory, factory);
});

test("a responder that returns no protocol sends UNKNOWN and drops the connection; the caller unlocks", () => {
  const logs = captureLogs();
  try {
    const server = new AMP().responder(SwitchToEcho, () => ({}) as unknown as IProtocol);
    const client = new AMP();
    const pair = connectionPair(server, client);
    const factory = new RecordingFactory();
    const call = outcome(client.callRemote(SwitchToEcho, { name: "x" }, factory));
    pair.pump();
    assert.ok(failureOf(call) instanceof UnknownRemoteError);
    assert.equal(factory.failed.length, 1);
    assert.equal(server.innerProtocol, null);
    assert.equal(server.connected, false, "the responding side hung up");
    const logged = logs.flushLoggedErrors();
    assert.ok(logged.some((f) => /must return the protocol to switch to/.test(f.getErrorMessage())), logged.map((f) => f.getErrorMessage()).join("\n"));
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("a caller's factory that refuses to build a protocol drops the connection and fails the call", () => {
  const { server } = echoServer();
  const client = new AMP();
  const pair = connectionPair(server, client);
  const factory: ProtocolSwitchFactory = { buildProtocol: () => null };
  const call = outcome(client.callRemote(SwitchToEcho, { name: "x" }, factory));
  pair.pump();
  const e = failureOf(call);
  assert.ok(e instanceof TypeError);
  assert.match((e as Error).message, /buildProtocol returned null/);
  assert.equal(client.connected, false);
  assert.equal(client.innerProtocol, null);
});

test("a switch called without a factory (from untyped code) fails at once and sends nothing", () => {
  const client = new AMP();
  const t = new StringTransport();
  client.makeConnection(t);
  const untyped = client.callRemote as (cmd: unknown, args: unknown) => Deferred<unknown>;
  const e = failureOf(outcome(untyped.call(client, SwitchToEcho, { name: "x" })));
  assert.ok(e instanceof TypeError);
  assert.match((e as Error).message, /needs a factory with buildProtocol/);
  assert.equal(t.value().length, 0);
  const sum = outcome(client.callRemote(Sum, { a: 1, b: 2 }));
  assert.equal(sum.value, undefined, "not locked: the call went out");
  assert.equal(parseString(t.value()).length, 1);
});

test("callRemote of a ProtocolSwitchCommand needs the factory, and its responder returns a protocol (types)", () => {
  const client = new AMP();
  const typeChecksOnly = (): void => {
    // @ts-expect-error: a ProtocolSwitchCommand call without its factory does not compile
    client.callRemote(SwitchToEcho, { name: "x" });
    // @ts-expect-error: nor does a plain command given a factory
    client.callRemote(Sum, { a: 1, b: 2 }, new RecordingFactory());
    // @ts-expect-error: its responder must return a protocol, not a response object
    client.responder(SwitchToEcho, () => ({ total: 1 }));
  };
  assert.equal(typeof typeChecksOnly, "function");
  // A generic wrapper forwards CallParameters<C> (both kinds of command).
  function call<C extends Command>(amp: AMP, cmd: C, ...params: CallParameters<C>): CallResult<C> {
    return amp.callRemote(cmd, ...params);
  }
  const pair = connectionPair(echoServer().server, client);
  const sum = outcome(call(client, Sum, { a: 1, b: 2 }));
  const factory = new RecordingFactory();
  const switched = outcome(call(client, SwitchToEcho, { name: "w" }, factory));
  pair.pump();
  assert.deepEqual(sum.value, { ok: { total: 3 } });
  assert.deepEqual(switched.value, { ok: {} });
  assert.equal(client.innerProtocol, factory.built[0]);
  assert.equal(SwitchToEcho.switchesProtocol, true);
  assert.equal(SwitchToEcho.requiresAnswer, true);
  assert.deepEqual(SwitchToEcho.response, {});
  assert.ok(Object.isFrozen(SwitchToEcho));
  assert.throws(() => ProtocolSwitchCommand({ commandName: "" }), TypeError);
});

test("when the caller's factory refuses, the rest of the answer's chunk (the peer's new protocol) is not parsed as AMP", () => {
  let sums = 0;
  const client = new AMP().responder(Sum, ({ a, b }) => (sums++, { total: a + b }));
  const t = new StringTransport();
  client.makeConnection(t);
  const call = outcome(client.callRemote(SwitchToEcho, { name: "reed" }, { buildProtocol: () => null }));
  t.clear();
  // The peer switched on sending its answer; what follows is its new protocol's, even if it
  // happens to look like an AMP command.
  const chunk = new Uint8Array([...serializeBox(box({ _answer: "1" })), ...serializeBox(box({ _command: "Sum", _ask: "1", a: "1", b: "2" }))]);
  client.dataReceived(chunk);
  assert.ok(failureOf(call) instanceof TypeError);
  assert.equal(t.disconnecting, true);
  assert.equal(sums, 0, "the peer's new-protocol bytes reached an AMP responder");
});
