// Smoke tests: each example in examples/channels runs as a child process (bounded by a timeout)
// and prints what it should.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

function runExample(name: string): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", `examples/channels/${name}.ts`], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, `${name} failed: ${r.stderr}`);
  assert.equal(r.stderr, "", `${name} wrote to stderr`);
  return r.stdout;
}

describe("channel examples", () => {
  it("squares prints goless's output", () => {
    assert.equal(runExample("squares"), "2 squared is 4\n3 squared is 9\n4 squared is 16\n");
  });

  it("select receives one, then two", () => {
    assert.equal(runExample("select"), "received one\nreceived two\ntook 2 seconds (virtual time)\n");
  });

  it("the worker pool runs 9 jobs on 3 workers in 3 seconds", () => {
    const out = runExample("worker-pool");
    assert.equal(out.match(/finished job/g)?.length, 9);
    for (const w of [1, 2, 3]) assert.equal(out.match(new RegExp(`worker ${w} finished`, "g"))?.length, 3);
    assert.match(out, /9 results \(sum 90\) in 3 seconds/);
  });

  it("the heartbeat watchdog notices the stalled worker and kills it", () => {
    const out = runExample("heartbeat");
    assert.match(out, /parent: heartbeat 3 at t=3\nparent: no heartbeat for 2.5 seconds at t=5.5: alerting, killing the worker\nworker: stopped at t=5.5\n/);
    assert.match(out, /item a: done\nitem b: timed out after 2 seconds\nitem c: done\n$/);
  });

  it("latest update wins: stale updaters are killed and the last update is applied", () => {
    const out = runExample("latest-update");
    assert.match(out, /update 1 aborted at step 1/);
    assert.match(out, /update 2 aborted at step 1/);
    assert.match(out, /update 3 applied/);
    assert.match(out, /final state: 4\n$/);
  });
});
