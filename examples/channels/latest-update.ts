/**
 * "Latest update wins" (from the seed's "A use for killing tasklets"): the server applies each
 * state update in a task; when a new update arrives while the previous one is still being
 * applied, it kills the stale updater and starts a new one, so it never lags behind the client.
 * Updates are absolute, so an aborted one leaves nothing half-done that matters.
 *
 *   node --import tsx examples/channels/latest-update.ts
 */
import { chan, go, sleep, type Task } from "../../src/index.js";
import { virtualTime } from "./virtual-time.js";

const { clock, run } = virtualTime();
const updates = chan<number>(0, { name: "updates" });
const scene = { state: 0 };

function* applyUpdate(n: number) {
  let step = 0;
  try {
    for (step = 1; step <= 3; step++) yield* sleep(clock, 1); // moving objects takes a while
    scene.state = n;
    console.log(`t=${clock.seconds()}: update ${n} applied`);
  } finally {
    if (scene.state !== n) console.log(`t=${clock.seconds()}: update ${n} aborted at step ${step}`);
  }
}

go(function* server() {
  let updater: Task<void> | null = null;
  for (let r = yield* updates.next(); !r.done; r = yield* updates.next()) {
    if (updater?.alive) updater.kill(); // runs its finally before kill() returns
    console.log(`t=${clock.seconds()}: update ${r.value} received`);
    updater = go(applyUpdate, r.value);
  }
  if (updater) yield* updater.join();
  console.log(`final state: ${scene.state}`);
});

go(function* client() {
  for (const [n, wait] of [[1, 0.5], [2, 0.5], [3, 4], [4, 0]] as const) {
    yield* updates.send(n);
    yield* sleep(clock, wait);
  }
  updates.close();
});

run();
