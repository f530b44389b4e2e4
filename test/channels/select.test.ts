import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError, ChannelClosed, Deadlock } from "../../src/errors.js";
import { chan } from "../../src/channels/channel.js";
import { go } from "../../src/channels/scheduler.js";
import { dcase, rcase, scase, select, type SelectCase } from "../../src/channels/select.js";
import { errorOf, outcome, useWorld, valueOf } from "./harness.js";

describe("select (goless golden cases)", () => {
  const w = useWorld();

  it("case 13: select with no cases, or an empty list, gives undefined", () => {
    assert.equal(valueOf(select()), undefined);
    assert.equal(valueOf(select([])), undefined);
  });

  it("case 14: with nothing ready the default case is chosen", () => {
    const cases = [rcase(chan()), dcase()];
    const [c, v] = valueOf(select(cases));
    assert.equal(c, cases[1]);
    assert.equal(v, undefined);
  });

  it("case 15: the first ready case in list order wins", () => {
    const a = chan<number>(1);
    const b = chan<number>(1);
    a.send(1);
    b.send(2);
    const rb = rcase(b);
    const [c, v] = valueOf(select([rb, rcase(a)]));
    assert.equal(c, rb);
    assert.equal(v, 2);
    assert.equal(a.length, 1);
  });

  it("case 16: the default case is taken only when nothing is ready, whatever its position", () => {
    const sc = scase(chan<number>(1), 9);
    const [c, v] = valueOf(select([dcase(), sc]));
    assert.equal(c, sc);
    assert.equal(v, undefined);
    assert.equal(sc.chan.length, 1);
  });

  it("case 17: an scase with no receiver is not ready", () => {
    const d = dcase();
    assert.equal(valueOf(select([scase(chan(), "x"), d]))[0], d);
  });

  it("case 18: alone, a select with nothing ready fails with Deadlock", () => {
    const c = chan(0, { name: "nobody" });
    const s = select(rcase(c));
    w.turn();
    const e = errorOf(s);
    assert.ok(e instanceof Deadlock);
    assert.equal((e as Deadlock).message, `All tasks are blocked on channels and nothing can wake them: main in select on ${c}`);
  });

  it("case 19: two default cases are a TypeError", () => {
    assert.throws(() => select([dcase(), dcase()]), { name: "TypeError", message: /Only one default case/ });
  });

  it("case 20: mixing a list of cases with other arguments is a TypeError", () => {
    const c1 = chan<number>();
    assert.throws(() => (select as (...a: unknown[]) => unknown)([scase(c1, 1)], chan()), TypeError);
    assert.throws(() => (select as (...a: unknown[]) => unknown)(chan()), TypeError);
  });

  it("case 21: a select waits while a task runs and sends", () => {
    const c = chan<string>();
    go(() => c.send("hi"));
    const rc = rcase(c);
    const s = select(rc);
    w.turn();
    assert.deepEqual(valueOf(s), [rc, "hi"]);
  });

  it("case 22: a task just started with go() has not run yet, so the default case wins", () => {
    const c = chan<string>();
    go(() => c.send("hi"));
    const d = dcase();
    assert.equal(valueOf(select(rcase(c), d))[0], d);
    w.turn();
    assert.equal(valueOf(c.recv()), "hi");
    w.turn();
  });

  it("case 23: an scase hands its value to a waiting receiver, which runs first", () => {
    const c = chan<number>();
    const got: number[] = [];
    go(function* () {
      got.push(yield* c.recv());
    });
    w.turn();
    const sc = scase(c, 42);
    const s = select(sc);
    assert.deepEqual(got, [42]);
    assert.deepEqual(valueOf(s), [sc, undefined]);
  });

  it("case 24: a closed, empty channel is never ready to receive in select", () => {
    const c = chan();
    c.close();
    const d = dcase();
    assert.equal(valueOf(select(rcase(c), d))[0], d);
  });

  it("case 34: a chosen scase on a closed channel fails with ChannelClosed", () => {
    const c = chan<number>(1);
    c.close();
    assert.ok(errorOf(select(scase(c, 1))) instanceof ChannelClosed);
    const u = chan<number>();
    u.close();
    assert.ok(errorOf(select(scase(u, 1))) instanceof ChannelClosed);
  });
});

describe("select (waiting without polling)", () => {
  const w = useWorld();

  it("a waiting select sits once in every case's queue and leaves the others when one fires", () => {
    const a = chan<number>();
    const b = chan<number>();
    const x = chan<number>();
    const ra = rcase(a);
    const s = select(ra, rcase(b), scase(x, 5));
    assert.deepEqual([a.recvq.length, b.recvq.length, x.sendq.length], [1, 1, 1]);
    a.send(3);
    assert.deepEqual(valueOf(s), [ra, 3]);
    assert.deepEqual([a.recvq.length, b.recvq.length, x.sendq.length], [0, 0, 0]);
    assert.deepEqual(b.trySend(1), { ok: false, closed: false });
  });

  it("a waiting scase whose value is taken completes the select at the next turn", () => {
    const x = chan<number>();
    const sx = scase(x, 5);
    const s = select(rcase(chan()), sx);
    assert.equal(valueOf(x.recv()), 5);
    assert.equal(outcome(s), "pending");
    w.turn();
    assert.deepEqual(valueOf(s), [sx, undefined]);
  });

  it("a cancelled select takes nothing and leaves every queue", () => {
    const a = chan<number>();
    const x = chan<number>();
    const s = select(rcase(a), scase(x, 1));
    s.cancel();
    assert.ok(errorOf(s) instanceof CancelledError);
    assert.deepEqual([a.recvq.length, x.sendq.length], [0, 0]);
    assert.deepEqual(x.tryRecv(), { ok: false, value: undefined, closed: false });
  });

  it("a select does not match its own send and receive on one channel", () => {
    const c = chan<number>();
    const rc = rcase(c);
    const s = select(scase(c, 1), rc);
    assert.equal(outcome(s), "pending");
    c.send(2);
    assert.deepEqual(valueOf(s), [rc, 2]);
  });

  it("closing a channel drops a waiting rcase but keeps the select waiting on the rest", () => {
    const a = chan<number>();
    const b = chan<number>();
    const rb = rcase(b);
    const s = select(rcase(a), rb);
    a.close();
    assert.equal(outcome(s), "pending");
    b.send(1);
    assert.deepEqual(valueOf(s), [rb, 1]);
  });

  it("closing a channel fails a select waiting to send on it", () => {
    const a = chan<number>();
    const b = chan<number>();
    const s = select(scase(a, 1), rcase(b));
    a.close();
    assert.ok(errorOf(s) instanceof ChannelClosed);
    assert.equal(b.recvq.length, 0);
  });

  it("a killed task's select leaves every queue without disturbing other waiters", () => {
    const a = chan<number>();
    const got: number[] = [];
    go(function* () {
      got.push(yield* a.recv());
    });
    const t = go(function* () {
      yield* select(rcase(a), rcase(chan()));
    });
    w.turn();
    assert.equal(a.recvq.length, 2);
    t.kill();
    assert.equal(t.alive, false);
    assert.equal(a.recvq.length, 1);
    a.send(9);
    assert.deepEqual(got, [9]);
  });

  it("select results are typed by case", () => {
    const n = chan<number>(1);
    n.send(1);
    const r = valueOf(select(rcase(n), dcase()));
    const cases: SelectCase[] = [r[0]];
    assert.equal(cases.length, 1);
    if (r[0].kind === "recv") assert.equal(r[1], 1);
  });
});
