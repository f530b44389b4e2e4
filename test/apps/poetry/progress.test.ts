import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { newTasks } from "../../../src/apps/poetry/download.js";
import { ProgressDisplay } from "../../../src/apps/poetry/progress.js";
import { Failure } from "../../../src/failure.js";
import { Clock } from "../../../src/testing/clock.js";

function terminal(columns?: number): { out: PassThrough & { columns?: number }; text: () => string } {
  const out = new PassThrough() as PassThrough & { columns?: number };
  if (columns) out.columns = columns;
  let text = "";
  out.on("data", (d: Buffer) => (text += d));
  return { out, text: () => text };
}

test("the progress display redraws at most every 50 ms, in place", () => {
  const clock = new Clock();
  const t = terminal();
  const tasks = newTasks([{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 2 }]);
  const display = new ProgressDisplay(clock, t.out, tasks);
  tasks[0]!.started = 0;
  tasks[0]!.bytes = 100;
  display.update();
  display.update();
  assert.equal(t.text(), "", "nothing until the redraw is due");
  clock.advance(0.05);
  assert.equal(t.text().match(/\x1b\[2K/g)?.length, 2, "one line per task");
  assert.match(t.text(), /Task 1 127\.0\.0\.1:1 █{30}    100 bytes  downloading/);
  assert.match(t.text(), /Task 2 127\.0\.0\.1:2 ░{30}      0 bytes  waiting/);
  tasks[1]!.started = 0;
  tasks[1]!.finished = 0.1;
  tasks[1]!.error = new Failure(new Error("Connection was refused by other side"));
  display.finish();
  assert.match(t.text(), /\x1b\[2A/, "the second drawing moves back up over the first");
  assert.match(t.text(), /failed: Connection was refused by other side\n$/);
  assert.equal(clock.getDelayedCalls().length, 0);
});

test("a finished download's bar is full and lines fit the terminal", () => {
  const clock = new Clock();
  const t = terminal(60);
  const tasks = newTasks([{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 2 }]);
  tasks[0]!.bytes = 3003;
  tasks[1]!.bytes = 653;
  tasks[1]!.finished = 1;
  new ProgressDisplay(clock, t.out, tasks).finish();
  const lines = t.text().split("\n").filter(Boolean);
  assert.match(lines[1]!, /█{20}/);
  for (const l of lines) assert.ok(l.replace("\x1b[2K", "").length < 60, l);
});
