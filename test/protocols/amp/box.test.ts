import { test } from "node:test";
import assert from "node:assert/strict";
import { BoxParser, box, parseString, serializeBox, type AmpBox } from "../../../src/protocols/amp/box.js";
import { TooLong } from "../../../src/errors.js";
import { hex } from "./_loopback.js";

// Bytes Twisted 22.4 writes for AmpBox(_command=b"Sum", _ask=b"1", a=b"13", b=b"81").serialize().
const TWISTED_SUM = "00045f61736b00013100085f636f6d6d616e64000353756d00016100023133000162000238310000";

function sumBox(): AmpBox {
  return box({ b: "81", a: "13", _command: "Sum", _ask: "1" });
}

function asText(b: AmpBox): Record<string, string> {
  return Object.fromEntries([...b].map(([k, v]) => [k, Buffer.from(v).toString("latin1")]));
}

test("serializeBox writes the same bytes as Twisted, keys sorted", () => {
  assert.equal(hex(serializeBox(sumBox())), TWISTED_SUM);
});

test("an empty box serialises to the two NUL bytes that end a box", () => {
  assert.equal(hex(serializeBox(new Map())), "0000");
});

test("serializeBox refuses a 256-byte key and a 65536-byte value with TooLong", () => {
  assert.throws(() => serializeBox(new Map([["k".repeat(256), new Uint8Array(1)]])), (e: unknown) => e instanceof TooLong && e.isKey && e.isLocal);
  assert.throws(
    () => serializeBox(new Map([["k", new Uint8Array(65536)]])),
    (e: unknown) => e instanceof TooLong && !e.isKey && e.keyName === "k" && e.length === 65536,
  );
  // The limits themselves are fine.
  assert.equal(serializeBox(new Map([["k".repeat(255), new Uint8Array(65535)]])).length, 2 + 255 + 2 + 65535 + 2);
});

test("the parser gives the same boxes however the bytes are chunked", () => {
  const stream = Buffer.concat([Buffer.from(TWISTED_SUM, "hex"), serializeBox(box({ _answer: "1", total: "94" })), serializeBox(box({ x: "" }))]);
  const expected = [asText(sumBox()), { _answer: "1", total: "94" }, { x: "" }];
  for (const size of [1, 2, 3, 5, 7, 64, stream.length]) {
    const got: AmpBox[] = [];
    const p = new BoxParser((b) => got.push(b));
    for (let i = 0; i < stream.length; i += size) p.feed(stream.subarray(i, i + size));
    assert.deepEqual(got.map(asText), expected, `chunk size ${size}`);
    assert.equal(p.midBox, false);
  }
});

test("a key length over 255 is a remote TooLong and the parser stays broken", () => {
  const p = new BoxParser(() => {});
  assert.throws(() => p.feed(new Uint8Array([0x01, 0x00])), (e: unknown) => e instanceof TooLong && e.isKey && !e.isLocal && e.length === 256);
  assert.throws(() => p.feed(new Uint8Array([0, 0])), TooLong);
});

test("an empty box on the wire is delivered (rejecting it is the dispatcher's job)", () => {
  assert.deepEqual(parseString(new Uint8Array([0, 0])).map((b) => b.size), [0]);
});

test("parseString rejects truncated data when strict and ignores it otherwise", () => {
  const bytes = Buffer.from(TWISTED_SUM, "hex").subarray(0, 10);
  assert.throws(() => parseString(bytes), RangeError);
  assert.deepEqual(parseString(bytes, false), []);
});

test("keys are byte strings: every byte value round-trips; chars above U+00FF are refused", () => {
  const key = Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).join("");
  const [b] = parseString(serializeBox(new Map([[key, new Uint8Array([0, 255])]])));
  assert.deepEqual([...b!.keys()], [key]);
  assert.throws(() => serializeBox(new Map([["é€", new Uint8Array()]])), TypeError);
});

// A small deterministic PRNG (mulberry32) so the fuzz run is the same every time.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("fuzz: random bytes in random chunks never crash the parser with anything but TooLong", () => {
  const rand = rng(0xa3b1);
  for (let run = 0; run < 300; run++) {
    const len = Math.floor(rand() * 600);
    const data = new Uint8Array(len);
    // Bias towards small length prefixes so that boxes actually complete sometimes.
    for (let i = 0; i < len; i++) data[i] = rand() < 0.5 ? 0 : Math.floor(rand() * (rand() < 0.5 ? 8 : 256));
    const p = new BoxParser(() => {});
    try {
      for (let i = 0; i < len; ) {
        const n = 1 + Math.floor(rand() * 40);
        p.feed(data.subarray(i, i + n));
        i += n;
      }
    } catch (e) {
      assert.ok(e instanceof TooLong, `run ${run}: unexpected ${String(e)}`);
    }
  }
});

test("fuzz: random valid boxes round-trip through random chunking", () => {
  const rand = rng(7);
  for (let run = 0; run < 200; run++) {
    const boxes: AmpBox[] = [];
    for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++) {
      const b: AmpBox = new Map();
      for (let k = 0, m = 1 + Math.floor(rand() * 5); k < m; k++) {
        const key = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => String.fromCharCode(1 + Math.floor(rand() * 255))).join("");
        b.set(key, Uint8Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
      }
      boxes.push(b);
    }
    const wire = Buffer.concat(boxes.map(serializeBox));
    const got: AmpBox[] = [];
    const p = new BoxParser((b) => got.push(b));
    for (let i = 0; i < wire.length; ) {
      const n = 1 + Math.floor(rand() * 50);
      p.feed(wire.subarray(i, i + n));
      i += n;
    }
    assert.deepEqual(got.map((b) => hex(serializeBox(b))), boxes.map((b) => hex(serializeBox(b))));
  }
});

test("stopParsing from inside onBox stops the feed there and returns exactly the bytes after that box", () => {
  const first = serializeBox(box({ _answer: "1" }));
  const second = serializeBox(box({ _answer: "2" }));
  const seen: AmpBox[] = [];
  let rest: Uint8Array | undefined;
  const p = new BoxParser((b) => {
    seen.push(b);
    rest = p.stopParsing();
  });
  p.feed(new Uint8Array([...first, ...second, 0x41]));
  assert.equal(seen.length, 1, "the second box is not delivered");
  assert.equal(hex(rest!), hex(new Uint8Array([...second, 0x41])));
  assert.throws(() => p.feed(new Uint8Array([0, 0])), /the parser was stopped/);
});

test("stopParsing between chunks returns the pending bytes of an unfinished length prefix or key", () => {
  const p = new BoxParser(() => {});
  p.feed(new Uint8Array([0, 3, 0x61]));
  assert.equal(hex(p.stopParsing()), "000361");
  assert.equal(p.pendingBytes, 0);
});
