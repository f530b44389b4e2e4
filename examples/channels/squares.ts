/**
 * goless's first example: a goroutine squares what it receives and sends it back.
 * Runs on the default scheduler (microtasks); no time is involved.
 *
 *   node --import tsx examples/channels/squares.ts
 */
import { chan, go } from "../../src/index.js";

const channel = chan<number>();

const squarer = go(function* goroutine() {
  for (;;) {
    const value = yield* channel.recv();
    yield* channel.send(value ** 2);
  }
});

go(function* main() {
  for (let i = 2; i < 5; i++) {
    yield* channel.send(i);
    const squared = yield* channel.recv();
    console.log(`${i} squared is ${squared}`);
  }
  squarer.kill(); // Go would just exit; here the squarer would otherwise wait for ever
});
