// REAL-NETWORK, REAL-PROCESS TEST: reed's AMP ProtocolSwitchCommand against Twisted 22.4's over
// TCP on 127.0.0.1, both directions (test/fixtures/amp_peer.py, command SwitchToEcho: after the
// switch the server greets with "hello <name>" and echoes lines as "echo: <line>"). Skipped
// (loudly) when /usr/bin/python3 cannot import twisted. Every child process is killed and every
// port closed before each test ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AMP, type ProtocolSwitchFactory } from "../../../src/protocols/amp/index.js";
import { ConnectionDone, ConnectionLost, ProtocolSwitched } from "../../../src/errors.js";
import { Deferred } from "../../../src/deferred.js";
import type { Failure } from "../../../src/failure.js";
import type { IConnector, IProtocol } from "../../../src/interfaces.js";
import { Factory } from "../../../src/protocols/factory.js";
import { LineReceiver } from "../../../src/protocols/basic/line.js";
import { listenTCP } from "../../../src/node/tcp.js";
import { TestReactor } from "../../node/_reactor.js";
import { allLines, exited, pythonPeer, skipUnlessPython } from "../../interop/_python.js";
import { connectAMP, Refused, Sum, SwitchToEcho } from "./_interop-commands.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/amp_peer.py", import.meta.url));
const skip = skipUnlessPython("amp protocol-switch interop", ["twisted"], "python3-twisted");

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The caller's line protocol: keeps every line; `next()` gives them in order, waiting if need be. */
class Lines extends LineReceiver {
  readonly lines: string[] = [];
  private read = 0;
  private readonly waiters: ((line: string) => void)[] = [];
  override lineReceived(line: Uint8Array): void {
    const text = dec.decode(line);
    this.lines.push(text);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.read++;
      waiter(text);
    }
  }
  /** The next line not yet taken. */
  next(): Promise<string> {
    if (this.read < this.lines.length) return Promise.resolve(this.lines[this.read++]!);
    return new Promise((r) => this.waiters.push(r));
  }
}

/** The factory reed's caller passes: builds Lines, records the outcome callbacks. */
class SwitchFactory implements ProtocolSwitchFactory {
  readonly built: Lines[] = [];
  readonly failed: Failure[] = [];
  readonly lost = new Deferred<[IConnector | null, Failure]>();
  buildProtocol(): IProtocol {
    const p = new Lines();
    this.built.push(p);
    return p;
  }
  clientConnectionFailed(_c: IConnector | null, reason: Failure): void {
    this.failed.push(reason);
  }
  clientConnectionLost(c: IConnector | null, reason: Failure): void {
    this.lost.callback([c, reason]);
  }
}

test("reed's AMP client switches a Twisted AMP server to a line protocol: refused first, then switched, greeting and echo", { skip, timeout: 20_000 }, async () => {
  const reactor = new TestReactor();
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["server"]);
  try {
    const first = await lines.next();
    const port = Number(/^PORT (\d+)$/.exec(first.value as string)?.[1] ?? NaN);
    assert.ok(Number.isFinite(port), `no port from the peer: ${stderr()}`);
    const client = await connectAMP(reactor, port);
    const factory = new SwitchFactory();

    await assert.rejects(
      client.callRemote(SwitchToEcho, { name: "nobody" }, factory).asPromise(),
      (e: unknown) => e instanceof Refused && e.message === "no switch for nobody",
    );
    assert.equal(factory.failed.length, 1, "clientConnectionFailed after the refusal");
    assert.ok(factory.failed[0]!.value instanceof ConnectionLost);
    assert.deepEqual(await client.callRemote(Sum, { a: 2, b: 3 }), { total: 5 }, "unlocked after the refusal");

    assert.deepEqual(await client.callRemote(SwitchToEcho, { name: "reed" }, factory), {});
    const inner = factory.built[0]!;
    assert.equal(client.innerProtocol, inner);
    assert.equal(await inner.next(), "hello reed", "Twisted's protocol greets over the switched connection");
    await assert.rejects(client.callRemote(Sum, { a: 1, b: 1 }).asPromise(), ProtocolSwitched);
    inner.sendLine(enc.encode("ping"));
    assert.equal(await inner.next(), "echo: ping");

    inner.transport.loseConnection();
    const [connector, reason] = await factory.lost;
    assert.equal(connector, null);
    assert.ok(reason.value instanceof ConnectionDone);
    assert.deepEqual(inner.lines, ["hello reed", "echo: ping"]);
  } finally {
    child.kill();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
});

test("a Twisted AMP client switches reed's AMP server to a line protocol: refused first, then switched, greeting and echo", { skip, timeout: 20_000 }, async () => {
  const reactor = new TestReactor();
  const servers: Server[] = [];
  let innerLostWith!: (reason: Failure) => void;
  const innerLost = new Promise<Failure>((r) => (innerLostWith = r));

  /** reed's side after the switch: greets, echoes lines as "echo: <line>". */
  class EchoLines extends LineReceiver {
    constructor(private readonly name: string) {
      super();
    }
    override connectionMade(): void {
      this.sendLine(enc.encode(`hello ${this.name}`));
    }
    override lineReceived(line: Uint8Array): void {
      this.sendLine(enc.encode(`echo: ${dec.decode(line)}`));
    }
    override connectionLost(reason: Failure): void {
      super.connectionLost(reason);
      innerLostWith(reason);
    }
  }
  class Server extends AMP {
    constructor() {
      super();
      servers.push(this);
      this.responder(Sum, ({ a, b }) => ({ total: a + b }));
      this.responder(SwitchToEcho, ({ name }) => {
        if (name === "nobody") throw new Refused("no switch for nobody");
        return new EchoLines(name);
      });
    }
  }
  const port = listenTCP(reactor, 0, Factory.forProtocol(Server), { interface: "127.0.0.1" });
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["switch-client", String(port.getHost().port)]);
  try {
    const out = (await allLines(lines)).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(await exited(child), 0, stderr());
    const byCase = (c: string) => out.filter((r) => r.case === c);
    assert.deepEqual(byCase("error"), []);
    assert.deepEqual(byCase("refused"), [{ case: "refused", error: "Refused", text: "no switch for nobody" }]);
    assert.deepEqual(byCase("clientConnectionFailed"), [{ case: "clientConnectionFailed", error: "ConnectionLost" }]);
    assert.deepEqual(byCase("unlocked"), [{ case: "unlocked", total: 5 }]);
    assert.deepEqual(byCase("switched"), [{ case: "switched", response: {}, inner: "PingLines" }]);
    assert.deepEqual(byCase("locked"), [{ case: "locked", error: "ProtocolSwitched" }]);
    assert.deepEqual(byCase("line").map((r) => r.line), ["hello twisted", "echo: ping"], "reed's protocol greeted and echoed");
    assert.deepEqual(byCase("clientConnectionLost"), [{ case: "clientConnectionLost", error: "ConnectionDone" }]);
    const reason = await innerLost;
    assert.ok(reason.value instanceof ConnectionDone, "reed's switched-to protocol heard the connection close");
    assert.equal(servers.length, 1);
    assert.ok(servers[0]!.innerProtocol instanceof EchoLines);
  } finally {
    child.kill();
    await port.stopListening();
    for (const c of reactor.getDelayedCalls()) c.cancel();
  }
});
