// Exercise 1 of seed 003, part 3: three independent counters counting down at different rates;
// the reactor stops when all of them have finished.
//
//   node --import tsx examples/reactor/countdown-exercise.ts [seconds-per-unit, default 1]
import { reactor } from "../../src/node/index.js";
import type { ReactorCore, ReactorTime } from "../../src/index.js";

const unit = Number(process.argv[2] ?? 1);

class Countdown {
  constructor(
    private readonly name: string,
    private counter: number,
    private readonly interval: number,
    private readonly clock: ReactorTime,
    private readonly finished: (c: Countdown) => void,
  ) {}

  count(): void {
    if (this.counter === 0) {
      console.log(`${this.name} done`);
      this.finished(this);
    } else {
      console.log(`${this.name}: ${this.counter} ...`);
      this.counter -= 1;
      this.clock.callLater(this.interval, () => this.count());
    }
  }
}

/** Starts the counters and stops the reactor when the last one is done. */
function startCounters(r: ReactorCore & ReactorTime): void {
  const running = new Set<Countdown>();
  const finished = (c: Countdown): void => {
    running.delete(c);
    if (running.size === 0) r.stop();
  };
  const counters = [
    new Countdown("fast", 5, 0.5 * unit, r, finished),
    new Countdown("medium", 4, 1 * unit, r, finished),
    new Countdown("slow", 3, 1.7 * unit, r, finished),
  ];
  for (const c of counters) running.add(c);
  for (const c of counters) c.count();
}

reactor.callWhenRunning(startCounters, reactor);

console.log("Start!");
await reactor.run();
console.log("Stop!");
