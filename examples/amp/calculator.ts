/**
 * AMP's classic example (Twisted's ampserver.py / ampclient.py), both ends in one program: a
 * server that answers `Sum` and `Divide`, and a client that calls them over TCP on 127.0.0.1,
 * including a division by zero that comes back as the declared error.
 *
 * Run: node --import tsx examples/amp/calculator.ts
 */
import { AMP, amp, ClientFactory, command, Deferred, Factory, Failure } from "../../src/index.js";
import { react } from "../../src/node/index.js";
import { connectTCP, listenTCP } from "../../src/node/tcp.js";

/** The error the server declares for a zero denominator; it crosses the wire as `ZERO_DIVISION`. */
class ZeroDivision extends Error {
  override name = "ZeroDivision";
}

const Sum = command({
  commandName: "Sum",
  arguments: { a: amp.Integer(), b: amp.Integer() },
  response: { total: amp.Integer() },
});

const Divide = command({
  commandName: "Divide",
  arguments: { numerator: amp.Integer(), denominator: amp.Integer() },
  response: { result: amp.Float() },
  errors: { ZERO_DIVISION: ZeroDivision },
});

/** The server: one instance per connection. */
class MathServer extends AMP {
  @Sum.responder
  sum({ a, b }: { a: number; b: number }) {
    const total = a + b;
    console.log(`server: did a sum: ${a} + ${b} = ${total}`);
    return { total };
  }

  @Divide.responder
  divide({ numerator, denominator }: { numerator: number; denominator: number }) {
    if (denominator === 0) throw new ZeroDivision("division by zero");
    return { result: numerator / denominator };
  }
}

react(async (reactor) => {
  const port = listenTCP(reactor, 0, Factory.forProtocol(MathServer), { interface: "127.0.0.1" });
  const connected = new Deferred<AMP>();
  class Client extends ClientFactory<AMP> {
    override buildProtocol(): AMP {
      const p = new AMP();
      p.connectionMade = () => connected.callback(p);
      return p;
    }
    override clientConnectionFailed(_c: unknown, reason: Failure): void {
      connected.errback(reason);
    }
  }
  connectTCP(reactor, "127.0.0.1", (port.getHost() as { port: number }).port, new Client());
  const client = await connected;

  const { total } = await client.callRemote(Sum, { a: 13, b: 81 });
  console.log(`client: 13 + 81 = ${total}`);

  const quotient = await client
    .callRemote(Divide, { numerator: 1234, denominator: 0 })
    .addErrback((f: Failure) => {
      f.trap(ZeroDivision);
      console.log("client: divided by zero: returning Infinity");
      return { result: Infinity };
    });
  console.log(`client: 1234 / 0 = ${quotient.result}`);

  client.transport.loseConnection();
  await port.stopListening();
});
