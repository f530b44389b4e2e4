import { test } from "node:test";
import assert from "node:assert/strict";
import { numberOption, parseCommandArgs, parseHostPort, wantsHelp } from "../../src/apps/command.js";
import { UsageError } from "../../src/errors.js";

test("parseHostPort reads [HOST:]PORT with 127.0.0.1 as the default host", () => {
  assert.deepEqual(parseHostPort("10000"), { host: "127.0.0.1", port: 10000 });
  assert.deepEqual(parseHostPort("example.org:10001"), { host: "example.org", port: 10001 });
  assert.deepEqual(parseHostPort("[::1]:10002"), { host: "::1", port: 10002 });
  assert.throws(() => parseHostPort("host:"), UsageError);
  assert.throws(() => parseHostPort("70000"), UsageError);
});

test("numberOption checks range and integrality", () => {
  assert.equal(numberOption("delay", undefined, 0.1), 0.1);
  assert.equal(numberOption("delay", "0.5", 0.1), 0.5);
  assert.throws(() => numberOption("delay", "-1", 0.1), /Bad value for --delay/);
  assert.throws(() => numberOption("port", "1.5", 0, 0, 65535, true), UsageError);
  assert.throws(() => numberOption("port", "", 0), UsageError);
});

test("parseCommandArgs turns parse errors and bad positional counts into UsageError", () => {
  assert.deepEqual(parseCommandArgs(["--x", "1", "a"], { x: { type: "string" } }, { min: 1, max: 1 }).positionals, ["a"]);
  assert.throws(() => parseCommandArgs(["--y"], { x: { type: "string" } }), UsageError);
  assert.throws(() => parseCommandArgs([], {}, { min: 1 }), /Missing argument/);
  assert.throws(() => parseCommandArgs(["a", "b"], {}, { max: 1 }), /Unexpected argument: b/);
});

test("wantsHelp finds -h/--help before a --", () => {
  assert.equal(wantsHelp(["a", "--help"]), true);
  assert.equal(wantsHelp(["-h"]), true);
  assert.equal(wantsHelp(["--", "--help"]), false);
});
