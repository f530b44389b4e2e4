import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionPair } from "../../src/testing/loopback.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { Int32StringReceiver } from "../../src/protocols/basic/int-prefix.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

class Upper extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(enc(dec(line).toUpperCase()));
  }
}
class Lines extends LineReceiver {
  lines: string[] = [];
  override lineReceived(line: Uint8Array): void {
    this.lines.push(dec(line));
  }
}

test("connectionPair connects both protocols and pump() moves bytes both ways until idle", () => {
  const pair = connectionPair(new Upper(), new Lines());
  assert.equal(pair.server.connected, true);
  assert.equal(pair.client.connected, true);
  pair.client.sendLine(enc("hello"));
  pair.client.sendLine(enc("world"));
  assert.deepEqual(pair.client.lines, []);
  assert.equal(pair.pump(), true);
  assert.deepEqual(pair.client.lines, ["HELLO", "WORLD"]);
  assert.equal(pair.pump(), false);
});

test("connectionPair can deliver byte by byte and the framers still agree", () => {
  class Sink extends Int32StringReceiver {
    got: string[] = [];
    override stringReceived(s: Uint8Array): void {
      this.got.push(dec(s));
    }
  }
  class Source extends Int32StringReceiver {}
  const pair = connectionPair(new Sink(), new Source(), { faults: { maxChunkSize: 1 } });
  for (const s of ["a", "", "longer string"]) pair.client.sendString(enc(s));
  pair.pump();
  assert.deepEqual(pair.server.got, ["a", "", "longer string"]);
  assert.ok(pair.network.trace.filter((t) => t.includes("deliver")).length >= 4 * 3 + 14);
});

test("closing one side of a pair is seen by the other after pump()", () => {
  const pair = connectionPair(new Upper(), new Lines());
  pair.client.transport.loseConnection();
  pair.pump();
  assert.equal(pair.client.connected, false);
  assert.equal(pair.server.connected, false);
});
