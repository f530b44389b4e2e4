/**
 * A line-based TCP server and client through endpoint strings: the server (`tcp:0:interface=...`)
 * answers every line in capitals; the client (`tcp:HOST:PORT`) sends three lines, prints the
 * answers and hangs up. Then a connection to a closed port shows how failures arrive.
 *
 * Run: node --import tsx examples/networking/tcp-lines.ts
 */
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { Factory } from "../../src/protocols/factory.js";
import type { IPv4Address } from "../../src/protocols/address.js";
import { clientFromString, serverFromString } from "../../src/node/endpoints.js";
import { react } from "../../src/node/react.js";
import type { NodeReactor } from "../../src/node/reactor.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Server side: answers every line in capitals. */
class Shout extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(enc.encode(dec.decode(line).toUpperCase()));
  }
}

/** Client side: sends lines, prints the answers, hangs up after the last one. */
class Ask extends LineReceiver {
  readonly done = new Deferred<void>();
  private left = 0;
  ask(lines: string[]): Deferred<void> {
    this.left = lines.length;
    for (const l of lines) this.sendLine(enc.encode(l));
    return this.done;
  }
  override lineReceived(line: Uint8Array): void {
    console.log(`got: ${dec.decode(line)}`);
    if (--this.left === 0) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    console.log(`connection closed: ${reason.typeName}`);
    this.done.callback(undefined);
  }
}

async function main(reactor: NodeReactor): Promise<void> {
  const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(Factory.forProtocol(Shout));
  const where = port.getHost() as IPv4Address;
  console.log(`listening on ${where.host}:${where.port}`);
  const client = (await clientFromString(reactor, `tcp:127.0.0.1:${where.port}`).connect(Factory.forProtocol(Ask))) as Ask;
  await client.ask(["hello", "over tcp", "from reed"]);
  await port.stopListening();
  try {
    await clientFromString(reactor, `tcp:host=127.0.0.1:port=${where.port}:timeout=5`).connect(Factory.forProtocol(Ask));
  } catch (e) {
    console.log(`connecting again failed: ${(e as Error).name}`);
  }
}

react((reactor) => main(reactor));
