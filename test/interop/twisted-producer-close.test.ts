// REAL-PROCESS TEST: the close-with-a-producer table (test/node/_transport-scenarios.ts), whose
// expected events every reed transport is held to in test/node/transport-conformance.test.ts, is
// played on real Twisted 22.4 over TCP on 127.0.0.1 (test/fixtures/producer_close_peer.py), so
// the table itself cannot drift from Twisted. Skipped (loudly) when /usr/bin/python3 cannot
// import twisted. The Python child runs the rows one by one (each bounded at 5 s) and exits; it
// is killed in `finally` regardless.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ALL, scenarios, type Kind } from "../node/_transport-scenarios.js";
import { allLines, exited, pythonPeer, skipUnlessPython } from "./_python.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/producer_close_peer.py", import.meta.url));
const PIPES = fileURLToPath(new URL("../fixtures/producer_close_pipes.py", import.meta.url));
const skip = skipUnlessPython("twisted-producer-close", ["twisted.internet.reactor"], "python3-twisted");

interface Played {
  id: string;
  events: string[];
  clientBytes: number;
  sent: number;
  hung: boolean;
}

test("Twisted 22.4 does what the transport table expects, row by row", { skip, timeout: 60_000 }, async () => {
  const rows = scenarios.filter((s) => s.twisted !== false);
  const { child, lines, stderr } = pythonPeer(FIXTURE, rows.map((s) => s.id));
  try {
    const played = new Map((await allLines(lines)).map((l) => JSON.parse(l) as Played).map((p) => [p.id, p]));
    assert.equal(await exited(child), 0, stderr());
    for (const s of rows) {
      const p = played.get(s.id);
      assert.ok(p, `Twisted did not play ${s.id}: ${stderr()}`);
      assert.equal(p.hung, false, `${s.id} never ended in Twisted: ${p.events.join(", ")}`);
      assert.deepEqual(p.events, s.expected, `${s.id}: ${s.name}`);
      if (s.clientBytes !== "any") assert.equal(p.clientBytes, s.clientBytes === "sent" ? p.sent : s.clientBytes, `${s.id}: client bytes`);
    }
  } finally {
    child.kill();
  }
});

test("the row where reed departs from Twisted does hang in Twisted (so the departure is real)", { skip, timeout: 30_000 }, async () => {
  const departing = scenarios.filter((s) => s.twisted === false).map((s) => s.id);
  assert.deepEqual(departing, ["halfclose-pull"]);
  const { child, lines, stderr } = pythonPeer(FIXTURE, departing);
  try {
    const [p] = (await allLines(lines)).map((l) => JSON.parse(l) as Played);
    assert.equal(await exited(child), 0, stderr());
    assert.equal(p?.hung, true, `Twisted ended ${departing[0]}: ${p?.events.join(", ")}`);
  } finally {
    child.kill();
  }
});

// The rows reed runs on StandardIO and on spawnProcess's stdin, played on Twisted's StandardIO and
// its process transport (test/fixtures/producer_close_pipes.py; `lost` there is the
// ProcessProtocol's childConnectionLost(0), as in the reed test).
for (const kind of ["stdio", "process"] as const satisfies readonly Kind[]) {
  test(`Twisted 22.4's ${kind === "stdio" ? "StandardIO" : "process transport"} does what the table expects, for the rows reed runs on it`, { skip, timeout: 90_000 }, async () => {
    const rows = scenarios.filter((s) => (s.on ?? ALL).includes(kind) && s.twisted !== false);
    assert.ok(rows.length >= 9, "most rows apply");
    const { child, lines, stderr } = pythonPeer(PIPES, [kind, ...rows.map((s) => s.id)]);
    try {
      const played = new Map((await allLines(lines)).map((l) => JSON.parse(l) as Played).map((p) => [p.id, p]));
      assert.equal(await exited(child), 0, stderr());
      for (const s of rows) {
        const p = played.get(s.id);
        assert.ok(p, `Twisted did not play ${s.id}: ${stderr()}`);
        assert.equal(p.hung, false, `${s.id} never ended in Twisted: ${p.events.join(", ")}`);
        assert.deepEqual(p.events, s.expected, `${s.id}: ${s.name}`);
        if (s.clientBytes !== "any") assert.equal(p.clientBytes, s.clientBytes === "sent" ? p.sent : s.clientBytes, `${s.id}: client bytes`);
      }
    } finally {
      child.kill();
    }
  });
}
