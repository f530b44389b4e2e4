/**
 * A small in-memory network on a Clock for the poetry tests: `listenTCP`/`connectTCP` as reactor
 * methods (what `apps/poetry/reactor.ts` looks for), connections whose bytes arrive one
 * `callLater(0)` after they are written, clean closes, aborts and refusals.
 * (The `framing` branch brings a general one to `reed/testing`; these tests can move to it.)
 */
import { Deferred, succeed } from "../../../src/deferred.js";
import { ConnectionDone, ConnectionLost, ConnectionRefusedError, UserError } from "../../../src/errors.js";
import { Failure } from "../../../src/failure.js";
import type { IConnector, IDelayedCall, IListeningPort, IProtocol, IProtocolFactory, ITransport, ReactorTime } from "../../../src/interfaces.js";
import { IPv4Address, type IAddress } from "../../../src/protocols/address.js";
import type { ClientFactory } from "../../../src/protocols/factory.js";
import { Clock } from "../../../src/testing/clock.js";

/** One end of an in-memory connection. */
export class MemoryTransport implements ITransport {
  /** Everything this end wrote. */
  readonly written: Uint8Array[] = [];
  /** Whether this end asked to close. */
  disconnecting = false;
  /** Whether the connection is gone. */
  closed = false;
  peerEnd: MemoryTransport | null = null;
  protocol: IProtocol | null = null;
  onClosed: ((reason: Failure) => void) | null = null;

  constructor(
    private readonly net: MemoryNet,
    readonly host: IAddress,
    readonly peer: IAddress,
  ) {}

  write(data: Uint8Array): void {
    if (this.closed || this.disconnecting) return;
    this.written.push(data);
    const to = this.peerEnd;
    this.net.clock.callLater(0, () => {
      if (to && !to.closed) to.protocol?.dataReceived(data);
    });
  }
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    if (this.disconnecting || this.closed) return;
    this.disconnecting = true;
    // After the bytes already queued have been delivered, both ends see a clean close.
    this.net.clock.callLater(0, () => this.closeBoth(new Failure(new ConnectionDone())));
  }
  abortConnection(): void {
    this.closeBoth(new Failure(new ConnectionLost("Connection was aborted")));
  }
  getPeer(): IAddress {
    return this.peer;
  }
  getHost(): IAddress {
    return this.host;
  }
  /** Both ends lose the connection with `reason`. */
  closeBoth(reason: Failure): void {
    for (const end of [this, this.peerEnd]) {
      if (!end || end.closed) continue;
      end.closed = true;
      end.protocol?.connectionLost(reason);
      end.onClosed?.(reason);
    }
  }
  /** All bytes written, as text. */
  text(): string {
    return Buffer.concat(this.written).toString("utf8");
  }
}

/** Servers by port, and a Clock for time: a fake reactor for the poetry suite. */
export class MemoryNet implements ReactorTime {
  readonly clock = new Clock();
  readonly servers = new Map<number, IProtocolFactory>();
  /** Every connection made, as [client end, server end]. */
  readonly connections: [MemoryTransport, MemoryTransport][] = [];
  private nextPort = 40000;

  seconds(): number {
    return this.clock.seconds();
  }
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }
  getDelayedCalls(): IDelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  listenTCP(port: number, factory: IProtocolFactory): IListeningPort {
    const p = port || this.nextPort++;
    this.servers.set(p, factory);
    factory.doStart();
    return {
      getHost: () => new IPv4Address("TCP", "127.0.0.1", p),
      stopListening: () => {
        this.servers.delete(p);
        factory.doStop();
        return succeed(undefined) as Deferred<void>;
      },
    };
  }

  connectTCP(host: string, port: number, factory: ClientFactory): IConnector {
    let state: "connecting" | "connected" | "done" = "connecting";
    let clientEnd: MemoryTransport | null = null;
    const connector: IConnector = {
      stopConnecting: () => {
        if (state !== "connecting") return;
        state = "done";
        factory.clientConnectionFailed(connector, new Failure(new UserError()));
      },
      disconnect: () => {
        if (state === "connecting") connector.stopConnecting();
        else if (state === "connected") clientEnd?.abortConnection();
      },
      connect: () => undefined,
      getDestination: () => new IPv4Address("TCP", host, port),
    };
    factory.startedConnecting(connector);
    this.clock.callLater(0, () => {
      if (state !== "connecting") return;
      const server = this.servers.get(port);
      if (!server) {
        state = "done";
        factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError("Connection was refused by other side: ECONNREFUSED")));
        return;
      }
      state = "connected";
      const clientAddr = new IPv4Address("TCP", "127.0.0.1", this.nextPort++);
      const serverAddr = new IPv4Address("TCP", host, port);
      const c = new MemoryTransport(this, clientAddr, serverAddr);
      const s = new MemoryTransport(this, serverAddr, clientAddr);
      c.peerEnd = s;
      s.peerEnd = c;
      clientEnd = c;
      this.connections.push([c, s]);
      const sp = server.buildProtocol(clientAddr);
      const cp = factory.buildProtocol(serverAddr);
      if (!sp || !cp) {
        c.closeBoth(new Failure(new ConnectionDone()));
        return;
      }
      s.protocol = sp;
      c.protocol = cp;
      c.onClosed = (reason) => {
        state = "done";
        factory.clientConnectionLost(connector, reason);
      };
      sp.makeConnection(s);
      cp.makeConnection(c);
    });
    return connector;
  }

  /** Advances time in small steps until `seconds` have passed (delivering everything due). */
  run(seconds: number, step = 0.01): void {
    for (let t = 0; t < seconds - 1e-9; t += step) this.clock.advance(step);
    this.clock.advance(0);
  }
}
