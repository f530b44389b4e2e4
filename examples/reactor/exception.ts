// An exception in a callback is reported and the reactor carries on (seed 003, part 3:
// basic-twisted/exception.py). The traceback goes to stderr through reed's logger.
//
//   node --import tsx examples/reactor/exception.ts
import { reactor } from "../../src/node/index.js";

function falldown(): void {
  throw new Error("I fall down.");
}

function upagain(): void {
  console.log("But I get up again.");
  reactor.stop();
}

reactor.callWhenRunning(falldown);
reactor.callWhenRunning(upagain);

console.log("Starting the reactor.");
await reactor.run();
