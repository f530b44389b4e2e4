/**
 * Servers built on each framer, on the in-memory network, facing bad peers: garbage, an
 * overlong line, a malformed netstring, an oversized length prefix, a peer vanishing mid-write.
 * Only the bad peer's connection is closed, with a logged reason; the others keep being served.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryNetwork, type NetworkFaults } from "../../src/testing/network.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { NetstringReceiver } from "../../src/protocols/basic/netstring.js";
import { Int32StringReceiver } from "../../src/protocols/basic/int-prefix.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import type { Failure } from "../../src/failure.js";
import { formatEvent, type LogEvent } from "../../src/logger.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";
import type { IProtocol } from "../../src/interfaces.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class LineEcho extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(line);
  }
}
class NetstringEcho extends NetstringReceiver {
  override stringReceived(s: Uint8Array): void {
    this.sendString(s);
  }
}
class Int32Echo extends Int32StringReceiver {
  override stringReceived(s: Uint8Array): void {
    this.sendString(s);
  }
}

/** A client that sends raw bytes (in pieces, over time) and records what it gets back. */
class RawClient extends Protocol {
  received = "";
  lost: string | null = null;
  constructor(
    private readonly net: MemoryNetwork,
    private readonly pieces: Uint8Array[],
    private readonly spacing = 0.01,
  ) {
    super();
  }
  override connectionMade(): void {
    this.pieces.forEach((p, i) => this.net.callLater(i * this.spacing, () => this.connected && this.transport.write(p)));
  }
  override dataReceived(d: Uint8Array): void {
    this.received += dec(d);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason.typeName;
    super.connectionLost(reason);
  }
}

function connect(net: MemoryNetwork, pieces: Uint8Array[], spacing?: number): RawClient {
  const p = new RawClient(net, pieces, spacing);
  const f = new ClientFactory();
  f.buildProtocol = () => p;
  net.connectTCP("127.0.0.1", 8000, f);
  return p;
}

/** Runs `fn` with logs captured (and kept off stderr); no error may be logged. */
function withLog<T>(fn: (events: readonly LogEvent[]) => T): T {
  const logs = captureLogs();
  try {
    return fn(logs.events);
  } finally {
    assertNoLoggedErrors(logs);
  }
}

const netstring = (s: string) => enc(`${enc(s).length}:${s},`);
function int32(s: string): Uint8Array {
  const b = enc(s);
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}

interface Scenario {
  name: string;
  server: new () => IProtocol;
  good: (i: number) => Uint8Array[];
  goodReply: (i: number) => string;
  bad: Uint8Array[];
  reason: RegExp;
}

const scenarios: Scenario[] = [
  {
    name: "LineReceiver server and a peer sending an overlong line",
    server: LineEcho,
    good: (i) => [enc(`hello ${i}\r\n`), enc(`again ${i}\r\n`)],
    goodReply: (i) => `hello ${i}\r\nagain ${i}\r\n`,
    bad: [enc("x".repeat(10_000)), enc("y".repeat(10_000)), enc("\r\n")],
    reason: /^Line too long: \d+ bytes, limit 16384; closing the connection to IPv4Address\(TCP, '127\.0\.0\.1', \d+\)$/,
  },
  {
    name: "LineReceiver server and a peer sending binary garbage without line ends",
    server: LineEcho,
    good: (i) => [enc(`ok ${i}\r\n`)],
    goodReply: (i) => `ok ${i}\r\n`,
    bad: Array.from({ length: 20 }, (_, k) => new Uint8Array(1000).map((_, j) => ((j * 31 + k * 7) % 251) & ~0x0d)),
    reason: /^Line too long: \d+ bytes, limit 16384/,
  },
  {
    name: "NetstringReceiver server and a peer sending a malformed netstring",
    server: NetstringEcho,
    good: (i) => [netstring(`net ${i}`), netstring("")],
    goodReply: (i) => `${`net ${i}`.length}:net ${i},0:,`,
    bad: [enc("3:abc,"), enc("03:abc,")],
    reason: /^Malformed netstring from IPv4Address\(TCP, '127\.0\.0\.1', \d+\); closing the connection: Malformed netstring: it does not start with a length specification$/,
  },
  {
    name: "NetstringReceiver server and a peer announcing a netstring over MAX_LENGTH",
    server: NetstringEcho,
    good: (i) => [netstring(`n${i}`)],
    goodReply: (i) => `${`n${i}`.length}:n${i},`,
    bad: [enc("100000:")],
    reason: /Netstring too long: the length specification exceeds the limit of 99999 bytes$/,
  },
  {
    name: "Int32StringReceiver server and a peer announcing 100000 bytes",
    server: Int32Echo,
    good: (i) => [int32(`int ${i}`)],
    goodReply: (i) => dec(int32(`int ${i}`)),
    bad: [int32("fine"), Uint8Array.of(0, 1, 0x86, 0xa0), enc("abc")],
    reason: /^String too long: 100000 bytes announced, limit 99999; closing the connection to /,
  },
];

const faults: NetworkFaults = { maxChunkSize: 7, latency: [0.001, 0.02] };

for (const sc of scenarios) {
  test(`${sc.name}: only that connection is closed, with the reason logged, and others are served`, () => {
    withLog((events) => {
      const net = new MemoryNetwork({ seed: 17, faults });
      const port = net.listenTCP(8000, Factory.forProtocol(sc.server));
      const good = [0, 1, 2].map((i) => connect(net, sc.good(i)));
      const bad = connect(net, sc.bad);
      net.run();
      // Closed by the server: cleanly, or with a reset when the peer kept writing into the close.
      assert.ok(bad.lost === "ConnectionDone" || bad.lost === "ConnectionLost", `the bad peer's connection was closed: ${bad.lost}`);
      const reasons = events.filter((e) => e.namespace === "reed.protocols.basic").map(formatEvent);
      assert.equal(reasons.length, 1, `one logged reason: ${reasons.join(" | ")}`);
      assert.match(reasons[0]!, sc.reason);
      for (const [i, g] of good.entries()) {
        assert.equal(g.received, sc.goodReply(i));
        assert.equal(g.lost, null, "good clients are still connected");
      }
      // The server still accepts new clients after the bad one.
      const later = connect(net, sc.good(9));
      net.run();
      assert.equal(later.received, sc.goodReply(9));
      assert.equal(port.listening, true);
    });
  });
}

test("a peer vanishing mid-write only loses its own connection, and nothing is logged as an error", () => {
  withLog((events) => {
    const net = new MemoryNetwork({ seed: 3, faults });
    net.listenTCP(8000, Factory.forProtocol(LineEcho));
    const serverLost: string[] = [];
    const good = connect(net, [enc("first\r\n"), enc("second\r\n")]);
    const vanishing = connect(net, [enc("partial line that never ends"), enc(" more"), enc(" and more")], 1);
    net.run(0.5);
    const conn = net.connections.find((c) => c.client.protocol === vanishing)!;
    const serverProto = conn.server.protocol as LineEcho;
    const orig = serverProto.connectionLost.bind(serverProto);
    serverProto.connectionLost = (r: Failure) => {
      serverLost.push(r.typeName);
      orig(r);
    };
    net.resetConnection(conn);
    net.run();
    assert.deepEqual(serverLost, ["ConnectionLost"]);
    assert.equal(vanishing.lost, "ConnectionLost");
    assert.equal(good.received, "first\r\nsecond\r\n");
    assert.equal(good.lost, null);
    assert.equal(events.filter((e) => e.level === "error" || e.level === "critical").length, 0);
  });
});

test("nothing of a closed bad connection is retained: its server protocol and buffers are collected", async () => {
  const v8 = await import("node:v8");
  const vm = await import("node:vm");
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const net = new MemoryNetwork({ seed: 1, faults });
  const built: WeakRef<object>[] = [];
  const server = Factory.forProtocol(LineEcho);
  const build = server.buildProtocol.bind(server);
  server.buildProtocol = (addr) => {
    const p = build(addr)!;
    built.push(new WeakRef(p));
    return p;
  };
  withLog(() => {
    net.listenTCP(8000, server);
    connect(net, [enc("y".repeat(16000)), enc("y".repeat(16000))]);
    net.run();
  });
  assert.equal(built.length, 1);
  assert.equal(net.connections.length, 0);
  // WeakRefs are only cleared after the current job: let it end, then collect (a few rounds, since
  // one full GC does not always reach everything that became garbage in the same turn).
  for (let round = 0; round < 10 && built[0]!.deref() !== undefined; round++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(built[0]!.deref(), undefined, "the server protocol (and its line buffer) was collected");
});
