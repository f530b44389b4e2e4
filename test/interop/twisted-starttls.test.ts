// REAL-NETWORK, REAL-PROCESS TEST: reed's startTLS against Twisted 22.4's over TCP on 127.0.0.1,
// in both directions (test/fixtures/starttls_peer.py). Skipped (loudly) when /usr/bin/python3
// cannot import twisted's TLS support (python3-twisted and python3-openssl). Each Python child
// exits by itself after one connection (or after 15 s); it is killed in `finally` regardless.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { connectTCP, listenTCP } from "../../src/node/tcp.js";
import type { Connection } from "../../src/node/connection.js";
import { ConnectionDone } from "../../src/errors.js";
import { TestReactor } from "../node/_reactor.js";
import { allLines, exited, pythonPeer, skipUnlessPython } from "./_python.js";
import { Recorder, RecordingClientFactory, RecordingServerFactory, enc } from "../node/_protocols.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/starttls_peer.py", import.meta.url));
const TLS_DIR = fileURLToPath(new URL("../fixtures/tls", import.meta.url));
const fixture = (name: string): string => `${TLS_DIR}/${name}`;
const skip = skipUnlessPython("twisted-starttls", ["twisted.internet.ssl", "OpenSSL"], "python3-twisted python3-openssl");

/** This side's certificate (the test one, which Twisted trusts) and the root to trust for the peer's. */
const mine = { certKey: fixture("cert.pem"), privateKey: fixture("key.pem"), trustRoots: fixture("cert.pem") };




test("reed's client upgrades with startTLS against a Twisted server that calls startTLS", { skip, timeout: 20_000 }, async () => {
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["server", TLS_DIR]);
  try {
    const first = await lines.next();
    const port = Number(/^PORT (\d+)$/.exec(String(first.value))?.[1]);
    assert.ok(port > 0, `python printed ${String(first.value)}; stderr: ${stderr()}`);
    class Client extends Recorder {
      peerSubject = "";
      override connectionMade(): void {
        super.connectionMade();
        this.transport.write(enc("STARTTLS\r\n"));
      }
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.received === "GO\r\n") {
          (this.transport as Connection).startTLS({ ...mine, hostname: "localhost" });
          this.transport.write(enc("PING\r\n")); // held until the handshake is done, then encrypted
        }
        if (this.received.endsWith("PONG localhost\r\n")) {
          this.peerSubject = (this.transport as Connection).getPeerCertificate()?.subject ?? "";
          this.transport.loseConnection();
        }
      }
    }
    const cf = new RecordingClientFactory(Client);
    connectTCP(new TestReactor(), "127.0.0.1", port, cf);
    const client = await cf.connected;
    const reason = await client.lost;
    assert.equal(client.received, "GO\r\nHELLO\r\nPONG localhost\r\n");
    assert.ok(reason.check(ConnectionDone), String(reason));
    assert.match(client.peerSubject, /CN=localhost/);
    const rest = await allLines(lines);
    assert.deepEqual(rest, ["SERVER-GOT PING", "LOST ConnectionDone"], stderr());
    assert.equal(await exited(child), 0, stderr());
  } finally {
    child.kill();
  }
});

test("a Twisted client upgrades with startTLS against reed's server that calls startTLS", { skip, timeout: 20_000 }, async () => {
  const r = new TestReactor();
  class Server extends Recorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      const conn = this.transport as Connection;
      if (this.received === "STARTTLS\r\n") {
        this.transport.write(enc("GO\r\n"));
        conn.startTLS({ ...mine, verify: true });
        this.transport.write(enc("HELLO\r\n"));
      } else if (this.received === "STARTTLS\r\nPING\r\n") {
        const cn = /CN=([^\n]+)/.exec(conn.getPeerCertificate()?.subject ?? "")?.[1] ?? "-";
        this.transport.write(enc(`PONG ${cn}\r\n`));
      }
    }
  }
  const sf = new RecordingServerFactory(Server);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const { child, lines, stderr } = pythonPeer(FIXTURE, ["client", TLS_DIR, String(port.getHost().port)]);
  try {
    const out = await allLines(lines);
    assert.deepEqual(out, ["GOT GO", "GOT HELLO", "GOT PONG localhost", "CERT localhost", "LOST ConnectionDone"], stderr());
    assert.equal(await exited(child), 0, stderr());
    const reason = await sf.built[0]!.lost;
    assert.ok(reason.check(ConnectionDone), String(reason));
    assert.equal(sf.built[0]!.received, "STARTTLS\r\nPING\r\n");
  } finally {
    child.kill();
    await port.stopListening();
  }
});
