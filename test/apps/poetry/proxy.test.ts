import { test } from "node:test";
import assert from "node:assert/strict";
import { getPoetry } from "../../../src/apps/poetry/client.js";
import { PoetryProxyFactory, ProxyService, type ProxyEvent } from "../../../src/apps/poetry/proxy.js";
import { SlowPoetryFactory } from "../../../src/apps/poetry/server.js";
import { MemoryNet } from "./_memory-net.js";

const poem = "Alla Sera\nForse perché della fatal quïete\n";

function setup(): { net: MemoryNet; events: ProxyEvent[]; upstreamConnections: () => number } {
  const net = new MemoryNet();
  let upstream = 0;
  const server = new SlowPoetryFactory(net, new TextEncoder().encode(poem), { numBytes: 8, delay: 1 });
  const build = server.buildProtocol.bind(server);
  server.buildProtocol = (addr) => {
    upstream++;
    return build(addr);
  };
  net.listenTCP(10000, server);
  const events: ProxyEvent[] = [];
  net.listenTCP(10001, new PoetryProxyFactory(new ProxyService(net, "127.0.0.1", 10000, (e) => events.push(e))));
  return { net, events, upstreamConnections: () => upstream };
}

test("the proxy fetches the poem on the first request and serves it from its cache after", () => {
  const { net, events, upstreamConnections } = setup();
  let first: string | undefined;
  getPoetry(net, "127.0.0.1", 10001).addCallback((p) => (first = p));
  net.run(10);
  assert.equal(first, poem);
  let second: string | undefined;
  getPoetry(net, "127.0.0.1", 10001).addCallback((p) => (second = p));
  net.run(0.1);
  assert.equal(second, poem, "the cached poem arrives at once");
  assert.equal(upstreamConnections(), 1);
  assert.deepEqual(events, ["fetching", "fetched", "cached"]);
});

test("a client that leaves before the poem arrives cancels the proxy's download", () => {
  const { net, events } = setup();
  const d = getPoetry(net, "127.0.0.1", 10001);
  d.addErrback(() => undefined);
  net.run(1.5);
  const upstreamServerSide = net.connections.find(([, s]) => (s.getHost() as { port: number }).port === 10000)![1];
  assert.equal(upstreamServerSide.closed, false);
  d.cancel(); // the client goes away
  net.run(0.1);
  assert.deepEqual(events, ["fetching", "cancelled"]);
  assert.equal(upstreamServerSide.closed, true, "the upstream connection was closed");
  net.run(10);
  assert.equal(net.clock.getDelayedCalls().length, 0);
});
