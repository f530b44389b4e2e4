import { test } from "node:test";
import assert from "node:assert/strict";
import { newTasks } from "../../../src/apps/poetry/download.js";
import { renderTimeline } from "../../../src/apps/poetry/timeline.js";
import { Failure } from "../../../src/failure.js";

test("the timeline has one lane per task and one mark per chunk", () => {
  const tasks = newTasks([{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 2 }]);
  tasks[0]!.started = 0;
  tasks[0]!.chunks.push({ time: 0.1, bytes: 10 }, { time: 0.2, bytes: 10 }, { time: 0.3, bytes: 5 });
  tasks[0]!.bytes = 25;
  tasks[0]!.finished = 0.3;
  tasks[1]!.started = 0;
  tasks[1]!.finished = 0.05;
  tasks[1]!.error = new Failure(new Error("Connection was refused by other side"));
  const svg = renderTimeline(tasks, "concurrent client", 0);
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/class="lane"/g)?.length, 2);
  assert.equal(svg.match(/class="chunk"/g)?.length, 3);
  assert.match(svg, /Task 2: 127\.0\.0\.1:2/);
  assert.match(svg, /Connection was refused/);
  assert.match(svg, /concurrent client: 2 tasks in 0:00:00\.300000/);
});
