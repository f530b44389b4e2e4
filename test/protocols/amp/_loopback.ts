// Test support (not a test file): an in-memory connection between two protocols whose writes are
// delivered only when `pump()` runs, so tests control the interleaving. Replace with reed/testing's
// in-memory network once the `framing` branch lands.
import { ConnectionDone } from "../../../src/errors.js";
import { Failure } from "../../../src/failure.js";
import type { IProtocol, ITransport } from "../../../src/interfaces.js";
import { IPv4Address } from "../../../src/protocols/address.js";

/** One side's transport: records writes; `loseConnection` closes both sides on the next pump. */
export class FakeTransport implements ITransport {
  readonly written: Uint8Array[] = [];
  disconnecting = false;
  disconnected = false;
  peerTransport: FakeTransport | null = null;
  constructor(
    readonly protocol: IProtocol,
    private readonly host = new IPv4Address("TCP", "127.0.0.1", 1),
    private readonly peer = new IPv4Address("TCP", "127.0.0.1", 2),
  ) {}
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("write() needs bytes");
    if (this.disconnecting || this.disconnected) return;
    this.written.push(data);
  }
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    this.disconnecting = true;
  }
  getPeer(): IPv4Address {
    return this.peer;
  }
  getHost(): IPv4Address {
    return this.host;
  }
  /** Everything written so far, concatenated, and clears it. */
  take(): Uint8Array {
    const total = this.written.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.written) {
      out.set(c, o);
      o += c.length;
    }
    this.written.length = 0;
    return out;
  }
}

/** Two protocols connected back to back. */
export class Loopback {
  readonly clientTransport: FakeTransport;
  readonly serverTransport: FakeTransport;
  constructor(
    readonly client: IProtocol,
    readonly server: IProtocol,
  ) {
    this.clientTransport = new FakeTransport(client, new IPv4Address("TCP", "127.0.0.1", 40000), new IPv4Address("TCP", "127.0.0.1", 7000));
    this.serverTransport = new FakeTransport(server, new IPv4Address("TCP", "127.0.0.1", 7000), new IPv4Address("TCP", "127.0.0.1", 40000));
    this.clientTransport.peerTransport = this.serverTransport;
    this.serverTransport.peerTransport = this.clientTransport;
    server.makeConnection(this.serverTransport);
    client.makeConnection(this.clientTransport);
  }

  /** Delivers writes both ways (in `chunk`-byte pieces if given) until nothing moves; then closes if asked. */
  pump(chunk = 0): void {
    for (let round = 0; round < 1000; round++) {
      const moved = this.deliver(this.clientTransport, this.server, chunk) + this.deliver(this.serverTransport, this.client, chunk);
      if (moved === 0) break;
    }
    for (const t of [this.clientTransport, this.serverTransport]) {
      if (t.disconnecting && !t.disconnected) {
        this.clientTransport.disconnected = this.serverTransport.disconnected = true;
        this.clientTransport.disconnecting = this.serverTransport.disconnecting = true;
        this.client.connectionLost(new Failure(new ConnectionDone()));
        this.server.connectionLost(new Failure(new ConnectionDone()));
      }
    }
  }

  private deliver(from: FakeTransport, to: IProtocol, chunk: number): number {
    if (from.written.length === 0 || from.disconnected) return 0;
    const data = from.take();
    if (chunk <= 0) to.dataReceived(data);
    else for (let i = 0; i < data.length; i += chunk) to.dataReceived(data.subarray(i, i + chunk));
    return data.length;
  }
}

/** Hex of bytes. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

import { defaultLogObserver, globalLogPublisher, type LogEvent } from "../../../src/logger.js";
import { formatEvent } from "../../../src/logger.js";

/** Runs `fn` with log events captured (and the console observer removed); returns the events. */
export function captureLogs(fn: () => void): LogEvent[] {
  const events: LogEvent[] = [];
  const obs = (e: LogEvent): void => void events.push(e);
  globalLogPublisher.removeObserver(defaultLogObserver);
  globalLogPublisher.addObserver(obs);
  try {
    fn();
  } finally {
    globalLogPublisher.removeObserver(obs);
    globalLogPublisher.addObserver(defaultLogObserver);
  }
  return events;
}

/** The rendered messages of events at error level or worse. */
export function errorsIn(events: LogEvent[]): string[] {
  return events.filter((e) => e.level === "error" || e.level === "critical").map((e) => formatEvent(e));
}
