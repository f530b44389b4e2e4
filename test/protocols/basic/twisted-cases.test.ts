/**
 * Replays the framing boundary table recorded on real Twisted 22.4 (fixtures/framing-cases.json,
 * made by fixtures/gen-framing-cases.py) against reed's framers: same events, same bytes written,
 * same connection state, under whole, byte-at-a-time and random chunkings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { LineOnlyReceiver, LineReceiver } from "../../../src/protocols/basic/line.js";
import { NetstringReceiver } from "../../../src/protocols/basic/netstring.js";
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  type IntNStringReceiver,
} from "../../../src/protocols/basic/int-prefix.js";
import { StringTransport } from "../../../src/testing/string-transport.js";
import { StringTooLongError } from "../../../src/errors.js";

type Packed = string | { runs: [string, number][] };
type Event = (string | number | Packed)[];
interface Case {
  framer: string;
  name: string;
  chunking: string;
  options: { delimiter?: string; MAX_LENGTH?: number };
  resume: boolean;
  chunks: Packed[];
  expected: { events: Event[]; written: Packed; disconnecting: boolean; returns?: (string | null)[]; brokenPeer?: number };
}
interface Send {
  framer: string;
  n: number;
  result: { ok: boolean; head?: string; len: number; error?: string };
}

const table = JSON.parse(readFileSync(new URL("./fixtures/framing-cases.json", import.meta.url), "utf8")) as {
  cases: Case[];
  sends: Send[];
};

function unpack(p: Packed): string {
  return typeof p === "string" ? p : p.runs.map(([t, n]) => t.repeat(n)).join("");
}
function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
function str(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

interface Recorder {
  ev: Event[];
}

class LR extends LineReceiver implements Recorder {
  ev: Event[] = [];
  override lineReceived(line: Uint8Array): unknown {
    const s = str(line);
    this.ev.push(["line", s]);
    if (s === "raw") this.setRawMode();
    else if (s === "stop") return "why";
    else if (s === "clear") this.ev.push(["cleared", str(this.clearLineBuffer())]);
    else if (s === "quit") this.transport.loseConnection();
    else if (s === "pause") this.pauseProducing();
    else if (s === "echo") this.sendLine(bytes("echoed"));
    return undefined;
  }
  override rawDataReceived(data: Uint8Array): unknown {
    const i = data.indexOf(0x7c);
    if (i >= 0) {
      this.ev.push(["raw", str(data.subarray(0, i))]);
      this.setLineMode(data.slice(i + 1));
    } else {
      this.ev.push(["raw", str(data)]);
    }
    return undefined;
  }
  override lineLengthExceeded(line: Uint8Array): unknown {
    this.ev.push(["exceeded", line.length, str(line.subarray(0, 40))]);
    return super.lineLengthExceeded(line);
  }
}

class LOR extends LineOnlyReceiver implements Recorder {
  ev: Event[] = [];
  override lineReceived(line: Uint8Array): unknown {
    const s = str(line);
    this.ev.push(["line", s]);
    if (s === "quit") this.transport.loseConnection();
    else if (s === "echo") this.sendLine(bytes("echoed"));
    return undefined;
  }
  override lineLengthExceeded(line: Uint8Array): unknown {
    this.ev.push(["exceeded", line.length, str(line.subarray(0, 40))]);
    return super.lineLengthExceeded(line);
  }
}

class NS extends NetstringReceiver implements Recorder {
  ev: Event[] = [];
  override stringReceived(s: Uint8Array): void {
    this.ev.push(["string", str(s)]);
    if (str(s) === "echo") this.sendString(bytes("echoed"));
  }
}

function intN<T extends new () => IntNStringReceiver>(Base: T): new () => IntNStringReceiver & Recorder {
  // @ts-expect-error a mixin over an abstract-typed constructor
  return class extends Base implements Recorder {
    ev: Event[] = [];
    override stringReceived(s: Uint8Array): void {
      this.ev.push(["string", str(s)]);
      if (str(s) === "pause") this.pauseProducing();
      if (str(s) === "echo") this.sendString(bytes("echoed"));
    }
    override lengthLimitExceeded(length: number): void {
      this.ev.push(["limit", length]);
      super.lengthLimitExceeded(length);
    }
  };
}

const classes: Record<string, new () => { ev: Event[] } & { dataReceived(d: Uint8Array): unknown }> = {
  LineReceiver: LR,
  LineOnlyReceiver: LOR,
  NetstringReceiver: NS,
  Int8StringReceiver: intN(Int8StringReceiver),
  Int16StringReceiver: intN(Int16StringReceiver),
  Int32StringReceiver: intN(Int32StringReceiver),
};

function normalise(events: Event[]): Event[] {
  return events.map((e) => e.map((x) => (typeof x === "object" ? unpack(x) : x)));
}

test("the Twisted table covers every framer", () => {
  const framers = new Set(table.cases.map((c) => c.framer));
  assert.deepEqual([...framers].sort(), Object.keys(classes).sort());
  assert.ok(table.cases.length > 200);
});

for (const c of table.cases) {
  test(`${c.framer}: ${c.name} (${c.chunking} chunks) matches Twisted`, () => {
    const p = new classes[c.framer]!() as unknown as Recorder & {
      dataReceived(d: Uint8Array): unknown;
      makeConnection(t: StringTransport): void;
      delimiter?: Uint8Array;
      MAX_LENGTH: number;
      paused?: boolean;
      resumeProducing?: () => void;
      brokenPeer?: number;
    };
    if (c.options.delimiter !== undefined) p.delimiter = bytes(c.options.delimiter);
    if (c.options.MAX_LENGTH !== undefined) p.MAX_LENGTH = c.options.MAX_LENGTH;
    const t = new StringTransport();
    p.makeConnection(t);
    const returns: (string | null)[] = [];
    // An exception (from StringTransport's producer checks) is recorded, as the generator does.
    const guard = (f: () => unknown): unknown => {
      try {
        return f();
      } catch (e) {
        p.ev.push(["error", e instanceof Error ? e.message : String(e)]);
        return undefined;
      }
    };
    for (const chunk of c.chunks) {
      const r = guard(() => p.dataReceived(bytes(unpack(chunk))));
      returns.push(typeof r === "string" ? r : null);
    }
    if (c.resume && p.paused) {
      p.ev.push(["resume"]);
      guard(() => p.resumeProducing!());
    }
    assert.deepEqual(normalise(p.ev), normalise(c.expected.events));
    assert.equal(str(t.value()), unpack(c.expected.written));
    assert.equal(t.disconnecting, c.expected.disconnecting);
    // The values dataReceived returned (Twisted's "why"), recorded when any was not None.
    if (c.expected.returns) assert.deepEqual(returns, c.expected.returns);
    else assert.ok(returns.every((r) => r === null));
    if (c.expected.brokenPeer !== undefined) assert.equal(p.brokenPeer, c.expected.brokenPeer);
  });
}

for (const s of table.sends) {
  test(`${s.framer}.sendString of ${s.n} bytes matches Twisted`, () => {
    const p = new classes[s.framer]!() as unknown as { makeConnection(t: StringTransport): void; sendString(b: Uint8Array): void };
    const t = new StringTransport();
    p.makeConnection(t);
    const payload = new Uint8Array(s.n).fill(s.framer === "NetstringReceiver" ? 0x71 : 0x7a);
    if (s.result.ok) {
      p.sendString(payload);
      const v = t.value();
      assert.equal(v.length, s.result.len);
      assert.equal(str(v.subarray(0, s.result.head!.length)), s.result.head);
    } else {
      assert.throws(() => p.sendString(payload), StringTooLongError);
      assert.equal(t.value().length, 0);
    }
  });
}
