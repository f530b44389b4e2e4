import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryReactor, MemoryReactorClock } from "../../src/testing/memory-reactor.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { IPv4Address, IPv6Address, UNIXAddress } from "../../src/protocols/address.js";
import type { IConnector } from "../../src/interfaces.js";

test("listenTCP and connectTCP are recorded as Twisted's tuples and return fake ports and connectors", () => {
  const reactor = new MemoryReactor();
  const server = new Factory();
  const port = reactor.listenTCP(8080, server);
  assert.deepEqual(reactor.tcpServers, [[8080, server, 50, ""]]);
  assert.deepEqual(port.getHost(), new IPv4Address("TCP", "0.0.0.0", 8080));
  const v6 = reactor.listenTCP(1, server, 5, "::1");
  assert.ok(v6.getHost() instanceof IPv6Address);

  const started: IConnector[] = [];
  const client = new (class extends ClientFactory {
    override startedConnecting(c: IConnector): void {
      started.push(c);
    }
  })();
  const conn = reactor.connectTCP("example.com", 79, client, 10);
  assert.deepEqual(reactor.tcpClients, [["example.com", 79, client, 10, null]]);
  assert.deepEqual(started, [conn]);
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
  assert.deepEqual(reactor.unixClients, [["/tmp/s", f, 30, false]]);
  const proto = {};
  const udp = reactor.listenUDP(53, proto);
  assert.deepEqual(reactor.udpPorts, [[53, proto, "", 8192]]);
  assert.deepEqual(udp.getHost(), new IPv4Address("UDP", "0.0.0.0", 53));
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
