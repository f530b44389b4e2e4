/**
 * Client 6.0 (tutorial Part 12): Cummingsify on a remote transform server. A callback returns
 * the Deferred of the transform, and the chain waits for it.
 *   node --import tsx examples/poetry/get-poetry-6.ts XFORM_PORT PORT [PORT...]
 */
import type { Failure } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry, TransformProxy } from "../../src/apps/poetry/index.js";
import { parseAddresses } from "./_args.js";

const [xform, ...addresses] = parseAddresses(process.argv.slice(2), "get-poetry-6.ts [HOST:]XFORM_PORT [HOST:]PORT ...");
if (!addresses.length) {
  console.error("usage: get-poetry-6.ts [HOST:]XFORM_PORT [HOST:]PORT ...");
  process.exit(2);
}
const proxy = new TransformProxy(reactor, xform!.host, xform!.port);
const poems: string[] = [];
const errors: Failure[] = [];

for (const { host, port } of addresses) {
  getPoetry(reactor, host, port)
    .addCallback((poem) =>
      proxy.xform("cummingsify", poem).addErrback(() => {
        console.error("Cummingsify failed!");
        return poem;
      }),
    )
    .addCallbacks(
      (poem) => void poems.push(poem),
      (err) => {
        console.error("The poem download failed.");
        errors.push(err);
      },
    )
    .addBoth(() => {
      if (poems.length + errors.length === addresses.length) reactor.stop();
    });
}
await reactor.run();
for (const poem of poems) console.log(poem);
