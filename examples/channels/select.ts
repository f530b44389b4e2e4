/**
 * Go by Example's select: two goroutines send after 1 and 2 seconds; main selects twice.
 *
 *   node --import tsx examples/channels/select.ts
 */
import { chan, go, rcase, select, sleep } from "../../src/index.js";
import { virtualTime } from "./virtual-time.js";

const { clock, run } = virtualTime();
const c1 = chan<string>();
const c2 = chan<string>();

go(function* () {
  yield* sleep(clock, 1);
  yield* c1.send("one");
});
go(function* () {
  yield* sleep(clock, 2);
  yield* c2.send("two");
});

go(function* main() {
  for (let i = 0; i < 2; i++) {
    const [, msg] = yield* select(rcase(c1), rcase(c2));
    console.log("received", msg);
  }
  console.log(`took ${clock.seconds()} seconds (virtual time)`);
});

run();
