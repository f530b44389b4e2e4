/**
 * Client 4.0 (tutorial Part 8): getPoetry returns a Deferred; callbacks and errbacks are chained.
 *   node --import tsx examples/poetry/get-poetry-4.ts PORT [PORT...]
 */
import { ClientFactory, Deferred, Protocol, type Failure, type IConnector } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { connectTCP } from "../../src/node/tcp.js";
import { parseAddresses } from "./_args.js";

class PoetryProtocol extends Protocol {
  poem = "";
  override dataReceived(data: Uint8Array): void {
    this.poem += new TextDecoder().decode(data, { stream: true });
  }
  override connectionLost(): void {
    (this.factory as PoetryClientFactory).poemFinished(this.poem);
  }
}

class PoetryClientFactory extends ClientFactory {
  override protocol = PoetryProtocol;
  constructor(public deferred: Deferred<string> | null) {
    super();
  }
  poemFinished(poem: string): void {
    const d = this.deferred;
    this.deferred = null; // never fire it twice
    d?.callback(poem);
  }
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    const d = this.deferred;
    this.deferred = null;
    d?.errback(reason);
  }
}

/** Downloads a poem: a Deferred of its text, or of the failure. */
function getPoetry(host: string, port: number): Deferred<string> {
  const d = new Deferred<string>();
  connectTCP(reactor, host, port, new PoetryClientFactory(d));
  return d;
}

const addresses = parseAddresses(process.argv.slice(2), "get-poetry-4.ts [HOST:]PORT ...");
const poems: string[] = [];
const errors: Failure[] = [];
for (const { host, port } of addresses) {
  getPoetry(host, port)
    .addCallbacks(
      (poem) => void poems.push(poem),
      (err) => {
        console.error("Poem failed:", err.getErrorMessage());
        errors.push(err);
      },
    )
    .addBoth(() => {
      if (poems.length + errors.length === addresses.length) reactor.stop();
    });
}
await reactor.run();
for (const poem of poems) console.log(poem);
