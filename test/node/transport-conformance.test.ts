// One table of close-with-a-producer scenarios, run against the real TCP Connection (127.0.0.1,
// bounded: every port and connection closed, each run awaited on events, no sleeps), against
// MemoryTransport (a MemoryNetwork, on its clock), and against both WebSocket transports (the
// listenWS server's, and the page's connectWS one driven by `ws`), so the fakes and the real
// transports cannot drift apart again. StandardIO and spawnProcess's stdin play the rows that
// apply to them over real child processes (each bounded: killed at the end whatever happens).
//
// The expected event lists are what Twisted 22.4's TCP transport does (FileDescriptor.doWrite,
// loseConnection, unregisterProducer, connectionLost), checked with /usr/bin/python3 on a real
// reactor. One row departs from Twisted on purpose, and says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { listenTCP, connectTCP } from "../../src/node/tcp.js";
import { ClientFactory, Factory } from "../../src/protocols/factory.js";
import { Protocol } from "../../src/protocols/protocol.js";
import type { Failure } from "../../src/failure.js";
import type { IPullProducer, IPushProducer, ITCPTransport } from "../../src/interfaces.js";
import { ALL, pullProducer, pushProducer, scenarios, type Kind, type Scenario, type Server } from "./_transport-scenarios.js";
import { MemoryNetwork, type MemoryNetworkOptions } from "../../src/testing/network.js";
import type { MemoryTransport } from "../../src/testing/memory-transport.js";
import { lookupTo, TestReactor } from "./_reactor.js";
import { fileURLToPath } from "node:url";
import { listenSSL, connectSSL } from "../../src/node/tls.js";
import { WebSocket } from "ws";
import { listenWS } from "../../src/node/websocket.js";
import { connectWS, type WebSocketConstructor } from "../../src/browser/websocket.js";
import { spawn } from "node:child_process";
import { spawnProcess } from "../../src/node/process.js";
import { ProcessProtocol } from "../../src/protocols/process-protocol.js";


/** The server protocol that plays one scenario and records what happens to it. */
class Player extends Protocol implements Server {
  events: string[] = [];
  lostReason: Failure | null = null;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor(private readonly scenario: Scenario) {
    super();
    this.done = new Promise((r) => (this.resolve = r));
    if (scenario.writeConnectionLost) {
      const self = this as unknown as { writeConnectionLost(): void; readConnectionLost(): void };
      self.writeConnectionLost = () => {
        this.log("writeConnectionLost");
        scenario.writeConnectionLost!(this);
      };
      self.readConnectionLost = () => this.log("readConnectionLost");
    }
  }
  get t(): ITCPTransport {
    return this.transport as ITCPTransport;
  }
  log(event: string): void {
    this.events.push(event);
  }
  sent = 0;
  write(data: Uint8Array): void {
    this.sent += data.length;
    this.t.write(data);
  }
  push(onResume?: () => void): IPushProducer {
    return pushProducer((e) => this.log(e), onResume);
  }
  pull(onResume?: (n: number) => void): IPullProducer {
    return pullProducer((e) => this.log(e), onResume);
  }
  override connectionMade(): void {
    this.scenario.made(this);
  }
  override connectionLost(reason: Failure): void {
    this.log(`lost ${reason.typeName}`);
    this.scenario.lost?.(this);
    this.resolve();
  }
}

/** The client: counts what it receives, closes at once if the scenario says so. */
class Reader extends Protocol {
  bytes = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor(private readonly closes: boolean) {
    super();
    this.done = new Promise((r) => (this.resolve = r));
  }
  override connectionMade(): void {
    if (this.closes) this.transport.loseConnection();
  }
  override dataReceived(data: Uint8Array): void {
    this.bytes += data.length;
  }
  override connectionLost(): void {
    this.resolve();
  }
}

function serverFactory(p: Protocol): Factory {
  const f = new Factory();
  f.buildProtocol = () => p;
  return f;
}

function clientFactory(p: Protocol): ClientFactory {
  const f = new ClientFactory();
  f.buildProtocol = () => p;
  return f;
}

function check(s: Scenario, server: Player, client: Reader): void {
  assert.deepEqual(server.events, s.expected);
  if (s.clientBytes !== "any") assert.equal(client.bytes, s.clientBytes === "sent" ? server.sent : s.clientBytes);
}

/** Waits for both protocols to be lost; a connection held open when it should close fails (aborted) instead of hanging. */
async function bothLost(server: Player, client: Reader): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((res) => (timer = setTimeout(() => res("hung"), 5000)));
  const outcome = await Promise.race([Promise.all([server.done, client.done]), hung]);
  clearTimeout(timer);
  if (outcome === "hung") {
    for (const p of [server, client]) (p.transport as ITCPTransport | null)?.abortConnection();
    await Promise.all([server.done, client.done]);
    assert.fail(`the connection never closed; events: ${server.events.join(", ")}`);
  }
}

const WS = WebSocket as unknown as WebSocketConstructor;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const applies = (s: Scenario, kind: Kind): boolean => (s.on ?? ALL).includes(kind);

/**
 * Registers the row's test on `kind` only where the row applies (`Scenario.on` says why not
 * elsewhere), so the count of tests is the count of checks made, with nothing skipped.
 */
function testOn(s: Scenario, kind: Kind, title: string, fn: () => void | Promise<void>): void {
  if (applies(s, kind)) test(`${title}: ${s.name}`, fn);
}

for (const s of scenarios) {
  testOn(s, "ws-server", "WebSocket server transport (listenWS)", async () => {
    const r = new TestReactor();
    const server = new Player(s);
    const client = new Reader(s.clientCloses ?? false);
    const port = await listenWS(r, { port: 0 }, serverFactory(server));
    try {
      await connectWS(r, port.url(), clientFactory(client), { WebSocket: WS });
      await bothLost(server, client);
    } finally {
      await port.stopListening();
    }
    check(s, server, client);
  });

  testOn(s, "ws-page", "page WebSocket transport (connectWS)", async () => {
    const r = new TestReactor();
    // Roles swapped: the scenario plays on the page's side, the reader is the listenWS server.
    const player = new Player(s);
    const reader = new Reader(s.clientCloses ?? false);
    const port = await listenWS(r, { port: 0 }, serverFactory(reader));
    try {
      await connectWS(r, port.url(), clientFactory(player), { WebSocket: WS });
      await bothLost(player, reader);
    } finally {
      await port.stopListening();
    }
    check(s, player, reader);
    assert.equal(r.getDelayedCalls().length, 0, "no polling left behind");
  });

  testOn(s, "tls", "TLS Connection", async () => {
    const r = new TestReactor();
    const server = new Player(s);
    const client = new Reader(s.clientCloses ?? false);
    const port = listenSSL(r, 0, serverFactory(server), { certKey: fixture("cert.pem"), privateKey: fixture("key.pem") }, { interface: "127.0.0.1" });
    try {
      connectSSL(r, "localhost", port.getHost().port, clientFactory(client), { trustRoots: fixture("cert.pem") }, { lookup: lookupTo("127.0.0.1") });
      await bothLost(server, client);
    } finally {
      await port.stopListening();
    }
    check(s, server, client);
  });

  testOn(s, "tcp", "TCP Connection", async () => {
    const r = new TestReactor();
    const server = new Player(s);
    const client = new Reader(s.clientCloses ?? false);
    const port = listenTCP(r, 0, serverFactory(server), { interface: "127.0.0.1" });
    try {
      connectTCP(r, "127.0.0.1", port.getHost().port, clientFactory(client));
      await bothLost(server, client);
    } finally {
      await port.stopListening();
    }
    check(s, server, client);
  });

  testOn(s, "stdio", "StandardIO (a child's real stdout pipe)", async () => {
    const played = await playOnStdio(s);
    assert.deepEqual(played.events, s.expected);
    if (s.clientBytes !== "any") assert.equal(played.bytes, s.clientBytes === "sent" ? played.sent : s.clientBytes);
  });

  testOn(s, "process", "spawnProcess transport (the child's stdin pipe)", async () => {
    const played = await playOnProcess(s);
    assert.deepEqual(played.events, s.expected);
    if (s.clientBytes !== "any") assert.equal(played.bytes, s.clientBytes === "sent" ? played.sent : s.clientBytes);
  });

  testOn(s, "memory", "MemoryTransport", () => {
    const { server, client } = playInMemory(s, {});
    check(s, server, client);
  });

  testOn(s, "memory", "MemoryTransport under seeded faults (chunks, latency), replayed exactly", () => {
    const options: MemoryNetworkOptions = { seed: 11, faults: { maxChunkSize: 4096, latency: [0.001, 0.02] } };
    const first = playInMemory(s, options);
    const again = playInMemory(s, options);
    check(s, first.server, first.client);
    assert.deepEqual(again.trace, first.trace, "the same seed gives the same trace, event for event");
    assert.deepEqual(again.server.events, first.server.events);
  });
}

/** Plays a row on a MemoryNetwork until nothing moves; both ends must have closed. */
function playInMemory(s: Scenario, options: MemoryNetworkOptions): { server: Player; client: Reader; trace: readonly string[] } {
  const net = new MemoryNetwork(options);
  const server = new Player(s);
  const client = new Reader(s.clientCloses ?? false);
  net.listenTCP(1, serverFactory(server));
  net.connectTCP("127.0.0.1", 1, clientFactory(client));
  net.run();
  const st = server.transport as MemoryTransport;
  assert.equal(st.disconnected && st.peerTransport!.disconnected, true, "both ends closed");
  return { server, client, trace: [...net.trace] };
}

interface Played {
  events: string[];
  sent: number;
  bytes: number;
}

/** Fails (and runs `cleanup`) if `p` has not settled in 10 s: a close held open for ever shows as a failure, not a hang. */
async function bounded<T>(p: Promise<T>, what: () => string, cleanup: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((res) => (timer = setTimeout(() => res("hung"), 10_000)));
  try {
    const r = await Promise.race([p, hung]);
    if (r === "hung") {
      cleanup();
      assert.fail(`never ended: ${what()}`);
    }
    return r as T;
  } finally {
    clearTimeout(timer);
  }
}

const STDIO_CHILD = fileURLToPath(new URL("./fixtures/stdio-scenario.ts", import.meta.url));

/**
 * Runs the row in a child on a StandardIO (test/node/fixtures/stdio-scenario.ts) and reads its
 * stdout as the client; the child reports its events on stderr. The child's stdin stays open
 * (unless the row's client closes) until the report has come, then is closed; the child is killed
 * in any case.
 */
async function playOnStdio(s: Scenario): Promise<Played> {
  const child = spawn(process.execPath, ["--import", "tsx", STDIO_CHILD, s.id], { stdio: ["pipe", "pipe", "pipe"] });
  try {
    child.stdin.on("error", () => {}); // the child may be gone when its stdin is closed
    let bytes = 0;
    child.stdout.on("data", (d: Buffer) => (bytes += d.length));
    let stderr = "";
    const report = new Promise<{ events: string[]; sent: number }>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const line = stderr.split("\n").find((l) => l.startsWith('{"events"'));
        if (line !== undefined) resolve(JSON.parse(line) as { events: string[]; sent: number });
      });
    });
    const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    if (s.clientCloses) child.stdin.end();
    const kill = () => child.kill("SIGKILL");
    const r = await bounded(report, () => stderr, kill);
    child.stdin.end();
    assert.equal(await bounded(closed, () => stderr, kill), 0, stderr);
    return { events: r.events, sent: r.sent, bytes };
  } finally {
    child.kill("SIGKILL");
  }
}

/** The child for the process rows: counts what it reads on stdin and reports it on fd 3, or (`close`) exits at once. */
const STDIN_READER = `
if (process.argv[1] === "close") process.exit(0);
let n = 0;
const fs = require("node:fs");
process.stdin.on("data", (d) => (n += d.length));
process.stdin.on("end", () => fs.writeSync(3, String(n)));
`;

/** A ProcessProtocol playing the row's server side on the process transport (`lost` = `inConnectionLost`). */
class ProcessPlayer extends ProcessProtocol implements Server {
  events: string[] = [];
  sent = 0;
  count = "";
  readonly ended: Promise<void>;
  private resolve!: () => void;
  constructor(private readonly scenario: Scenario) {
    super();
    this.ended = new Promise((r) => (this.resolve = r));
  }
  get t(): ITCPTransport {
    // Only the rows that apply to the process transport run here; they use what it has.
    return this.transport as unknown as ITCPTransport;
  }
  log(event: string): void {
    this.events.push(event);
  }
  write(data: Uint8Array): void {
    this.sent += data.length;
    this.t.write(data);
  }
  push(onResume?: () => void): IPushProducer {
    return pushProducer((e) => this.log(e), onResume);
  }
  pull(onResume?: (n: number) => void): IPullProducer {
    return pullProducer((e) => this.log(e), onResume);
  }
  override connectionMade(): void {
    this.scenario.made(this);
  }
  override childDataReceived(fd: number, data: Uint8Array): void {
    if (fd === 3) this.count += new TextDecoder().decode(data);
  }
  override inConnectionLost(): void {
    this.log("lost ConnectionDone");
    this.scenario.lost?.(this);
  }
  override processEnded(): void {
    this.resolve();
  }
}

/** Runs the row on spawnProcess's transport, with a node child reading its stdin as the client. */
async function playOnProcess(s: Scenario): Promise<Played> {
  const p = new ProcessPlayer(s);
  const t = spawnProcess(new TestReactor(), p, process.execPath, ["node", "-e", STDIN_READER, s.clientCloses ? "close" : "read"], {
    env: {},
    childFDs: { 0: "w", 1: "r", 2: "r", 3: "r" },
  });
  try {
    await bounded(p.ended, () => p.events.join(", "), () => t.signalProcess("KILL"));
  } finally {
    if (t.pid !== null) t.signalProcess("KILL");
  }
  return { events: p.events, sent: p.sent, bytes: p.count === "" ? 0 : Number(p.count) };
}
