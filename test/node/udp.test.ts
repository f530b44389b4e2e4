// Real UDP tests on 127.0.0.1; every port is closed by the end of each test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { listenUDP } from "../../src/node/udp.js";
import { DatagramProtocol } from "../../src/protocols/datagram.js";
import { CannotListenError } from "../../src/errors.js";
import { defaultLogObserver, globalLogPublisher } from "../../src/logger.js";
import { IPv4Address } from "../../src/protocols/address.js";
import { TestReactor } from "./_reactor.js";
import { dec, enc } from "./_protocols.js";

class Collector extends DatagramProtocol {
  events: string[] = [];
  got: Array<[string, [string, number]]> = [];
  private waiters: Array<() => void> = [];
  override startProtocol(): void {
    this.events.push("start");
  }
  override stopProtocol(): void {
    this.events.push("stop");
  }
  override datagramReceived(data: Uint8Array, addr: [string, number]): void {
    this.got.push([dec(data), addr]);
    for (const w of this.waiters.splice(0)) w();
  }
  next(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.got.length >= count ? resolve() : this.waiters.push(check));
      check();
    });
  }
}

class EchoUDP extends Collector {
  override datagramReceived(data: Uint8Array, addr: [string, number]): void {
    super.datagramReceived(data, addr);
    this.transport!.write(data, addr);
  }
}

test("datagrams travel between two UDP ports with their sender's address", async () => {
  const r = new TestReactor();
  const server = new EchoUDP();
  const client = new Collector();
  const sp = listenUDP(r, 0, server, { interface: "127.0.0.1" });
  const cp = listenUDP(r, 0, client, { interface: "127.0.0.1" });
  assert.deepEqual(server.events, ["start"], "startProtocol runs at once");
  await sp.whenListening();
  await cp.whenListening();
  const sAddr = sp.getHost();
  assert.ok(sAddr instanceof IPv4Address && sAddr.type === "UDP" && sAddr.port > 0);
  client.transport!.write(enc("ping"), ["127.0.0.1", sAddr.port]);
  await client.next(1);
  assert.deepEqual(server.got, [["ping", ["127.0.0.1", cp.getHost().port]]]);
  assert.deepEqual(client.got, [["ping", ["127.0.0.1", sAddr.port]]]);
  assert.deepEqual(r.openResources().map((x) => x.kind), ["udp-port", "udp-port"]);
  await sp.stopListening();
  await cp.stopListening();
  assert.deepEqual(server.events, ["start", "stop"]);
  assert.equal(server.transport, null);
  assert.deepEqual(r.openResources(), []);
});

test("write checks its arguments: bytes only, and an address unless connected", async () => {
  const r = new TestReactor();
  const p = new Collector();
  const port = listenUDP(r, 0, p, { interface: "127.0.0.1" });
  assert.throws(() => port.write("text" as unknown as Uint8Array, ["127.0.0.1", 9]), TypeError);
  assert.throws(() => port.write(enc("x")), TypeError);
  assert.throws(() => port.connect("localhost", 9), TypeError);
  await port.stopListening();
});

test("a connected UDP port sends to its peer and ignores other senders", async () => {
  const r = new TestReactor();
  const a = new Collector();
  const b = new Collector();
  const stranger = new Collector();
  const ap = listenUDP(r, 0, a, { interface: "127.0.0.1" });
  const bp = listenUDP(r, 0, b, { interface: "127.0.0.1" });
  const sp = listenUDP(r, 0, stranger, { interface: "127.0.0.1" });
  await Promise.all([ap.whenListening(), bp.whenListening(), sp.whenListening()]);
  ap.connect("127.0.0.1", bp.getHost().port);
  ap.write(enc("to b"));
  await b.next(1);
  assert.deepEqual(b.got[0]![0], "to b");
  stranger.transport!.write(enc("spam"), ["127.0.0.1", ap.getHost().port]);
  b.transport!.write(enc("reply"), ["127.0.0.1", ap.getHost().port]);
  await a.next(1);
  assert.deepEqual(a.got.map((g) => g[0]), ["reply"]);
  await Promise.all([ap.stopListening(), bp.stopListening(), sp.stopListening()]);
});

test("listenUDP on an IP address is bound when it returns, as in Twisted: getHost() has the real port", async () => {
  const r = new TestReactor();
  const p = new Collector();
  const port = listenUDP(r, 0, p, { interface: "127.0.0.1" });
  const host = port.getHost();
  assert.ok(host.port > 0, "the real port, not 0");
  assert.equal(host.host, "127.0.0.1");
  assert.equal(port.socket.address().port, host.port);
  await port.whenListening(); // already fired
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("binding a UDP port that is in use throws CannotListenError at once and never starts the protocol", async () => {
  const r = new TestReactor();
  const first = listenUDP(r, 0, new Collector(), { interface: "127.0.0.1" });
  const second = new Collector();
  try {
    assert.throws(() => listenUDP(r, first.getHost().port, second, { interface: "127.0.0.1" }), (e: unknown) => {
      assert.ok(e instanceof CannotListenError);
      assert.match(String(e), new RegExp(`127\\.0\\.0\\.1:${first.getHost().port}`));
      return true;
    });
    assert.deepEqual(second.events, [], "startProtocol never ran");
    assert.deepEqual(r.openResources().map((x) => x.kind), ["udp-port"]);
  } finally {
    await first.stopListening();
  }
  assert.deepEqual(r.openResources(), []);
});

test("a host-name interface binds a moment later; a failure then fails whenListening and stops the protocol", async () => {
  const r = new TestReactor();
  const first = listenUDP(r, 0, new Collector(), { interface: "127.0.0.1" });
  const second = new Collector();
  globalLogPublisher.removeObserver(defaultLogObserver);
  try {
    const port = listenUDP(r, first.getHost().port, second, { interface: "localhost" });
    assert.equal(port.getHost().port, first.getHost().port, "the requested address until the bind completes");
    await assert.rejects(port.whenListening().asPromise(), CannotListenError);
    await port.stopListening();
    assert.deepEqual(second.events, ["start", "stop"]);
  } finally {
    globalLogPublisher.addObserver(defaultLogObserver);
    await first.stopListening();
  }
  assert.deepEqual(r.openResources(), []);
});
