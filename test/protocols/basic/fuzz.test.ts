/**
 * Bounded, seeded random-bytes fuzz of every framer: no exception escapes, limits hold, the
 * strings delivered re-encode to a prefix of the input, and the result does not depend on how the
 * input was chunked. A failing iteration names its seed, which replays it exactly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LineOnlyReceiver, LineReceiver } from "../../../src/protocols/basic/line.js";
import { NetstringReceiver } from "../../../src/protocols/basic/netstring.js";
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  type IntNStringReceiver,
} from "../../../src/protocols/basic/int-prefix.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { seededRandom } from "../../../src/_internal/random.js";
import { concatAll, indexOfBytes } from "../../../src/_internal/bytes.js";
import { assertNoLoggedErrors, captureLogs } from "../../../src/testing/log-capture.js";

const ITERATIONS = 150;

interface Outcome {
  delivered: Uint8Array[];
  closed: boolean;
  extra: number;
}

interface Framer {
  name: string;
  /** Runs the framer over `chunks` (stopping once it closes the connection). */
  run(chunks: Uint8Array[], max: number): Outcome;
  /** How a delivered string is framed on the wire. */
  encode(s: Uint8Array): Uint8Array;
  /** Biased random input. */
  input(rnd: () => number, max: number): Uint8Array;
  /**
   * LineOnlyReceiver (like Twisted's) counts a partial delimiter in its buffer against
   * MAX_LENGTH, so chunked input may hit the limit one line earlier than whole input.
   */
  mayCloseEarlyWhenChunked?: boolean;
}

function feed(p: { dataReceived(d: Uint8Array): unknown; makeConnection(t: StringTransport): void }, chunks: Uint8Array[]): boolean {
  const t = new StringTransport();
  p.makeConnection(t);
  for (const c of chunks) {
    if (t.disconnecting) break; // a real transport stops reading after loseConnection
    p.dataReceived(c);
  }
  return t.disconnecting;
}

function randomBytes(rnd: () => number, n: number, alphabet?: readonly number[]): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = alphabet ? alphabet[Math.floor(rnd() * alphabet.length)]! : Math.floor(rnd() * 256);
  return out;
}

const CRLF = Uint8Array.of(13, 10);

const lineInput = (rnd: () => number, max: number) => {
  const parts: Uint8Array[] = [];
  const n = Math.floor(rnd() * 40);
  for (let i = 0; i < n; i++) {
    const k = rnd();
    const len = k < 0.05 ? max + Math.floor(rnd() * 4) - 1 : Math.floor(rnd() * 12);
    parts.push(randomBytes(rnd, len, rnd() < 0.5 ? [13, 10, 97, 98, 0, 255] : undefined));
    if (rnd() < 0.7) parts.push(CRLF);
  }
  return concatAll(parts);
};

const framers: Framer[] = [
  {
    name: "LineReceiver",
    run(chunks, max) {
      const delivered: Uint8Array[] = [];
      const p = new (class extends LineReceiver {
        override lineReceived(line: Uint8Array) {
          delivered.push(line);
        }
      })();
      p.MAX_LENGTH = max;
      return { delivered, closed: feed(p, chunks), extra: 0 };
    },
    encode: (s) => concatAll([s, CRLF]),
    input: lineInput,
  },
  {
    name: "LineOnlyReceiver",
    run(chunks, max) {
      const delivered: Uint8Array[] = [];
      const p = new (class extends LineOnlyReceiver {
        override lineReceived(line: Uint8Array) {
          delivered.push(line);
        }
      })();
      p.MAX_LENGTH = max;
      return { delivered, closed: feed(p, chunks), extra: 0 };
    },
    encode: (s) => concatAll([s, CRLF]),
    input: lineInput,
    mayCloseEarlyWhenChunked: true,
  },
  {
    name: "NetstringReceiver",
    run(chunks, max) {
      const delivered: Uint8Array[] = [];
      const p = new (class extends NetstringReceiver {
        override stringReceived(s: Uint8Array) {
          delivered.push(s);
        }
      })();
      p.MAX_LENGTH = max;
      const closed = feed(p, chunks);
      return { delivered, closed, extra: p.brokenPeer };
    },
    encode: (s) => concatAll([new TextEncoder().encode(`${s.length}:`), s, Uint8Array.of(44)]),
    input(rnd, max) {
      const parts: Uint8Array[] = [];
      const n = Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) {
        const k = rnd();
        if (k < 0.92) {
          const len = rnd() < 0.1 ? max + 1 : Math.floor(rnd() * Math.min(max, 30) + (rnd() < 0.1 ? max - 2 : 0));
          const body = randomBytes(rnd, Math.min(len, max + 1));
          parts.push(new TextEncoder().encode(`${body.length}:`), body, Uint8Array.of(rnd() < 0.95 ? 44 : 59));
        } else {
          parts.push(randomBytes(rnd, 1 + Math.floor(rnd() * 5), [48, 49, 57, 58, 44, 10, 45]));
        }
      }
      return concatAll(parts);
    },
  },
  ...([
    [Int8StringReceiver, 1],
    [Int16StringReceiver, 2],
    [Int32StringReceiver, 4],
  ] as Array<[new () => IntNStringReceiver, number]>).map(([Cls, prefix]): Framer => ({
    name: Cls.name,
    run(chunks, max) {
      const delivered: Uint8Array[] = [];
      const p: IntNStringReceiver = new Cls();
      p.stringReceived = (s: Uint8Array) => void delivered.push(s);
      p.MAX_LENGTH = max;
      return { delivered, closed: feed(p, chunks), extra: 0 };
    },
    encode(s) {
      const out = new Uint8Array(prefix + s.length);
      let n = s.length;
      for (let i = prefix - 1; i >= 0; i--) {
        out[i] = n & 0xff;
        n = Math.floor(n / 256);
      }
      out.set(s, prefix);
      return out;
    },
    input(rnd, max) {
      const parts: Uint8Array[] = [];
      const n = Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) {
        if (rnd() < 0.95) {
          const len = Math.min(rnd() < 0.1 ? max + 1 : Math.floor(rnd() * Math.min(max + 1, 40)), 2 ** (8 * prefix) - 1);
          parts.push(this.encode(randomBytes(rnd, len)));
        } else {
          parts.push(randomBytes(rnd, 1 + Math.floor(rnd() * 6)));
        }
      }
      return concatAll(parts);
    },
  })),
];

function chunk(rnd: () => number, data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    const n = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 4 : 64));
    out.push(data.slice(at, at + n));
    at += n;
  }
  return out;
}

const startsWith = (hay: Uint8Array, prefix: Uint8Array) => indexOfBytes(hay.subarray(0, prefix.length), prefix) === 0 || prefix.length === 0;

for (const framer of framers) {
  test(`${framer.name} survives ${ITERATIONS} seeded random inputs with its invariants intact`, () => {
    const logs = captureLogs();
    try {
      for (let seed = 0; seed < ITERATIONS; seed++) {
        const rnd = seededRandom(seed);
        const max = [4, 16, 100, 16384, 99999][seed % 5]!;
        const input = framer.input(rnd, Math.min(max, 300));
        const whole = framer.run([input], max);
        const pieces = framer.run(chunk(rnd, input), max);
        const where = `${framer.name} seed ${seed} (MAX_LENGTH ${max}, ${input.length} bytes)`;
        for (const s of whole.delivered) assert.ok(s.length <= max, `${where}: a string over the limit was delivered`);
        // What was delivered, framed again, is exactly the start of the input.
        assert.ok(startsWith(input, concatAll(whole.delivered.map(framer.encode))), `${where}: deliveries are not a prefix of the input`);
        // Chunking changes nothing (or, where allowed, only closes the connection earlier).
        if (framer.mayCloseEarlyWhenChunked && pieces.delivered.length < whole.delivered.length) {
          assert.deepEqual(pieces.delivered, whole.delivered.slice(0, pieces.delivered.length), `${where}: chunking changed the strings`);
          assert.equal(pieces.closed, true, `${where}: fewer strings without closing`);
        } else {
          assert.deepEqual(pieces.delivered, whole.delivered, `${where}: chunking changed the strings`);
          if (!framer.mayCloseEarlyWhenChunked) assert.equal(pieces.closed, whole.closed, `${where}: chunking changed whether the connection closed`);
        }
        assert.equal(pieces.extra, whole.extra, `${where}: chunking changed brokenPeer`);
      }
    } finally {
      assertNoLoggedErrors(logs);
    }
  });
}
