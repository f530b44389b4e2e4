/** Protocols and factories shared by the real-socket tests in this folder. */
import { Protocol } from "../../src/protocols/protocol.js";
import { ClientFactory, ServerFactory } from "../../src/protocols/factory.js";
import type { Failure } from "../../src/failure.js";
import type { IConnector } from "../../src/interfaces.js";
import type { IAddress } from "../../src/protocols/address.js";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Records events; `made`/`lost` resolve when they happen. */
export class Recorder extends Protocol {
  events: string[] = [];
  received = "";
  reason: Failure | null = null;
  lost: Promise<Failure>;
  made: Promise<void>;
  private resolveLost!: (f: Failure) => void;
  private resolveMade!: () => void;
  constructor() {
    super();
    this.lost = new Promise((r) => (this.resolveLost = r));
    this.made = new Promise((r) => (this.resolveMade = r));
  }
  override connectionMade(): void {
    this.events.push("made");
    this.resolveMade();
  }
  override dataReceived(data: Uint8Array): void {
    if (this.events[this.events.length - 1] !== "data") this.events.push("data");
    this.received += dec(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.events.push("lost");
    this.reason = reason;
    this.resolveLost(reason);
  }
}

/** Echoes what it receives. */
export class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

/** A server factory that remembers the protocols it built. */
export class RecordingServerFactory<P extends Recorder> extends ServerFactory<P> {
  built: P[] = [];
  constructor(cls: new () => P) {
    super();
    this.protocol = cls;
  }
  override buildProtocol(addr: IAddress): P | null {
    const p = super.buildProtocol(addr)!;
    this.built.push(p);
    return p;
  }
}

/** A client factory that records its callbacks; `connected`/`failed` resolve. */
export class RecordingClientFactory<P extends Recorder> extends ClientFactory<P> {
  calls: string[] = [];
  built: P | null = null;
  failure: Failure | null = null;
  failed: Promise<Failure>;
  connected: Promise<P>;
  private resolveFailed!: (f: Failure) => void;
  private resolveConnected!: (p: P) => void;
  constructor(cls: new () => P) {
    super();
    this.protocol = cls;
    this.failed = new Promise((r) => (this.resolveFailed = r));
    this.connected = new Promise((r) => (this.resolveConnected = r));
  }
  override startFactory(): void {
    this.calls.push("startFactory");
  }
  override stopFactory(): void {
    this.calls.push("stopFactory");
  }
  override startedConnecting(_c: IConnector): void {
    this.calls.push("startedConnecting");
  }
  override buildProtocol(addr: IAddress): P | null {
    this.calls.push("buildProtocol");
    const p = super.buildProtocol(addr)!;
    this.built = p;
    void p.made.then(() => this.resolveConnected(p));
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.calls.push("clientConnectionFailed");
    this.failure = reason;
    this.resolveFailed(reason);
  }
  override clientConnectionLost(_c: IConnector, _reason: Failure): void {
    this.calls.push("clientConnectionLost");
  }
}
