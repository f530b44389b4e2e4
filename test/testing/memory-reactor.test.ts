import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryReactor, MemoryReactorClock } from "../../src/testing/memory-reactor.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { IPv4Address, IPv6Address, UNIXAddress } from "../../src/protocols/address.js";
import type { IConnector, ReactorTCP, ReactorUDP, ReactorUNIX } from "../../src/interfaces.js";
import { DatagramProtocol } from "../../src/protocols/datagram.js";

test("listenTCP and connectTCP are recorded as Twisted's tuples and return fake ports and connectors", () => {
  const reactor = new MemoryReactor();
  const server = new Factory();
  const port = reactor.listenTCP(8080, server);
  assert.deepEqual(reactor.tcpServers, [[8080, server, 50, ""]]);
  assert.deepEqual(port.getHost(), new IPv4Address("TCP", "0.0.0.0", 8080));
  const v6 = reactor.listenTCP(1, server, { backlog: 5, interface: "::1" });
  assert.ok(v6.getHost() instanceof IPv6Address);
  assert.deepEqual(reactor.tcpServers[1], [1, server, 5, "::1"]);

  const started: IConnector[] = [];
  const client = new (class extends ClientFactory {
    override startedConnecting(c: IConnector): void {
      started.push(c);
    }
  })();
  const conn = reactor.connectTCP("example.com", 79, client, { timeout: 10 });
  assert.deepEqual(reactor.tcpClients, [["example.com", 79, client, 10, null]]);
  assert.deepEqual(started, [conn]);
  reactor.connectTCP("example.com", 80, client, { bindAddress: ["10.0.0.1", 1234] });
  assert.deepEqual(reactor.tcpClients[1], ["example.com", 80, client, 30, ["10.0.0.1", 1234]]);
  reactor.connectors.pop();
  assert.deepEqual(reactor.connectors, [conn]);
  assert.deepEqual(conn.getDestination(), new IPv4Address("TCP", "example.com", 79));
  conn.stopConnecting();
  conn.disconnect();
  assert.equal(conn.stoppedConnecting, true);
  assert.equal(conn.disconnected, true);
});

test("UNIX and UDP calls are recorded too", () => {
  const reactor = new MemoryReactor();
  const f = new Factory();
  const port = reactor.listenUNIX("/tmp/s", f);
  assert.deepEqual(reactor.unixServers, [["/tmp/s", f, 50, 0o666, false]]);
  assert.deepEqual(port.getHost(), new UNIXAddress("/tmp/s"));
  reactor.connectUNIX("/tmp/s", f);
  reactor.listenUNIX("/tmp/t", f, { backlog: 3, mode: 0o600 });
  reactor.connectUNIX("/tmp/t", f, { timeout: 2 });
  assert.deepEqual(reactor.unixServers[1], ["/tmp/t", f, 3, 0o600, false]);
  assert.deepEqual(reactor.unixClients, [["/tmp/s", f, 30, false], ["/tmp/t", f, 2, false]]);
  const proto = new DatagramProtocol();
  const udp = reactor.listenUDP(53, proto);
  assert.deepEqual(reactor.udpPorts, [[53, proto, "", 8192]]);
  assert.deepEqual(udp.getHost(), new IPv4Address("UDP", "0.0.0.0", 53));
  udp.write(new Uint8Array([1]), ["10.0.0.2", 53]);
  assert.deepEqual(udp.written, [[new Uint8Array([1]), ["10.0.0.2", 53]]]);
  reactor.listenUDP(54, proto, { interface: "::1", maxPacketSize: 512 });
  assert.deepEqual(reactor.udpPorts[1], [54, proto, "::1", 512]);
  let stopped = false;
  udp.stopListening().addCallback(() => {
    stopped = true;
  });
  assert.equal(stopped, true);
});

test("run() fires startup triggers and callWhenRunning hooks; stop() runs shutdown and fires run()'s Deferred", () => {
  const reactor = new MemoryReactor();
  const out: string[] = [];
  reactor.callWhenRunning(() => out.push(`hook:${reactor.running}`));
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    const d = new Deferred<void>();
    out.push("bsh");
    queueMicrotask(() => d.callback(undefined));
    return d;
  });
  const done = reactor.run();
  assert.deepEqual(out, ["hook:true"]);
  assert.equal(reactor.whenRunningHooks.length, 1);
  reactor.stop();
  assert.throws(() => reactor.stop(), ReactorNotRunning);
  assert.deepEqual(out, ["hook:true", "bsh"]);
  assert.equal(done.called, false);
  return done.then(() => {
    assert.equal(reactor.running, false);
    assert.throws(() => reactor.run(), ReactorNotRestartable);
  });
});

test("MemoryReactorClock has a Clock's fake time", () => {
  const reactor = new MemoryReactorClock();
  const out: number[] = [];
  reactor.callLater(2, () => out.push(reactor.seconds()));
  reactor.pump([1, 1]);
  assert.deepEqual(out, [2]);
  assert.equal(reactor.getDelayedCalls().length, 0);
  reactor.listenTCP(1, new Factory());
  assert.equal(reactor.tcpServers.length, 1);
});

test("MemoryReactor, MemoryNetwork and NodeReactor take the same ReactorTCP call shapes", () => {
  // Checked by the compiler (each class declares `implements ReactorTCP`); here a program written
  // against the interface runs on the fake.
  const program = (r: ReactorTCP & ReactorUNIX & ReactorUDP): void => {
    r.listenTCP(8000, new Factory(), { backlog: 10, interface: "127.0.0.1" });
    r.connectTCP("127.0.0.1", 8000, new ClientFactory(), { timeout: 5, bindAddress: ["127.0.0.1", 0] as const });
    r.listenUNIX("/tmp/u", new Factory(), { mode: 0o600 });
    r.connectUNIX("/tmp/u", new ClientFactory(), { timeout: 1 });
    r.listenUDP(0, new DatagramProtocol(), { interface: "127.0.0.1" });
  };
  const reactor = new MemoryReactor();
  program(reactor);
  assert.deepEqual(reactor.tcpServers.map((t) => t.slice(2)), [[10, "127.0.0.1"]]);
  assert.deepEqual(reactor.tcpClients.map((t) => [t[3], t[4]]), [[5, ["127.0.0.1", 0]]]);
  assert.equal(reactor.unixServers[0]![3], 0o600);
  assert.equal(reactor.unixClients[0]![2], 1);
  assert.equal(reactor.udpPorts[0]![2], "127.0.0.1");
});
