import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Chain, formatValue, parsePair, renderSvg, renderText, Stage } from "../../../src/apps/simulate/simulator.js";
import { BadSimulatorInput } from "../../../src/errors.js";
import { Failure } from "../../../src/failure.js";

const GOLDEN = new URL("../../fixtures/golden/simulator/", import.meta.url);
const golden = (name: string): string => readFileSync(new URL(name, GOLDEN), "utf8");
const chain = (...lines: string[]): Chain => new Chain(lines.map((l) => parsePair(l)!));

// The golden files start with the blank line that ends the prompt.
test("one pair, side by side, matches the tutorial's diagram byte for byte", () => {
  assert.equal("\n" + renderText(chain("r good f bad")), golden("sim_one_pair_wide.txt"));
});

test("two pairs, side by side, match the tutorial's diagram byte for byte", () => {
  assert.equal("\n" + renderText(chain("r good f bad", "f googly p")), golden("sim_two_pairs_wide.txt"));
});

test("one pair with --narrow matches the tutorial's three diagrams byte for byte", () => {
  assert.equal("\n" + renderText(chain("r good f bad"), true), golden("sim_one_pair_narrow.txt"));
});

test("the firings follow the real Deferred: a handled failure switches back to the callback line", () => {
  const text = renderText(chain("f oops p", "p r fixed", "r done p"));
  const errbackColumn = text.split("\n").map((l) => l.slice(88)).join("\n");
  // Fired with errback: passthru, then the errback "return fixed" handles it, then "return done".
  assert.match(errbackColumn, /fixed/);
  assert.match(errbackColumn, /done/);
  assert.doesNotMatch(errbackColumn, /oops\*/);
});

test("parsePair accepts any prefix of return/fail/passthru, in any case", () => {
  const [cb, eb] = parsePair("RET x  pa")!;
  assert.deepEqual([cb.style, cb.value, eb.style], ["return", "x", "passthru"]);
  assert.equal(parsePair(""), null);
});

test("parsePair reports bad input with the tutorial's messages", () => {
  const msg = (line: string): string => {
    try {
      parsePair(line);
    } catch (e) {
      assert.ok(e instanceof BadSimulatorInput);
      return e.message;
    }
    return "no error";
  };
  assert.equal(msg("r good"), "missing command");
  assert.equal(msg("   "), "missing command");
  assert.equal(msg("x good f bad"), "bad command: x");
  assert.equal(msg("r"), "missing argument");
  assert.equal(msg("r toolong f bad"), "('result more than 6 chars long', 'toolong')");
  assert.equal(msg("r it's-long p"), `('result more than 6 chars long', "it's-long")`);
  assert.equal(msg("r a f b p"), "extra arguments");
});

test("a stage returns, fails or passes through; failures show with a star", () => {
  assert.equal(new Stage("return", "v").run("x"), "v");
  assert.equal(new Stage("passthru").run("x"), "x");
  const f = new Stage("fail", "bad").run("x");
  assert.ok(f instanceof Failure);
  assert.equal(formatValue(f), "bad*");
});

test("an empty chain is refused", () => {
  assert.throws(() => new Chain([]), RangeError);
});

test("the SVG shows the same boxes, arrows and values", () => {
  const svg = renderSvg(chain("r good f bad", "f googly p"));
  assert.match(svg, /^<svg /);
  assert.match(svg, />googly\*</);
  assert.match(svg, />return good</);
  assert.equal(svg.match(/<polyline/g)?.length, 6, "three arrows per firing");
  assert.match(renderSvg(chain("r good f bad"), true), />d\.errback\(initial\*\)</);
});
