// Real-socket tests on 127.0.0.1 (and ::1 when available): every port and connection is closed
// by the end of each test, and every test is bounded by node:test's timeout.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { listenTCP, connectTCP } from "../../src/node/tcp.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { Failure } from "../../src/failure.js";
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  NotConnectingError,
  CannotListenError,
  TimeoutError,
  UserError,
  ProducerAlreadyRegistered,
} from "../../src/errors.js";
import { defaultLogObserver, globalLogPublisher, type LogEvent } from "../../src/logger.js";
import type { IConnector, IPushProducer } from "../../src/interfaces.js";
import { IPv4Address, IPv6Address } from "../../src/protocols/address.js";
import { sleep, TestReactor, waitFor } from "./_reactor.js";
import { dec, Echo, enc, Recorder, RecordingClientFactory, RecordingServerFactory } from "./_protocols.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import type { Connection } from "../../src/node/connection.js";


function captureLog(): { events: LogEvent[]; stop(): void } {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent) => events.push(e);
  globalLogPublisher.removeObserver(defaultLogObserver);
  globalLogPublisher.addObserver(obs);
  return {
    events,
    stop: () => {
      globalLogPublisher.removeObserver(obs);
      globalLogPublisher.addObserver(defaultLogObserver);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test("listenTCP binds at once: getHost() has the real port and the factory has started", async () => {
  const r = new TestReactor();
  const f = new RecordingServerFactory(Echo);
  const port = listenTCP(r, 0, f, { interface: "127.0.0.1" });
  const host = port.getHost();
  assert.ok(host instanceof IPv4Address);
  assert.equal(host.host, "127.0.0.1");
  assert.ok(host.port > 0);
  assert.equal(f.numPorts, 1);
  assert.deepEqual(r.openResources().map((x) => x.kind), ["tcp-port"]);
  await port.stopListening();
  assert.equal(f.numPorts, 0);
  assert.deepEqual(r.openResources(), []);
});

test("listenTCP on a port in use throws CannotListenError", async () => {
  const r = new TestReactor();
  const a = listenTCP(r, 0, new RecordingServerFactory(Echo), { interface: "127.0.0.1" });
  try {
    assert.throws(() => listenTCP(r, a.getHost().port, new RecordingServerFactory(Echo), { interface: "127.0.0.1" }), (e: unknown) => {
      assert.ok(e instanceof CannotListenError);
      assert.match((e as Error).message, /EADDRINUSE/);
      return true;
    });
  } finally {
    await a.stopListening();
  }
});

test("a client and server see makeConnection, data, then connectionLost(ConnectionDone) in order", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  const connector = connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  assert.equal(connector.state, "connecting");
  await waitFor(() => cf.built !== null && cf.built.connected, 3000, "connection");
  const client = cf.built!;
  client.transport.write(enc("hello"));
  await waitFor(() => client.received === "hello", 3000, "echo");
  assert.equal(connector.state, "connected");
  assert.equal(r.openResources().filter((x) => x.kind === "tcp-connection").length, 2);
  // The addresses match on both sides.
  const server = sf.built[0]!;
  assert.deepEqual(client.transport.getPeer(), server.transport.getHost());
  assert.deepEqual(client.transport.getHost(), server.transport.getPeer());
  client.transport.loseConnection();
  const [cr, sr] = await Promise.all([client.lost, server.lost]);
  assert.ok(cr.check(ConnectionDone));
  assert.ok(sr.check(ConnectionDone));
  assert.deepEqual(client.events, ["made", "data", "lost"]);
  assert.deepEqual(server.events, ["made", "data", "lost"]);
  assert.deepEqual(cf.calls, ["startFactory", "startedConnecting", "buildProtocol", "clientConnectionLost", "stopFactory"]);
  assert.equal(connector.state, "disconnected");
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("loseConnection sends everything written before it, and what is written before the buffer empties, then closes", async () => {
  const r = new TestReactor();
  class Sender extends Recorder {
    override connectionMade(): void {
      super.connectionMade();
      const big = new Uint8Array(1 << 20).fill(120);
      this.transport.write(big);
      this.transport.write(enc("END"));
      this.transport.loseConnection();
      this.transport.write(enc("+late")); // as in Twisted: accepted until the socket is shut
    }
  }
  const sf = new RecordingServerFactory(Sender);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null, 3000, "connection");
  const reason = await cf.built!.lost;
  assert.ok(reason.check(ConnectionDone));
  assert.equal(cf.built!.received.length, (1 << 20) + 8);
  assert.ok(cf.built!.received.endsWith("xEND+late"));
  await sf.built[0]!.lost;
  await port.stopListening();
});

test("abortConnection discards unsent data: this side sees ConnectionAborted, the peer ConnectionLost or Done", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Recorder);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  await sf.built[0]!.made;
  cf.built!.transport.write(new Uint8Array(4 << 20));
  (cf.built!.transport as Connection).abortConnection();
  const reason = await cf.built!.lost;
  assert.ok(reason.check(ConnectionAborted));
  assert.ok(reason.check(ConnectionLost));
  const peerReason = await sf.built[0]!.lost;
  assert.ok(peerReason.check(ConnectionLost, ConnectionDone));
  assert.ok(sf.built[0]!.received.length < 4 << 20);
  await port.stopListening();
});

test("a peer reset mid-stream arrives as ConnectionLost", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Recorder);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const raw = net.connect(port.getHost().port, "127.0.0.1");
  await new Promise((res) => raw.once("connect", res));
  await waitFor(() => sf.built.length === 1, 3000, "accept");
  raw.write("partial");
  await waitFor(() => sf.built[0]!.received === "partial", 3000, "data");
  raw.resetAndDestroy();
  const reason = await sf.built[0]!.lost;
  assert.ok(reason.check(ConnectionLost));
  assert.ok(!reason.check(ConnectionDone));
  await port.stopListening();
});

test("connecting to a closed port fails with ConnectionRefusedError and stops the factory", async () => {
  const r = new TestReactor();
  const cf = new RecordingClientFactory(Recorder);
  const connector = connectTCP(r, "127.0.0.1", await freePort(), cf);
  const reason = await cf.failed;
  assert.ok(reason.check(ConnectionRefusedError));
  assert.deepEqual(cf.calls, ["startFactory", "startedConnecting", "clientConnectionFailed", "stopFactory"]);
  assert.equal(connector.state, "disconnected");
  assert.equal(r.getDelayedCalls().length, 0, "the timeout was cancelled");
  assert.deepEqual(r.openResources(), []);
});

test("an attempt that never completes fails with TimeoutError after the timeout", async () => {
  const r = new TestReactor();
  const cf = new RecordingClientFactory(Recorder);
  // A lookup that never answers keeps the attempt pending without touching any network.
  connectTCP(r, "never.resolves.test", 80, cf, { timeout: 0.05, lookup: () => {} });
  const reason = await cf.failed;
  assert.ok(reason.check(TimeoutError));
  assert.deepEqual(cf.calls, ["startFactory", "startedConnecting", "clientConnectionFailed", "stopFactory"]);
});

test("a host name that cannot resolve fails with DNSLookupError", async () => {
  const r = new TestReactor();
  const cf = new RecordingClientFactory(Recorder);
  const lookup: net.LookupFunction = (hostname, _opts, cb) => {
    const e = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", syscall: "getaddrinfo" });
    process.nextTick(() => cb(e as NodeJS.ErrnoException, "", 4));
  };
  connectTCP(r, "nonexistent.invalid", 80, cf, { lookup, timeout: 5 });
  assert.ok((await cf.failed).check(DNSLookupError));
  // The reserved .invalid name fails in the system resolver too (no DNS query is needed for it here).
  const cf2 = new RecordingClientFactory(Recorder);
  connectTCP(r, "nonexistent.invalid", 80, cf2, { timeout: 5 });
  const reason = await cf2.failed;
  assert.ok(reason.check(DNSLookupError), String(reason));
});

test("stopConnecting fails the attempt with UserError; stopping twice is NotConnectingError", async () => {
  const r = new TestReactor();
  const cf = new RecordingClientFactory(Recorder);
  const connector = connectTCP(r, "slow.test", 80, cf, { timeout: 5, lookup: () => {} });
  connector.stopConnecting();
  assert.ok(cf.failure!.check(UserError));
  assert.throws(() => connector.stopConnecting(), NotConnectingError);
  assert.equal(r.getDelayedCalls().length, 0);
});

test("a factory may reconnect from clientConnectionFailed; doStop waits until it gives up", async () => {
  const r = new TestReactor();
  const port = await freePort();
  let attempts = 0;
  const numPortsWhileRetrying: number[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((res) => (resolve = res));
  class Retry extends ClientFactory<Recorder> {
    override clientConnectionFailed(c: IConnector): void {
      attempts++;
      numPortsWhileRetrying.push(this.numPorts);
      if (attempts < 3) c.connect();
      else setImmediate(resolve);
    }
  }
  const f = Retry.forProtocol(Recorder);
  connectTCP(r, "127.0.0.1", port, f);
  await done;
  assert.equal(attempts, 3);
  assert.deepEqual(numPortsWhileRetrying, [1, 1, 1]);
  assert.equal(f.numPorts, 0);
});

test("write rejects strings with TypeError; writeSequence sends chunks in order", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Recorder);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  const t = cf.built!.transport;
  assert.throws(() => t.write("text" as unknown as Uint8Array), TypeError);
  t.writeSequence([enc("a"), Buffer.from("b"), enc("c")]);
  await waitFor(() => sf.built[0]!.received === "abc", 3000, "data");
  t.loseConnection();
  await sf.built[0]!.lost;
  await port.stopListening();
});

test("an exception in dataReceived is logged and closes that connection only", async () => {
  const r = new TestReactor();
  class Crashy extends Recorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (dec(data).includes("boom")) throw new RangeError("bad input");
      this.transport.write(data);
    }
  }
  const sf = new RecordingServerFactory(Crashy);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const log = captureLog();
  try {
    const bad = new RecordingClientFactory(Recorder);
    const good = new RecordingClientFactory(Recorder);
    connectTCP(r, "127.0.0.1", port.getHost().port, bad);
    connectTCP(r, "127.0.0.1", port.getHost().port, good);
    await waitFor(() => bad.built !== null && good.built !== null && sf.built.length === 2, 3000, "connections");
    bad.built!.transport.write(enc("boom"));
    await bad.built!.lost;
    const crashed = sf.built.find((p) => p.received.includes("boom"))!;
    const serverReason = await crashed.lost;
    assert.ok(serverReason.check(RangeError), "the protocol sees its own exception, as in Twisted");
    assert.ok(log.events.some((e) => e.failure?.check(RangeError)));
    good.built!.transport.write(enc("still here"));
    await waitFor(() => good.built!.received === "still here", 3000, "echo on the other connection");
    good.built!.transport.loseConnection();
    await good.built!.lost;
  } finally {
    log.stop();
    await port.stopListening();
  }
});

test("half-close: a half-closeable protocol sees readConnectionLost and can still write", async () => {
  const r = new TestReactor();
  class HalfServer extends Recorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
    }
    readConnectionLost(): void {
      this.events.push("readConnectionLost");
      this.transport.write(enc(`got ${this.received.length}`));
      (this.transport as Connection).loseWriteConnection();
    }
    writeConnectionLost(): void {
      this.events.push("writeConnectionLost");
    }
  }
  class HalfClient extends Recorder {
    readConnectionLost(): void {
      this.events.push("readConnectionLost");
    }
    writeConnectionLost(): void {
      this.events.push("writeConnectionLost");
    }
  }
  const sf = new RecordingServerFactory(HalfServer);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(HalfClient);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  const client = cf.built!;
  client.transport.write(enc("12345"));
  (client.transport as Connection).loseWriteConnection();
  const [cr, sr] = await Promise.all([client.lost, sf.built[0]!.lost]);
  assert.equal(client.received, "got 5");
  assert.ok(cr.check(ConnectionDone));
  assert.ok(sr.check(ConnectionDone));
  assert.deepEqual(sf.built[0]!.events, ["made", "data", "readConnectionLost", "writeConnectionLost", "lost"]);
  assert.deepEqual(client.events, ["made", "writeConnectionLost", "data", "readConnectionLost", "lost"]);
  await port.stopListening();
});

test("a protocol that cannot half-close is disconnected when the peer half-closes", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const raw = net.connect({ port: port.getHost().port, host: "127.0.0.1", allowHalfOpen: true });
  let echoed = "";
  raw.on("data", (d) => (echoed += d.toString()));
  raw.end("last words");
  await new Promise((res) => raw.once("close", res));
  const reason = await sf.built[0]!.lost;
  assert.ok(reason.check(ConnectionDone));
  assert.equal(echoed, "last words");
  await port.stopListening();
});

test("a fast push producer is paused by the socket buffer and memory stays bounded", async () => {
  const r = new TestReactor();
  const chunk = new Uint8Array(64 * 1024);
  const total = 64 * 1024 * 1024;
  let maxBuffered = 0;
  let pauses = 0;
  class Firehose extends Recorder implements IPushProducer {
    sent = 0;
    paused = false;
    stopped = false;
    override connectionMade(): void {
      super.connectionMade();
      (this.transport as Connection).registerProducer(this, true);
      this.pump();
    }
    private pump(): void {
      const sock = (this.transport as Connection).socket;
      while (!this.paused && !this.stopped && this.sent < total) {
        this.transport.write(chunk);
        this.sent += chunk.length;
        maxBuffered = Math.max(maxBuffered, sock.writableLength);
      }
      if (this.sent >= total && !this.stopped) {
        this.stopped = true;
        (this.transport as Connection).unregisterProducer();
        this.transport.loseConnection();
      }
    }
    pauseProducing(): void {
      pauses++;
      this.paused = true;
    }
    resumeProducing(): void {
      this.paused = false;
      setImmediate(() => this.pump());
    }
    stopProducing(): void {
      this.stopped = true;
    }
  }
  class Counter extends Recorder {
    count = 0;
    override dataReceived(data: Uint8Array): void {
      this.count += data.length;
    }
  }
  const sf = new RecordingServerFactory(Firehose);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Counter);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null, 3000, "connection");
  await cf.built!.lost;
  assert.equal(cf.built!.count, total);
  assert.ok(pauses > 0, "the producer was paused at least once");
  assert.ok(maxBuffered <= 2 * chunk.length, `write buffer stayed small (max ${maxBuffered} bytes)`);
  await port.stopListening();
});

test("a pull producer is asked for a chunk each time the previous one has been flushed", async () => {
  const r = new TestReactor();
  let asked = 0;
  class Puller extends Recorder {
    override connectionMade(): void {
      super.connectionMade();
      const t = this.transport as Connection;
      t.registerProducer(
        {
          resumeProducing: () => {
            asked++;
            if (asked <= 5) t.write(enc(`chunk${asked};`));
            else {
              t.unregisterProducer();
              t.loseConnection();
            }
          },
          stopProducing: () => {},
        },
        false,
      );
      assert.throws(() => t.registerProducer({ resumeProducing() {}, stopProducing() {} }, false), ProducerAlreadyRegistered);
    }
  }
  const sf = new RecordingServerFactory(Puller);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null, 3000, "connection");
  await cf.built!.lost;
  assert.equal(cf.built!.received, "chunk1;chunk2;chunk3;chunk4;chunk5;");
  assert.equal(asked, 6);
  await port.stopListening();
});

test("loseConnection waits for a registered pull producer to unregister", async () => {
  const r = new TestReactor();
  let stopped = 0;
  class Late extends Recorder {
    override connectionMade(): void {
      super.connectionMade();
      const t = this.transport as Connection;
      t.registerProducer({ resumeProducing() {}, stopProducing: () => void stopped++ }, false);
      t.loseConnection();
      setTimeout(() => {
        t.write(enc("late data"));
        t.unregisterProducer();
      }, 20);
    }
  }
  const sf = new RecordingServerFactory(Late);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null, 3000, "connection");
  await cf.built!.lost;
  assert.equal(cf.built!.received, "late data");
  assert.equal(stopped, 0, "an unregistered producer is not stopped");
  await port.stopListening();
});

test("IPv6: listening on ::1 gives IPv6Address on both sides", async (t) => {
  const r = new TestReactor();
  let port;
  try {
    port = listenTCP(r, 0, new RecordingServerFactory(Echo), { interface: "::1" });
  } catch (e) {
    if (e instanceof CannotListenError) return t.skip("no IPv6 loopback here");
    throw e;
  }
  const host = port.getHost();
  assert.ok(host instanceof IPv6Address);
  assert.equal(host.host, "::1");
  const cf = new RecordingClientFactory(Recorder);
  const connector = connectTCP(r, "::1", host.port, cf);
  assert.ok(connector.getDestination() instanceof IPv6Address);
  await waitFor(() => cf.built !== null, 3000, "connection");
  await cf.built!.made;
  assert.ok(cf.built!.transport.getPeer() instanceof IPv6Address);
  cf.built!.transport.loseConnection();
  await cf.built!.lost;
  await port.stopListening();
});

test("a factory that returns null refuses the connection; one that throws is logged", async () => {
  const r = new TestReactor();
  let n = 0;
  class Picky extends Factory {
    override buildProtocol(): null {
      n++;
      if (n === 2) throw new Error("factory bug");
      return null;
    }
  }
  const port = listenTCP(r, 0, new Picky(), { interface: "127.0.0.1" });
  const log = captureLog();
  try {
    for (let i = 0; i < 2; i++) {
      const cf = new RecordingClientFactory(Recorder);
      connectTCP(r, "127.0.0.1", port.getHost().port, cf);
      await waitFor(() => cf.built !== null, 3000, "connection");
      const reason = await cf.built!.lost;
      assert.ok(reason.check(ConnectionDone, ConnectionLost));
    }
    assert.ok(log.events.some((e) => e.failure?.getErrorMessage() === "factory bug"));
  } finally {
    log.stop();
    await port.stopListening();
  }
});

test("a peer that vanishes mid-write loses only its own connection, and the port forgets it", async () => {
  const r = new TestReactor();
  class Talker extends Recorder {
    override connectionMade(): void {
      super.connectionMade();
      this.transport.write(new Uint8Array(8 << 20)); // far more than the peer will read
    }
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      this.transport.write(data);
    }
  }
  const sf = new RecordingServerFactory(Talker);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const rude = net.connect(port.getHost().port, "127.0.0.1");
  await new Promise((res) => rude.once("connect", res));
  await waitFor(() => sf.built.length === 1, 3000, "accept");
  rude.resetAndDestroy();
  const reason = await sf.built[0]!.lost;
  assert.ok(reason.check(ConnectionLost));
  assert.equal(port.connections.size, 0, "nothing is retained from the vanished peer");
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null && cf.built.received.length === 8 << 20, 5000, "the next client is served");
  cf.built!.transport.loseConnection();
  await Promise.all([sf.built[1]!.lost, cf.built!.lost]);
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("NodeReactor.listenTCP/connectTCP work without run() and register what is open", async () => {
  const { createReactor } = await import("../../src/node/reactor.js");
  const reactor = createReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = reactor.listenTCP(0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  reactor.connectTCP("127.0.0.1", port.getHost().port, cf, { timeout: 5 });
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  const kinds = reactor.openResources().map((x) => x.kind).sort();
  assert.deepEqual(kinds, ["tcp-connection", "tcp-connection", "tcp-connector", "tcp-port"]);
  cf.built!.transport.loseConnection();
  await Promise.all([cf.built!.lost, sf.built[0]!.lost]);
  await port.stopListening();
  assert.deepEqual(reactor.openResources(), []);
  assert.equal(reactor.getDelayedCalls().length, 0, "the connect timeout was cancelled");
});

test("stopListening fires while accepted connections stay open, and frees the port", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const portNumber = port.getHost().port;
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", portNumber, cf);
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  await port.stopListening();
  assert.equal(sf.numPorts, 0, "doStop ran");
  const again = listenTCP(r, portNumber, new RecordingServerFactory(Echo), { interface: "127.0.0.1" });
  await again.stopListening();
  cf.built!.transport.write(enc("still echoing"));
  await waitFor(() => cf.built!.received === "still echoing", 3000, "echo after stopListening");
  cf.built!.transport.loseConnection();
  await Promise.all([cf.built!.lost, sf.built[0]!.lost]);
  assert.deepEqual(r.openResources(), []);
});

test("loseConnection and abortConnection never call connectionLost inside the call: it comes later, from the socket's close", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Recorder);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  await waitFor(() => cf.built !== null && sf.built.length === 1, 3000, "connection");
  await sf.built[0]!.made;
  cf.built!.transport.loseConnection();
  (sf.built[0]!.transport as Connection).abortConnection();
  assert.deepEqual(cf.built!.events, ["made"]);
  assert.deepEqual(sf.built[0]!.events, ["made"]);
  assert.equal((cf.built!.transport as Connection).disconnecting, true);
  assert.equal((sf.built[0]!.transport as Connection).disconnecting, true);
  await cf.built!.lost;
  assert.ok((await sf.built[0]!.lost).check(ConnectionAborted));
  await port.stopListening();
});

test("after loseConnection nothing more is delivered though the peer keeps sending: an overlong line is logged once", async () => {
  const r = new TestReactor();
  let calledWhileDisconnecting = 0;
  const built: Lines[] = [];
  class Lines extends LineReceiver {
    override MAX_LENGTH = 10;
    isLost = false;
    constructor() {
      super();
      built.push(this);
    }
    override connectionMade(): void {
      // A registered pull producer holds the close open after loseConnection(), so the peer's
      // later chunks do reach this socket.
      (this.transport as Connection).registerProducer({ resumeProducing() {}, stopProducing() {} }, false);
    }
    override dataReceived(data: Uint8Array): unknown {
      if ((this.transport as Connection).disconnecting) calledWhileDisconnecting++;
      return super.dataReceived(data);
    }
    override connectionLost(reason: Failure): void {
      super.connectionLost(reason);
      this.isLost = true;
    }
  }
  const port = listenTCP(r, 0, Factory.forProtocol(Lines), { interface: "127.0.0.1" });
  const log = captureLog();
  const peer = net.connect({ host: "127.0.0.1", port: port.getHost().port, allowHalfOpen: true });
  peer.on("error", () => {});
  try {
    await new Promise<void>((res) => peer.once("connect", () => res()));
    // Many separate chunks of one overlong line; the peer ignores the server's FIN and keeps writing.
    for (let i = 0; i < 20 && !peer.destroyed; i++) {
      peer.write("x".repeat(25));
      await sleep(3);
    }
    await waitFor(() => built.length === 1, 3000, "server protocol");
    assert.equal((built[0]!.transport as Connection).connected, true);
    (built[0]!.transport as Connection).unregisterProducer();
    peer.end();
    await waitFor(() => built[0]!.isLost, 5000, "connectionLost");
  } finally {
    log.stop();
    peer.destroy();
  }
  assert.equal(calledWhileDisconnecting, 0);
  assert.equal(log.events.filter((e) => e.format.startsWith("Line too long")).length, 1);
  await port.stopListening();
});
