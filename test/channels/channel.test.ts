import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChannelClosed, Deadlock, TimeoutError, CancelledError } from "../../src/errors.js";
import { ensureDeferred } from "../../src/coroutine.js";
import { chan } from "../../src/channels/channel.js";
import { scase } from "../../src/channels/select.js";
import { Deferred, succeed } from "../../src/deferred.js";
import { go } from "../../src/channels/scheduler.js";
import { errorOf, outcome, useWorld, valueOf } from "./harness.js";

describe("chan (goless golden cases)", () => {
  const w = useWorld();

  it("case 1: size 0 and null make unbuffered channels, negative asynchronous, positive buffered", () => {
    assert.deepEqual([chan(0).size, chan(null).size, chan(-1).size, chan(5).size], [0, 0, -1, 5]);
    assert.equal(chan().size, 0);
  });

  it("case 2: a non-integer size is a RangeError", () => {
    assert.throws(() => chan(2.5), RangeError);
    assert.throws(() => chan(Number.NaN), RangeError);
  });

  it("case 3: a buffered channel takes sends and gives them back without blocking", () => {
    const c = chan<string>(2);
    valueOf(c.send("a"));
    valueOf(c.send("b"));
    assert.deepEqual([valueOf(c.recv()), valueOf(c.recv())], ["a", "b"]);
  });

  it("case 4: an asynchronous channel drains its buffer after close", () => {
    const c = chan<number>(-1);
    for (let i = 0; i < 5; i++) valueOf(c.send(i));
    c.close();
    const got: number[] = [];
    for (let r = valueOf(c.next()); !r.done; r = valueOf(c.next())) got.push(r.value);
    assert.deepEqual(got, [0, 1, 2, 3, 4]);
  });

  it("case 5: receive drains the buffer of a closed channel, then fails with ChannelClosed", () => {
    const c = chan<number>(3);
    c.send(1);
    c.close();
    assert.equal(valueOf(c.recv()), 1);
    assert.ok(errorOf(c.recv()) instanceof ChannelClosed);
  });

  it("case 6: send on a closed channel fails with ChannelClosed", () => {
    const c = chan();
    c.close();
    const e = errorOf(c.send(1));
    assert.ok(e instanceof ChannelClosed);
    assert.equal((e as ChannelClosed).code, "ERR_REED_CHANNEL_CLOSED");
    assert.match((e as Error).message, /^Cannot send on a closed channel: chan#\d+$/);
  });

  it("case 7: receive on a closed empty channel fails, and iteration ends at once", () => {
    const c = chan();
    c.close();
    assert.ok(errorOf(c.recv()) instanceof ChannelClosed);
    assert.deepEqual(valueOf(c.next()), { done: true, value: undefined });
  });

  it("case 8: closing twice is allowed", () => {
    const c = chan();
    c.close();
    c.close();
    assert.equal(c.closed, true);
  });

  it("case 9: alone, a blocking recv, send, or send on a full buffer fails with Deadlock", () => {
    const r = chan().recv();
    const s = chan().send(1);
    const b = chan(1);
    valueOf(b.send(1));
    const s2 = b.send(2);
    assert.equal(outcome(r), "pending");
    w.turn();
    for (const e of [errorOf(r), errorOf(s), errorOf(s2)]) assert.ok(e instanceof Deadlock);
  });

  it("case 10: a task blocked in recv gets ChannelClosed when the channel closes", () => {
    const c = chan();
    const seen: string[] = [];
    go(function* () {
      try {
        yield* c.recv();
      } catch (e) {
        seen.push((e as Error).name);
      }
    });
    w.turn();
    c.close();
    w.turn();
    assert.deepEqual(seen, ["ChannelClosed"]);
  });

  it("case 11: a task blocked in send on an unbuffered channel gets ChannelClosed when it closes", () => {
    const c = chan();
    const seen: string[] = [];
    go(function* () {
      try {
        yield* c.send(1);
      } catch (e) {
        seen.push((e as Error).message);
      }
    });
    w.turn();
    c.close();
    w.turn();
    assert.deepEqual(seen, [`Channel closed while sending: ${c}`]);
  });

  it("case 12: closing drops a blocked sender's value but keeps the buffer", () => {
    const c = chan<number>(1);
    const log: string[] = [];
    go(function* () {
      try {
        for (let i = 0; i < 3; i++) {
          yield* c.send(i);
          log.push(`sent${i}`);
        }
      } catch (e) {
        if (e instanceof ChannelClosed) log.push("closed");
        else throw e;
      }
    });
    w.turn();
    c.close();
    w.turn();
    assert.deepEqual(log, ["sent0", "closed"]);
    assert.equal(valueOf(c.recv()), 0);
    assert.ok(errorOf(c.recv()) instanceof ChannelClosed);
  });

  for (const [size, n, expected] of [
    [0, 3, ["r0", "s0", "r1", "s1", "r2", "s2"]],
    [2, 4, ["r0", "s0", "r1", "s1", "r2", "s2", "r3", "s3"]],
  ] as const) {
    it(`case ${size === 0 ? 25 : 26}: hand-over order with chan(${size}) is receive, then send, item by item`, () => {
      const c = chan<number>(size);
      const log: string[] = [];
      go(function* producer() {
        for (let i = 0; i < n; i++) {
          yield* c.send(i);
          log.push(`s${i}`);
        }
        c.close();
      });
      const main = ensureDeferred(
        (function* () {
          for (let r = yield* c.next(); !r.done; r = yield* c.next()) log.push(`r${r.value}`);
        })(),
      );
      w.turn();
      valueOf(main);
      assert.deepEqual(log, expected);
    });
  }

  it("case 27: a receive from a waiting sender continues the receiver", () => {
    const c = chan();
    const actions: string[] = [];
    go(function* other() {
      actions.push("recv pending");
      yield* c.recv();
      actions.push("recv acted");
    });
    const main = ensureDeferred(
      (function* () {
        actions.push("send pending");
        yield* c.send(undefined);
        actions.push("send acted");
      })(),
    );
    w.turn();
    valueOf(main);
    assert.deepEqual(actions, ["send pending", "recv pending", "recv acted", "send acted"]);
  });

  it("case 28: a send to a waiting receiver runs the receiver first", () => {
    const c = chan();
    const actions: string[] = [];
    let atReceive: string[] = [];
    go(function* other() {
      actions.push("send pending");
      yield* c.send(undefined);
      actions.push("send acted");
    });
    const main = ensureDeferred(
      (function* () {
        actions.push("recv pending");
        yield* c.recv();
        actions.push("recv acted");
        atReceive = [...actions];
      })(),
    );
    w.turn();
    valueOf(main);
    assert.deepEqual(atReceive, ["recv pending", "send pending", "recv acted"]);
    assert.deepEqual(actions, ["recv pending", "send pending", "recv acted", "send acted"]);
  });

  it("case 29: a full buffer blocks the sender until a receive makes room", () => {
    const c = chan<number>(2);
    const markers: unknown[] = [];
    go(function* sendall() {
      for (const v of [4, 3, 2, 1]) markers.push(yield* c.send(v));
    });
    w.turn();
    assert.equal(markers.length, 2);
    const got = [valueOf(c.recv()), valueOf(c.recv())];
    assert.deepEqual(got, [4, 3]);
    w.turn();
    assert.equal(markers.length, 4);
    got.push(valueOf(c.recv()), valueOf(c.recv()));
    assert.deepEqual(got, [4, 3, 2, 1]);
  });

  it("case 30: each send to a waiting receiver hands over at once", () => {
    const c = chan<number>(1);
    const markers: number[] = [];
    go(function* recvall() {
      markers.push(yield* c.recv());
      markers.push(yield* c.recv());
    });
    w.turn();
    assert.deepEqual(markers, []);
    c.send(1);
    assert.deepEqual(markers, [1]);
    c.send(2);
    assert.deepEqual(markers, [1, 2]);
  });

  it("case 33: recvReady and sendReady report whether an operation would complete now", () => {
    const c = chan();
    assert.equal(c.recvReady(), false);
    assert.equal(c.sendReady(), false);
    assert.equal(chan(1).sendReady(), true);
    const r = c.recv();
    assert.equal(c.sendReady(), true);
    r.cancel();
    errorOf(r);
  });
});

describe("chan (reed rules)", () => {
  const w = useWorld();

  it("trySend and tryRecv never wait and say why they did nothing", () => {
    const c = chan<number>(1);
    assert.deepEqual(c.tryRecv(), { ok: false, value: undefined, closed: false });
    assert.deepEqual(c.trySend(1), { ok: true, closed: false });
    assert.deepEqual(c.trySend(2), { ok: false, closed: false });
    assert.deepEqual(c.tryRecv(), { ok: true, value: 1, closed: false });
    c.close();
    assert.deepEqual(c.trySend(3), { ok: false, closed: true });
    assert.deepEqual(c.tryRecv(), { ok: false, value: undefined, closed: true });
  });

  it("trySend hands a value to a waiting receiver, running it first", () => {
    const c = chan<string>();
    const got: string[] = [];
    c.recv().addCallback((v) => got.push(v));
    assert.deepEqual(c.trySend("x"), { ok: true, closed: false });
    assert.deepEqual(got, ["x"]);
  });

  it("a Deferred is refused as a value at once, and the waiting receiver still gets the next one", () => {
    const c = chan<unknown>();
    const r = c.recv();
    assert.throws(() => c.send(new Deferred()), { name: "TypeError", message: /Cannot send a Deferred on a channel.*\{d\}/ });
    assert.throws(() => c.trySend(succeed(1)), TypeError);
    assert.throws(() => scase(c, new Deferred()), TypeError);
    assert.equal(outcome(r), "pending");
    assert.equal(c.recvq.length, 1);
    const d = new Deferred<number>();
    c.send({ d });
    assert.equal((valueOf(r) as { d: Deferred<number> }).d, d);
    const b = chan<unknown>(2);
    assert.throws(() => b.send(new Deferred()), TypeError);
    assert.equal(b.length, 0);
  });

  it("a cancelled recv takes nothing and leaves later receivers in order", () => {
    const c = chan<number>();
    const first = c.recv();
    const second = c.recv();
    first.cancel();
    assert.ok(errorOf(first) instanceof CancelledError);
    c.send(7);
    assert.equal(valueOf(second), 7);
    assert.equal(c.recvq.length, 0);
  });

  it("a cancelled blocked send sends nothing", () => {
    const c = chan<number>();
    const s = c.send(1);
    s.cancel();
    errorOf(s);
    assert.equal(c.recvReady(), false);
    assert.deepEqual(c.tryRecv(), { ok: false, value: undefined, closed: false });
  });

  it("cancelling a send whose value was already taken reports that it was sent", () => {
    const c = chan<number>();
    const s = c.send(1);
    assert.equal(valueOf(c.recv()), 1);
    assert.equal(outcome(s), "pending"); // the sender resumes at the next turn
    s.cancel();
    assert.equal(valueOf(s), undefined);
    w.turn();
  });

  it("close fails every blocked receiver before it returns", () => {
    const c = chan<number>();
    const a = c.recv();
    const b = c.recv();
    c.close();
    assert.ok(errorOf(a) instanceof ChannelClosed);
    assert.match(String((errorOf(b) as Error).message), /^Channel closed while receiving: chan#\d+$/);
  });

  it("recv with a timeout fails with TimeoutError and takes nothing", () => {
    const c = chan<number>(0, { name: "beats" });
    const r = c.recv({ timeout: 5, clock: w.clock });
    w.clock.advance(4.9);
    assert.equal(outcome(r), "pending");
    w.clock.advance(0.1);
    const e = errorOf(r);
    assert.ok(e instanceof TimeoutError);
    assert.equal((e as TimeoutError).timeout, 5);
    assert.match((e as Error).message, /^Timed out after 5 seconds: recv on chan#\d+ "beats"$/);
    assert.equal(c.recvq.length, 0);
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("recv with a timeout that gets a value cancels its timer", () => {
    const c = chan<number>();
    const r = c.recv({ timeout: 5, clock: w.clock });
    c.send(3);
    assert.equal(valueOf(r), 3);
    w.turn();
    assert.equal(w.clock.getDelayedCalls().length, 0);
  });

  it("send with a timeout fails with TimeoutError and sends nothing", () => {
    const c = chan<number>();
    const s = c.send(1, { timeout: 1, clock: w.clock });
    w.clock.advance(1);
    assert.ok(errorOf(s) instanceof TimeoutError);
    assert.equal(c.recvReady(), false);
  });

  it("for await receives until the channel is closed and drained", async () => {
    const c = chan<number>(-1);
    c.send(1);
    c.send(2);
    c.close();
    const got: number[] = [];
    for await (const v of c) got.push(v);
    assert.deepEqual(got, [1, 2]);
  });

  it("toString names the channel with its id and optional name", () => {
    const c = chan(0, { name: "jobs" });
    assert.equal(String(c), `chan#${c.id} "jobs"`);
    assert.equal(String(chan()), `chan#${c.id + 1}`);
  });
});
