/**
 * STARTTLS, as SMTP and IMAP do it: a line server and client that begin in the clear, agree to
 * switch, and carry on over TLS on the same connection (`ITLSTransport.startTLS`). The server
 * answers every line in capitals; the client checks the server's certificate (the test-only one
 * in test/fixtures/tls) and prints what it got.
 *
 * Run: node --import tsx examples/networking/starttls-lines.ts
 */
import { fileURLToPath } from "node:url";
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import type { ISSLTransport, ITLSTransport } from "../../src/interfaces.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { react } from "../../src/node/react.js";
import type { NodeReactor } from "../../src/node/reactor.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const cert = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/tls/${name}`, import.meta.url));

/** Server side: "STARTTLS" switches to TLS (after answering "GO" in the clear); other lines come back in capitals. */
class Shout extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    const text = dec.decode(line);
    if (text === "STARTTLS") {
      this.sendLine(enc.encode("GO")); // written before startTLS: goes in the clear
      (this.transport as ITLSTransport).startTLS({ certKey: cert("cert.pem"), privateKey: cert("key.pem") });
      return;
    }
    this.sendLine(enc.encode(text.toUpperCase())); // after startTLS: encrypted
  }
}

/** Client side: asks for TLS, switches on "GO", then sends its lines and hangs up after the answers. */
class Ask extends LineReceiver {
  readonly done = new Deferred<void>();
  private readonly lines = ["hello", "over tls", "from reed"];
  private left = this.lines.length;
  override connectionMade(): void {
    this.sendLine(enc.encode("STARTTLS"));
  }
  override lineReceived(line: Uint8Array): void {
    const text = dec.decode(line);
    if (text === "GO") {
      (this.transport as ITLSTransport).startTLS({ trustRoots: cert("cert.pem"), hostname: "localhost" });
      for (const l of this.lines) this.sendLine(enc.encode(l)); // held until the handshake is done
      return;
    }
    console.log(`got: ${text}`);
    if (--this.left === 0) this.transport.loseConnection();
  }
  /** Called once the TLS handshake is done (Twisted's IHandshakeListener). */
  handshakeCompleted(): void {
    const subject = (this.transport as ISSLTransport).getPeerCertificate()?.subject ?? "";
    console.log(`TLS is up; the server is ${subject.replace(/\n/g, ", ")}`);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    console.log(`connection closed: ${reason.typeName}`);
    this.done.callback(undefined);
  }
}

async function main(reactor: NodeReactor): Promise<void> {
  const port = reactor.listenTCP(0, Factory.forProtocol(Shout), { interface: "127.0.0.1" });
  const client = new Ask();
  const factory = new ClientFactory<Ask>();
  factory.buildProtocol = () => client;
  reactor.connectTCP("127.0.0.1", port.getHost().port, factory);
  await client.done;
  await port.stopListening();
}

react((reactor) => main(reactor));
