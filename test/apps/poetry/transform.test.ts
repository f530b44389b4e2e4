import { test } from "node:test";
import assert from "node:assert/strict";
import { TransformFactory, TransformProxy } from "../../../src/apps/poetry/transform.js";
import { encodeNetstring } from "../../../src/apps/poetry/_netstring.js";
import { ConnectionRefusedError, TransformFailed } from "../../../src/errors.js";
import type { Failure } from "../../../src/failure.js";
import { defaultLogObserver, globalLogPublisher, type LogEvent } from "../../../src/logger.js";
import { Protocol } from "../../../src/protocols/protocol.js";
import { ClientFactory } from "../../../src/protocols/factory.js";
import { MemoryNet, type MemoryTransport } from "./_memory-net.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Connects a raw client that writes `bytes` and records what comes back. */
function rawRequest(net: MemoryNet, port: number, bytes: Uint8Array): { reply: () => string; closed: () => boolean } {
  let transport: MemoryTransport | null = null;
  class Raw extends Protocol {
    override connectionMade(): void {
      transport = this.transport as MemoryTransport;
      this.transport.write(bytes);
    }
  }
  const factory = new ClientFactory();
  factory.protocol = Raw;
  net.connectTCP("127.0.0.1", port, factory);
  net.run(0.1);
  return {
    reply: () => (transport ? transport.peerEnd!.text() : ""),
    closed: () => transport?.closed === true,
  };
}

function captureLogs(): { events: LogEvent[]; stop: () => void } {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.addObserver(obs);
  globalLogPublisher.removeObserver(defaultLogObserver); // keep the test output quiet
  return {
    events,
    stop: () => {
      globalLogPublisher.removeObserver(obs);
      globalLogPublisher.addObserver(defaultLogObserver);
    },
  };
}

test("the transform server cummingsifies a poem and closes the connection", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  const r = rawRequest(net, 11000, encodeNetstring(enc("cummingsify.Hello World")));
  assert.equal(r.reply(), "11:hello world,");
  assert.equal(r.closed(), true);
});

test("an unknown transform closes the connection without a reply, and is logged", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  const logs = captureLogs();
  try {
    const r = rawRequest(net, 11000, encodeNetstring(enc("byronificate.Hello")));
    assert.equal(r.reply(), "");
    assert.equal(r.closed(), true);
    assert.ok(logs.events.some((e) => e.format.includes("No such transform") && e.fields.name === '"byronificate"'));
  } finally {
    logs.stop();
  }
});

test("a request without a transform name closes the connection without a reply", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  const logs = captureLogs();
  try {
    const r = rawRequest(net, 11000, encodeNetstring(enc("no dot here")));
    assert.equal(r.reply(), "");
    assert.equal(r.closed(), true);
    assert.ok(logs.events.some((e) => e.format.startsWith("Malformed transform request")));
  } finally {
    logs.stop();
  }
});

test("bytes that are not a netstring close the connection without a reply", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  const logs = captureLogs();
  try {
    const r = rawRequest(net, 11000, enc("hello there, not a netstring"));
    assert.equal(r.reply(), "");
    assert.equal(r.closed(), true);
  } finally {
    logs.stop();
  }
});

test("TransformProxy.xform fires with the transformed poem", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  let got: string | undefined;
  new TransformProxy(net, "127.0.0.1", 11000).xform("cummingsify", "ÉCSTASY Of Donne").addCallback((p) => (got = p));
  net.run(0.1);
  assert.equal(got, "écstasy of donne");
});

test("TransformProxy.xform fails with TransformFailed when the server replies nothing", () => {
  const net = new MemoryNet();
  net.listenTCP(11000, new TransformFactory());
  const logs = captureLogs();
  let err: Failure | undefined;
  new TransformProxy(net, "127.0.0.1", 11000).xform("nosuch", "poem").addErrback((f) => {
    err = f;
  });
  net.run(0.1);
  logs.stop();
  assert.ok(err?.check(TransformFailed));
});

test("TransformProxy.xform fails with the connection error when no server listens", () => {
  const net = new MemoryNet();
  let err: Failure | undefined;
  new TransformProxy(net, "127.0.0.1", 11000).xform("cummingsify", "poem").addErrback((f) => {
    err = f;
  });
  net.run(0.1);
  assert.ok(err?.check(ConnectionRefusedError));
});
