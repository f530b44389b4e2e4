/**
 * Client 3.1 (tutorial Part 6): getPoetry with a callback and an errback, no Deferreds yet.
 *   node --import tsx examples/poetry/get-poetry-3.ts PORT [PORT...]
 */
import { ClientFactory, Protocol, type Failure, type IConnector } from "../../src/index.js";
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
  constructor(
    private readonly callback: (poem: string) => void,
    private readonly errback: (err: Failure) => void,
  ) {
    super();
  }
  poemFinished(poem: string): void {
    this.callback(poem);
  }
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.errback(reason);
  }
}

function getPoetry(host: string, port: number, callback: (poem: string) => void, errback: (err: Failure) => void): void {
  connectTCP(reactor, host, port, new PoetryClientFactory(callback, errback));
}

const addresses = parseAddresses(process.argv.slice(2), "get-poetry-3.ts [HOST:]PORT ...");
const poems: string[] = [];
const errors: Failure[] = [];
const done = (): void => {
  if (poems.length + errors.length === addresses.length) reactor.stop();
};
for (const { host, port } of addresses) {
  getPoetry(
    host,
    port,
    (poem) => {
      poems.push(poem);
      done();
    },
    (err) => {
      console.error("Poem failed:", err.getErrorMessage());
      errors.push(err);
      done();
    },
  );
}
await reactor.run();
for (const poem of poems) console.log(poem);
