// One table of close-with-a-producer scenarios, run against the real TCP Connection (127.0.0.1,
// bounded: every port and connection closed, each run awaited on events, no sleeps), against
// MemoryTransport (a MemoryNetwork, on its clock), and against both WebSocket transports (the
// listenWS server's, and the page's connectWS one driven by `ws`), so the fakes and the real
// transports cannot drift apart again.
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
import { MemoryNetwork } from "../../src/testing/network.js";
import type { MemoryTransport } from "../../src/testing/memory-transport.js";
import { lookupTo, TestReactor } from "./_reactor.js";
import { fileURLToPath } from "node:url";
import { listenSSL, connectSSL } from "../../src/node/tls.js";
import { WebSocket } from "ws";
import { listenWS } from "../../src/node/websocket.js";
import { connectWS, type WebSocketConstructor } from "../../src/browser/websocket.js";

/** The transports the table runs against. */
type Kind = "tcp" | "tls" | "memory" | "ws-server" | "ws-page";
const ALL: readonly Kind[] = ["tcp", "tls", "memory", "ws-server", "ws-page"];
/** A WebSocket has no half-close, and its abort is reported as `ConnectionLost` (not `ConnectionAborted`). */
const STREAMS: readonly Kind[] = ["tcp", "tls", "memory"];

const enc = (s: string) => new TextEncoder().encode(s);
const CHUNK = 1 << 16;
const MAX_CHUNKS = 4096; // 256 MiB: far beyond any socket buffer (the loop stops at the first pause)

/** What a scenario's server protocol can do and record. */
interface Server {
  readonly t: ITCPTransport;
  log(event: string): void;
  /** Writes through the transport, counting the bytes (what the client should then receive). */
  write(data: Uint8Array): void;
  /** A streaming producer that logs `pause`, `resume`, `stop`; `onResume` runs on each resume. */
  push(onResume?: () => void): IPushProducer;
  /** A pull producer that logs `resume N` and `stop`; `onResume(n)` runs on the n-th resume. */
  pull(onResume?: (n: number) => void): IPullProducer;
}

interface Scenario {
  name: string;
  /** The transports this row applies to (default all). */
  on?: readonly Kind[];
  /** Runs in the server protocol's connectionMade. */
  made(s: Server): void;
  /** Runs in the server protocol's writeConnectionLost (the server is then half-closeable). */
  writeConnectionLost?(s: Server): void;
  /** Runs in the server protocol's connectionLost, after it is logged. */
  lost?(s: Server): void;
  /** The client closes its side as soon as it is connected. */
  clientCloses?: boolean;
  /** The server's events, in order. */
  expected: string[];
  /** Bytes the client receives in all: a number, `"sent"` (all the server wrote) or `"any"`. */
  clientBytes: number | "sent" | "any";
}

const scenarios: Scenario[] = [
  {
    name: "a streaming producer that is not paused does not hold loseConnection: the close comes once the buffer is flushed and stops it",
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("hello"));
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["lose returned", "stop", "lost ConnectionDone"],
    clientBytes: 5,
  },
  {
    name: "a streaming producer unregistered right after loseConnection is not stopped",
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("hello"));
      s.t.loseConnection();
      s.t.unregisterProducer();
    },
    expected: ["lost ConnectionDone"],
    clientBytes: 5,
  },
  {
    name: "a paused streaming producer is resumed when the buffer empties, and the close waits for its next flush",
    made(s) {
      let resumed = 0;
      let paused = false;
      const p = s.push(() => {
        if (++resumed === 1) s.write(enc("tail"));
      });
      s.t.registerProducer({ ...p, pauseProducing: () => ((paused = true), p.pauseProducing()) }, true);
      // Fill the buffer until the transport pauses the producer (the reader, in this same
      // process, cannot read meanwhile, so the kernel's buffers fill too).
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; !paused && i < MAX_CHUNKS; i++) s.write(chunk);
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["pause", "lose returned", "resume", "stop", "lost ConnectionDone"],
    clientBytes: "sent",
  },
  {
    name: "a pull producer holds loseConnection open, asked for more at each flush, until it is unregistered",
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n <= 3) s.write(enc("p"));
          else {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["resume 1", "lose returned", "resume 2", "resume 3", "resume 4", "unregister", "lost ConnectionDone"],
    clientBytes: 3,
  },
  {
    name: "a pull producer that writes nothing is asked once more after loseConnection and holds it open",
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n === 2) {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["resume 1", "lose returned", "resume 2", "unregister", "lost ConnectionDone"],
    clientBytes: 0,
  },
  {
    name: "a streaming producer registered after loseConnection, before the close, is stopped by the close",
    made(s) {
      s.write(enc("hi"));
      s.t.loseConnection();
      s.t.registerProducer(s.push(), true);
      s.log("registered");
    },
    expected: ["registered", "stop", "lost ConnectionDone"],
    clientBytes: 2,
  },
  {
    name: "writes made after loseConnection, before the buffer empties, are still sent",
    // A page's socket starts the close at once without a producer (see WebSocketTransport.write).
    on: ["tcp", "tls", "memory", "ws-server"],
    made(s) {
      s.t.loseConnection();
      s.write(enc("late"));
    },
    expected: ["lost ConnectionDone"],
    clientBytes: 4,
  },
  {
    name: "the peer closing stops a registered producer before connectionLost",
    clientCloses: true,
    made(s) {
      s.t.registerProducer(s.push(), true);
    },
    expected: ["stop", "lost ConnectionDone"],
    clientBytes: 0,
  },
  {
    name: "abortConnection stops a registered producer; the reason is ConnectionAborted",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("x"));
      s.t.abortConnection();
      s.log("abort returned");
    },
    expected: ["abort returned", "stop", "lost ConnectionAborted"],
    clientBytes: "any", // the abort may or may not beat the byte
  },
  {
    name: "a producer registered on a lost connection is stopped at once",
    made() {},
    clientCloses: true,
    lost(s) {
      s.t.registerProducer(s.push(), true);
      s.log("registered");
    },
    expected: ["lost ConnectionDone", "stop", "registered"],
    clientBytes: 0,
  },
  {
    name: "a streaming producer does not hold a half-close; loseConnection after it closes at once and stops the producer",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("a"));
      s.t.loseWriteConnection();
      s.write(enc("b"));
      s.log("half-close returned");
    },
    writeConnectionLost(s) {
      s.t.loseConnection();
    },
    expected: ["half-close returned", "writeConnectionLost", "stop", "lost ConnectionDone"],
    clientBytes: 2,
  },
  {
    // Twisted 22.4 never half-closes here (its unregisterProducer only restarts writing after
    // loseConnection); reed lets the half-close held by the producer happen.
    name: "a pull producer holds a half-close until it is unregistered (reed: the half-close then happens)",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n === 1) s.write(enc("p"));
          else {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseWriteConnection();
      s.log("half-close returned");
    },
    writeConnectionLost(s) {
      s.t.loseConnection();
    },
    expected: ["resume 1", "half-close returned", "resume 2", "unregister", "writeConnectionLost", "lost ConnectionDone"],
    clientBytes: 1,
  },
];

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
    return {
      pauseProducing: () => this.log("pause"),
      resumeProducing: () => {
        this.log("resume");
        onResume?.();
      },
      stopProducing: () => this.log("stop"),
    };
  }
  pull(onResume?: (n: number) => void): IPullProducer {
    let n = 0;
    return {
      resumeProducing: () => {
        this.log(`resume ${++n}`);
        onResume?.(n);
      },
      stopProducing: () => this.log("stop"),
    };
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

for (const s of scenarios) {
  test(`WebSocket server transport (listenWS): ${s.name}`, { skip: !applies(s, "ws-server") }, async () => {
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

  test(`page WebSocket transport (connectWS): ${s.name}`, { skip: !applies(s, "ws-page") }, async () => {
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

  test(`TLS Connection: ${s.name}`, { skip: !applies(s, "tls") }, async () => {
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

  test(`TCP Connection: ${s.name}`, { skip: !applies(s, "tcp") }, async () => {
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

  test(`MemoryTransport: ${s.name}`, { skip: !applies(s, "memory") }, () => {
    const net = new MemoryNetwork();
    const server = new Player(s);
    const client = new Reader(s.clientCloses ?? false);
    net.listenTCP(1, serverFactory(server));
    net.connectTCP("127.0.0.1", 1, clientFactory(client));
    net.run();
    const st = server.transport as MemoryTransport;
    assert.equal(st.disconnected && st.peerTransport!.disconnected, true, "both ends closed");
    check(s, server, client);
  });
}
