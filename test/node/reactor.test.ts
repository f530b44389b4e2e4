// Real-time tests of NodeReactor (bounded: every reactor is stopped or its calls cancelled, and
// child processes are killed by a timeout).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createReactor, NodeReactor } from "../../src/node/reactor.js";
import { Deferred } from "../../src/deferred.js";
import { ReactorNotRestartable, ReactorNotRunning } from "../../src/errors.js";
import { captureLogs, assertNoLoggedErrors } from "../../src/testing/log-capture.js";
import { assertReactorClean } from "../../src/testing/dirty-reactor.js";
import { LoopingCall } from "../../src/task/looping-call.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { ClientFactory, ServerFactory } from "../../src/protocols/factory.js";
import type { Failure } from "../../src/failure.js";
import type { IConnector } from "../../src/interfaces.js";
import type { IPv4Address } from "../../src/protocols/address.js";
import type { Port } from "../../src/node/port.js";

test("callLater(0) runs from setImmediate, without arming a Node timer", async () => {
  const reactor = createReactor();
  const real = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
    timers++;
    return real(...a);
  }) as typeof setTimeout;
  try {
    const d = new Deferred<string>();
    reactor.callLater(0, () => d.callback("ran"));
    assert.equal(await d, "ran");
  } finally {
    globalThis.setTimeout = real;
  }
  assert.equal(timers, 0);
});

test("timed calls run in time order on an embedded reactor that was never run", async () => {
  const reactor = createReactor();
  const out: string[] = [];
  const done = new Deferred<void>();
  const start = reactor.seconds();
  reactor.callLater(0.03, () => {
    out.push("c");
    done.callback(undefined);
  });
  reactor.callLater(0.01, () => out.push("a"));
  reactor.callLater(0.02, () => out.push("b"));
  await done;
  assert.deepEqual(out, ["a", "b", "c"]);
  assert.ok(reactor.seconds() - start >= 0.03);
  assert.equal(reactor.running, false);
  assertReactorClean(reactor);
});

test("run() fires startup, stop() runs shutdown, and run()'s Deferred fires after it; a second run() is ReactorNotRestartable", async () => {
  const reactor = new NodeReactor();
  const out: string[] = [];
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    const d = new Deferred<void>();
    reactor.callLater(0.01, () => {
      out.push("slow trigger done");
      d.callback(undefined);
    });
    return d;
  });
  reactor.addSystemEventTrigger("after", "shutdown", () => out.push("after shutdown"));
  reactor.callWhenRunning(() => out.push(`running:${reactor.running}`));
  reactor.callLater(0.01, () => reactor.stop());
  const finished = reactor.run({ installSignalHandlers: false });
  out.push("run() returned");
  await finished;
  assert.deepEqual(out, ["running:true", "run() returned", "slow trigger done", "after shutdown"]);
  assert.equal(reactor.running, false);
  assert.throws(() => reactor.run(), ReactorNotRestartable);
  assert.throws(() => reactor.stop(), ReactorNotRunning);
});

test("an exception in a callback is logged and the loop carries on", async () => {
  const logs = captureLogs();
  const reactor = createReactor();
  const out: string[] = [];
  reactor.callWhenRunning(() => {
    throw new Error("I fall down.");
  });
  reactor.callWhenRunning(() => {
    out.push("But I get up again.");
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  assert.deepEqual(out, ["But I get up again."]);
  assert.equal(logs.flushLoggedErrors(Error).length, 1);
  assertNoLoggedErrors(logs);
});

test("a LoopingCall on the real reactor ticks about every interval", async () => {
  const reactor = createReactor();
  const times: number[] = [];
  const lc = LoopingCall.on(reactor, () => {
    times.push(reactor.seconds());
    if (times.length === 4) lc.stop();
  });
  await lc.start(0.01);
  const span = times[3]! - times[0]!;
  assert.ok(span >= 0.029 && span < 1, `span ${span}`);
  assertReactorClean(reactor);
});

/** Runs a fixture; once it has printed "running", waits `idleMs`, then sends `signal`. */
function runChild(script: string, idleMs: number, signal: NodeJS.Signals): Promise<{ code: number | null; out: string; aliveAtKill: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url))], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let aliveAtKill = false;
    let killer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (!killer && out.includes("running\n")) {
        killer = setTimeout(() => {
          aliveAtKill = child.exitCode === null;
          child.kill(signal);
        }, idleMs);
      }
    });
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not finish; output so far:\n${out}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(killer);
      clearTimeout(guard);
      resolve({ code, out, aliveAtKill });
    });
  });
}

test("[real process] a running reactor with nothing to do keeps the process alive; SIGINT stops it cleanly, running shutdown triggers", async () => {
  const r = await runChild("./fixtures/idle-reactor.ts", 300, "SIGINT");
  assert.equal(r.aliveAtKill, true);
  assert.equal(r.code, 0);
  assert.equal(r.out, "running\nbefore shutdown\nafter shutdown\nrun() returned; listeners left: 0\n");
});

test("[real process] SIGTERM stops the reactor cleanly too", async () => {
  const r = await runChild("./fixtures/idle-reactor.ts", 300, "SIGTERM");
  assert.equal(r.code, 0);
  assert.match(r.out, /before shutdown\nafter shutdown\n/);
});

test("cancelling the last pending call drops the Node timer, so an embedding process can exit", () => {
  const reactor = createReactor();
  const before = process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
  const call = reactor.callLater(1000, () => {});
  assert.equal(process.getActiveResourcesInfo().filter((x) => x === "Timeout").length, before + 1);
  call.cancel();
  assert.equal(process.getActiveResourcesInfo().filter((x) => x === "Timeout").length, before);
});

test("a thousand pending calls use exactly one Node timer", () => {
  const reactor = createReactor();
  const timeouts = (): number => process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
  const before = timeouts();
  const calls = [];
  for (let i = 0; i < 1000; i++) calls.push(reactor.callLater(100 + (i % 37), () => {}));
  assert.equal(timeouts(), before + 1);
  for (const c of calls) c.cancel();
  assert.equal(timeouts(), before);
  assertReactorClean(reactor);
});

// --- disconnectAll at shutdown ----------------------------------------------------------------

test("[real socket] stop() closes the listening port and both ends of a connection: each protocol sees ConnectionLost, as in Twisted", async () => {
  const reactor = createReactor();
  const events: string[] = [];
  const up = new Deferred<void>();
  let made = 0;
  class P extends Protocol {
    constructor(readonly name: string) {
      super();
    }
    override connectionMade(): void {
      if (++made === 2) up.callback(undefined);
    }
    override connectionLost(reason: Failure): void {
      events.push(`${this.name} lost ${(reason.value as Error).constructor.name} running=${reactor.running}`);
    }
  }
  class SF extends ServerFactory {
    override buildProtocol(): Protocol {
      return new P("server");
    }
    override doStop(): void {
      events.push("server factory doStop");
    }
  }
  class CF extends ClientFactory {
    override buildProtocol(): Protocol {
      return new P("client");
    }
    override clientConnectionLost(_c: IConnector, reason: Failure): void {
      events.push(`clientConnectionLost ${(reason.value as Error).constructor.name}`);
    }
  }
  let port: Port | null = null;
  reactor.callWhenRunning(() => {
    port = reactor.listenTCP(0, new SF(), { interface: "127.0.0.1" });
    reactor.connectTCP("127.0.0.1", (port.getHost() as IPv4Address).port, new CF());
  });
  reactor.addSystemEventTrigger("after", "shutdown", () => events.push("after shutdown"));
  const finished = reactor.run({ installSignalHandlers: false });
  await up;
  assert.equal(reactor.openResources().length, 4); // port, connector, and both connections
  reactor.stop();
  await finished;
  assert.deepEqual(events.slice(-1), ["after shutdown"]);
  assert.deepEqual(new Set(events), new Set([
    "server lost ConnectionLost running=false",
    "server factory doStop",
    "client lost ConnectionLost running=false",
    "clientConnectionLost ConnectionLost",
    "after shutdown",
  ]));
  assert.equal(port!.connected, false);
  assert.deepEqual(reactor.openResources(), []);
});

test("disconnectAll closes what can be closed, logs a resource that throws, and leaves the others alone", () => {
  const reactor = createReactor();
  const closed: string[] = [];
  const res = (name: string, close?: () => void) => ({ kind: "x", creator: "", describe: () => name, ...(close ? { disconnectAtShutdown: close } : {}) });
  reactor.trackResource(res("a", () => closed.push("a")));
  reactor.trackResource(res("bad", () => { throw new Error("boom"); }));
  const passive = res("passive");
  reactor.trackResource(passive);
  reactor.trackResource(res("c", () => closed.push("c")));
  const logs = captureLogs();
  reactor.disconnectAll();
  assert.deepEqual(closed, ["a", "c"]);
  assert.deepEqual(reactor.openResources(), [passive]);
  assert.equal(logs.flushLoggedErrors().length, 1);
  assertNoLoggedErrors(logs);
});

test("[real process] a program that calls stop() with a TCP connection, a UDP port and a WebSocket connection open exits promptly", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fixtures/stop-with-connections.ts", import.meta.url))], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the program did not exit within 20 s; output so far:\n${out}`));
    }, 20_000);
    child.on("exit", (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  const lines = out.trim().split("\n");
  assert.deepEqual(new Set(lines.slice(0, -1)), new Set([
    "udp stopped",
    "tcp server lost ConnectionLost running=false",
    "tcp client lost ConnectionLost running=false",
    "ws server lost ConnectionLost running=false",
  ]));
  assert.equal(lines.at(-1), "run() returned; open resources: 0");
});

test("stop() fails a connection attempt still in progress: clientConnectionFailed gets ConnectionLost", async () => {
  const reactor = createReactor();
  const events: string[] = [];
  class CF extends ClientFactory {
    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      events.push(`failed ${(reason.value as Error).constructor.name}`);
    }
    override stopFactory(): void {
      events.push("stopFactory");
    }
  }
  reactor.callWhenRunning(() => {
    // A host-name lookup that never answers keeps the attempt in progress.
    reactor.connectTCP("never.invalid", 1, new CF(), { lookup: () => {} });
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  assert.deepEqual(events, ["failed ConnectionLost", "stopFactory"]);
  assert.deepEqual(reactor.openResources(), []);
});
