// Real-socket tests on 127.0.0.1 (marked: they use the network stack, each bounded and closing
// every port) for startTLS on plain TCP connections and for half-close over TLS. Certificates:
// the test-only self-signed ones in test/fixtures/tls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listenTCP, connectTCP } from "../../src/node/tcp.js";
import { listenUNIX, connectUNIX } from "../../src/node/unix.js";
import { listenSSL, connectSSL } from "../../src/node/tls.js";
import type { Connection } from "../../src/node/connection.js";
import { ConnectionAborted, ConnectionDone, ConnectionLost, TLSAlreadyStarted } from "../../src/errors.js";
import type { IPushProducer, TLSStartOptions } from "../../src/interfaces.js";
import { TestReactor, lookupTo, waitFor } from "./_reactor.js";
import { Recorder, RecordingClientFactory, RecordingServerFactory, enc } from "./_protocols.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const serverTLS: TLSStartOptions = { certKey: fixture("cert.pem"), privateKey: fixture("key.pem") };
const clientTLS: TLSStartOptions = { trustRoots: fixture("cert.pem"), hostname: "localhost" };

/** Records `handshakeCompleted`; `handshake` resolves then. */
class TLSRecorder extends Recorder {
  handshake: Promise<void>;
  private resolveHandshake!: () => void;
  constructor() {
    super();
    this.handshake = new Promise((r) => (this.resolveHandshake = r));
  }
  handshakeCompleted(): void {
    this.events.push("handshake");
    this.resolveHandshake();
  }
  get conn(): Connection {
    return this.transport as Connection;
  }
}

/**
 * A tiny STARTTLS server: on "STARTTLS\n" it answers "GO\n" in the clear, switches to TLS and at
 * once writes "hello" (encrypted, held until the handshake is done); afterwards it echoes.
 */
class StartTLSServer extends TLSRecorder {
  static options: TLSStartOptions = serverTLS;
  override dataReceived(data: Uint8Array): void {
    if (!this.conn.TLS) {
      super.dataReceived(data);
      if (this.received === "STARTTLS\n") {
        this.transport.write(enc("GO\n"));
        this.conn.startTLS(StartTLSServer.options);
        this.transport.write(enc("hello"));
      }
      return;
    }
    super.dataReceived(data);
    this.transport.write(data);
  }
}

/** The client side: sends "STARTTLS\n" and switches to TLS on "GO\n". */
class StartTLSClient extends TLSRecorder {
  static options: TLSStartOptions = clientTLS;
  override connectionMade(): void {
    super.connectionMade();
    this.transport.write(enc("STARTTLS\n"));
  }
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    if (this.received === "GO\n") this.conn.startTLS(StartTLSClient.options);
  }
}

async function pair<S extends TLSRecorder, C extends TLSRecorder>(server: new () => S, client: new () => C) {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(server);
  const port = listenTCP(r, 0, sf, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(client);
  connectTCP(r, "127.0.0.1", port.getHost().port, cf);
  const c = await cf.connected;
  await waitFor(() => sf.built.length === 1, 3000, "the server's protocol");
  return { r, port, c, s: sf.built[0]!, cf };
}

test("startTLS upgrades a plain TCP connection: earlier bytes go in the clear, later ones encrypted", async () => {
  const { r, port, c, s } = await pair(StartTLSServer, StartTLSClient);
  await Promise.all([c.handshake, s.handshake]);
  assert.equal(c.conn.TLS, true);
  assert.equal(s.conn.TLS, true);
  await waitFor(() => c.received === "GO\nhello", 3000, "hello over TLS");
  c.transport.write(enc(" echo"));
  await waitFor(() => c.received === "GO\nhello echo", 3000, "the echo");
  assert.equal(s.received, "STARTTLS\n echo");
  const cert = c.conn.getPeerCertificate();
  assert.ok(cert !== null);
  assert.match(cert.subject, /CN=localhost/);
  assert.equal(s.conn.getPeerCertificate(), null, "the client sent no certificate");
  c.transport.loseConnection();
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.ok(cr.check(ConnectionDone), String(cr));
  assert.ok(sr.check(ConnectionDone), String(sr));
  assert.deepEqual(c.events, ["made", "data", "handshake", "data", "lost"]);
  assert.deepEqual(s.events, ["made", "data", "handshake", "data", "lost"]);
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("getPeerCertificate is null and TLS false on a plain connection", async () => {
  class Plain extends TLSRecorder {}
  const { port, c, s } = await pair(Plain, Plain);
  assert.equal(c.conn.TLS, false);
  assert.equal(c.conn.getPeerCertificate(), null);
  c.transport.loseConnection();
  await Promise.all([c.lost, s.lost]);
  await port.stopListening();
});

test("calling startTLS twice fails with TLSAlreadyStarted, and so does startTLS on a connectSSL connection", async () => {
  class Twice extends StartTLSClient {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "GO\n") assert.throws(() => this.conn.startTLS(clientTLS), TLSAlreadyStarted);
    }
  }
  const { port, c, s } = await pair(StartTLSServer, Twice);
  await c.handshake;
  assert.throws(() => c.conn.startTLS(clientTLS), (e: unknown) => e instanceof TLSAlreadyStarted && e.code === "ERR_REED_TLS_ALREADY_STARTED");
  c.transport.loseConnection();
  await Promise.all([c.lost, s.lost]);
  await port.stopListening();

  const r = new TestReactor();
  const sf = new RecordingServerFactory(TLSRecorder);
  const sslPort = listenSSL(r, 0, sf, serverTLS, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(TLSRecorder);
  connectSSL(r, "localhost", sslPort.getHost().port, cf, { trustRoots: fixture("cert.pem") }, { lookup: lookupTo("127.0.0.1") });
  const sc = await cf.connected;
  await sc.handshake; // told right after connectionMade on a connection made by connectSSL
  assert.equal(sc.conn.TLS, true);
  assert.match(sc.conn.getPeerCertificate()!.subject, /CN=localhost/);
  assert.throws(() => sc.conn.startTLS(clientTLS), TLSAlreadyStarted);
  sc.transport.loseConnection();
  await sc.lost;
  await waitFor(() => sf.built.length === 1);
  await sf.built[0]!.lost;
  await sslPort.stopListening();
});

test("a client that does not trust the server's certificate loses the connection with the TLS error", async () => {
  class OnlyDistrust extends TLSRecorder {
    override connectionMade(): void {
      super.connectionMade();
      this.transport.write(enc("STARTTLS\n"));
    }
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "GO\n") this.conn.startTLS({ trustRoots: fixture("other-cert.pem") });
    }
  }
  const { r, port, c, s } = await pair(StartTLSServer, OnlyDistrust);
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.ok(cr.check(ConnectionLost), String(cr));
  assert.match(cr.getErrorMessage(), /certificate/i);
  assert.ok(sr.check(ConnectionLost), String(sr));
  assert.ok(!c.events.includes("handshake"));
  assert.ok(!s.events.includes("handshake"));
  assert.equal(c.received, "GO\n", "the encrypted hello never reached the client protocol");
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("a client checks the server's name when given a hostname", async () => {
  class WrongName extends TLSRecorder {
    override connectionMade(): void {
      super.connectionMade();
      this.transport.write(enc("STARTTLS\n"));
    }
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "GO\n") this.conn.startTLS({ trustRoots: fixture("cert.pem"), hostname: "example.com" });
    }
  }
  const { port, c, s } = await pair(StartTLSServer, WrongName);
  const cr = await c.lost;
  assert.ok(cr.check(ConnectionLost), String(cr));
  assert.match(cr.getErrorMessage(), /example\.com|altnames/i);
  await s.lost;
  await port.stopListening();
});

test("a server started with verify asks for a client certificate and reports it", async () => {
  class VerifyingServer extends StartTLSServer {
    static override options: TLSStartOptions = { ...serverTLS, trustRoots: fixture("cert.pem"), verify: true };
    override dataReceived(data: Uint8Array): void {
      if (!this.conn.TLS) {
        this.received += new TextDecoder().decode(data);
        this.events.push("data");
        if (this.received === "STARTTLS\n") {
          this.transport.write(enc("GO\n"));
          this.conn.startTLS(VerifyingServer.options);
        }
        return;
      }
      super.dataReceived(data);
    }
  }
  class CertClient extends TLSRecorder {
    static certified = true;
    override connectionMade(): void {
      super.connectionMade();
      this.transport.write(enc("STARTTLS\n"));
    }
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "GO\n") {
        const files = CertClient.certified ? { certKey: fixture("cert.pem"), privateKey: fixture("key.pem") } : { certKey: fixture("other-cert.pem"), privateKey: fixture("other-key.pem") };
        this.conn.startTLS({ ...clientTLS, ...files });
      }
    }
  }
  {
    const { port, c, s } = await pair(VerifyingServer, CertClient);
    await Promise.all([c.handshake, s.handshake]);
    assert.match(s.conn.getPeerCertificate()!.subject, /CN=localhost/);
    c.transport.loseConnection();
    await Promise.all([c.lost, s.lost]);
    await port.stopListening();
  }
  CertClient.certified = false;
  {
    const { port, c, s } = await pair(VerifyingServer, CertClient);
    const sr = await s.lost;
    assert.ok(sr.check(ConnectionLost), String(sr));
    assert.ok(!s.events.includes("handshake"));
    await c.lost;
    await port.stopListening();
  }
});

test("data that arrived while reading was paused is decrypted after startTLS, none lost", async () => {
  // The server pauses reading on "STARTTLS", so the client's handshake and first encrypted bytes
  // wait in the plain socket's buffer when the server starts TLS.
  class PausingServer extends TLSRecorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "STARTTLS\n") {
        this.conn.pauseProducing();
        this.transport.write(enc("GO\n"));
      }
    }
  }
  class EagerClient extends StartTLSClient {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "GO\n") this.transport.write(enc("x".repeat(100_000)));
    }
  }
  const { port, c, s } = await pair(PausingServer, EagerClient);
  await waitFor(() => s.conn.socket.readableLength > 0, 3000, "the client's handshake to wait in the buffer");
  s.conn.startTLS(serverTLS);
  s.conn.resumeProducing();
  await waitFor(() => s.received.length === "STARTTLS\n".length + 100_000, 3000, "every byte");
  assert.equal(s.received, "STARTTLS\n" + "x".repeat(100_000));
  c.transport.loseConnection();
  await Promise.all([c.lost, s.lost]);
  await port.stopListening();
});

test("a push producer registered before startTLS keeps writing through TLS, and abortConnection still aborts", async () => {
  class Producing extends StartTLSClient implements IPushProducer {
    sent = 0;
    paused = false;
    stopped = false;
    override connectionMade(): void {
      super.connectionMade();
      this.conn.registerProducer(this, true);
    }
    pauseProducing(): void {
      this.paused = true;
    }
    resumeProducing(): void {
      this.paused = false;
      this.pump();
    }
    stopProducing(): void {
      this.stopped = true;
    }
    pump(): void {
      while (!this.paused && this.sent < 20 && this.conn.TLS) {
        this.sent++;
        this.transport.write(enc("y".repeat(50_000)));
      }
      if (this.sent === 20) this.conn.unregisterProducer();
    }
    override handshakeCompleted(): void {
      super.handshakeCompleted();
      this.pump();
    }
  }
  const { port, c, s } = await pair(StartTLSServer, Producing);
  await waitFor(() => s.received.length === "STARTTLS\n".length + 20 * 50_000, 5000, "everything produced");
  assert.equal(c.sent, 20);
  s.conn.abortConnection();
  const [, sr] = await Promise.all([c.lost, s.lost]);
  assert.ok(sr.check(ConnectionAborted), String(sr));
  assert.ok(c.events.at(-1) === "lost");
  await port.stopListening();
});

// --- half-close over TLS -------------------------------------------------------------------------

class HalfRecorder extends TLSRecorder {
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
  }
}

/** Answers with the length of what it got once the peer half-closes, then half-closes itself. */
class HalfServer extends HalfRecorder {
  override readConnectionLost(): void {
    super.readConnectionLost();
    this.transport.write(enc(`got ${this.received.length}`));
    this.conn.loseWriteConnection();
  }
}

test("half-close over TLS: loseWriteConnection sends close_notify, the peer sees readConnectionLost and can still answer", async () => {
  const r = new TestReactor();
  const sf = new RecordingServerFactory(HalfServer);
  const port = listenSSL(r, 0, sf, serverTLS, { interface: "127.0.0.1" });
  const cf = new RecordingClientFactory(HalfRecorder);
  connectSSL(r, "localhost", port.getHost().port, cf, { trustRoots: fixture("cert.pem") }, { lookup: lookupTo("127.0.0.1") });
  const c = await cf.connected;
  c.transport.write(enc("12345"));
  c.conn.loseWriteConnection();
  await waitFor(() => sf.built.length === 1);
  const s = sf.built[0]!;
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.equal(c.received, "got 5");
  assert.ok(cr.check(ConnectionDone), String(cr));
  assert.ok(sr.check(ConnectionDone), String(sr));
  assert.deepEqual(s.events, ["made", "handshake", "data", "readConnectionLost", "writeConnectionLost", "lost"]);
  assert.deepEqual(c.events, ["made", "handshake", "writeConnectionLost", "data", "readConnectionLost", "lost"]);
  await port.stopListening();
  assert.deepEqual(r.openResources(), []);
});

test("half-close works on a connection upgraded with startTLS", async () => {
  class HalfStartTLSServer extends StartTLSServer {
    readConnectionLost(): void {
      this.events.push("readConnectionLost");
      this.transport.write(enc(`got ${this.received.length}`));
      this.conn.loseWriteConnection();
    }
    writeConnectionLost(): void {
      this.events.push("writeConnectionLost");
    }
  }
  class HalfStartTLSClient extends StartTLSClient {
    readConnectionLost(): void {
      this.events.push("readConnectionLost");
    }
    writeConnectionLost(): void {
      this.events.push("writeConnectionLost");
    }
    override handshakeCompleted(): void {
      super.handshakeCompleted();
      this.transport.write(enc("abc"));
      this.conn.loseWriteConnection();
    }
  }
  const { port, c, s } = await pair(HalfStartTLSServer, HalfStartTLSClient);
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.ok(cr.check(ConnectionDone), String(cr));
  assert.ok(sr.check(ConnectionDone), String(sr));
  assert.ok(c.received.endsWith("got 12"), c.received); // "STARTTLS\n" + "abc" (the echo of abc comes first)
  assert.ok(s.events.includes("readConnectionLost") && s.events.includes("writeConnectionLost"));
  assert.ok(c.events.includes("readConnectionLost") && c.events.includes("writeConnectionLost"));
  await port.stopListening();
});

test("loseConnection right after startTLS sends what was written once the handshake is done, then closes cleanly", async () => {
  class ByeServer extends TLSRecorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "STARTTLS\n") {
        this.transport.write(enc("GO\n"));
        this.conn.startTLS(serverTLS);
        this.transport.write(enc("bye"));
        this.transport.loseConnection();
      }
    }
  }
  const { port, c, s } = await pair(ByeServer, StartTLSClient);
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.equal(c.received, "GO\nbye");
  assert.ok(cr.check(ConnectionDone), String(cr));
  assert.ok(sr.check(ConnectionDone), String(sr));
  await port.stopListening();
});

test("loseConnection right after startTLS with nothing written aborts the connection, as Twisted does", async () => {
  class QuitServer extends TLSRecorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "STARTTLS\n") {
        this.transport.write(enc("GO\n"));
        this.conn.startTLS(serverTLS);
        this.transport.loseConnection();
      }
    }
  }
  const { port, c, s } = await pair(QuitServer, StartTLSClient);
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  assert.ok(sr.check(ConnectionAborted), String(sr));
  assert.ok(cr.check(ConnectionLost), String(cr));
  assert.ok(!c.events.includes("handshake"));
  await port.stopListening();
});

test("startTLS works on a UNIX socket connection too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reed-starttls-"));
  try {
    const r = new TestReactor();
    const sf = new RecordingServerFactory(StartTLSServer);
    const port = listenUNIX(r, join(dir, "s.sock"), sf);
    const cf = new RecordingClientFactory(StartTLSClient);
    connectUNIX(r, join(dir, "s.sock"), cf);
    const c = await cf.connected;
    await c.handshake;
    await waitFor(() => c.received === "GO\nhello", 3000, "hello over TLS");
    assert.match(c.conn.getPeerCertificate()!.subject, /CN=localhost/);
    c.transport.loseConnection();
    const s = sf.built[0]!;
    const [cr, sr] = await Promise.all([c.lost, s.lost]);
    assert.ok(cr.check(ConnectionDone) && sr.check(ConnectionDone));
    await port.stopListening();
    assert.deepEqual(r.openResources(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("startTLS from connectionMade: handshakeCompleted comes once, after the handshake, with the peer's certificate", async () => {
  class ImmediateServer extends TLSRecorder {
    override connectionMade(): void {
      super.connectionMade();
      this.conn.startTLS(serverTLS);
    }
  }
  class ImmediateClient extends TLSRecorder {
    certAtHandshake: string | null | undefined = undefined;
    override connectionMade(): void {
      super.connectionMade();
      this.conn.startTLS(clientTLS);
    }
    override handshakeCompleted(): void {
      if (this.certAtHandshake === undefined) this.certAtHandshake = this.conn.getPeerCertificate()?.subject ?? null;
      super.handshakeCompleted();
      this.transport.write(enc("hi"));
    }
  }
  const { port, c, s } = await pair(ImmediateServer, ImmediateClient);
  try {
    await Promise.all([c.handshake, s.handshake]);
    await waitFor(() => s.received.length >= 2, 3000, "the client's first bytes over TLS");
    c.transport.loseConnection();
    await Promise.all([c.lost, s.lost]);
    assert.match(c.certAtHandshake ?? "", /CN=localhost/, "the handshake was done when handshakeCompleted was called");
    assert.equal(s.received, "hi");
    assert.deepEqual(c.events, ["made", "handshake", "lost"]);
    assert.deepEqual(s.events, ["made", "handshake", "data", "lost"]);
  } finally {
    c.conn.abortConnection();
    s.conn.abortConnection();
    await port.stopListening();
  }
});

test("loseConnection during a startTLS handshake with a producer registered but nothing written aborts too, as Twisted does", async () => {
  const producer = { stopped: 0, pauseProducing() {}, resumeProducing() {}, stopProducing() { this.stopped++; } };
  class QuitWithProducer extends TLSRecorder {
    override dataReceived(data: Uint8Array): void {
      super.dataReceived(data);
      if (this.received === "STARTTLS\n") {
        this.transport.write(enc("GO\n"));
        this.conn.startTLS(serverTLS);
        this.conn.registerProducer(producer, true);
        this.transport.loseConnection();
      }
    }
  }
  const { port, c, s } = await pair(QuitWithProducer, StartTLSClient);
  const [cr, sr] = await Promise.all([c.lost, s.lost]);
  await port.stopListening();
  assert.ok(sr.check(ConnectionAborted), `the handshake never finished, yet the close was reported as ${String(sr)}`);
  assert.ok(cr.check(ConnectionLost), String(cr));
  assert.equal(producer.stopped, 1);
  assert.ok(!s.events.includes("handshake") && !c.events.includes("handshake"));
});
