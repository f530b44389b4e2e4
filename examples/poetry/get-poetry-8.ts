/**
 * Client 8.0 (tutorial Part 18): a DeferredList waits for every download (successes and
 * failures alike) instead of counting them by hand.
 *   node --import tsx examples/poetry/get-poetry-8.ts XFORM_PORT PORT [PORT...]
 */
import { DeferredList, inlineCallbacks } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry, TransformProxy } from "../../src/apps/poetry/index.js";
import { parseAddresses } from "./_args.js";

const [xform, ...addresses] = parseAddresses(process.argv.slice(2), "get-poetry-8.ts [HOST:]XFORM_PORT [HOST:]PORT ...");
const proxy = new TransformProxy(reactor, xform!.host, xform!.port);

const getTransformedPoem = inlineCallbacks(function* (host: string, port: number) {
  const poem: string = yield* getPoetry(reactor, host, port);
  try {
    return yield* proxy.xform("cummingsify", poem);
  } catch {
    console.error("Cummingsify failed!");
    return poem;
  }
});

const ds = addresses.map(({ host, port }) =>
  getTransformedPoem(host, port).addCallbacks(
    (poem) => console.log(poem),
    () => console.error("The poem download failed."),
  ),
);
new DeferredList(ds, { consumeErrors: true }).addCallback(() => reactor.stop());
await reactor.run();
