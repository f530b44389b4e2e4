/**
 * connectionPair: two protocol instances joined by an in-memory connection, pumped by hand
 * (Twisted's `iosim.connectedServerAndClient` and `pump`), built on `MemoryNetwork`.
 */
import type { IProtocol, IProtocolFactory } from "../interfaces.js";
import type { IAddress } from "../protocols/address.js";
import { MemoryNetwork, type MemoryNetworkOptions } from "./network.js";
import type { MemoryTransport } from "./memory-transport.js";

/** A connected server/client pair and the means to move bytes between them. */
export interface ConnectionPair<S extends IProtocol, C extends IProtocol> {
  /** The server protocol (connected). */
  readonly server: S;
  /** The client protocol (connected). */
  readonly client: C;
  /** The server's transport. */
  readonly serverTransport: MemoryTransport;
  /** The client's transport. */
  readonly clientTransport: MemoryTransport;
  /** The network underneath (its `clock`, `trace`, faults). */
  readonly network: MemoryNetwork;
  /**
   * Delivers everything in flight, both ways, until nothing moves (including what the
   * protocols write in response). Returns whether anything happened.
   */
  pump(): boolean;
}

function fixed(protocol: IProtocol): IProtocolFactory {
  let used = false;
  return {
    buildProtocol(_addr: IAddress) {
      if (used) return null;
      used = true;
      return protocol;
    },
    doStart() {},
    doStop() {},
  };
}

/**
 * Connects `serverProtocol` and `clientProtocol` in memory: both get `makeConnection` (server
 * first), then whatever they wrote in `connectionMade` is delivered. Then feed them by calling
 * methods and `pump()`.
 *
 * @param options network options (a seed and faults, e.g. `{faults: {maxChunkSize: 1}}` to
 * deliver byte by byte).
 * @throws Error when the connection could not be made (only possible with fault options).
 */
export function connectionPair<S extends IProtocol, C extends IProtocol>(
  serverProtocol: S,
  clientProtocol: C,
  options: MemoryNetworkOptions = {},
): ConnectionPair<S, C> {
  const network = new MemoryNetwork(options);
  network.listenTCP(1, fixed(serverProtocol));
  network.connectTCP("127.0.0.1", 1, fixed(clientProtocol), { timeout: null });
  const pump = (): boolean => {
    const before = network.trace.length;
    network.run();
    return network.trace.length !== before;
  };
  pump();
  const connection = network.connections[0];
  if (!connection || !connection.client.protocol) throw new Error("Could not connect the pair: see network.trace");
  return { server: serverProtocol, client: clientProtocol, serverTransport: connection.server, clientTransport: connection.client, network, pump };
}
