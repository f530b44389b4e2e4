import { test } from "node:test";
import assert from "node:assert/strict";
import { DateTimeValue, DecimalValue, parsePythonFloat, pythonFloatRepr } from "../../../src/protocols/amp/values.js";
import { AmpArgumentError } from "../../../src/errors.js";

test("pythonFloatRepr matches Python's repr(float)", () => {
  // Pairs printed by Python 3 (Twisted's amp.Float().toString).
  const cases: [number, string][] = [
    [1.0, "1.0"], [0.1, "0.1"], [1e16, "1e+16"], [1e-5, "1e-05"], [123456789012345.6, "123456789012345.6"],
    [-0.0, "-0.0"], [Infinity, "inf"], [-Infinity, "-inf"], [NaN, "nan"], [1.5e-7, "1.5e-07"], [1e22, "1e+22"],
    [12345678901234567.0, "1.2345678901234568e+16"], [0.0001, "0.0001"], [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"], [-2.5, "-2.5"], [1e15, "1000000000000000.0"],
  ];
  for (const [x, s] of cases) assert.equal(pythonFloatRepr(x), s, `repr(${x})`);
});

test("parsePythonFloat accepts Python's float() forms and rejects the rest", () => {
  assert.equal(parsePythonFloat(" 1_000.5 "), 1000.5);
  assert.equal(parsePythonFloat("-Infinity"), -Infinity);
  assert.ok(Number.isNaN(parsePythonFloat("NaN")));
  assert.equal(parsePythonFloat(".5e1"), 5);
  assert.equal(parsePythonFloat("5."), 5);
  for (const bad of ["", "1..2", "0x10", "1e", "_1", "abc"]) assert.throws(() => parsePythonFloat(bad), AmpArgumentError, bad);
});

test("DecimalValue.toString matches Python's str(Decimal(s))", () => {
  const cases: [string, string][] = [
    ["1.50", "1.50"], ["1E+2", "1E+2"], ["-0", "-0"], ["0.000001", "0.000001"], ["0.0000001", "1E-7"],
    ["123.456e10", "1.23456E+12"], ["-Infinity", "-Infinity"], ["NaN", "NaN"], ["sNaN12", "sNaN12"],
    ["1e-7", "1E-7"], ["100", "100"], [".5", "0.5"], ["5.", "5"], ["-1_000.5", "-1000.5"],
  ];
  for (const [input, out] of cases) assert.equal(DecimalValue.fromString(input).toString(), out, input);
});

test("DecimalValue keeps precision that a number would lose", () => {
  const d = DecimalValue.fromString("0.1000000000000000000000000001");
  assert.equal(d.toString(), "0.1000000000000000000000000001");
  assert.equal(d.toNumber(), 0.1);
  assert.ok(!DecimalValue.fromString("1.0").equals(DecimalValue.fromString("1.00")));
  assert.equal(DecimalValue.fromNumber(0.1).toString(), "0.1");
  assert.throws(() => DecimalValue.fromString("1.2.3"), AmpArgumentError);
});

test("DateTimeValue uses Twisted's 32-char form; a zero offset is written -00:00", () => {
  const dt = new DateTimeValue(2012, 1, 23, 12, 34, 56, 54321, 0);
  assert.equal(dt.toString(), "2012-01-23T12:34:56.054321-00:00");
  assert.equal(new DateTimeValue(2012, 1, 23, 12, 34, 56, 0, 330).toString(), "2012-01-23T12:34:56.000000+05:30");
  assert.equal(new DateTimeValue(2012, 1, 23, 0, 0, 0, 0, -90).toString(), "2012-01-23T00:00:00.000000-01:30");
  assert.ok(DateTimeValue.fromString("2012-01-23T12:34:56.000000+05:30").equals(new DateTimeValue(2012, 1, 23, 12, 34, 56, 0, 330)));
});

test("DateTimeValue converts to and from Date at an offset", () => {
  const d = new Date(Date.UTC(2020, 1, 29, 23, 30, 0, 250));
  const v = DateTimeValue.fromDate(d, 60);
  assert.equal(v.toString(), "2020-03-01T00:30:00.250000+01:00");
  assert.equal(v.toDate().getTime(), d.getTime());
});

test("DateTimeValue rejects impossible dates and malformed strings", () => {
  assert.throws(() => new DateTimeValue(2021, 2, 29), AmpArgumentError);
  assert.throws(() => new DateTimeValue(2021, 13, 1), AmpArgumentError);
  assert.throws(() => new DateTimeValue(2021, 1, 1, 0, 0, 0, 0, 24 * 60), AmpArgumentError);
  assert.throws(() => DateTimeValue.fromString("2012-01-23T12:34:56+00:00"), AmpArgumentError);
  assert.doesNotThrow(() => new DateTimeValue(2000, 2, 29));
});
