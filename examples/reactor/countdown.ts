// A countdown that stops the reactor by itself (seed 003, part 3: basic-twisted/countdown.py).
//
//   node --import tsx examples/reactor/countdown.ts [seconds-per-count, default 1]
import { reactor } from "../../src/node/index.js";

const tick = Number(process.argv[2] ?? 1);

class Countdown {
  counter = 5;

  count(): void {
    if (this.counter === 0) {
      reactor.stop();
    } else {
      console.log(`${this.counter} ...`);
      this.counter -= 1;
      reactor.callLater(tick, () => this.count());
    }
  }
}

reactor.callWhenRunning(() => new Countdown().count());

console.log("Start!");
await reactor.run(); // returns (fires) once the reactor has stopped
console.log("Stop!");
