// MemoryTransport (one end of a MemoryNetwork connection): when connectionLost comes, and that
// nothing is delivered after loseConnection(). Deterministic: everything runs on the network's clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryNetwork } from "../../src/testing/network.js";
import type { MemoryTransport } from "../../src/testing/memory-transport.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import type { Failure } from "../../src/failure.js";
import type { IPullProducer } from "../../src/interfaces.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";

const enc = (s: string) => new TextEncoder().encode(s);

class Quiet extends Protocol {}

/** A server factory whose `buildProtocol` calls `make`. */
function serving(make: () => Protocol): Factory {
  const f = new Factory();
  f.buildProtocol = () => make();
  return f;
}

/** A protocol that logs its events, marking which happened inside one of its own transport calls. */
class Events extends Protocol {
  log: string[] = [];
  inCall = false;
  call(name: string, fn: () => void): void {
    this.inCall = true;
    try {
      fn();
    } finally {
      this.inCall = false;
    }
    this.log.push(`${name} returned`);
  }
  override dataReceived(): void {
    this.log.push("data");
  }
  readConnectionLost(): void {
    this.log.push(`readConnectionLost${this.inCall ? " (inside the call)" : ""}`);
  }
  writeConnectionLost(): void {
    this.log.push(`writeConnectionLost${this.inCall ? " (inside the call)" : ""}`);
  }
  override connectionLost(reason: Failure): void {
    this.log.push(`connectionLost ${reason.typeName}${this.inCall ? " (inside the call)" : ""}`);
  }
}

/** One established connection: the server end's protocol is `server`, the client's `client`. */
function connected<S extends Protocol>(server: S): { net: MemoryNetwork; server: S; st: MemoryTransport; ct: MemoryTransport } {
  const net = new MemoryNetwork();
  net.listenTCP(8000, serving(() => server));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Quiet));
  net.run();
  const c = net.connections[0]!;
  return { net, server, st: c.server, ct: c.client };
}

test("loseConnection with nothing queued calls connectionLost later, on the clock, never inside the call", () => {
  const { net, server, st } = connected(new Events());
  server.call("loseConnection", () => st.loseConnection());
  assert.deepEqual(server.log, ["loseConnection returned"]);
  assert.equal(st.disconnecting, true);
  assert.equal(st.connected, true);
  net.run();
  assert.deepEqual(server.log, ["loseConnection returned", "connectionLost ConnectionDone"]);
  assert.equal(st.connected, false);
});

test("abortConnection calls connectionLost(ConnectionAborted) on the next clock step; writes after it go nowhere", () => {
  const { net, server, st } = connected(new Events());
  let clientGot = 0;
  st.peerTransport!.protocol!.dataReceived = () => void clientGot++;
  server.call("abortConnection", () => st.abortConnection());
  st.write(enc("too late"));
  assert.deepEqual(server.log, ["abortConnection returned"]);
  assert.equal(st.disconnecting, true);
  net.run();
  assert.deepEqual(server.log, ["abortConnection returned", "connectionLost ConnectionAborted"]);
  assert.equal(clientGot, 0);
});

test("loseWriteConnection tells a half-closeable protocol writeConnectionLost later, not inside the call", () => {
  const { net, server, st } = connected(new Events());
  server.call("loseWriteConnection", () => st.loseWriteConnection());
  assert.deepEqual(server.log, ["loseWriteConnection returned"]);
  net.run();
  assert.deepEqual(server.log.slice(0, 2), ["loseWriteConnection returned", "writeConnectionLost"]);
});

test("unregisterProducer after loseWriteConnection lets the half-close held by a pull producer happen, later", () => {
  const { net, server, st } = connected(new Events());
  const producer: IPullProducer = { resumeProducing() {}, stopProducing() {} };
  st.registerProducer(producer, false);
  st.loseWriteConnection();
  net.run();
  assert.deepEqual(server.log, []); // the write side waits for the pull producer
  server.call("unregisterProducer", () => st.unregisterProducer());
  assert.deepEqual(server.log, ["unregisterProducer returned"]);
  net.run();
  assert.deepEqual(server.log.slice(0, 2), ["unregisterProducer returned", "writeConnectionLost"]);
});

test("after loseConnection nothing more is delivered, though the peer keeps sending", () => {
  const { net, server, st, ct } = connected(new Events());
  ct.write(enc("one"));
  net.run();
  assert.deepEqual(server.log, ["data"]);
  st.loseConnection();
  ct.write(enc("two"));
  ct.write(enc("three"));
  net.run();
  assert.deepEqual(server.log, ["data", "connectionLost ConnectionDone"]);
});

test("a line receiver given an overlong line in many chunks closes once and logs the reason once", () => {
  class Lines extends LineReceiver {
    override MAX_LENGTH = 10;
    lines: string[] = [];
    override lineReceived(line: Uint8Array): void {
      this.lines.push(new TextDecoder().decode(line));
    }
  }
  const net = new MemoryNetwork({ seed: 3, faults: { maxChunkSize: 4, latency: [0.001, 0.01] } });
  const servers: Lines[] = [];
  net.listenTCP(8000, serving(() => servers[servers.push(new Lines()) - 1]!));
  class Flood extends Protocol {
    override connectionMade(): void {
      for (let i = 0; i < 20; i++) this.transport.write(enc("x".repeat(25)));
      this.transport.write(enc("\nshort\n"));
    }
  }
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Flood));
  const logs = captureLogs();
  net.run();
  const tooLong = logs.events.filter((e) => e.format.startsWith("Line too long"));
  assertNoLoggedErrors(logs);
  assert.equal(tooLong.length, 1);
  assert.deepEqual(servers[0]!.lines, []);
  assert.equal(net.connections.length, 0);
});

test("abortConnection right after loseConnection (or loseWriteConnection) still aborts: ConnectionAborted here, a reset at the peer", () => {
  for (const first of ["loseConnection", "loseWriteConnection"] as const) {
    const { net, server, st, ct } = connected(new Events());
    const client = new Events();
    ct.protocol = client;
    st[first]();
    st.abortConnection();
    net.run();
    assert.deepEqual(server.log, ["connectionLost ConnectionAborted"], first);
    assert.deepEqual(client.log, ["connectionLost ConnectionLost"], first);
  }
});

test("a producer raising in stopProducing at the close is logged; the protocol still gets connectionLost", () => {
  const { net, server, st } = connected(new Events());
  st.registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => { throw new Error("boom"); } }, true);
  st.loseConnection();
  const logs = captureLogs();
  net.run();
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
  assert.deepEqual(server.log, ["connectionLost ConnectionDone"]);
  assert.equal(net.connections.length, 0);
});

test("a pull producer raising in resumeProducing drops the connection (logged), as on TCP", () => {
  const { net, server, st } = connected(new Events());
  let asked = 0;
  const pull: IPullProducer = {
    resumeProducing: () => {
      if (++asked === 1) st.write(enc("chunk"));
      else throw new Error("boom");
    },
    stopProducing() {},
  };
  st.registerProducer(pull, false);
  const logs = captureLogs();
  net.run();
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
  assert.equal(asked, 2);
  assert.deepEqual(server.log, ["connectionLost Error"]);
});
