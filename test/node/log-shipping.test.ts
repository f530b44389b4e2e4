// REAL-SOCKET TEST (127.0.0.1): shipLogs() to an in-process log collector.
import { test } from "node:test";
import assert from "node:assert/strict";
import { shipLogs } from "../../src/node/log-shipping.js";
import { listenTCP } from "../../src/node/tcp.js";
import { collectorFactory } from "../../src/apps/log-collector.js";
import { Logger, LogPublisher } from "../../src/logger.js";
import { TestReactor, waitFor } from "./_reactor.js";

test("shipLogs sends a publisher's events to a collector and stop() ends the shipment", { timeout: 10_000 }, async () => {
  const reactor = new TestReactor();
  const lines: string[] = [];
  const port = listenTCP(reactor, 0, collectorFactory({ line: (t) => void lines.push(t), status: () => {} }, reactor), { interface: "127.0.0.1" });
  const publisher = new LogPublisher();
  const log = new Logger("app", publisher);
  const shipment = shipLogs(reactor, "127.0.0.1", (port.getHost() as { port: number }).port, { sender: "web-1", publisher });
  try {
    log.info("first {n}", { n: 1 });
    log.warn("second");
    log.warn("second");
    await waitFor(() => shipment.shipper.delivered === 3, 5000, "delivery");
    assert.ok(lines.some((l) => / web-1 #0 \[app#info\] first 1$/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => / web-1 #1 \[app#warn\] second/.test(l)), lines.join("\n"));
  } finally {
    shipment.stop();
    await port.stopListening();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
  log.info("after stop");
  assert.equal(shipment.shipper.emitted, 3, "the observer was removed");
});
