/**
 * The poetry transformation service (the tutorial's Part 12): a client sends one netstring
 * `NAME.POEM`, the server answers with one netstring holding the transformed poem and closes the
 * connection. An unknown transform, a transform that fails, or a malformed request closes the
 * connection without a reply (and is logged). `TransformProxy.xform` is the client side.
 */
import { Deferred } from "../../deferred.js";
import { ConnectionDone, ConnectionLost, TransformFailed, type NetstringParseError } from "../../errors.js";
import type { Failure } from "../../failure.js";
import type { IConnector } from "../../interfaces.js";
import { Logger } from "../../logger.js";
import { ClientFactory, ServerFactory } from "../../protocols/factory.js";
import { NetstringReceiver } from "../../protocols/basic/netstring.js";
import { connect, type PoetryReactor } from "./reactor.js";

const log = new Logger("reed.poetry.transform");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The transforms themselves, by name. `cummingsify` lower-cases the poem (e. e. cummings style). */
export class TransformService {
  /** Transforms by name. */
  readonly transforms = new Map<string, (poem: string) => string>([["cummingsify", (poem) => poem.toLowerCase()]]);
}

/** Server side: one request, one reply (or none), then the connection is closed. */
export class TransformProtocol extends NetstringReceiver {
  /**
   * Handles the request `NAME.POEM`: replies with the transformed poem, then closes the
   * connection; without a name, or when the transform is unknown or fails, closes without a reply.
   */
  override stringReceived(request: Uint8Array): void {
    const dot = request.indexOf(0x2e); // '.'
    if (dot < 0) {
      log.warn("Malformed transform request from {peer}: no transform name", { peer: this.peerText() });
      this.transport.loseConnection();
      return;
    }
    const name = decoder.decode(request.subarray(0, dot));
    const poem = decoder.decode(request.subarray(dot + 1));
    const result = (this.factory as TransformFactory).transform(name, poem, this.peerText());
    if (result !== null) this.sendString(encoder.encode(result));
    this.transport.loseConnection();
  }

  protected override handleParseError(error: NetstringParseError): void {
    log.warn("Malformed transform request from {peer}: {why}", { peer: this.peerText(), why: error.message });
    super.handleParseError(error); // closes the connection
  }

  private peerText(): string {
    const p = this.transport.getPeer();
    return "host" in p ? `${p.host}:${p.port}` : String(p);
  }
}

/** Builds `TransformProtocol`s over a `TransformService`. */
export class TransformFactory extends ServerFactory<TransformProtocol> {
  /** Each request is served by a `TransformProtocol`. */
  override protocol = TransformProtocol;
  /** Quiet: starting and stopping this factory is not logged. */
  override noisy = false;

  /** @param service the transforms every connection may ask for; the built-in ones by default. */
  constructor(readonly service: TransformService = new TransformService()) {
    super();
  }

  /** Runs transform `name` on `poem`; null (logged) when there is no such transform or it failed. */
  transform(name: string, poem: string, peer = "?"): string | null {
    const fn = this.service.transforms.get(name);
    if (!fn) {
      log.warn("No such transform {name} (requested by {peer})", { name: JSON.stringify(name), peer });
      return null;
    }
    try {
      return fn(poem);
    } catch (e) {
      log.failure("Transform {name} failed", e, { name }, "error");
      return null;
    }
  }
}

/** Client side: sends the request when connected, takes the one reply. */
export class TransformClientProtocol extends NetstringReceiver {
  /** Sends the factory's request, `xformName.poem`, as one netstring. */
  override connectionMade(): void {
    const f = this.factory as TransformClientFactory;
    this.sendString(encoder.encode(`${f.xformName}.${f.poem}`));
  }

  /** Hands the reply to the factory, then closes the connection. */
  override stringReceived(reply: Uint8Array): void {
    // Deliver first: some transports report the close synchronously inside loseConnection().
    (this.factory as TransformClientFactory).handlePoem(decoder.decode(reply));
    this.transport.loseConnection();
  }
}

/** One transform request; `deferred` fires with the reply or fails when none comes. */
export class TransformClientFactory extends ClientFactory<TransformClientProtocol> {
  /** The request is made by a `TransformClientProtocol`. */
  override protocol = TransformClientProtocol;
  /** Quiet: starting and stopping this factory is not logged. */
  override noisy = false;
  /** Fires once; null afterwards. */
  deferred: Deferred<string> | null;

  /**
   * Makes a factory for one request; connect it (once) to a transform server.
   * @param xformName the transform to ask for.
   * @param poem the text to transform.
   * @param deferred fires with the transformed poem; fails with `TransformFailed` when the server
   *   closes without a reply, `ConnectionLost` when the connection breaks, or the connect error.
   */
  constructor(
    readonly xformName: string,
    readonly poem: string,
    deferred: Deferred<string>,
  ) {
    super();
    this.deferred = deferred;
  }

  /** The reply arrived. */
  handlePoem(poem: string): void {
    const d = this.deferred;
    this.deferred = null;
    d?.callback(poem);
  }

  /**
   * The connection ended before a reply: fails `deferred` with `TransformFailed` on a clean close
   * (the server had no such transform, or it failed), `ConnectionLost` otherwise.
   */
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = null;
    if (reason.check(ConnectionDone)) d.errback(new TransformFailed(`The transform server closed the connection without a reply: no transform ${JSON.stringify(this.xformName)}, or it failed`));
    else d.errback(new ConnectionLost(`Transform connection lost: ${reason.getErrorMessage()}`, { cause: reason.value }));
  }

  /** The connection could not be made: fails `deferred` with `reason`. */
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = null;
    d.errback(reason);
  }
}

/** Talks to a transform server: `xform(name, poem)` for each request (one connection each). */
export class TransformProxy {
  /**
   * Makes a client for one transform server; nothing connects until `xform`.
   * @param reactor the reactor the connections run on.
   * @param host the transform server's host.
   * @param port the transform server's port.
   */
  constructor(
    readonly reactor: PoetryReactor,
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Asks the server to apply transform `xformName` to `poem`.
   * @returns a Deferred of the transformed poem; it fails with `TransformFailed` when the server
   *   closes without replying, or with the connection error. Cancelling closes the connection.
   */
  xform(xformName: string, poem: string): Deferred<string> {
    let connector: IConnector | null = null;
    let factory: TransformClientFactory | null = null;
    const d = new Deferred<string>(() => {
      if (factory) factory.deferred = null;
      connector?.disconnect();
    });
    factory = new TransformClientFactory(xformName, poem, d);
    connector = connect(this.reactor, this.host, this.port, factory);
    return d;
  }
}
