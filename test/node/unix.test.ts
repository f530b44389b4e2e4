// Real UNIX-socket tests in a fresh temporary directory; every port and connection is closed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenUNIX, connectUNIX } from "../../src/node/unix.js";
import { CannotListenError, ConnectError, ConnectionDone } from "../../src/errors.js";
import { UNIXAddress } from "../../src/protocols/address.js";
import { TestReactor } from "./_reactor.js";
import { Echo, Recorder, RecordingClientFactory, RecordingServerFactory, enc } from "./_protocols.js";

const dir = mkdtempSync(join(tmpdir(), "reed-unix-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a UNIX client and server exchange data and see UNIXAddress addresses", async () => {
  const r = new TestReactor();
  const path = join(dir, "echo.sock");
  const sf = new RecordingServerFactory(Echo);
  const port = listenUNIX(r, path, sf, { mode: 0o600 });
  assert.deepEqual(port.getHost(), new UNIXAddress(path));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const cf = new RecordingClientFactory(Recorder);
  const connector = connectUNIX(r, path, cf);
  assert.deepEqual(connector.getDestination(), new UNIXAddress(path));
  const client = await cf.connected;
  assert.deepEqual(client.transport.getPeer(), new UNIXAddress(path));
  client.transport.write(enc("over a unix socket"));
  await new Promise<void>((res) => {
    const check = setInterval(() => client.received.length === 18 && (clearInterval(check), res()), 2);
  });
  assert.equal(client.received, "over a unix socket");
  assert.deepEqual(sf.built[0]!.transport.getHost(), new UNIXAddress(path));
  client.transport.loseConnection();
  assert.ok((await client.lost).check(ConnectionDone));
  assert.ok((await sf.built[0]!.lost).check(ConnectionDone));
  await port.stopListening();
  assert.equal(existsSync(path), false, "the socket file is removed");
  assert.deepEqual(r.openResources(), []);
});

test("listenUNIX on an existing path throws CannotListenError", async () => {
  const r = new TestReactor();
  const path = join(dir, "taken.sock");
  const port = listenUNIX(r, path, new RecordingServerFactory(Echo));
  try {
    assert.throws(() => listenUNIX(r, path, new RecordingServerFactory(Echo)), CannotListenError);
  } finally {
    await port.stopListening();
  }
});

test("connectUNIX to a missing path fails with a ConnectError", async () => {
  const r = new TestReactor();
  const cf = new RecordingClientFactory(Recorder);
  connectUNIX(r, join(dir, "nobody.sock"), cf);
  assert.ok((await cf.failed).check(ConnectError));
  assert.deepEqual(cf.calls, ["startFactory", "startedConnecting", "clientConnectionFailed", "stopFactory"]);
});
