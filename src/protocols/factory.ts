/**
 * Factories build one Protocol per connection and hold what connections share.
 */
import type { Failure } from "../failure.js";
import type { IConnector, IProtocol, IProtocolFactory } from "../interfaces.js";
import type { IAddress } from "./address.js";
import { Logger } from "../logger.js";

const log = new Logger("reed.factory");

/** A protocol class a factory can instantiate. */
export type ProtocolClass<P extends IProtocol = IProtocol> = new () => P;

/**
 * Builds protocols: `new this.protocol()` with `factory` set. Counts the ports/connectors using
 * it and calls `startFactory()`/`stopFactory()` on the first start and the last stop.
 */
export class Factory<P extends IProtocol = IProtocol> implements IProtocolFactory {
  /** The class `buildProtocol` instantiates. */
  protocol: ProtocolClass<P> | undefined = undefined;
  /** How many ports/connectors are using this factory. */
  numPorts = 0;
  /** Don't log start/stop messages. */
  noisy = true;

  /** A factory whose `buildProtocol` makes `protocolClass` instances. */
  static forProtocol<P extends IProtocol, F extends Factory<P>>(
    this: new () => F,
    protocolClass: ProtocolClass<P>,
  ): F {
    const f = new this();
    f.protocol = protocolClass;
    return f;
  }

  /** A port or connector starts using this factory. */
  doStart(): void {
    if (this.numPorts === 0) {
      if (this.noisy) log.debug("Starting factory {factory}", { factory: this.constructor.name });
      this.startFactory();
    }
    this.numPorts++;
  }

  /** A port or connector stopped using this factory. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) {
      if (this.noisy) log.debug("Stopping factory {factory}", { factory: this.constructor.name });
      this.stopFactory();
    }
  }

  /** Called before the first port/connector starts. */
  startFactory(): void {}

  /** Called after the last port/connector stopped. */
  stopFactory(): void {}

  /**
   * A protocol for a connection with `addr`; null refuses the connection.
   * @throws TypeError when no `protocol` class is set.
   */
  buildProtocol(_addr: IAddress): P | null {
    if (!this.protocol) throw new TypeError(`${this.constructor.name}.protocol is not set: cannot build a protocol`);
    const p = new this.protocol();
    (p as IProtocol & { factory?: unknown }).factory = this;
    return p;
  }
}

/** A factory for servers (listening ports). */
export class ServerFactory<P extends IProtocol = IProtocol> extends Factory<P> {}

/** A factory for client connections, told about connection attempts and their outcomes. */
export class ClientFactory<P extends IProtocol = IProtocol> extends Factory<P> {
  /** A connection attempt started. */
  startedConnecting(_connector: IConnector): void {}
  /** The attempt failed (refused, timed out, DNS...). */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}
  /** An established connection was lost. */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}
