// REAL-NETWORK, REAL-PROCESS TEST: reed's AMP StartTLS against Twisted 22.4's over TCP on
// 127.0.0.1, both directions (test/fixtures/amp_tls_peer.py). Skipped (loudly) when
// /usr/bin/python3 cannot import Twisted's TLS (python3-twisted, python3-openssl). Each Python
// child exits by itself after one connection (or after 15 s) and is killed in `finally` anyway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AMP, StartTLS, command, Boolean as AmpBoolean, Unicode } from "../../../src/protocols/amp/index.js";
import { ConnectionDone } from "../../../src/errors.js";
import { Factory } from "../../../src/protocols/factory.js";
import { listenTCP } from "../../../src/node/tcp.js";
import type { Connection } from "../../../src/node/connection.js";
import type { Failure } from "../../../src/failure.js";
import { TestReactor } from "../../node/_reactor.js";
import { allLines, pythonPeer, skipUnlessPython } from "../../interop/_python.js";
import { connectAMP } from "./_interop-commands.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/amp_tls_peer.py", import.meta.url));
const TLS_DIR = fileURLToPath(new URL("../../fixtures/tls", import.meta.url));
const skip = skipUnlessPython("amp start-tls interop", ["twisted.internet.ssl", "OpenSSL"], "python3-twisted python3-openssl");

const certificate = { certKey: `${TLS_DIR}/cert.pem`, privateKey: `${TLS_DIR}/key.pem` };
const authorities = `${TLS_DIR}/cert.pem`;
const Whoami = command({ commandName: "Whoami", response: { tls: AmpBoolean(), cn: Unicode() } });

function cnOf(amp: AMP): string {
  return /CN=([^\n]+)/.exec(amp.peerCertificate?.subject ?? "")?.[1] ?? "-";
}



function whenLost(amp: AMP): Promise<Failure> {
  return new Promise((res) => {
    const orig = amp.connectionLost.bind(amp);
    amp.connectionLost = (reason) => (orig(reason), res(reason));
  });
}

test("reed's AMP client calls StartTLS on a Twisted AMP server; a call made before the answer goes encrypted", { skip, timeout: 20_000 }, async () => {
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["server", TLS_DIR]);
  try {
    const first = await lines.next();
    const port = Number(/^PORT (\d+)$/.exec(String(first.value))?.[1]);
    assert.ok(port > 0, `python printed ${String(first.value)}; stderr: ${stderr()}`);
    const client = await connectAMP(new TestReactor(), port);
    const lost = whenLost(client);
    const started = client.callRemote(StartTLS, { tls_localCertificate: certificate, tls_verifyAuthorities: authorities });
    const early = client.callRemote(Whoami, {});
    assert.deepEqual(await started, {});
    assert.deepEqual(await early, { tls: true, cn: "localhost" }, "Twisted saw the held call on TLS, with reed's certificate");
    assert.equal(cnOf(client), "localhost");
    client.transport.loseConnection();
    assert.ok((await lost).check(ConnectionDone));
    assert.deepEqual(await allLines(lines), ["LOST ConnectionDone"], stderr());
  } finally {
    child.kill();
  }
});

test("a Twisted AMP client calls StartTLS on reed's AMP server", { skip, timeout: 20_000 }, async () => {
  const r = new TestReactor();
  const servers: AMP[] = [];
  const f = new Factory<AMP>();
  f.buildProtocol = () => {
    const s: AMP = new AMP()
      .responder(StartTLS, () => ({ tls_localCertificate: certificate, tls_verifyAuthorities: authorities }))
      .responder(Whoami, () => ({ tls: (s.transport as Connection).TLS, cn: cnOf(s) }));
    servers.push(s);
    return s;
  };
  const port = listenTCP(r, 0, f, { interface: "127.0.0.1" });
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["client", TLS_DIR, String(port.getHost().port)]);
  try {
    const out = await allLines(lines);
    assert.deepEqual(out, ["WHOAMI True localhost", "PEER localhost", "LOST ConnectionDone"], stderr());
    assert.equal(servers.length, 1);
  } finally {
    child.kill();
    await port.stopListening();
  }
});
