import { test } from "node:test";
import assert from "node:assert/strict";
import { pyCenter, SvgCanvas, TextCanvas } from "../../../src/apps/simulate/canvas.js";

test("pyCenter centres as Python's str.center does", () => {
  // Values checked against CPython: 'ab'.center(5) == '  ab ' and 'abc'.center(6) == ' abc  '.
  assert.equal(pyCenter("ab", 5), "  ab ");
  assert.equal(pyCenter("abc", 6), " abc  ");
  assert.equal(pyCenter("a", 4), " a  ");
  assert.equal(pyCenter("abc", 2), "abc");
  assert.equal(pyCenter("initial", 18), "     initial      ");
});

test("the text canvas pads every row to the widest pixel, spaces included", () => {
  const c = new TextCanvas();
  c.drawText(2, 0, "ab  ");
  c.drawVertLine(1, 1, 2, true);
  assert.equal(c.toString(), "  ab  \n |    \n\\|/   \n");
  c.clear();
  assert.equal(c.toString(), "");
});

test("the SVG canvas keeps cleared drawings as panels", () => {
  const c = new SvgCanvas();
  c.drawText(0, 0, "  one ");
  c.clear();
  c.drawHorizLine(0, 0, 3);
  const svg = c.render();
  assert.match(svg, /<text x="18"[^>]*>one<\/text>/);
  assert.match(svg, /<line /);
});
