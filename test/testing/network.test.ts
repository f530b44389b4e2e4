import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryNetwork, type NetworkFaults } from "../../src/testing/network.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { ClientFactory, Factory, ServerFactory } from "../../src/protocols/factory.js";
import { ReconnectingClientFactory } from "../../src/protocols/reconnecting.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { Failure } from "../../src/failure.js";
import { ConnectionDone, ConnectionLost, ConnectionRefusedError, DNSLookupError, TimeoutError, UserError } from "../../src/errors.js";
import type { IConnector, IPushProducer, ITCPTransport } from "../../src/interfaces.js";
import type { IAddress } from "../../src/protocols/address.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

/** A client that sends `message`, collects the echo and closes when it has it all. */
class Collector extends Protocol {
  received = "";
  events: string[] = [];
  constructor(readonly message = "hello") {
    super();
  }
  override connectionMade(): void {
    this.events.push("connectionMade");
    this.transport.write(enc(this.message));
  }
  override dataReceived(data: Uint8Array): void {
    this.received += dec(data);
    if (this.received.length >= this.message.length) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    this.events.push(`connectionLost ${reason.typeName}`);
    super.connectionLost(reason);
  }
}

class RecordingClientFactory extends ClientFactory<Collector> {
  events: string[] = [];
  built: Collector[] = [];
  constructor(private readonly message = "hello") {
    super();
  }
  override startFactory(): void {
    this.events.push("startFactory");
  }
  override stopFactory(): void {
    this.events.push("stopFactory");
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push("startedConnecting");
  }
  override buildProtocol(_addr: IAddress): Collector {
    this.events.push("buildProtocol");
    const p = new Collector(this.message);
    p.factory = this;
    this.built.push(p);
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push(`clientConnectionFailed ${reason.typeName}`);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.events.push(`clientConnectionLost ${reason.typeName}`);
  }
}

function echoProgram(seed: number, faults: NetworkFaults, clients = 3): { net: MemoryNetwork; factories: RecordingClientFactory[] } {
  const net = new MemoryNetwork({ seed, faults });
  net.listenTCP(8000, Factory.forProtocol(Echo));
  const factories: RecordingClientFactory[] = [];
  for (let i = 0; i < clients; i++) {
    const f = new RecordingClientFactory(`message number ${i} `.repeat(5));
    factories.push(f);
    net.connectTCP("127.0.0.1", 8000, f);
  }
  net.run();
  return { net, factories };
}

test("several clients talk to one server at once and every callback comes in Twisted's order", () => {
  const { net, factories } = echoProgram(1, {});
  assert.equal(net.connectionsMade, 3);
  assert.equal(net.connections.length, 0, "closed connections are forgotten");
  for (const [i, f] of factories.entries()) {
    assert.equal(f.built[0]!.received, `message number ${i} `.repeat(5));
    assert.deepEqual(f.events, [
      "startFactory",
      "startedConnecting",
      "buildProtocol",
      "clientConnectionLost ConnectionDone",
      "stopFactory",
    ]);
    assert.deepEqual(f.built[0]!.events, ["connectionMade", "connectionLost ConnectionDone"]);
  }
});

test("with small chunks and random latency every byte still arrives in order on each connection", () => {
  const { factories, net } = echoProgram(42, { maxChunkSize: 3, latency: [0.001, 0.05] }, 5);
  for (const [i, f] of factories.entries()) assert.equal(f.built[0]!.received, `message number ${i} `.repeat(5));
  const deliveries = net.trace.filter((t) => t.includes("deliver"));
  assert.ok(deliveries.length > 5 * 2 * 10, "small chunks mean many deliveries");
});

test("deliveries of different connections interleave, so connections are reordered", () => {
  const { net } = echoProgram(3, { maxChunkSize: 4, latency: [0.001, 0.05] }, 4);
  const order = net.trace.filter((t) => t.includes("deliver")).map((t) => /deliver (c\d+)/.exec(t)![1]!);
  const switches = order.filter((c, i) => i > 0 && c !== order[i - 1]).length;
  assert.ok(switches > 8, `expected interleaving, got ${switches} switches`);
  // Connections finish in an order other than the order they were made in.
  const finished = net.trace.filter((t) => / lost c\d+\.client /.test(t)).map((t) => /lost (c\d+)/.exec(t)![1]!);
  assert.equal(finished.length, 4);
  assert.notDeepEqual(finished, ["c1", "c2", "c3", "c4"]);
});

test("the same seed replays the same trace exactly, and another seed gives another trace", () => {
  const faults: NetworkFaults = { maxChunkSize: 5, latency: [0, 0.1] };
  const a = echoProgram(1234, faults, 4).net.trace;
  const b = echoProgram(1234, faults, 4).net.trace;
  const c = echoProgram(1235, faults, 4).net.trace;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("connecting to a port nobody listens on fails with ConnectionRefusedError, then doStop", () => {
  const net = new MemoryNetwork();
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 9, f);
  net.run();
  assert.deepEqual(f.events, ["startFactory", "startedConnecting", "clientConnectionFailed ConnectionRefusedError", "stopFactory"]);
});

test("the refuseRate fault refuses connections to a listening port", () => {
  const net = new MemoryNetwork({ seed: 5, faults: { refuseRate: 1 } });
  net.listenTCP(8000, Factory.forProtocol(Echo));
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 8000, f);
  net.run();
  assert.ok(f.events.includes("clientConnectionFailed ConnectionRefusedError"));
  assert.ok(net.trace.some((t) => t.includes("(fault)")));
});

test("an unresolvable host fails with DNSLookupError", () => {
  const net = new MemoryNetwork({ unresolvable: ["nowhere.invalid"] });
  const f = new RecordingClientFactory();
  net.connectTCP("nowhere.invalid", 80, f);
  net.run();
  assert.ok(f.events.includes("clientConnectionFailed DNSLookupError"));
  void DNSLookupError;
});

test("a connection slower than its timeout fails with TimeoutError and the server sees a reset", () => {
  const net = new MemoryNetwork({ faults: { latency: 3 } });
  const serverLost: string[] = [];
  class Server extends Protocol {
    override connectionLost(reason: Failure): void {
      serverLost.push(reason.typeName);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Server));
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 8000, f, { timeout: 5 });
  net.run();
  assert.ok(f.events.includes("clientConnectionFailed TimeoutError"));
  assert.deepEqual(serverLost, ["ConnectionLost"]);
  void TimeoutError;
});

test("stopConnecting fails the attempt with UserError", () => {
  const net = new MemoryNetwork({ faults: { latency: 1 } });
  net.listenTCP(8000, Factory.forProtocol(Echo));
  const f = new RecordingClientFactory();
  const c = net.connectTCP("127.0.0.1", 8000, f);
  c.stopConnecting();
  net.run();
  assert.ok(f.events.includes("clientConnectionFailed UserError"));
  assert.equal(f.built.length, 0);
  void UserError;
});

test("a reset fault drops the connection with ConnectionLost on both ends", () => {
  const net = new MemoryNetwork({ seed: 9, faults: { resetRate: 1 } });
  const serverReasons: string[] = [];
  class Server extends Echo {
    override connectionLost(reason: Failure): void {
      serverReasons.push(reason.typeName);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Server));
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 8000, f);
  net.run();
  assert.deepEqual(serverReasons, ["ConnectionLost"]);
  assert.ok(f.events.includes("clientConnectionLost ConnectionLost"));
  assert.equal(f.built[0]!.received, "");
});

test("resetConnection makes a peer vanish mid-stream: both ends see ConnectionLost", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.01, maxChunkSize: 2 } });
  net.listenTCP(8000, Factory.forProtocol(Echo));
  const f = new RecordingClientFactory("a long message that takes a while");
  net.connectTCP("127.0.0.1", 8000, f);
  net.run(0.05);
  net.resetConnection(net.connections[0]!);
  net.run();
  assert.ok(f.events.includes("clientConnectionLost ConnectionLost"));
  assert.ok(f.built[0]!.received.length < "a long message that takes a while".length);
});

test("loseConnection closes only after everything written has been delivered", () => {
  const net = new MemoryNetwork({ faults: { maxChunkSize: 100, latency: 0.01 } });
  const big = "x".repeat(10_000);
  class Sender extends Protocol {
    override connectionMade(): void {
      this.transport.write(enc(big));
      this.transport.loseConnection();
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Sender));
  let got = "";
  let reason = "";
  class Receiver extends Protocol {
    override dataReceived(d: Uint8Array): void {
      got += dec(d);
    }
    override connectionLost(r: Failure): void {
      reason = r.typeName;
    }
  }
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Receiver));
  net.run();
  assert.equal(got, big);
  assert.equal(reason, "ConnectionDone");
});

test("abortConnection discards queued bytes: the aborting end sees ConnectionAborted (a ConnectionLost), the peer ConnectionLost", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.01 } });
  const reasons: string[] = [];
  class Aborter extends Protocol {
    override connectionMade(): void {
      this.transport.write(enc("never arrives"));
      (this.transport as ITCPTransport).abortConnection();
    }
    override connectionLost(r: Failure): void {
      reasons.push(`server ${r.typeName}`);
    }
  }
  let got = "";
  class Receiver extends Protocol {
    override dataReceived(d: Uint8Array): void {
      got += dec(d);
    }
    override connectionLost(r: Failure): void {
      reasons.push(`client ${r.typeName}`);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Aborter));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Receiver));
  net.run();
  assert.equal(got, "");
  assert.deepEqual(reasons, ["server ConnectionAborted", "client ConnectionLost"]);
});

test("half-close: the server reads to the end of the stream and still answers", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.01, maxChunkSize: 3 } });
  const events: string[] = [];
  class Counter extends Protocol {
    n = 0;
    override dataReceived(d: Uint8Array): void {
      this.n += d.length;
    }
    readConnectionLost(): void {
      events.push("server readConnectionLost");
      this.transport.write(enc(`count=${this.n}`));
      this.transport.loseConnection();
    }
    override connectionLost(r: Failure): void {
      events.push(`server connectionLost ${r.typeName}`);
    }
  }
  let answer = "";
  class Client extends Protocol {
    override connectionMade(): void {
      this.transport.write(enc("0123456789"));
      (this.transport as ITCPTransport).loseWriteConnection();
    }
    writeConnectionLost(): void {
      events.push("client writeConnectionLost");
    }
    readConnectionLost(): void {
      events.push("client readConnectionLost");
    }
    override dataReceived(d: Uint8Array): void {
      answer += dec(d);
    }
    override connectionLost(r: Failure): void {
      events.push(`client connectionLost ${r.typeName}`);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Counter));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Client));
  net.run();
  assert.equal(answer, "count=10");
  assert.deepEqual(events, [
    "client writeConnectionLost",
    "server readConnectionLost",
    "server connectionLost ConnectionDone",
    "client connectionLost ConnectionDone",
  ]);
});

test("a streaming producer is paused while the reader is paused and the queue stays bounded", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.001, maxChunkSize: 4096 }, bufferSize: 16_384 });
  const chunk = new Uint8Array(4096).fill(7);
  let produced = 0;
  let maxQueued = 0;
  const log: string[] = [];
  class Source extends Protocol implements IPushProducer {
    paused = false;
    stopped = false;
    override connectionMade(): void {
      (this.transport as ITCPTransport).registerProducer(this, true);
      this.pump();
    }
    pump(): void {
      // Write until paused or 1 MiB has been produced.
      while (!this.paused && !this.stopped && produced < 1 << 20) {
        this.transport.write(chunk);
        produced += chunk.length;
      }
      if (produced >= 1 << 20 && !this.stopped) {
        this.stopped = true;
        (this.transport as ITCPTransport).unregisterProducer();
        this.transport.loseConnection();
      }
    }
    pauseProducing(): void {
      log.push("pause");
      this.paused = true;
    }
    resumeProducing(): void {
      log.push("resume");
      this.paused = false;
      net.callLater(0, () => this.pump());
    }
    stopProducing(): void {
      this.stopped = true;
    }
  }
  let received = 0;
  class SlowReader extends Protocol {
    override dataReceived(d: Uint8Array): void {
      received += d.length;
      // Pause reading for a while after each chunk.
      const t = this.transport as unknown as IPushProducer;
      t.pauseProducing();
      net.callLater(0.01, () => t.resumeProducing());
      maxQueued = Math.max(maxQueued, produced - received);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Source));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(SlowReader));
  net.run();
  assert.equal(received, 1 << 20);
  assert.ok(log.filter((x) => x === "pause").length > 10, "the producer was paused repeatedly");
  assert.ok(maxQueued <= 16_384 + 2 * 4096, `queue bounded, max ${maxQueued}`);
});

test("a pull producer is asked for a chunk each time the queue drains", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.001 } });
  let asked = 0;
  class Puller extends Protocol {
    override connectionMade(): void {
      const t = this.transport as ITCPTransport;
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
    }
  }
  let got = "";
  class Reader extends Protocol {
    override dataReceived(d: Uint8Array): void {
      got += dec(d);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Puller));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Reader));
  net.run();
  assert.equal(got, "chunk1;chunk2;chunk3;chunk4;chunk5;");
  assert.equal(asked, 6);
});

test("stopListening fires its Deferred, calls doStop, and later connections are refused", () => {
  const net = new MemoryNetwork();
  const server = new ServerFactory();
  server.protocol = Echo;
  let stopped = 0;
  server.stopFactory = () => void stopped++;
  const port = net.listenTCP(8000, server);
  assert.equal(server.numPorts, 1);
  let fired = false;
  port.stopListening().addCallback(() => {
    fired = true;
  });
  net.run();
  assert.equal(fired, true);
  assert.equal(stopped, 1);
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 8000, f);
  net.run();
  assert.ok(f.events.includes("clientConnectionFailed ConnectionRefusedError"));
  void ConnectionRefusedError;
});

test("listening twice on a port throws CannotListenError; port 0 picks a free port", () => {
  const net = new MemoryNetwork();
  net.listenTCP(8000, Factory.forProtocol(Echo));
  assert.throws(() => net.listenTCP(8000, Factory.forProtocol(Echo)), { name: "CannotListenError" });
  const p = net.listenTCP(0, Factory.forProtocol(Echo));
  assert.ok(p.getHost().port > 0);
});

test("a ReconnectingClientFactory keeps retrying on the network's clock until the server appears", () => {
  const net = new MemoryNetwork({ seed: 11 });
  const lines: string[] = [];
  class Greeter extends LineReceiver {
    override connectionMade(): void {
      this.sendLine(enc("hi"));
    }
  }
  class Client extends LineReceiver {
    override connectionMade(): void {
      (this.factory as ReconnectingClientFactory).resetDelay();
    }
    override lineReceived(line: Uint8Array): void {
      lines.push(dec(line));
      (this.factory as ReconnectingClientFactory).stopTrying();
      this.transport.loseConnection();
    }
  }
  const f = new ReconnectingClientFactory({ clock: net.clock });
  f.protocol = Client;
  f.noisy = false;
  net.connectTCP("127.0.0.1", 8000, f);
  net.run(20);
  assert.ok(f.retries >= 2, `retried ${f.retries} times`);
  net.listenTCP(8000, Factory.forProtocol(Greeter));
  net.run();
  assert.deepEqual(lines, ["hi"]);
  assert.equal(f.continueTrying, false);
});

test("an exception in dataReceived drops only that connection and is logged", () => {
  const net = new MemoryNetwork();
  class Fragile extends Protocol {
    override dataReceived(d: Uint8Array): void {
      if (dec(d).includes("boom")) throw new Error("boom");
      this.transport.write(d);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Fragile));
  const bad = new RecordingClientFactory("boom");
  const good = new RecordingClientFactory("fine");
  const logs = captureLogs();
  try {
    net.connectTCP("127.0.0.1", 8000, bad);
    net.connectTCP("127.0.0.1", 8000, good);
    net.run();
    assert.deepEqual(
      logs.flushLoggedErrors(Error).map((f) => f.getErrorMessage()),
      ["boom"],
    );
  } finally {
    assertNoLoggedErrors(logs);
  }
  assert.equal(good.built[0]!.received, "fine");
  assert.ok(bad.events.includes("clientConnectionLost ConnectionLost"));
  assert.ok(logs.events.some((e) => e.namespace === "reed.testing.network" && e.failure?.getErrorMessage() === "boom"));
  void ConnectionDone;
  void ConnectionLost;
});

test("writing to a peer that has closed ends in a reset (ConnectionLost) for the writer", () => {
  const net = new MemoryNetwork({ faults: { latency: 0.01 } });
  const events: string[] = [];
  class Closer extends Protocol {
    override connectionMade(): void {
      this.transport.loseConnection();
    }
  }
  class Stubborn extends Protocol {
    readConnectionLost(): void {
      events.push("readConnectionLost");
      this.transport.write(enc("still talking"));
    }
    override connectionLost(r: Failure): void {
      events.push(`connectionLost ${r.typeName}`);
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Closer));
  net.connectTCP("127.0.0.1", 8000, ClientFactory.forProtocol(Stubborn));
  net.run();
  assert.deepEqual(events, ["readConnectionLost", "connectionLost ConnectionLost"]);
});

test("a server factory returning null: the client connects, then sees the connection closed", () => {
  const net = new MemoryNetwork();
  const server = new ServerFactory();
  server.buildProtocol = () => null;
  net.listenTCP(8000, server);
  const f = new RecordingClientFactory();
  net.connectTCP("127.0.0.1", 8000, f);
  net.run();
  assert.deepEqual(f.events, ["startFactory", "startedConnecting", "buildProtocol", "clientConnectionLost ConnectionDone", "stopFactory"]);
  assert.ok(net.trace.some((t) => t.includes("rejected c1")));
});

test("an exception in connectionMade or buildProtocol is logged and drops only that connection", () => {
  const net = new MemoryNetwork();
  class Broken extends Protocol {
    override connectionMade(): void {
      throw new RangeError("bad start");
    }
  }
  net.listenTCP(8000, Factory.forProtocol(Broken));
  const throwing = new ServerFactory();
  throwing.buildProtocol = () => {
    throw new TypeError("bad factory");
  };
  net.listenTCP(8001, throwing);
  net.listenTCP(8002, Factory.forProtocol(Echo));
  const logs = captureLogs();
  const a = new RecordingClientFactory();
  const b = new RecordingClientFactory();
  const c = new RecordingClientFactory("still fine");
  try {
    net.connectTCP("127.0.0.1", 8000, a);
    net.connectTCP("127.0.0.1", 8001, b);
    net.connectTCP("127.0.0.1", 8002, c);
    net.run();
    assert.deepEqual(logs.flushLoggedErrors(RangeError).length, 1);
    assert.deepEqual(logs.flushLoggedErrors(TypeError).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
  assert.ok(a.events.includes("clientConnectionLost ConnectionLost"));
  assert.ok(b.events.includes("clientConnectionLost ConnectionDone"));
  assert.equal(c.built[0]!.received, "still fine");
});
