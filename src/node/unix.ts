/**
 * UNIX-domain stream sockets on Node: `listenUNIX` and `connectUNIX` (reactor first), with
 * `UNIXAddress` addresses. Same transport, factory callbacks and failures as TCP.
 */
import { chmodSync } from "node:fs";
import net from "node:net";
import type { IProtocolFactory, ReactorTime, UNIXListenOptions } from "../interfaces.js";
import type { UNIXAddress } from "../protocols/address.js";
import { Connector } from "./connector.js";
import { Port } from "./port.js";

/**
 * Listens on the socket file `path`, building a protocol per connection with `factory`. The file
 * must not exist (a stale one is not removed); Node removes it again on `stopListening()`.
 * @throws CannotListenError when the path cannot be bound.
 */
export function listenUNIX(reactor: ReactorTime, path: string, factory: IProtocolFactory, options: UNIXListenOptions = {}): Port<UNIXAddress> {
  const p = new Port<UNIXAddress>(reactor, { kind: "UNIX", path }, factory, options.backlog ?? 50, () =>
    net.createServer({ allowHalfOpen: true }),
  );
  p.startListening();
  if (options.mode !== undefined) chmodSync(path, options.mode);
  return p;
}

/**
 * Connects to the socket file `path`, reporting to `factory` as `connectTCP` does (a missing file
 * or nobody listening is a `ConnectError`/`ConnectionRefusedError`).
 * @param options.timeout seconds before `TimeoutError` (default 30; 0 = no limit).
 */
export function connectUNIX(reactor: ReactorTime, path: string, factory: IProtocolFactory, options: { timeout?: number } = {}): Connector {
  const c = new Connector(reactor, { kind: "UNIX", path }, factory, options.timeout ?? 30, () => ({
    socket: net.connect({ path, allowHalfOpen: true }),
    readyEvent: "connect",
  }));
  c.connect();
  return c;
}
