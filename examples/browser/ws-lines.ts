/**
 * The same LineReceiver on both ends of a WebSocket: a reed server (`listenWS`) that shouts back
 * every line, and a client (`connectWS`, the page-side transport from reed/browser) that sends
 * three lines and prints the answers. In a page, `connectWS` uses the browser's WebSocket; here,
 * in Node, it is given the `ws` package's client, which has the same API.
 *
 * Run: node --import tsx examples/browser/ws-lines.ts
 */
import { WebSocket } from "ws";
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { connectWS, type WebSocketConstructor } from "../../src/browser/websocket.js";
import { listenWS } from "../../src/node/websocket.js";
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
  const port = await listenWS(reactor, { port: 0, path: "/shout" }, Factory.forProtocol(Shout));
  console.log(`listening on ${port.url()}`);
  const client = await connectWS(reactor, port.url(), ClientFactory.forProtocol(Ask), {
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  await client.ask(["hello", "over a websocket", "from reed"]);
  await port.stopListening();
}

react((reactor) => main(reactor));
