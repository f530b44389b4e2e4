// Endpoint parsing (no sockets), plus a few real endpoint connections on 127.0.0.1 and a UNIX
// socket in a temporary directory; everything opened is closed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  clientFromString,
  connectProtocol,
  parseDescription,
  serverFromString,
  SSL4ClientEndpoint,
  SSL4ServerEndpoint,
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
  UNIXClientEndpoint,
  UNIXServerEndpoint,
} from "../../src/node/endpoints.js";
import { CancelledError, CannotListenError, ConnectionDone, ConnectionRefusedError, EndpointDescriptionError } from "../../src/errors.js";
import { Factory } from "../../src/protocols/factory.js";
import type { Port } from "../../src/node/port.js";
import type { IPv4Address } from "../../src/protocols/address.js";
import { TestReactor, waitFor } from "./_reactor.js";
import { Echo, Recorder, RecordingServerFactory, enc } from "./_protocols.js";

const r = new TestReactor();

test("parseDescription splits fields on unescaped colons and keywords on the first '='", () => {
  assert.deepEqual(parseDescription("tcp:8000:interface=127.0.0.1"), { type: "tcp", args: ["8000"], kwargs: { interface: "127.0.0.1" } });
  assert.deepEqual(parseDescription("unix:/tmp/a\\:b:mode=600"), { type: "unix", args: ["/tmp/a:b"], kwargs: { mode: "600" } });
  assert.deepEqual(parseDescription("tcp:host=a=b:port=1"), { type: "tcp", args: [], kwargs: { host: "a=b", port: "1" } });
  assert.deepEqual(parseDescription("TCP6:port=80:interface=\\:\\:1"), { type: "tcp6", args: [], kwargs: { port: "80", interface: "::1" } });
});

test("serverFromString makes TCP, TCP6, UNIX and SSL server endpoints with Twisted's defaults", () => {
  const t = serverFromString(r, "tcp:8000:interface=127.0.0.1") as TCP4ServerEndpoint;
  assert.ok(t instanceof TCP4ServerEndpoint && !(t instanceof TCP6ServerEndpoint));
  assert.deepEqual([t.port, t.interface_, t.backlog], [8000, "127.0.0.1", 50]);
  const any = serverFromString(r, "tcp:80") as TCP4ServerEndpoint;
  assert.deepEqual([any.port, any.interface_], [80, "0.0.0.0"]);
  const t6 = serverFromString(r, "tcp6:port=8080:backlog=5") as TCP6ServerEndpoint;
  assert.ok(t6 instanceof TCP6ServerEndpoint);
  assert.deepEqual([t6.port, t6.interface_, t6.backlog], [8080, "::", 5]);
  assert.ok(serverFromString(r, "tcp:1:interface=\\:\\:1") instanceof TCP6ServerEndpoint);
  const u = serverFromString(r, "unix:/var/run/x.sock:mode=600") as UNIXServerEndpoint;
  assert.deepEqual([u.address, u.mode, u.backlog], ["/var/run/x.sock", 0o600, 50]);
  assert.equal((serverFromString(r, "unix:address=/a") as UNIXServerEndpoint).mode, 0o666);
  const s = serverFromString(r, "ssl:443:privateKey=key.pem:certKey=cert.pem:interface=127.0.0.1") as SSL4ServerEndpoint;
  assert.ok(s instanceof SSL4ServerEndpoint);
  assert.deepEqual([s.port, s.tls, s.interface_], [443, { privateKey: "key.pem", certKey: "cert.pem" }, "127.0.0.1"]);
  assert.deepEqual((serverFromString(r, "tls:443:privateKey=both.pem") as SSL4ServerEndpoint).tls, { privateKey: "both.pem", certKey: "both.pem" });
});

test("clientFromString accepts keyword and positional TCP, UNIX and TLS forms", () => {
  const a = clientFromString(r, "tcp:host=example.com:port=80") as TCP4ClientEndpoint;
  assert.deepEqual([a.host, a.port, a.timeout, a.bindAddress], ["example.com", 80, 30, null]);
  const b = clientFromString(r, "tcp:example.com:80:timeout=2.5:bindAddress=127.0.0.1") as TCP4ClientEndpoint;
  assert.deepEqual([b.host, b.port, b.timeout, b.bindAddress], ["example.com", 80, 2.5, ["127.0.0.1", 0]]);
  assert.ok(clientFromString(r, "tcp6:host=\\:\\:1:port=80") instanceof TCP6ClientEndpoint);
  const u = clientFromString(r, "unix:/tmp/s.sock") as UNIXClientEndpoint;
  assert.deepEqual([u.path, u.timeout], ["/tmp/s.sock", 30]);
  assert.equal((clientFromString(r, "unix:path=/tmp/t:timeout=3") as UNIXClientEndpoint).timeout, 3);
  const s = clientFromString(r, "tls:example.com:443:trustRoots=/etc/ca.pem") as SSL4ClientEndpoint;
  assert.deepEqual([s.host, s.port, s.tls], ["example.com", 443, { trustRoots: "/etc/ca.pem" }]);
  const s2 = clientFromString(r, "ssl:host=h:port=1:certKey=c.pem:privateKey=k.pem:caCertsDir=/ca") as SSL4ClientEndpoint;
  assert.deepEqual(s2.tls, { certKey: "c.pem", privateKey: "k.pem", trustRoots: "/ca" });
});

test("bad descriptions throw EndpointDescriptionError saying what is wrong", () => {
  const bad: Array<[string, RegExp, "server" | "client"]> = [
    ["", /must start with a type/, "server"],
    ["foo:80", /unknown endpoint type "foo"/, "server"],
    ["tcp:", /needs a port/, "server"],
    ["tcp:http", /port must be a non-negative integer/, "server"],
    ["tcp:70000", /port from 0 to 65535/, "server"],
    ["tcp:80:colour=blue", /unknown parameter "colour"/, "server"],
    ["unix:/a:mode=999", /mode must be a non-negative integer in octal/, "server"],
    ["ssl:443", /needs privateKey/, "server"],
    ["tcp:host=example.com", /needs a port/, "client"],
    ["tcp:port=80", /needs host/, "client"],
    ["tcp:h:80:timeout=soon", /timeout must be a number of seconds/, "client"],
    ["tcp:h:80:1:2:3", /too many fields/, "client"],
    ["unix:", /needs path/, "client"],
  ];
  for (const [d, msg, kind] of bad) {
    assert.throws(
      () => (kind === "server" ? serverFromString(r, d) : clientFromString(r, d)),
      (e: unknown) => e instanceof EndpointDescriptionError && msg.test((e as Error).message) && (e as Error).message.startsWith("Invalid endpoint description: "),
      d,
    );
  }
});

test("TCP endpoints listen and connect; connect fires with the protocol after connectionMade", async () => {
  const sf = new RecordingServerFactory(Echo);
  const port = (await serverFromString(r, "tcp:0:interface=127.0.0.1").listen(sf)) as Port<IPv4Address>;
  const proto = (await clientFromString(r, `tcp:127.0.0.1:${port.getHost().port}`).connect(Factory.forProtocol(Recorder))) as Recorder;
  assert.deepEqual(proto.events, ["made"]);
  proto.transport.write(enc("hi"));
  await new Promise<void>((res) => {
    const t = setInterval(() => proto.received === "hi" && (clearInterval(t), res()), 2);
  });
  proto.transport.loseConnection();
  assert.ok((await proto.lost).check(ConnectionDone));
  await port.stopListening();
});

test("connectProtocol connects a given protocol instance", async () => {
  const port = (await new TCP4ServerEndpoint(r, 0, 50, "127.0.0.1").listen(new RecordingServerFactory(Echo))) as Port<IPv4Address>;
  const mine = new Recorder();
  const got = await connectProtocol(new TCP4ClientEndpoint(r, "127.0.0.1", port.getHost().port), mine);
  assert.equal(got, mine);
  assert.ok(mine.connected);
  mine.transport.loseConnection();
  await mine.lost;
  await port.stopListening();
});

test("a failed endpoint connect or listen fails its Deferred", async () => {
  const first = (await new TCP4ServerEndpoint(r, 0, 50, "127.0.0.1").listen(new RecordingServerFactory(Echo))) as Port<IPv4Address>;
  const taken = first.getHost().port;
  await assert.rejects(new TCP4ServerEndpoint(r, taken, 50, "127.0.0.1").listen(new RecordingServerFactory(Echo)).asPromise(), CannotListenError);
  await first.stopListening();
  await assert.rejects(new TCP4ClientEndpoint(r, "127.0.0.1", taken).connect(Factory.forProtocol(Recorder)).asPromise(), ConnectionRefusedError);
  await assert.rejects(new SSL4ClientEndpoint(r, "127.0.0.1", 1, { trustRoots: "/nonexistent/ca.pem" }).connect(Factory.forProtocol(Recorder)).asPromise(), /ENOENT/);
});

test("cancelling a connect Deferred stops the attempt with CancelledError", async () => {
  const f = Factory.forProtocol(Recorder);
  // Node starts the connect on a later tick: cancelling synchronously stops it before it begins.
  const d = new TCP4ClientEndpoint(r, "127.0.0.1", 9, 30).connect(f);
  d.cancel();
  await assert.rejects(d.asPromise(), CancelledError);
  assert.equal(f.numPorts, 0, "the factory was stopped");
  assert.equal(r.getDelayedCalls().length, 0, "the timeout was cancelled");
});

test("UNIX endpoints listen and connect", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reed-ep-"));
  try {
    const path = join(dir, "ep.sock");
    const port = await serverFromString(r, `unix:${path}`).listen(new RecordingServerFactory(Echo));
    const proto = (await clientFromString(r, `unix:path=${path}`).connect(Factory.forProtocol(Recorder))) as Recorder;
    proto.transport.loseConnection();
    await proto.lost;
    await port.stopListening();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("TLS endpoints from strings listen and connect with the fixture certificate", async () => {
  const fx = (n: string) => fileURLToPath(new URL(`../fixtures/tls/${n}`, import.meta.url));
  const sf = new RecordingServerFactory(Echo);
  const port = (await serverFromString(r, `ssl:0:interface=127.0.0.1:privateKey=${fx("key.pem")}:certKey=${fx("cert.pem")}`).listen(sf)) as Port<IPv4Address>;
  const proto = (await clientFromString(r, `tls:127.0.0.1:${port.getHost().port}:trustRoots=${fx("cert.pem")}`).connect(Factory.forProtocol(Recorder))) as Recorder;
  proto.transport.loseConnection();
  assert.ok((await proto.lost).check(ConnectionDone));
  // With TLS 1.3 the client is connected before the server has seen the handshake finish.
  await waitFor(() => sf.built.length === 1, 3000, "the server's protocol");
  await sf.built[0]!.lost;
  await port.stopListening();
  assert.deepEqual(r.openResources().map((x) => x.describe()), []);
});
