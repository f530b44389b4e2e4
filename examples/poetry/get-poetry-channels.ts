/**
 * The poetry client with goless-style channels: one goroutine per server downloads its poem
 * (waiting on getPoetry's Deferred with `yield*`) and sends the outcome down a channel; the main
 * goroutine receives one outcome per server, in the order they finish, and prints them.
 *   node --import tsx examples/poetry/get-poetry-channels.ts PORT [PORT...]
 */
import { chan, go } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry } from "../../src/apps/poetry/index.js";
import { parseAddresses } from "./_args.js";

type Outcome = { from: string; poem: string } | { from: string; error: string };

const addresses = parseAddresses(process.argv.slice(2), "get-poetry-channels.ts [HOST:]PORT ...");
const outcomes = chan<Outcome>();

for (const { host, port } of addresses) {
  go(function* download() {
    const from = `${host}:${port}`;
    try {
      const poem: string = yield* getPoetry(reactor, host, port);
      yield* outcomes.send({ from, poem });
    } catch (e) {
      yield* outcomes.send({ from, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

go(function* main() {
  for (let i = 0; i < addresses.length; i++) {
    const o = yield* outcomes.recv();
    if ("poem" in o) console.log(`${o.from} sent ${o.poem.length} characters:\n${o.poem}`);
    else console.error(`${o.from} failed: ${o.error}`);
  }
  reactor.stop();
});

await reactor.run();
