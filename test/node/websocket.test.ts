// Real-socket tests on 127.0.0.1: listenWS (reed/node) against connectWS (reed/browser) driven by
// the `ws` package's client, which has the browser's WebSocket API. Every port is closed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { listenWS, NodeWebSocketTransport, type WebSocketPort } from "../../src/node/websocket.js";
import { connectWS, type WebSocketConstructor } from "../../src/browser/websocket.js";
import { Protocol } from "../../src/protocols/protocol.js";
import { Factory } from "../../src/protocols/factory.js";
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import { CancelledError, CannotListenError, ConnectError, ConnectionDone, ConnectionLost, ProducerAlreadyRegistered, TimeoutError } from "../../src/errors.js";
import { createServer as createTCPServer, type Socket } from "node:net";
import { Clock } from "../../src/testing/clock.js";
import { assertNoLoggedErrors, captureLogs } from "../../src/testing/log-capture.js";
import { Duplex } from "node:stream";
import { IPv4Address } from "../../src/protocols/address.js";
import type { IPushProducer, ITransport } from "../../src/interfaces.js";

const WS = WebSocket as unknown as WebSocketConstructor;
const clock = new Clock();

/** Records everything that happens to it; `lost` fires with the reason. */
class Recorder extends Protocol {
  received: Uint8Array[] = [];
  made = new Deferred<void>();
  reason: Failure | null = null;
  /** Fires with the reason (wrapped: a Deferred fired with a Failure would run its errbacks). */
  lostWith = new Deferred<{ reason: Failure }>();
  get lost(): Promise<Failure> {
    return this.lostWith.asPromise().then((r) => r.reason);
  }
  override connectionMade(): void {
    this.made.callback(undefined);
    (this.factory as RecorderFactory).onMade?.(this);
  }
  override dataReceived(data: Uint8Array): void {
    this.received.push(data);
    (this.factory as RecorderFactory).onData?.(this, data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reason = reason;
    this.lostWith.callback({ reason });
  }
  text(): string {
    return Buffer.concat(this.received).toString();
  }
}

class RecorderFactory extends Factory<Recorder> {
  override protocol = Recorder;
  built: Recorder[] = [];
  onData?: (p: Recorder, data: Uint8Array) => void;
  onMade?: (p: Recorder) => void;
  override buildProtocol(addr: Parameters<Factory["buildProtocol"]>[0]): Recorder | null {
    const p = super.buildProtocol(addr);
    if (p) this.built.push(p);
    return p;
  }
}

async function withPort(
  factory: RecorderFactory,
  body: (port: WebSocketPort) => Promise<void>,
  path = "/ws",
): Promise<void> {
  const port = await listenWS(clock, { port: 0, path }, factory);
  try {
    await body(port);
  } finally {
    await port.stopListening();
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test("bytes written on either side arrive as dataReceived on the other, and loseConnection ends both with ConnectionDone", async () => {
  const server = new RecorderFactory();
  server.onData = (p, data) => p.transport.write(data); // echo
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    assert.equal(client.connected, true);
    client.transport.write(bytes("hello "));
    client.transport.writeSequence([bytes("wor"), bytes("ld")]);
    while (client.text() !== "hello world") await new Promise((r) => setTimeout(r, 5));
    assert.ok(client.received.every((c) => c instanceof Uint8Array && !Buffer.isBuffer(c)));
    client.transport.loseConnection();
    const [c, s] = await Promise.all([client.lost, server.built[0]!.lost]);
    assert.ok(c.check(ConnectionDone));
    assert.ok(s.check(ConnectionDone));
    assert.equal(port.connections.size, 0);
  });
});

test("the server transport sends no message for an empty write, as TCP and Twisted send nothing", { timeout: 10_000 }, async () => {
  const server = new RecorderFactory();
  server.onMade = (p) => {
    p.transport.write(new Uint8Array(0));
    p.transport.writeSequence([new Uint8Array(0)]);
    p.transport.write(bytes("x"));
  };
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    while (client.text() !== "x") await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(client.received.map((c) => c.length), [1], "one message: the empty writes sent none");
    client.transport.loseConnection();
    await Promise.all([client.lost, server.built[0]!.lost]);
  });
});

test("the server's transport reports the client as its peer on 127.0.0.1", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    await server.built[0]!.made;
    const peer = server.built[0]!.transport.getPeer();
    assert.ok(peer.type === "TCP");
    assert.equal(peer.host, "127.0.0.1");
    const clientPeer = client.transport.getPeer();
    assert.ok(clientPeer.type === "TCP");
    assert.equal(clientPeer.host, "127.0.0.1");
    client.transport.loseConnection();
    await client.lost;
  });
});

test("a server that aborts the connection makes the client see ConnectionLost", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    await server.built[0]!.made;
    (server.built[0]!.transport as ITransport & { abortConnection(): void }).abortConnection();
    const [c, s] = await Promise.all([client.lost, server.built[0]!.lost]);
    assert.ok(c.check(ConnectionLost));
    assert.ok(s.check(ConnectionLost));
  });
});

test("a close with an application code and reason reaches the client as ConnectionLost carrying both", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    await server.built[0]!.made;
    (server.built[0]!.transport as ITransport & { close(c: number, r: string): void }).close(4001, "Connection refused: 127.0.0.1:9");
    const c = await client.lost;
    assert.ok(c.check(ConnectionLost));
    assert.match(c.getErrorMessage(), /code 4001, Connection refused: 127\.0\.0\.1:9/);
  });
});

test("text messages are delivered as their UTF-8 bytes", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const raw = new WebSocket(port.url());
    await new Promise((r) => raw.once("open", r));
    raw.send("ünïcode");
    await server.built[0]!.made;
    while (server.built[0]!.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.built[0]!.text(), "ünïcode");
    raw.close();
    assert.ok((await server.built[0]!.lost).check(ConnectionDone));
  });
});

test("connecting where nothing listens fails with ConnectError", async () => {
  const server = new RecorderFactory();
  let url = "";
  await withPort(server, async (port) => {
    url = port.url();
  });
  const factory = new RecorderFactory();
  await assert.rejects(connectWS(clock, url, factory, { WebSocket: WS }).asPromise(), ConnectError);
  assert.equal(factory.built.length, 0);
  assert.equal(factory.numPorts, 0);
});

test("an upgrade to another path is refused, and the client fails with ConnectError", async () => {
  await withPort(new RecorderFactory(), async (port) => {
    const url = port.url().replace("/ws", "/elsewhere");
    await assert.rejects(connectWS(clock, url, new RecorderFactory(), { WebSocket: WS }).asPromise(), ConnectError);
  });
});

test("listening on a port in use fails with CannotListenError", async () => {
  await withPort(new RecorderFactory(), async (port) => {
    const busy = port.getHost();
    assert.ok(busy.type === "TCP");
    await assert.rejects(listenWS(clock, { port: busy.port }, new RecorderFactory()).asPromise(), CannotListenError);
  });
});

test("pauseProducing on the server's transport holds messages back until resumeProducing", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    await server.built[0]!.made;
    const transport = server.built[0]!.transport as ITransport & { pauseProducing(): void; resumeProducing(): void };
    transport.pauseProducing();
    client.transport.write(bytes("held"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.built[0]!.text(), "");
    transport.resumeProducing();
    while (server.built[0]!.text() !== "held") await new Promise((r) => setTimeout(r, 5));
    client.transport.loseConnection();
    await client.lost;
  });
});

/** A TCP server that accepts connections and never answers (so a WebSocket never opens). */
async function silentServer(body: (url: string, sockets: Set<Socket>) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>();
  const srv = createTCPServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    await body(`ws://127.0.0.1:${(srv.address() as { port: number }).port}/`, sockets);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => srv.close(r));
  }
}

test("a connection that does not open within the timeout fails with TimeoutError", async () => {
  await silentServer(async (url, sockets) => {
    const fake = new Clock();
    const factory = new RecorderFactory();
    const d = connectWS(fake, url, factory, { WebSocket: WS, timeout: 5 });
    while (sockets.size === 0) await new Promise((r) => setTimeout(r, 5));
    fake.advance(4.9);
    assert.equal(d.called, false);
    fake.advance(0.1);
    await assert.rejects(d.asPromise(), TimeoutError);
    assert.equal(factory.numPorts, 0);
    assert.equal(fake.getDelayedCalls().length, 0);
  });
});

test("cancelling a connection attempt fails it with CancelledError and cancels its timeout", async () => {
  await silentServer(async (url, sockets) => {
    const fake = new Clock();
    const factory = new RecorderFactory();
    const d = connectWS(fake, url, factory, { WebSocket: WS });
    while (sockets.size === 0) await new Promise((r) => setTimeout(r, 5));
    d.cancel();
    await assert.rejects(d.asPromise(), CancelledError);
    assert.equal(fake.getDelayedCalls().length, 0, "the timeout is cancelled too");
    assert.equal(factory.numPorts, 0);
    assert.equal(factory.built.length, 0);
  });
});

test("after loseConnection no more messages are delivered, on the server's side and on the client's", async () => {
  const server = new RecorderFactory();
  server.onData = (p) => p.transport.loseConnection();
  await withPort(server, async (port) => {
    const clientFactory = new RecorderFactory();
    const client = await connectWS(clock, port.url(), clientFactory, { WebSocket: WS });
    // Sent back to back: several reach the server before its close handshake completes.
    for (let i = 0; i < 50; i++) client.transport.write(bytes(`m${i}`));
    const [s] = await Promise.all([server.built[0]!.lost, client.lost]);
    assert.ok(s.check(ConnectionDone));
    assert.deepEqual(server.built[0]!.received.map((b) => Buffer.from(b).toString()), ["m0"]);
    assert.equal((server.built[0]!.transport as unknown as { disconnecting: boolean }).disconnecting, true);
  });
  const echo = new RecorderFactory();
  echo.onData = (p) => {
    for (let i = 0; i < 50; i++) p.transport.write(bytes(`r${i}`));
  };
  await withPort(echo, async (port) => {
    const clientFactory = new RecorderFactory();
    clientFactory.onData = (p) => p.transport.loseConnection();
    const client = await connectWS(clock, port.url(), clientFactory, { WebSocket: WS });
    client.transport.write(bytes("go"));
    await client.lost;
    assert.deepEqual(client.received.map((b) => Buffer.from(b).toString()), ["r0"]);
  });
});

/** A raw `ws` client that counts the bytes it receives; it starts paused (a slow reader). */
function slowReader(url: string): { ws: WebSocket; bytes: () => number; closed: Promise<number> } {
  const ws = new WebSocket(url);
  let n = 0;
  ws.on("open", () => ws.pause());
  ws.on("message", (data: Buffer) => void (n += data.length));
  const closed = new Promise<number>((r) => ws.on("close", (code: number) => r(code)));
  return { ws, bytes: () => n, closed };
}

test("a fast streaming producer is paused while a slow reader lets the buffer fill, and resumed when it drains", async () => {
  const CHUNK = 64 * 1024;
  const TOTAL = 32 * 1024 * 1024; // far more than the kernel's socket buffers hold
  const paused = new Deferred<number>();
  let sent = 0;
  let pauses = 0;
  let resumes = 0;
  let maxBuffered = 0;
  let hwm = 0;
  const server = new RecorderFactory();
  class Firehose implements IPushProducer {
    running = false;
    constructor(private readonly t: NodeWebSocketTransport) {}
    pauseProducing(): void {
      pauses++;
      this.running = false;
      maxBuffered = Math.max(maxBuffered, this.t.bufferedAmount);
      if (!paused.called) paused.callback(this.t.bufferedAmount);
    }
    resumeProducing(): void {
      resumes++;
      this.pump();
    }
    stopProducing(): void {}
    pump(): void {
      this.running = true;
      const chunk = new Uint8Array(CHUNK);
      while (this.running && sent < TOTAL) {
        sent += CHUNK;
        this.t.write(chunk);
      }
      if (sent >= TOTAL && this.running) {
        this.running = false;
        this.t.unregisterProducer();
        this.t.loseConnection();
      }
    }
  }
  await withPort(server, async (port) => {
    const reader = slowReader(port.url());
    await new Promise<void>((r) => reader.ws.once("open", () => r()));
    await server.built[0]!.made;
    const t = server.built[0]!.transport as NodeWebSocketTransport;
    hwm = (reader.ws as unknown as { _socket: Socket })._socket.writableHighWaterMark;
    const firehose = new Firehose(t);
    t.registerProducer(firehose, true);
    firehose.pump();
    const buffered = await paused.asPromise();
    assert.ok(sent < TOTAL, "paused before everything was written");
    assert.ok(buffered <= hwm + CHUNK + 16, `at most one chunk over the high-water mark when paused (${buffered} bytes)`);
    reader.ws.resume();
    const code = await reader.closed;
    assert.equal(code, 1000);
    assert.equal(reader.bytes(), TOTAL);
    await server.built[0]!.lost;
  });
  assert.ok(pauses >= 1 && resumes >= 1, `paused ${pauses} times, resumed ${resumes} times`);
  assert.ok(maxBuffered <= hwm + CHUNK + 16, `the buffer stayed bounded (max ${maxBuffered} bytes)`);
});

test("a pull producer is asked for the next chunk only once the previous one has been flushed, and holds loseConnection until unregistered", async () => {
  const server = new RecorderFactory();
  const asked: number[] = [];
  await withPort(server, async (port) => {
    const reader = slowReader(port.url());
    await new Promise<void>((r) => reader.ws.once("open", () => r()));
    reader.ws.resume();
    await server.built[0]!.made;
    const t = server.built[0]!.transport as NodeWebSocketTransport;
    t.registerProducer(
      {
        resumeProducing: () => {
          asked.push(t.bufferedAmount);
          if (asked.length <= 4) t.write(new Uint8Array(1000));
          else t.unregisterProducer();
        },
        stopProducing: () => asked.push(-1),
      },
      false,
    );
    assert.throws(() => t.registerProducer({ resumeProducing() {}, stopProducing() {} }, false), ProducerAlreadyRegistered);
    t.loseConnection();
    const code = await reader.closed;
    assert.equal(code, 1000);
    assert.equal(reader.bytes(), 4000);
    await server.built[0]!.lost;
  });
  assert.deepEqual(asked, [0, 0, 0, 0, 0], "asked five times, each with nothing left unflushed; never stopped");
});

test("a streaming producer still registered when the connection is lost is stopped before connectionLost", async () => {
  const server = new RecorderFactory();
  const events: string[] = [];
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    await server.built[0]!.made;
    const p = server.built[0]!;
    (p.transport as NodeWebSocketTransport).registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => events.push("stop") }, true);
    p.lostWith.addCallback((r) => {
      events.push("lost");
      return r;
    });
    client.transport.loseConnection();
    await p.lost;
    await client.lost;
    (p.transport as NodeWebSocketTransport).registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => events.push("stop late") }, true);
  });
  assert.deepEqual(events, ["stop", "lost", "stop late"]);
});

/** `ws`'s client, remembering the instances connectWS makes (to see their sockets go). */
class TrackedWS extends WebSocket {
  static made: TrackedWS[] = [];
  readonly closed: Promise<void>;
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    TrackedWS.made.push(this);
    this.closed = new Promise((r) => this.once("close", () => r()));
  }
}

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((x) => x === "TCPSocketWrap").length;

test("cancelling a connection attempt drops its TCP socket at once: the server sees it go and nothing is left open", async () => {
  const baseline = tcpSockets();
  const gotRequest = new Deferred<Socket>();
  const srv = createTCPServer((s) => s.once("data", () => gotRequest.callback(s)));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const fake = new Clock();
    const factory = new RecorderFactory();
    TrackedWS.made = [];
    const d = connectWS(fake, `ws://127.0.0.1:${(srv.address() as { port: number }).port}/`, factory, {
      WebSocket: TrackedWS as unknown as WebSocketConstructor,
    });
    const serverSide = await gotRequest.asPromise(); // the upgrade request is in; no answer comes
    const serverSaw = new Promise<void>((r) => serverSide.once("close", () => r()));
    d.cancel();
    await assert.rejects(d.asPromise(), CancelledError);
    assert.equal(factory.numPorts, 0, "the factory is stopped");
    assert.equal(factory.built.length, 0, "no protocol is built");
    assert.equal(fake.getDelayedCalls().length, 0, "the timeout is cancelled");
    await Promise.all([serverSaw, TrackedWS.made[0]!.closed]);
    assert.equal(TrackedWS.made[0]!.readyState, WebSocket.CLOSED);
  } finally {
    await new Promise((r) => srv.close(r));
  }
  assert.equal(tcpSockets(), baseline, "no TCP socket is left open");
});

test("a connection cancelled as the server accepts it is lost on the server at once (ConnectionLost), not after a close handshake", async () => {
  const server = new RecorderFactory();
  let d: Deferred<Recorder> | null = null;
  server.onMade = () => d!.cancel();
  await withPort(server, async (port) => {
    const factory = new RecorderFactory();
    d = connectWS(clock, port.url(), factory, { WebSocket: WS });
    await assert.rejects(d.asPromise(), CancelledError);
    await server.built[0]!.made;
    const reason = await server.built[0]!.lost;
    assert.ok(reason.check(ConnectionLost));
    assert.match(String(reason.value), /1006/);
    assert.equal(factory.built.length, 0);
    assert.equal(factory.numPorts, 0);
  });
});

test("a client factory that refuses the open connection fails connectWS with ConnectError and drops the socket without a handshake", async () => {
  const server = new RecorderFactory();
  await withPort(server, async (port) => {
    const refusing = new RecorderFactory();
    refusing.buildProtocol = () => null;
    TrackedWS.made = [];
    const d = connectWS(clock, port.url(), refusing, { WebSocket: TrackedWS as unknown as WebSocketConstructor });
    await assert.rejects(d.asPromise(), ConnectError);
    assert.equal(refusing.numPorts, 0);
    const reason = await server.built[0]!.lost;
    assert.ok(reason.check(ConnectionLost), "the server sees the socket dropped (1006), as connectTCP's refusal drops it");
    await TrackedWS.made[0]!.closed;
  });
});

test("stopProducing on the server transport closes cleanly, as TCP's Connection does: written data arrives and both sides see ConnectionDone", async () => {
  const server = new RecorderFactory();
  server.onMade = (p) => {
    p.transport.write(bytes("last words"));
    (p.transport as NodeWebSocketTransport).stopProducing();
  };
  await withPort(server, async (port) => {
    const client = await connectWS(clock, port.url(), new RecorderFactory(), { WebSocket: WS });
    const [clientReason, serverReason] = await Promise.all([client.lost, server.built[0]!.lost]);
    assert.equal(client.text(), "last words");
    assert.ok(clientReason.value instanceof ConnectionDone, clientReason.typeName);
    assert.ok(serverReason.value instanceof ConnectionDone, serverReason.typeName);
  });
});

test("a streaming producer that throws from resumeProducing on the socket's drain drops the connection (logged), not an uncaught exception", async () => {
  // A stand-in for `ws`'s WebSocket over a Duplex whose writes complete only on release(): the
  // drain comes exactly then. No sockets.
  const held: (() => void)[] = [];
  const raw = new Duplex({
    writableHighWaterMark: 4,
    read() {},
    write(_c, _e, cb) {
      held.push(() => cb());
    },
  });
  let terminated = 0;
  const fake = {
    _socket: raw,
    readyState: WebSocket.OPEN as number,
    get bufferedAmount() {
      return raw.writableLength;
    },
    send(data: Uint8Array, _o: unknown, cb?: () => void) {
      raw.write(data, cb);
    },
    terminate() {
      terminated++;
      this.readyState = WebSocket.CLOSING;
    },
  };
  const here = new IPv4Address("TCP", "127.0.0.1", 1);
  const t = new NodeWebSocketTransport(fake as unknown as WebSocket, here, here);
  t.registerProducer(
    {
      pauseProducing: () => {},
      resumeProducing: () => {
        throw new Error("producer broke");
      },
      stopProducing: () => {},
    },
    true,
  );
  t.write(new Uint8Array(10));
  const logs = captureLogs();
  try {
    held.shift()!(); // the write completes; the buffer drains
    await new Promise<void>((r) => setImmediate(r));
    assert.equal(terminated, 1);
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});

test("a protocol raising in connectionMade is logged and its connection dropped (as on TCP), not an uncaught exception", async () => {
  const server = new RecorderFactory();
  server.onMade = () => {
    throw new Error("connectionMade broke");
  };
  const logs = captureLogs();
  try {
    await withPort(server, async (port) => {
      const ws = new WebSocket(port.url());
      ws.on("error", () => {});
      const code = await new Promise<number>((r) => ws.on("close", (c: number) => r(c)));
      assert.equal(code, 1006);
      const reason = await server.built[0]!.lost;
      assert.ok(reason.check(ConnectionLost));
      assert.equal(port.connections.size, 0);
    });
    assert.equal(logs.flushLoggedErrors(Error).length, 1);
  } finally {
    assertNoLoggedErrors(logs);
  }
});
