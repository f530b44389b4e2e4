/**
 * Client 5.0 (tutorial Part 10): Cummingsify the poems; errors are routed by the Deferred.
 * GibberishError -> "The poem download failed."; any other failure -> "Cummingsify failed!" and
 * the original poem.
 *   node --import tsx examples/poetry/get-poetry-5.ts PORT [PORT...]
 */
import type { Failure } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry } from "../../src/apps/poetry/index.js";
import { cummingsify, GibberishError } from "./cummingsify.js";
import { parseAddresses } from "./_args.js";

const addresses = parseAddresses(process.argv.slice(2), "get-poetry-5.ts [HOST:]PORT ...");
const poems: string[] = [];
const errors: Failure[] = [];

function tryToCummingsify(poem: string): string {
  try {
    return cummingsify(poem);
  } catch (e) {
    if (e instanceof GibberishError) throw e;
    console.log("Cummingsify failed!");
    return poem;
  }
}

for (const { host, port } of addresses) {
  getPoetry(reactor, host, port)
    .addCallback(tryToCummingsify)
    .addCallbacks(
      (poem) => {
        console.log(poem);
        poems.push(poem);
      },
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
