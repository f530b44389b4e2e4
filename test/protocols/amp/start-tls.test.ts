// REAL-NETWORK TEST (marked): AMP's StartTLS between two reed AMP peers over TCP on 127.0.0.1,
// with the test-only certificates in test/fixtures/tls. Every port is closed before a test ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { AMP, StartTLS, command, Boolean as AmpBoolean, Unicode } from "../../../src/protocols/amp/index.js";
import { CancelledError, ConnectionDone, ConnectionLost, OnlyOneTLS, UnknownRemoteError } from "../../../src/errors.js";
import { Factory } from "../../../src/protocols/factory.js";
import { listenTCP } from "../../../src/node/tcp.js";
import type { Connection } from "../../../src/node/connection.js";
import type { Failure } from "../../../src/failure.js";
import { defaultLogObserver, globalLogPublisher, type LogEvent } from "../../../src/logger.js";
import { TestReactor } from "../../node/_reactor.js";
import { connectAMP, Sum } from "./_interop-commands.js";
import { box, fromBinary, parseString, serializeBox } from "../../../src/protocols/amp/box.js";
import type { Deferred } from "../../../src/deferred.js";
import { Loopback } from "./_loopback.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));
const certificate = { certKey: fixture("cert.pem"), privateKey: fixture("key.pem") };

/** Answers whether the connection runs TLS and the CN of the peer's certificate ("-" without one). */
const Whoami = command({ commandName: "Whoami", response: { tls: AmpBoolean(), cn: Unicode() } });

function cnOf(amp: AMP): string {
  return /CN=([^\n]+)/.exec(amp.peerCertificate?.subject ?? "")?.[1] ?? "-";
}

/** A server AMP with Sum and Whoami, and a StartTLS responder made by `tls` (none when null). */
class Server extends AMP {
  static tls: (() => Record<string, unknown>) | null = () => ({ tls_localCertificate: certificate, tls_verifyAuthorities: fixture("cert.pem") });
  lost: Promise<Failure>;
  private resolveLost!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((r) => (this.resolveLost = r));
    this.responder(Sum, ({ a, b }) => ({ total: a + b }));
    this.responder(Whoami, () => ({ tls: (this.transport as Connection).TLS, cn: cnOf(this) }));
    const tls = Server.tls;
    if (tls !== null) this.responder(StartTLS, tls);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.resolveLost(reason);
  }
}

async function serve() {
  const r = new TestReactor();
  const servers: Server[] = [];
  const f = new Factory<Server>();
  f.buildProtocol = () => {
    const s = new Server();
    servers.push(s);
    return s;
  };
  const port = listenTCP(r, 0, f, { interface: "127.0.0.1" });
  const client = await connectAMP(r, port.getHost().port);
  const clientLost = new Promise<Failure>((res) => {
    const orig = client.connectionLost.bind(client);
    client.connectionLost = (reason) => (orig(reason), res(reason));
  });
  return { r, port, client, clientLost, server: () => servers[0]! };
}

function quietLogs(): { events: LogEvent[]; restore: () => void } {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.removeObserver(defaultLogObserver);
  globalLogPublisher.addObserver(obs);
  return { events, restore: () => (globalLogPublisher.removeObserver(obs), globalLogPublisher.addObserver(defaultLogObserver)) };
}

test("StartTLS switches both sides to TLS; calls made before the answer are held and sent encrypted", async () => {
  const { port, client, clientLost, server } = await serve();
  const started = client.callRemote(StartTLS, { tls_localCertificate: certificate, tls_verifyAuthorities: fixture("cert.pem") });
  // Sent before the answer: held, then sent over TLS (the server sees it on a TLS connection).
  const early = client.callRemote(Whoami, {});
  assert.deepEqual(await started, {}, "the local arguments never travel");
  assert.deepEqual(await early, { tls: true, cn: "localhost" });
  assert.deepEqual(await client.callRemote(Sum, { a: 2, b: 3 }), { total: 5 });
  assert.equal(cnOf(client), "localhost");
  assert.equal(cnOf(server()), "localhost");
  client.transport.loseConnection();
  await Promise.all([clientLost, server().lost]);
  await port.stopListening();
});

test("calling StartTLS again fails with OnlyOneTLS, while waiting and after", async () => {
  const { port, client, clientLost, server } = await serve();
  const first = client.callRemote(StartTLS, { tls_verifyAuthorities: fixture("cert.pem"), tls_localCertificate: certificate });
  await assert.rejects(client.callRemote(StartTLS, {}).asPromise(), OnlyOneTLS);
  await first;
  await assert.rejects(client.callRemote(StartTLS, {}).asPromise(), (e: unknown) => e instanceof OnlyOneTLS && e.code === "ERR_REED_AMP_ONLY_ONE_TLS");
  assert.deepEqual(await client.callRemote(Sum, { a: 1, b: 1 }), { total: 2 }, "the connection is kept");
  client.transport.loseConnection();
  await Promise.all([clientLost, server().lost]);
  await port.stopListening();
});

test("a responder without a certificate answers TLS_ERROR; the held calls then go in the clear", async () => {
  const saved = Server.tls;
  Server.tls = () => ({});
  try {
    const { port, client, clientLost, server } = await serve();
    const started = client.callRemote(StartTLS, {});
    const early = client.callRemote(Whoami, {});
    await assert.rejects(started.asPromise(), (e: unknown) => e instanceof UnknownRemoteError && /no tls_localCertificate/.test(e.description));
    assert.deepEqual(await early, { tls: false, cn: "-" });
    client.transport.loseConnection();
    await Promise.all([clientLost, server().lost]);
    await port.stopListening();
  } finally {
    Server.tls = saved;
  }
});

test("a caller that does not trust the responder's certificate loses the connection; held calls fail with the reason", async () => {
  const logs = quietLogs();
  try {
    const { port, client, clientLost, server } = await serve();
    const started = client.callRemote(StartTLS, { tls_verifyAuthorities: fixture("other-cert.pem") });
    const early = client.callRemote(Sum, { a: 1, b: 2 });
    const earlyFailed = early.asPromise().then(
      () => null,
      (e: unknown) => e,
    );
    await started; // the answer came in the clear; the handshake fails after it
    const reason = await clientLost;
    assert.ok(reason.check(ConnectionLost), String(reason));
    assert.ok((await earlyFailed) instanceof ConnectionLost);
    await server().lost;
    await port.stopListening();
  } finally {
    logs.restore();
  }
});

test("held boxes are never sent in the clear when TLS cannot start because the connection is closing", async () => {
  // A bare TCP peer answers a Sum and the StartTLS in one write, so both reach the client in one
  // chunk: the Sum's callback closes the connection, then the StartTLS answer is handled.
  const received: Buffer[] = [];
  let answered = false;
  const peer = net.createServer();
  const peerClosed = new Promise<void>((resolve) => {
    peer.on("connection", (sock) => {
      sock.on("data", (chunk: Buffer) => {
        received.push(chunk);
        if (answered || parseString(new Uint8Array(Buffer.concat(received)), false).length < 2) return;
        answered = true;
        sock.write(Buffer.concat([serializeBox(box({ _answer: "1", total: "2" })), serializeBox(box({ _answer: "2" }))]));
      });
      sock.on("error", () => undefined);
      sock.on("close", () => resolve());
    });
  });
  await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
  const r = new TestReactor();
  const client = await connectAMP(r, (peer.address() as net.AddressInfo).port);
  const lost = new Promise<Failure>((res) => {
    const orig = client.connectionLost.bind(client);
    client.connectionLost = (reason) => (orig(reason), res(reason));
  });
  client.callRemote(Sum, { a: 1, b: 1 }).addCallback(() => client.transport.loseConnection());
  let later: Promise<unknown> = Promise.resolve();
  const started = client
    .callRemote(StartTLS, {})
    .addCallback((v) => {
      // Sent after TLS should have started (the connection is still open, closing).
      later = client.callRemote(Sum, { a: 4343, b: 0 }).asPromise().catch((e: unknown) => e);
      return v;
    })
    .asPromise()
    .catch((e: unknown) => e);
  const secret = client.callRemote(Sum, { a: 4242, b: 0 }).asPromise().catch((e: unknown) => e);
  await lost;
  await Promise.all([peerClosed, started, secret, later]);
  await new Promise<void>((res) => peer.close(() => res()));
  const boxes = parseString(new Uint8Array(Buffer.concat(received)), false);
  assert.deepEqual(boxes.map((b) => fromBinary(b.get("_command")!)), ["Sum", "StartTLS"], "the held Sum never went out in the clear");
  assert.ok(!Buffer.concat(received).includes("4242"));
  assert.ok(!Buffer.concat(received).includes("4343"));
  assert.ok((await secret) instanceof ConnectionDone, "the held call fails with the connection's loss");
  assert.ok((await later) instanceof ConnectionDone, "so does a call made after the answer");
});

test("StartTLS asked by both sides at once: each refuses the other's, so both calls fail instead of waiting forever", () => {
  // In memory: no TLS starts in this exchange, so the fake transport needs no startTLS.
  const tlsResponder = () => ({ tls_localCertificate: certificate });
  const a = new AMP().responder(StartTLS, tlsResponder).responder(Sum, ({ a: x, b: y }) => ({ total: x + y }));
  const b = new AMP().responder(StartTLS, tlsResponder);
  const pair = new Loopback(a, b);
  const outcomes: unknown[] = [];
  const record = (d: Deferred<unknown>): void => void d.addCallbacks((v) => void outcomes.push(v), (f: Failure) => void outcomes.push(f.value));
  record(a.callRemote(StartTLS, { tls_localCertificate: certificate }));
  record(b.callRemote(StartTLS, { tls_localCertificate: certificate }));
  pair.pump();
  assert.equal(outcomes.length, 2, "both StartTLS calls got their answer");
  for (const e of outcomes) assert.ok(e instanceof UnknownRemoteError && /TLS/.test(e.description), String(e));
  assert.equal(a.outstandingCalls + b.outstandingCalls, 0);
  // Neither side holds boxes any more: the connection still carries calls, in the clear.
  record(b.callRemote(Sum, { a: 1, b: 2 }));
  pair.pump();
  assert.deepEqual(outcomes[2], { total: 3 });
});

test("cancelling a StartTLS call still waiting for its answer does not send the held boxes in the clear", () => {
  // In memory, and the answer never comes: the responder is still deciding.
  const a = new AMP();
  const b = new AMP().responder(StartTLS, () => new Promise<never>(() => undefined)).responder(Sum, ({ a: x, b: y }) => ({ total: x + y }));
  const pair = new Loopback(a, b);
  const started = a.callRemote(StartTLS, { tls_localCertificate: certificate });
  let startFailure: unknown = null;
  started.addErrback((f: Failure) => void (startFailure = f.value));
  pair.pump();
  pair.clientTransport.take();
  a.callRemote(Sum, { a: 4242, b: 0 }).addErrback(() => undefined); // held until TLS is up
  started.cancel(); // e.g. a timeout gave up on the answer
  assert.ok(startFailure instanceof CancelledError, String(startFailure));
  assert.equal(pair.clientTransport.written.length, 0, "the held call went out in the clear");
});
