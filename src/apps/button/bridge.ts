/**
 * The Node side of "just a button": each WebSocket connection from the page is relayed to a fresh
 * TCP connection to the poetry server, bytes both ways. The page runs the poetry client protocol
 * itself (the poem is everything until the connection closes), so the same kind of protocol works
 * over TCP and, through this relay, over a WebSocket; any poetry server (reed's, Twisted's) can be
 * behind it, and nothing on the Node side needs to understand poetry.
 *
 * Closing maps as follows: the poetry server closes cleanly → the WebSocket closes cleanly (the
 * page sees `ConnectionDone`); the TCP connection fails or breaks (refused, reset, timed out) → the
 * WebSocket closes with code 4000 and the error as its reason (the page sees `ConnectionLost`
 * carrying it); the page goes away → the TCP connection is closed, which ends the download.
 */
import { ConnectionDone } from "../../errors.js";
import type { Failure } from "../../failure.js";
import type { IConnector, ITransport } from "../../interfaces.js";
import { ClientFactory, Factory } from "../../protocols/factory.js";
import { Protocol } from "../../protocols/protocol.js";
import { connect, type PoetryReactor } from "../poetry/reactor.js";

/** Where the poetry server is. */
export interface PoetryAddress {
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
}

type WSTransport = ITransport & { close(code: number, reason: string): void };

/** A WebSocket close reason must fit in 123 bytes of UTF-8. */
function shortReason(text: string): string {
  let s = text;
  while (new TextEncoder().encode(s).byteLength > 123) s = s.slice(0, -1);
  return s;
}

/** The TCP side: passes the poetry server's bytes to the page. */
class PoetryUpstream extends Protocol {
  constructor(private readonly relay: PoetryRelay) {
    super();
  }
  override dataReceived(data: Uint8Array): void {
    this.relay.fromPoetry(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.relay.poetryClosed(reason);
  }
}

/** Connects the relay's TCP side and reports a failed attempt. */
class UpstreamFactory extends ClientFactory<PoetryUpstream> {
  override noisy = false;
  constructor(private readonly relay: PoetryRelay) {
    super();
  }
  override buildProtocol(): PoetryUpstream {
    const p = new PoetryUpstream(this.relay);
    p.factory = this;
    return p;
  }
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.relay.poetryClosed(reason);
  }
}

/** Relays one WebSocket connection (from the page) to one TCP connection to the poetry server. */
export class PoetryRelay extends Protocol {
  private connector: IConnector | null = null;
  private upstream: string = "";

  override connectionMade(): void {
    const f = this.factory as PoetryRelayFactory;
    this.upstream = `${f.poetry.host}:${f.poetry.port}`;
    this.connector = connect(f.reactor, f.poetry.host, f.poetry.port, new UpstreamFactory(this), 10);
  }

  /** Bytes from the page go to the poetry server (the protocol never sends any, but a relay relays). */
  override dataReceived(_data: Uint8Array): void {}

  /** Bytes from the poetry server go to the page. */
  fromPoetry(data: Uint8Array): void {
    this.transport.write(data);
  }

  /** The TCP side ended: a clean close ends the WebSocket cleanly; anything else carries the error. */
  poetryClosed(reason: Failure): void {
    this.connector = null;
    if (!this.connected) return;
    if (reason.check(ConnectionDone)) this.transport.loseConnection();
    else (this.transport as WSTransport).close(4000, shortReason(`${reason.getErrorMessage()}: ${this.upstream}`));
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const c = this.connector;
    this.connector = null;
    c?.disconnect();
  }
}

/** Builds a `PoetryRelay` per WebSocket connection, all relaying to `poetry`. */
export class PoetryRelayFactory extends Factory<PoetryRelay> {
  override protocol = PoetryRelay;
  override noisy = false;
  /**
   * @param reactor the reactor for the TCP connections.
   * @param poetry where the poetry server is.
   */
  constructor(
    readonly reactor: PoetryReactor,
    readonly poetry: PoetryAddress,
  ) {
    super();
  }
}
