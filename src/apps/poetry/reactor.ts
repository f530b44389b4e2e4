/**
 * What the poetry suite needs from a reactor: time, and TCP. A reactor object that has its own
 * `connectTCP`/`listenTCP` methods (a fake such as a memory reactor in tests) is used as is;
 * otherwise the real sockets of `reed/node` are used with the reactor's time.
 */
import type { Deferred } from "../../deferred.js";
import { succeed } from "../../deferred.js";
import type { IConnector, IListeningPort, IProtocolFactory, ReactorTime } from "../../interfaces.js";
import type { ClientFactory } from "../../protocols/factory.js";
import { connectTCP as nodeConnectTCP, listenTCP as nodeListenTCP, reactor as nodeReactor } from "./_net.js";

/** TCP methods a (fake) reactor may carry, Twisted style. */
export interface TCPMethods {
  /** Connects to host:port with `factory`; `timeout` seconds for the connection attempt. */
  connectTCP(host: string, port: number, factory: ClientFactory, timeout?: number): IConnector;
  /** Listens on `port` (0 = any); the result may be a port or a Deferred of one. */
  listenTCP(port: number, factory: IProtocolFactory, backlog?: number, iface?: string): IListeningPort | Deferred<IListeningPort>;
}

/** A reactor the poetry suite can use: time, optionally with its own TCP methods. */
export type PoetryReactor = ReactorTime & Partial<TCPMethods>;

/** The default reactor (the real one on Node's event loop). */
export const defaultReactor: PoetryReactor = nodeReactor;

/** Connects through the reactor's own `connectTCP` when it has one, real sockets otherwise. */
export function connect(reactor: PoetryReactor, host: string, port: number, factory: ClientFactory, timeout = 30): IConnector {
  if (typeof reactor.connectTCP === "function") return reactor.connectTCP(host, port, factory, timeout);
  return nodeConnectTCP(reactor, host, port, factory, { timeout });
}

/** Listens through the reactor's own `listenTCP` when it has one, real sockets otherwise. */
export function listen(reactor: PoetryReactor, port: number, factory: IProtocolFactory, iface = "127.0.0.1"): Deferred<IListeningPort> {
  if (typeof reactor.listenTCP === "function") {
    const p = reactor.listenTCP(port, factory, 50, iface);
    return "stopListening" in p && typeof p.stopListening === "function" ? succeed(p as IListeningPort) : (p as Deferred<IListeningPort>);
  }
  return nodeListenTCP(reactor, port, factory, { interface: iface });
}
