/**
 * Client 5.1 (tutorial Part 10): the Deferred catches every Cummingsify error; an errback that
 * checks for CannotCummingsify recovers the original poem, anything else passes on.
 *   node --import tsx examples/poetry/get-poetry-5-1.ts PORT [PORT...]
 */
import type { Failure } from "../../src/index.js";
import { reactor } from "../../src/node/index.js";
import { getPoetry } from "../../src/apps/poetry/index.js";
import { CannotCummingsify, cummingsify51 } from "./cummingsify.js";
import { parseAddresses } from "./_args.js";

const addresses = parseAddresses(process.argv.slice(2), "get-poetry-5-1.ts [HOST:]PORT ...");
const poems: string[] = [];
const errors: Failure[] = [];

function cummingsifyFailed(err: Failure): string | Failure {
  if (err.check(CannotCummingsify)) {
    console.log("Cummingsify failed!");
    return (err.value as CannotCummingsify).poem;
  }
  return err; // not ours: keep failing
}

for (const { host, port } of addresses) {
  getPoetry(reactor, host, port)
    .addCallback(cummingsify51)
    .addErrback(cummingsifyFailed)
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
