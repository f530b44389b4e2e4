/**
 * The Node side of "just a button": each WebSocket connection from the page is relayed to a fresh
 * TCP connection to the poetry server, bytes both ways. The page runs the poetry client protocol
 * itself (the poem is everything until the connection closes), so the same protocol class works
 * over TCP and, through this relay, over a WebSocket; any poetry server (reed's, Twisted's) can be
 * behind it.
 *
 * Closing maps as follows: the poetry server closes → the WebSocket closes cleanly (the page sees
 * `ConnectionDone`); the TCP connection fails (refused, reset) → the WebSocket closes with code
 * 4000 and the error as its reason (the page sees `ConnectionLost` carrying it); the page goes
 * away → the TCP connection is dropped, which cancels the download.
 *
 * TODO(issue 5): use reed's TCP client (`connectTCP`/endpoints from branch `nettcp`) once merged.
 */
import { connect, type Socket } from "node:net";
import { Protocol } from "../../protocols/protocol.js";
import { Factory } from "../../protocols/factory.js";
import type { Failure } from "../../failure.js";

/** Where the poetry server is. */
export interface PoetryAddress {
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** Relays one WebSocket connection to one TCP connection to the poetry server. */
export class PoetryRelay extends Protocol {
  private socket: Socket | null = null;

  override connectionMade(): void {
    const { host, port } = (this.factory as PoetryRelayFactory).poetry;
    const ws = this.transport as typeof this.transport & { close(code: number, reason: string): void };
    const socket = (this.socket = connect({ host, port }));
    socket.on("data", (chunk: Buffer) => ws.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on("end", () => ws.loseConnection());
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const what = e.code === "ECONNREFUSED" ? "Connection was refused by other side" : e.message;
      // A close reason must fit in 123 bytes.
      ws.close(4000, `${what}: ${host}:${port}`.slice(0, 120));
    });
  }

  override dataReceived(data: Uint8Array): void {
    this.socket?.write(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.socket?.destroy();
    this.socket = null;
  }
}

/** Builds a `PoetryRelay` per WebSocket connection, all relaying to `poetry`. */
export class PoetryRelayFactory extends Factory<PoetryRelay> {
  override protocol = PoetryRelay;
  override noisy = false;
  constructor(readonly poetry: PoetryAddress) {
    super();
  }
}
