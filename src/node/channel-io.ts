/**
 * Tells the default channel scheduler about Node's event loop. The core scheduler cannot see
 * sockets, servers, timers or child processes (it imports nothing from `node:`), and a channel
 * operation blocked in one microtask may be woken by I/O that is only being set up (a `listen()`
 * whose address lookup is still pending owns no handle yet). So under Node the one honest moment
 * to declare a deadlock is when the event loop has nothing left to do: `beforeExit`. Importing
 * `reed/node` installs a wake source that says "busy" at every other moment; the scheduler's own
 * `beforeExit` check then reports the blocked operations.
 *
 * A scheduler made with `new Scheduler(...)` can get the same behaviour with
 * `scheduler.addWakeSource(nodeIsBusy)` (and a call to `checkDeadlock()` at `beforeExit`).
 */
import { getScheduler } from "../channels/scheduler.js";

let draining = false;
// Prepended, so the flag is up before the scheduler's own beforeExit listener runs its check;
// lowered again once every listener has run, because the check may wake code that does more work.
process.prependListener("beforeExit", () => {
  draining = true;
});
process.on("beforeExit", () => {
  draining = false;
});

/** False only while Node's event loop is about to exit (nothing left that could wake anyone). */
export function nodeIsBusy(): boolean {
  return !draining;
}

getScheduler().addWakeSource(nodeIsBusy);
