// Real TLS tests on 127.0.0.1 with the test-only self-signed certificate in test/fixtures/tls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { listenSSL, connectSSL } from "../../src/node/tls.js";
import { ConnectError, ConnectionDone } from "../../src/errors.js";
import { TestReactor, lookupTo } from "./_reactor.js";
import { Echo, Recorder, RecordingClientFactory, RecordingServerFactory, enc } from "./_protocols.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const server = { certKey: fixture("cert.pem"), privateKey: fixture("key.pem") };

test("a TLS client that trusts the server's certificate exchanges data with it", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = listenSSL(r, 0, sf, server, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectSSL(r, "localhost", port.getHost().port, cf, { trustRoots: fixture("cert.pem") }, { lookup: lookupTo("127.0.0.1") });
  const client = await Promise.race([cf.connected, cf.failed.then((f) => Promise.reject(f.value))]);
  client.transport.write(enc("secret"));
  await new Promise<void>((res) => {
    const check = setInterval(() => client.received === "secret" && (clearInterval(check), res()), 2);
  });
  client.transport.loseConnection();
  assert.ok((await client.lost).check(ConnectionDone));
  await sf.built[0]!.lost;
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("a TLS client that does not trust the certificate fails to connect", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(Echo);
  const port = listenSSL(r, 0, sf, server, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(Recorder);
  connectSSL(r, "127.0.0.1", port.getHost().port, cf, { trustRoots: fixture("other-cert.pem") });
  const reason = await cf.failed;
  assert.ok(reason.check(ConnectError));
  assert.match(reason.getErrorMessage(), /certificate/i);
  assert.equal(sf.built.length, 0, "the server never built a protocol");
  await port.stopListening();
});
