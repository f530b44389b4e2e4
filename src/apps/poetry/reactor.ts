/**
 * What the poetry suite needs from a reactor: time, and TCP. A reactor with its own
 * `listenTCP`/`connectTCP` methods (`ReactorTCP`, e.g. `MemoryNetwork` from `reed/testing`) is
 * used as is; otherwise the real sockets of `reed/node` are used with the reactor's time.
 */
import { Deferred, fail, succeed } from "../../deferred.js";
import type { IConnector, IListeningPort, IProtocolFactory, ReactorTime } from "../../interfaces.js";
import { reactor as nodeReactor } from "../../node/reactor.js";
import { connectTCP as nodeConnectTCP, listenTCP as nodeListenTCP } from "../../node/tcp.js";

/** The part of `ReactorTCP` the poetry suite uses (so fakes need only this much). */
export interface PoetryTCP {
  /** Listens on `port` (0 = any free port). @throws CannotListenError. */
  listenTCP(port: number, factory: IProtocolFactory, options?: { interface?: string }): IListeningPort;
  /** Connects to `host:port`; the factory hears how it goes. */
  connectTCP(host: string, port: number, factory: IProtocolFactory, options?: { timeout?: number }): IConnector;
}

/** A reactor the poetry suite can use: time, optionally with its own TCP methods. */
export type PoetryReactor = ReactorTime & Partial<PoetryTCP>;

/** The default reactor (the real one on Node's event loop). */
export const defaultReactor: PoetryReactor = nodeReactor;

/** Connects through the reactor's own `connectTCP` when it has one, real sockets otherwise. */
export function connect(reactor: PoetryReactor, host: string, port: number, factory: IProtocolFactory, timeout = 30): IConnector {
  if (typeof reactor.connectTCP === "function") return reactor.connectTCP(host, port, factory, { timeout });
  return nodeConnectTCP(reactor, host, port, factory, { timeout });
}

/**
 * Listens through the reactor's own `listenTCP` when it has one, real sockets otherwise.
 * @returns a Deferred of the port; it fails with `CannotListenError` when the port cannot be bound.
 */
export function listen(reactor: PoetryReactor, port: number, factory: IProtocolFactory, iface = "127.0.0.1"): Deferred<IListeningPort> {
  try {
    if (typeof reactor.listenTCP === "function") return succeed(reactor.listenTCP(port, factory, { interface: iface }));
    return succeed<IListeningPort>(nodeListenTCP(reactor, port, factory, { interface: iface }));
  } catch (e) {
    return fail(e);
  }
}
