// REAL-NETWORK, REAL-PROCESS TEST: reed's AMP against Twisted 22.4's over TCP on 127.0.0.1.
// Skipped (loudly) when /usr/bin/python3 cannot import twisted. Every child process is killed and
// every port closed before each test ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AMP, DateTimeValue, DecimalValue, type ArgumentsOf } from "../../../src/protocols/amp/index.js";
import { UnhandledCommand, UnknownRemoteError } from "../../../src/errors.js";
import { Factory } from "../../../src/protocols/factory.js";
import { TestReactor } from "../../node/_reactor.js";
import { pythonPeer, skipUnlessPython } from "../../interop/_python.js";
import { listenTCP } from "../../../src/node/tcp.js";
import { defaultLogObserver, globalLogPublisher, type LogEvent } from "../../../src/logger.js";
import { AllTypes, Boom, connectAMP, Divide, Missing, ZeroDivision } from "./_interop-commands.js";

const FIXTURE = new URL("../../fixtures/amp_peer.py", import.meta.url).pathname;
const skip = skipUnlessPython("amp-interop", ["twisted"], "python3-twisted");

// What Twisted's describe() prints for the arguments below (recorded from Python 3 / Twisted 22.4).
const PY_SEEN =
  "al=[{'a': 7, 'b': 'hello'}, {'a': 9, 'b': 'goodbye'}]; b=True; d=Decimal('1.50'); fl=0.1; i=-1234567890123; " +
  "l=[1, -2, 3000000000]; ld=[Decimal('1E+2'), Decimal('-Infinity')]; lf=[1e+16, -0.0, 1.5e-07, inf]; " +
  "lu=['a', '', 'ü']; o=None; p=FilePath('/tmp/héllo ☃'); s=b'\\x00\\xffbytes'; t='2012-01-23T12:34:56.054321+05:30'; u='héllo ☃'";

const ARGS: ArgumentsOf<typeof AllTypes> = {
  i: -1234567890123, s: new Uint8Array([0, 255, ...new TextEncoder().encode("bytes")]), u: "héllo ☃", b: true, fl: 0.1,
  d: DecimalValue.fromString("1.50"), t: new DateTimeValue(2012, 1, 23, 12, 34, 56, 54321, 330), l: [1, -2, 3000000000],
  lu: ["a", "", "ü"], lf: [1e16, -0, 1.5e-7, Infinity], ld: [DecimalValue.fromString("1E+2"), DecimalValue.fromString("-Infinity")],
  al: [{ a: 7, b: "hello" }, { a: 9, b: "goodbye" }], p: "/tmp/héllo ☃",
};

function normalise(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, x instanceof Uint8Array ? [...x] : Array.isArray(x) ? x.map((e) => (e instanceof DecimalValue ? e.toString() : Object.is(e, -0) ? "-0" : e)) : x instanceof DecimalValue || x instanceof DateTimeValue ? x.toString() : x]),
  );
}


function quietLogs(): { events: LogEvent[]; restore: () => void } {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.removeObserver(defaultLogObserver);
  globalLogPublisher.addObserver(obs);
  return { events, restore: () => (globalLogPublisher.removeObserver(obs), globalLogPublisher.addObserver(defaultLogObserver)) };
}

test("reed's AMP client calls a Twisted AMP server: every argument type, a declared error, an unknown command, an undeclared error", { skip, timeout: 20_000 }, async () => {
  const reactor = new TestReactor();
  const { child, lines } = pythonPeer(FIXTURE, ["server"]);
  try {
    const first = await lines.next();
    const port = Number(/^PORT (\d+)$/.exec(first.value as string)![1]);
    const client = await connectAMP(reactor, port);

    const echoed = await client.callRemote(AllTypes, ARGS);
    assert.equal(echoed.seen, PY_SEEN, "Twisted decoded every type as Python would");
    const { seen: _seen, ...rest } = echoed;
    assert.deepEqual(normalise(rest), normalise({ ...ARGS, o: undefined }), "and its re-encoding decodes back to the same values");
    assert.equal((await client.callRemote(AllTypes, { ...ARGS, o: 42 })).o, 42);

    await assert.rejects(client.callRemote(Divide, { numerator: 1, denominator: 0 }).asPromise(), (e: unknown) => e instanceof ZeroDivision && e.message === "division by zero");
    await assert.rejects(client.callRemote(Missing, {}).asPromise(), (e: unknown) => e instanceof UnhandledCommand && e.description === "Unhandled Command: b'Missing'");
    assert.deepEqual(await client.callRemote(Divide, { numerator: 7, denominator: 2 }), { result: 3.5 }, "connection kept after UNHANDLED");

    const lost = new Promise<string>((resolve) => {
      const orig = client.connectionLost.bind(client);
      client.connectionLost = (reason) => {
        orig(reason);
        resolve(reason.typeName);
      };
    });
    const logs = quietLogs();
    try {
      await assert.rejects(client.callRemote(Boom, {}).asPromise(), (e: unknown) => e instanceof UnknownRemoteError && e.description === "Unknown Error");
      assert.equal(await lost, "ConnectionDone", "Twisted drops the connection after UNKNOWN");
    } finally {
      logs.restore();
    }
  } finally {
    child.kill();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
});

test("a Twisted AMP client calls reed's AMP server: every argument type, a declared error, an unknown command, an undeclared error", { skip, timeout: 20_000 }, async () => {
  const reactor = new TestReactor();
  const received: ArgumentsOf<typeof AllTypes>[] = [];
  class Server extends AMP {
    constructor() {
      super();
      this.responder(AllTypes, (args) => {
        received.push(args);
        return { ...args, seen: "reed" };
      });
      this.responder(Divide, ({ numerator, denominator }) => {
        if (denominator === 0) throw new ZeroDivision("division by zero");
        return { result: numerator / denominator };
      });
      this.responder(Boom, () => {
        throw new Error("kaboom");
      });
    }
  }
  const port = listenTCP(reactor, 0, Factory.forProtocol(Server), { interface: "127.0.0.1" });
  const logs = quietLogs();
  const { child, lines } = pythonPeer(FIXTURE, ["client", String(port.getHost().port)]);
  try {
    const results: Record<string, Record<string, unknown>> = {};
    for await (const line of { [Symbol.asyncIterator]: () => lines }) {
      const r = JSON.parse(line) as { case: string };
      results[r.case] = r;
      if (r.case === "connection-lost-after-unknown" || r.case === "error") break;
    }
    assert.equal(results.error, undefined, String(results.error?.text));
    assert.equal(results.alltypes!.echo, results.alltypes!.sent, "reed decoded and re-encoded every type exactly");
    assert.deepEqual(normalise(received[0]!), normalise({ ...ARGS, o: undefined }), "reed decoded Twisted's encoding of every type");
    assert.equal(results.optional!.o, 42);
    assert.deepEqual(results.declared, { case: "declared", error: "ZeroDivisionError", text: "division by zero" });
    assert.equal(results.unhandled!.error, "UnhandledCommand");
    assert.equal(results["after-unhandled"]!.result, 3.5);
    assert.equal(results.unknown!.error, "UnknownRemoteError");
    assert.match(String(results.unknown!.text), /Code<UNKNOWN>: Unknown Error/);
    assert.equal(results["connection-lost-after-unknown"]!.lost, true, "reed dropped the connection after UNKNOWN");
    assert.ok(logs.events.some((e) => e.failure?.getErrorMessage() === "kaboom"), "reed logged the responder's failure");
  } finally {
    logs.restore();
    child.kill();
    await port.stopListening();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
});
