/**
 * Go by Example's worker pool, with 9 jobs and 3 workers: each job takes a second, so the pool
 * finishes in 3 seconds.
 *
 *   node --import tsx examples/channels/worker-pool.ts
 */
import { chan, go, sleep, type Channel } from "../../src/index.js";
import { virtualTime } from "./virtual-time.js";

const { clock, run } = virtualTime();
const numJobs = 9;

function* worker(id: number, jobs: Channel<number>, results: Channel<number>) {
  for (let r = yield* jobs.next(); !r.done; r = yield* jobs.next()) {
    const j = r.value;
    console.log(`worker ${id} started  job ${j}`);
    yield* sleep(clock, 1);
    console.log(`worker ${id} finished job ${j}`);
    yield* results.send(j * 2);
  }
}

go(function* main() {
  const jobs = chan<number>(numJobs, { name: "jobs" });
  const results = chan<number>(numJobs, { name: "results" });
  for (let w = 1; w <= 3; w++) go(worker, w, jobs, results);
  for (let j = 1; j <= numJobs; j++) yield* jobs.send(j);
  jobs.close();
  let sum = 0;
  for (let a = 1; a <= numJobs; a++) sum += yield* results.recv();
  console.log(`${numJobs} results (sum ${sum}) in ${clock.seconds()} seconds (virtual time)`);
});

run();
