/**
 * TEMPORARY stand-in for `reed/node` (issue 7 depends on the `reactor` and `nettcp` branches):
 * a timer-only reactor and `listenTCP`/`connectTCP` with the same shapes as theirs, so the
 * poetry suite runs before those land. When they are merged, this file re-exports
 * `reactor` from `../../node/index.js` and `listenTCP`/`connectTCP` from `../../node/tcp.js`,
 * and nothing else in `apps/poetry` changes.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { Deferred } from "../../deferred.js";
import { CannotListenError, ConnectError, ConnectionDone, ConnectionLost, ConnectionRefusedError, DNSLookupError, TimeoutError, UserError } from "../../errors.js";
import { Failure } from "../../failure.js";
import type { IConnector, IDelayedCall, IListeningPort, IProtocol, IProtocolFactory, ITransport, ReactorTime } from "../../interfaces.js";
import { IPv4Address, IPv6Address, type IAddress } from "../../protocols/address.js";
import type { ClientFactory } from "../../protocols/factory.js";
import { Logger } from "../../logger.js";

const log = new Logger("reed.poetry.net");

class TimerCall implements IDelayedCall {
  private handle: NodeJS.Timeout | null;
  private time: number;
  private done = false;
  constructor(
    delay: number,
    private readonly fn: () => void,
  ) {
    this.time = Date.now() / 1000 + delay;
    this.handle = setTimeout(() => this.fire(), delay * 1000);
  }
  private fire(): void {
    this.done = true;
    this.handle = null;
    try {
      this.fn();
    } catch (e) {
      log.failure("Unhandled error in a delayed call", e);
    }
  }
  getTime(): number {
    return this.time;
  }
  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
    this.done = true;
  }
  reset(seconds: number): void {
    this.cancel();
    this.done = false;
    this.time = Date.now() / 1000 + seconds;
    this.handle = setTimeout(() => this.fire(), seconds * 1000);
  }
  delay(seconds: number): void {
    this.reset(this.time + seconds - Date.now() / 1000);
  }
  active(): boolean {
    return !this.done;
  }
}

/** The default reactor's time (stand-in). */
export const reactor: ReactorTime = {
  seconds: () => (performance.timeOrigin + performance.now()) / 1000,
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    return new TimerCall(delay, () => fn(...args));
  },
  getDelayedCalls: () => [],
};

function address(family: string | undefined, host: string | undefined, port: number | undefined): IAddress {
  return family === "IPv6" ? new IPv6Address("TCP", host ?? "::", port ?? 0) : new IPv4Address("TCP", host ?? "0.0.0.0", port ?? 0);
}

class SocketTransport implements ITransport {
  private reason: Failure | null = null;
  constructor(private readonly socket: Socket) {}
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError("Data must be bytes (Uint8Array)");
    if (!this.socket.destroyed) this.socket.write(data);
  }
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    this.socket.end();
  }
  abortConnection(): void {
    this.reason ??= new Failure(new ConnectionLost("Connection was aborted locally"));
    this.socket.destroy();
  }
  getPeer(): IAddress {
    return address(this.socket.remoteFamily, this.socket.remoteAddress, this.socket.remotePort);
  }
  getHost(): IAddress {
    return address(this.socket.localFamily, this.socket.localAddress, this.socket.localPort);
  }
  /** Wires the socket's events to `protocol`; `lost` runs after `connectionLost`. */
  attach(protocol: IProtocol, lost: (reason: Failure) => void): void {
    this.socket.on("data", (b: Buffer) => {
      try {
        protocol.dataReceived(b);
      } catch (e) {
        log.failure("Unhandled error in dataReceived", e);
        this.reason ??= Failure.from(e);
        this.socket.destroy();
      }
    });
    this.socket.on("error", (e: Error) => {
      this.reason ??= new Failure(new ConnectionLost(`Connection to the other side was lost in a non-clean fashion: ${e.message}`, { cause: e }));
    });
    this.socket.on("close", () => {
      const reason = this.reason ?? new Failure(new ConnectionDone());
      try {
        protocol.connectionLost(reason);
      } catch (e) {
        log.failure("Unhandled error in connectionLost", e);
      }
      lost(reason);
    });
    try {
      protocol.makeConnection(this);
    } catch (e) {
      log.failure("Unhandled error in connectionMade", e);
      this.socket.destroy();
    }
  }
}

/** Options for `listenTCP`. */
export interface ListenTCPOptions {
  /** The interface to listen on (default all). */
  interface?: string;
  /** The listen backlog. */
  backlog?: number;
}

/** Listens on `port` (0 = any free port); fires when listening. @throws CannotListenError (as a failure). */
export function listenTCP(_reactor: ReactorTime, port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): Deferred<IListeningPort> {
  const d = new Deferred<IListeningPort>();
  const iface = options.interface ?? "";
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const peer = address(socket.remoteFamily, socket.remoteAddress, socket.remotePort);
    let protocol: IProtocol | null;
    try {
      protocol = factory.buildProtocol(peer);
    } catch (e) {
      log.failure("Error building a protocol", e);
      protocol = null;
    }
    if (!protocol) {
      socket.destroy();
      return;
    }
    new SocketTransport(socket).attach(protocol, () => sockets.delete(socket));
  });
  server.once("error", (e) => {
    if (!d.called) d.errback(new CannotListenError(iface, port, e));
  });
  server.listen({ port, host: iface || undefined, backlog: options.backlog ?? 50 }, () => {
    factory.doStart();
    const a = server.address();
    const host = typeof a === "object" && a ? address(a.family, a.address, a.port) : new IPv4Address("TCP", "0.0.0.0", port);
    const listening: IListeningPort = {
      getHost: () => host,
      stopListening: () => {
        const done = new Deferred<void>();
        server.close(() => {
          factory.doStop();
          done.callback(undefined);
        });
        for (const s of sockets) s.destroy();
        return done;
      },
    };
    d.callback(listening);
  });
  return d;
}

/** Options for `connectTCP`. */
export interface ConnectTCPOptions {
  /** Seconds to wait for the connection (default 30). */
  timeout?: number;
}

/** Connects to host:port, building the protocol from `factory` (which hears of failures). */
export function connectTCP(_reactor: ReactorTime, host: string, port: number, factory: ClientFactory, options: ConnectTCPOptions = {}): IConnector {
  let socket: Socket | null = null;
  let connected = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const failConnect = (reason: Failure): void => {
    if (timer) clearTimeout(timer);
    socket?.destroy();
    factory.clientConnectionFailed(connector, reason);
    factory.doStop();
  };
  const connector: IConnector = {
    stopConnecting: () => {
      if (connected || stopped) return;
      stopped = true;
      failConnect(new Failure(new UserError()));
    },
    disconnect: () => {
      if (connected) socket?.destroy();
      else connector.stopConnecting();
    },
    connect: () => start(),
    getDestination: () => new IPv4Address("TCP", host, port),
  };
  const start = (): void => {
    stopped = false;
    connected = false;
    factory.doStart();
    factory.startedConnecting(connector);
    if (stopped) return;
    const s = createConnection({ host, port });
    socket = s;
    timer = setTimeout(() => {
      if (!connected && !stopped) {
        stopped = true;
        failConnect(new Failure(new TimeoutError()));
      }
    }, (options.timeout ?? 30) * 1000);
    s.once("error", (e: NodeJS.ErrnoException) => {
      if (connected || stopped) return;
      stopped = true;
      const err =
        e.code === "ECONNREFUSED"
          ? new ConnectionRefusedError(`Connection was refused by other side: ${e.code}`, { cause: e })
          : e.code === "ENOTFOUND" || e.code === "EAI_AGAIN"
            ? new DNSLookupError(`DNS lookup failed: ${host}`, { cause: e })
            : new ConnectError(`An error occurred while connecting: ${e.message}`, "ERR_REED_CONNECT", { cause: e });
      failConnect(new Failure(err));
    });
    s.once("connect", () => {
      if (stopped) return;
      connected = true;
      if (timer) clearTimeout(timer);
      const protocol = factory.buildProtocol(address(s.remoteFamily, s.remoteAddress, s.remotePort));
      if (!protocol) {
        s.destroy();
        return;
      }
      new SocketTransport(s).attach(protocol, (reason) => {
        factory.clientConnectionLost(connector, reason);
        factory.doStop();
      });
    });
  };
  start();
  return connector;
}
