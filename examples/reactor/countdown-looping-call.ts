// Exercise 2 of seed 003, part 3: the countdown rewritten with LoopingCall (only start and stop).
//
//   node --import tsx examples/reactor/countdown-looping-call.ts [seconds-per-count, default 1]
import { reactor } from "../../src/node/index.js";
import { LoopingCall } from "../../src/index.js";

const tick = Number(process.argv[2] ?? 1);

let counter = 5;
const loop = LoopingCall.on(reactor, () => {
  if (counter === 0) {
    loop.stop();
    reactor.stop();
  } else {
    console.log(`${counter} ...`);
    counter -= 1;
  }
});

reactor.callWhenRunning(() => loop.start(tick));

console.log("Start!");
await reactor.run();
console.log("Stop!");
