/**
 * Client 7.0 (tutorial Part 17): the same logic as a coroutine with inlineCallbacks: it reads
 * like synchronous code, with try/catch where the errbacks were.
 *   node --import tsx examples/poetry/get-poetry-7.ts XFORM_PORT PORT [PORT...]
 */
import { inlineCallbacks } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry, TransformProxy } from "../../src/apps/poetry/index.js";
import { parseAddresses } from "./_args.js";

const [xform, ...addresses] = parseAddresses(process.argv.slice(2), "get-poetry-7.ts [HOST:]XFORM_PORT [HOST:]PORT ...");
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

let remaining = addresses.length;
for (const { host, port } of addresses) {
  getTransformedPoem(host, port)
    .addCallbacks(
      (poem) => console.log(poem),
      () => console.error("The poem download failed."),
    )
    .addBoth(() => {
      if (--remaining === 0) reactor.stop();
    });
}
await reactor.run();
