import { test } from "node:test";
import assert from "node:assert/strict";
import * as amp from "../../../src/protocols/amp/index.js";
import { AmpArgumentError, TooLong } from "../../../src/errors.js";
import { hex } from "./_loopback.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

test("each argument type writes Twisted's wire bytes", () => {
  assert.equal(text(amp.Integer().toBytes(-42)), "-42");
  assert.equal(text(amp.String().toBytes(new Uint8Array([0, 255]))), "\x00\xff");
  assert.equal(text(amp.Unicode().toBytes("héllo")), "h\xc3\xa9llo");
  assert.equal(text(amp.Boolean().toBytes(true)), "True");
  assert.equal(text(amp.Boolean().toBytes(false)), "False");
  assert.equal(text(amp.Float().toBytes(1)), "1.0");
  assert.equal(text(amp.Decimal().toBytes(amp.DecimalValue.fromString("1.50"))), "1.50");
  assert.equal(text(amp.DateTime().toBytes(new amp.DateTimeValue(2012, 1, 23, 12, 34, 56, 54321))), "2012-01-23T12:34:56.054321-00:00");
  // Twisted: ListOf(Integer()).toString([1, 22, 333]) and AmpList([(b'a', Integer()), (b'b', Unicode())]).
  assert.equal(hex(amp.ListOf(amp.Integer()).toBytes([1, 22, 333])), "000131000232320003333333");
  assert.equal(
    hex(amp.AmpList({ a: amp.Integer(), b: amp.Unicode() }).toBytes([{ a: 7, b: "hello" }, { a: 9, b: "goodbye" }])),
    "000161000137000162000568656c6c6f00000001610001390001620007676f6f646279650000",
  );
});

test("each argument type decodes what it encodes", () => {
  const schema = {
    i: amp.Integer(), s: amp.String(), u: amp.Unicode(), b: amp.Boolean(), f: amp.Float(), d: amp.Decimal(), t: amp.DateTime(),
    l: amp.ListOf(amp.Unicode()), al: amp.AmpList({ x: amp.Integer(), y: amp.ListOf(amp.Float()) }), o: amp.Integer({ optional: true }),
  };
  const value = {
    i: 12345678901, s: new Uint8Array([1, 2, 3]), u: "☃", b: false, f: -1.25, d: amp.DecimalValue.fromString("-3.14159"),
    t: new amp.DateTimeValue(1999, 12, 31, 23, 59, 59, 999999, -300), l: ["a", "", "ü"], al: [{ x: 1, y: [0.5] }, { x: 2, y: [] }],
  };
  const back = amp.boxToObject(schema, amp.parseString(amp.serializeBox(amp.objectToBox(schema, value, new Map())))[0]!);
  assert.deepEqual({ ...back, d: back.d.toString(), t: back.t.toString() }, { ...value, d: "-3.14159", t: "1999-12-31T23:59:59.999999-05:00", o: undefined });
});

test("decoding rejects bytes that are not the type", () => {
  assert.throws(() => amp.Integer().fromBytes(enc("12a")), AmpArgumentError);
  assert.throws(() => amp.Integer().fromBytes(enc("99999999999999999999")), AmpArgumentError);
  assert.equal(amp.Integer().fromBytes(enc(" +1_000 ")), 1000);
  assert.throws(() => amp.Boolean().fromBytes(enc("true")), AmpArgumentError);
  assert.throws(() => amp.Unicode().fromBytes(new Uint8Array([0xff])), AmpArgumentError);
  assert.throws(() => amp.ListOf(amp.Integer()).fromBytes(new Uint8Array([0, 5, 49])), AmpArgumentError);
  assert.throws(() => amp.DateTime().fromBytes(enc("yesterday")), AmpArgumentError);
});

test("encoding rejects values of the wrong type at run time", () => {
  assert.throws(() => amp.Integer().toBytes(1.5), AmpArgumentError);
  assert.throws(() => amp.String().toBytes("text" as unknown as Uint8Array), AmpArgumentError);
  assert.throws(() => amp.Decimal().toBytes(1.5 as unknown as amp.DecimalValue), AmpArgumentError);
});

test("objectToBox leaves out optional values and refuses missing required ones and oversize values", () => {
  const schema = { a: amp.Integer(), b: amp.Unicode({ optional: true }), big: amp.String({ optional: true }) };
  assert.deepEqual([...amp.objectToBox(schema, { a: 1 }, new Map()).keys()], ["a"]);
  assert.throws(() => amp.objectToBox(schema, { b: "x" }, new Map()), AmpArgumentError);
  assert.throws(() => amp.objectToBox(schema, { a: 1, big: new Uint8Array(70000) }, new Map()), TooLong);
});

test("schemas give typed objects (checked by the compiler)", () => {
  const schema = { n: amp.Integer(), tags: amp.ListOf(amp.Unicode()), note: amp.Unicode({ optional: true }) };
  const obj: amp.ObjectOf<typeof schema> = { n: 1, tags: ["x"] };
  // @ts-expect-error n must be a number
  const bad: amp.ObjectOf<typeof schema> = { n: "1", tags: [] };
  // @ts-expect-error tags is required
  const missing: amp.ObjectOf<typeof schema> = { n: 1 };
  assert.ok(obj && bad && missing);
});

test("Path sends a path as UTF-8 text, as Twisted's Path sends a FilePath, and round-trips it unchanged", () => {
  // Twisted: amp.Path().toString(FilePath('/tmp/héllo ☃')) == b'/tmp/h\xc3\xa9llo \xe2\x98\x83'
  assert.equal(hex(amp.Path().toBytes("/tmp/héllo ☃")), hex(enc("/tmp/héllo ☃")));
  assert.equal(amp.Path().typeName, "Path");
  const schema = { file: amp.Path(), dir: amp.Path({ optional: true }) };
  for (const file of ["/var/log/syslog", "relative/dir/x.txt", "C:\\Users\\ü", ""]) {
    const back = amp.boxToObject(schema, amp.parseString(amp.serializeBox(amp.objectToBox(schema, { file }, new Map())))[0]!);
    assert.deepEqual(back, { file, dir: undefined }, "a relative path stays relative (Twisted's FilePath would make it absolute)");
  }
  assert.throws(() => amp.Path().fromBytes(new Uint8Array([0x2f, 0xff])), /Path value is not valid UTF-8/);
  assert.throws(() => amp.Path().toBytes(42 as unknown as string), /Path needs a string path/);
});
