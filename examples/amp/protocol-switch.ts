/**
 * AMP as a connection's negotiation phase (Twisted's `ProtocolSwitchCommand`), both ends in one
 * program over TCP on 127.0.0.1: the client logs in with an ordinary AMP command, then asks the
 * server to switch the connection to a line protocol that shouts every line back. A switch asked
 * before logging in is refused with a declared error, and the connection stays AMP.
 *
 * Run: node --import tsx examples/amp/protocol-switch.ts
 */
import { AMP, amp, ClientFactory, command, Deferred, Factory, Failure, LineReceiver, type IConnector, type IProtocol } from "../../src/index.js";
import { react } from "../../src/node/index.js";
import { connectTCP, listenTCP } from "../../src/node/tcp.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Refusal of a switch before `Login`; it crosses the wire as `NOT_LOGGED_IN`. */
class NotLoggedIn extends Error {
  override name = "NotLoggedIn";
}

const Login = command({ commandName: "Login", arguments: { user: amp.Unicode() }, response: { welcome: amp.Unicode() } });

/** Once answered, the connection speaks `Shouter`'s line protocol instead of AMP. */
const StartShouting = amp.ProtocolSwitchCommand({ commandName: "StartShouting", errors: { NOT_LOGGED_IN: NotLoggedIn } });

/** The server's protocol after the switch: greets, then shouts every line back. */
class Shouter extends LineReceiver {
  constructor(private readonly user: string) {
    super();
  }
  override connectionMade(): void {
    this.sendLine(enc.encode(`HELLO ${this.user.toUpperCase()}, SAY SOMETHING`));
  }
  override lineReceived(line: Uint8Array): void {
    this.sendLine(enc.encode(dec.decode(line).toUpperCase() + "!"));
  }
}

/** The server, one per connection: AMP until `StartShouting` is answered. */
class Negotiator extends AMP {
  private user: string | null = null;

  @Login.responder
  login({ user }: { user: string }) {
    this.user = user;
    return { welcome: `welcome, ${user}` };
  }

  @StartShouting.responder
  startShouting(): IProtocol {
    if (this.user === null) throw new NotLoggedIn("log in first");
    console.log(`server: switching ${this.user}'s connection to shouting`);
    return new Shouter(this.user);
  }
}

/** The client's protocol after the switch: says two things, prints the replies, hangs up. */
class Talker extends LineReceiver {
  private readonly toSay = ["hello there", "bye"];
  override lineReceived(line: Uint8Array): void {
    console.log(`client: heard ${dec.decode(line)}`);
    const next = this.toSay.shift();
    if (next === undefined) this.transport.loseConnection();
    else this.sendLine(enc.encode(next));
  }
}

react(async (reactor) => {
  const port = listenTCP(reactor, 0, Factory.forProtocol(Negotiator), { interface: "127.0.0.1" });
  const connected = new Deferred<AMP>();
  class Connect extends ClientFactory<AMP> {
    override buildProtocol(): AMP {
      const p = new AMP();
      p.connectionMade = () => connected.callback(p);
      return p;
    }
    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      connected.errback(reason);
    }
  }
  connectTCP(reactor, "127.0.0.1", (port.getHost() as { port: number }).port, new Connect());
  const client = await connected;

  // The factory for the switch: builds the client's line protocol, hears when the connection ends.
  const finished = new Deferred<void>();
  const talk = {
    buildProtocol(): IProtocol {
      console.log("client: the server agreed, now speaking lines");
      return new Talker();
    },
    clientConnectionFailed(_c: IConnector | null, _reason: Failure): void {
      console.log("client: no switch, still speaking AMP");
    },
    clientConnectionLost(_c: IConnector | null, _reason: Failure): void {
      finished.callback(undefined);
    },
  };

  await client.callRemote(StartShouting, {}, talk).addErrback((f: Failure) => {
    f.trap(NotLoggedIn);
    console.log(`client: switch refused: ${(f.value as Error).message}`);
    return {};
  });
  const { welcome } = await client.callRemote(Login, { user: "ada" });
  console.log(`client: ${welcome}`);
  await client.callRemote(StartShouting, {}, talk);
  await finished;
  console.log("client: connection closed");
  await port.stopListening();
});
