/**
 * The seed's heartbeat watchdog: a child task does the work and sends a heartbeat on a channel;
 * the parent receives with a timeout, and when the child stops reporting it raises the alarm
 * and kills it. Then the same idea as a timeout scope (stacklesslib.util.timeout): each item
 * gets at most 2 seconds.
 *
 *   node --import tsx examples/channels/heartbeat.ts
 */
import { TimeoutError, chan, go, sleep, timeout } from "../../src/index.js";
import { virtualTime } from "./virtual-time.js";

const { clock, run } = virtualTime();
const heartbeat = chan<number>(0, { name: "heartbeat" });

const child = go(function* worker() {
  try {
    for (let beat = 1; ; beat++) {
      // The fourth request hangs (a stuck web service).
      yield* sleep(clock, beat === 4 ? 60 : 1);
      yield* heartbeat.send(beat);
    }
  } finally {
    console.log(`worker: stopped at t=${clock.seconds()}`);
  }
});

go(function* parent() {
  for (;;) {
    try {
      const beat = yield* heartbeat.recv({ timeout: 2.5, clock });
      console.log(`parent: heartbeat ${beat} at t=${clock.seconds()}`);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      console.log(`parent: no heartbeat for 2.5 seconds at t=${clock.seconds()}: alerting, killing the worker`);
      child.kill();
      break;
    }
  }

  // The same with a timeout scope around each item.
  for (const [item, cost] of [["a", 1], ["b", 5], ["c", 1]] as const) {
    try {
      yield* timeout(clock, 2, function* () {
        yield* sleep(clock, cost);
        console.log(`item ${item}: done`);
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      console.log(`item ${item}: timed out after ${e.timeout} seconds`);
    }
  }
});

run();
