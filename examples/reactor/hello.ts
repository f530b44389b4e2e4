// Hello, reed: a callback that runs once the reactor loop has started (seed 003, part 3).
// Like Twisted's basic-twisted/hello.py it then sits there doing nothing, using no CPU,
// until you press Ctrl-C.
//
//   node --import tsx examples/reactor/hello.ts
import { reactor } from "../../src/node/index.js";

function hello(): void {
  console.log("Hello from the reactor loop!");
  console.log("Lately I feel like I'm stuck in a rut.");
}

reactor.callWhenRunning(hello);

console.log("Starting the reactor.");
await reactor.run();
