import { test } from "node:test";
import assert from "node:assert/strict";
import { Logger, LogPublisher, formatEvent, formatEventAsText, textObserver, type LogEvent } from "../src/logger.js";
import { Failure } from "../src/failure.js";

function pub(): { p: LogPublisher; events: LogEvent[] } {
  const p = new LogPublisher();
  const events: LogEvent[] = [];
  p.addObserver((e) => void events.push(e));
  return { p, events };
}

test("events carry namespace, level, format and fields", () => {
  const { p, events } = pub();
  new Logger("app.part", p).info("Serving {file} on port {port}.", { file: "poem.txt", port: 10000 });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.namespace, "app.part");
  assert.equal(events[0]!.level, "info");
  assert.equal(formatEvent(events[0]!), "Serving poem.txt on port 10000.");
});

test("formatEvent keeps unknown placeholders and escapes doubled braces", () => {
  const e: LogEvent = { namespace: "n", level: "info", format: "{{x}} {missing} {n}", time: 0, fields: { n: 1 } };
  assert.equal(formatEvent(e), "{x} {missing} 1");
});

test("log.failure attaches a Failure and the text form includes the traceback", () => {
  const { p, events } = pub();
  new Logger("n", p).failure("It broke", new RangeError("bad"));
  assert.equal(events[0]!.level, "critical");
  assert.ok(events[0]!.failure instanceof Failure);
  assert.match(formatEventAsText(events[0]!), /It broke\nRangeError: bad/);
});

test("an observer that throws is removed and the error reported to the others", () => {
  const { p, events } = pub();
  p.addObserver(function broken() {
    throw new Error("observer bug");
  });
  new Logger("n", p).warn("hello");
  new Logger("n", p).warn("again");
  assert.deepEqual(
    events.map((e) => e.format),
    ["hello", "Temporarily disabling observer {observer} due to exception", "again"],
  );
});

test("textObserver writes events at or above its level", () => {
  const lines: string[] = [];
  const p = new LogPublisher();
  p.addObserver(textObserver((t) => lines.push(t), "warn"));
  const log = new Logger("n", p);
  log.info("quiet");
  log.error("loud {x}", { x: 1 });
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /\[n#error\] loud 1$/);
});
