/**
 * Endpoints: where to listen or connect, as objects (`TCP4ServerEndpoint`, `UNIXClientEndpoint`,
 * ...) or as Twisted's description strings (`serverFromString(reactor, "tcp:8000:interface=127.0.0.1")`,
 * `clientFromString(reactor, "tcp:host=example.com:port=80")`).
 *
 * `listen(factory)` fires with the listening port (or fails with `CannotListenError`);
 * `connect(factory)` fires with the connected protocol after its `connectionMade`, or fails with
 * the connection error. Cancelling a `connect` Deferred stops the attempt (`CancelledError`).
 *
 * String syntax (as Twisted's): fields separated by `:`, `key=value` fields or positional ones,
 * a backslash escapes the next character (`unix:/tmp/a\:b`).
 */
import { CancelledError, EndpointDescriptionError } from "../errors.js";
import { Deferred } from "../deferred.js";
import type { Failure } from "../failure.js";
import type { IConnector, IListeningPort, IProtocol, IProtocolFactory, ReactorTime, TLSFileOptions } from "../interfaces.js";
import type { IAddress } from "../protocols/address.js";
import { ClientFactory } from "../protocols/factory.js";
import type { Connector } from "./connector.js";
import { connectTCP, listenTCP } from "./tcp.js";
import { connectSSL, listenSSL } from "./tls.js";
import { connectUNIX, listenUNIX } from "./unix.js";

/** Somewhere to listen (Twisted's `IStreamServerEndpoint`). */
export interface IStreamServerEndpoint {
  /** Starts listening with `factory`; fires with the port, or fails with `CannotListenError`. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort>;
}

/** Somewhere to connect (Twisted's `IStreamClientEndpoint`). */
export interface IStreamClientEndpoint {
  /**
   * Connects, building the protocol with `factory`; fires with it after its `connectionMade`.
   * Cancelling stops the attempt.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol>;
}

function listenWith(start: () => IListeningPort): Deferred<IListeningPort> {
  const d = new Deferred<IListeningPort>();
  let port: IListeningPort;
  try {
    port = start();
  } catch (e) {
    d.errback(e);
    return d;
  }
  d.callback(port);
  return d;
}

/**
 * Wraps the user's factory for one connection attempt, turning its outcome into `d`: the
 * protocol after `makeConnection`, or the connection failure. No per-chunk wrapping: the user's
 * protocol is the one on the transport.
 */
class EndpointFactory extends ClientFactory {
  connector: Connector | null = null;
  cancelled = false;
  constructor(
    private readonly wrapped: IProtocolFactory,
    private readonly d: Deferred<IProtocol>,
    private readonly where: () => string,
  ) {
    super();
    this.noisy = false;
  }
  override startFactory(): void {
    this.wrapped.doStart();
  }
  override stopFactory(): void {
    this.wrapped.doStop();
  }
  override buildProtocol(addr: IAddress): IProtocol | null {
    const p = this.wrapped.buildProtocol(addr);
    if (p === null) return null;
    const d = this.d;
    const own = Object.prototype.hasOwnProperty.call(p, "makeConnection");
    const original = p.makeConnection;
    // Fire once the protocol is connected, then put makeConnection back as it was.
    p.makeConnection = function (this: IProtocol, transport) {
      if (own) p.makeConnection = original;
      else delete (p as { makeConnection?: unknown }).makeConnection;
      original.call(p, transport);
      if (!d.called) d.callback(p);
    };
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    if (this.d.called) return;
    if (this.cancelled) this.d.errback(new CancelledError(`Connecting was cancelled: ${this.where()}`));
    else this.d.errback(reason);
  }
}

function connectWith(factory: IProtocolFactory, where: () => string, start: (f: ClientFactory) => Connector): Deferred<IProtocol> {
  let wrapper: EndpointFactory | null = null;
  const d = new Deferred<IProtocol>((dd) => {
    if (wrapper === null || wrapper.connector === null) return;
    wrapper.cancelled = true;
    const c = wrapper.connector;
    if (c.state === "connecting") c.stopConnecting();
    else if (c.state === "connected" && !dd.called) c.transport?.abortConnection();
  });
  wrapper = new EndpointFactory(factory, d, where);
  try {
    wrapper.connector = start(wrapper);
  } catch (e) {
    // e.g. a TLS file that cannot be read: the caller gets it as a failed Deferred.
    if (!d.called) d.errback(e);
  }
  return d;
}

/** Listens on TCP over IPv4 (`interface` default `"0.0.0.0"`). */
export class TCP4ServerEndpoint implements IStreamServerEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly port: number,
    readonly backlog = 50,
    readonly interface_ = "0.0.0.0",
  ) {}
  /** Starts listening; fires with the port or fails with `CannotListenError`. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listenWith(() => listenTCP(this.reactor, this.port, factory, { backlog: this.backlog, interface: this.interface_ }));
  }
}

/** Listens on TCP over IPv6 (`interface` default `"::"`). */
export class TCP6ServerEndpoint extends TCP4ServerEndpoint {
  constructor(reactor: ReactorTime, port: number, backlog = 50, interface_ = "::") {
    super(reactor, port, backlog, interface_);
  }
}

/** Connects over TCP to a host name or IPv4 address. */
export class TCP4ClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly host: string,
    readonly port: number,
    readonly timeout = 30,
    readonly bindAddress: readonly [string, number] | null = null,
  ) {}
  /** Connects; fires with the protocol after `connectionMade`. Cancelling stops the attempt. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectWith(factory, () => `${this.host}:${this.port}`, (f) =>
      connectTCP(this.reactor, this.host, this.port, f, this.bindAddress ? { timeout: this.timeout, bindAddress: this.bindAddress } : { timeout: this.timeout }),
    );
  }
}

/** Connects over TCP to an IPv6 address. */
export class TCP6ClientEndpoint extends TCP4ClientEndpoint {}

/** Listens on a UNIX socket file. */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly address: string,
    readonly backlog = 50,
    readonly mode = 0o666,
  ) {}
  /** Starts listening; fires with the port or fails with `CannotListenError`. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listenWith(() => listenUNIX(this.reactor, this.address, factory, { backlog: this.backlog, mode: this.mode }));
  }
}

/** Connects to a UNIX socket file. */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly path: string,
    readonly timeout = 30,
  ) {}
  /** Connects; fires with the protocol after `connectionMade`. Cancelling stops the attempt. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectWith(factory, () => this.path, (f) => connectUNIX(this.reactor, this.path, f, { timeout: this.timeout }));
  }
}

/** Listens for TLS over TCP with a certificate and key from PEM files. */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly port: number,
    readonly tls: TLSFileOptions,
    readonly backlog = 50,
    readonly interface_ = "0.0.0.0",
  ) {}
  /** Starts listening; fires with the port, or fails (`CannotListenError`, or a file that cannot be read). */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return listenWith(() => listenSSL(this.reactor, this.port, factory, this.tls, { backlog: this.backlog, interface: this.interface_ }));
  }
}

/** Connects with TLS over TCP, verifying the server for `host`. */
export class SSL4ClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: ReactorTime,
    readonly host: string,
    readonly port: number,
    readonly tls: TLSFileOptions = {},
    readonly timeout = 30,
    readonly bindAddress: readonly [string, number] | null = null,
  ) {}
  /** Connects and completes the handshake; fires with the protocol after `connectionMade`. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectWith(factory, () => `${this.host}:${this.port}`, (f) =>
      connectSSL(this.reactor, this.host, this.port, f, this.tls, this.bindAddress ? { timeout: this.timeout, bindAddress: this.bindAddress } : { timeout: this.timeout }),
    );
  }
}

/**
 * Connects `endpoint` with a factory that returns `protocol` (once).
 * @returns fires with `protocol` after its `connectionMade`.
 */
export function connectProtocol<P extends IProtocol>(endpoint: IStreamClientEndpoint, protocol: P): Deferred<P> {
  class OneShot extends ClientFactory {
    override buildProtocol(): IProtocol {
      return protocol;
    }
  }
  const f = new OneShot();
  f.noisy = false;
  return endpoint.connect(f) as unknown as Deferred<P>; // it fires with `protocol` itself
}

// --- description strings ----------------------------------------------------------------------

/** A description split into its type, positional fields and `key=value` fields. */
export interface ParsedDescription {
  type: string;
  args: string[];
  kwargs: Record<string, string>;
}

/**
 * Splits an endpoint description on unescaped `:` (a backslash escapes the next character); each
 * field is `key=value` (first unescaped `=`) or positional.
 * @throws EndpointDescriptionError for an empty description.
 */
export function parseDescription(description: string): ParsedDescription {
  const fields: Array<{ key: string | null; value: string }> = [];
  let cur = "";
  let key: string | null = null;
  for (let i = 0; i < description.length; i++) {
    const ch = description[i]!;
    if (ch === "\\" && i + 1 < description.length) {
      cur += description[++i];
    } else if (ch === ":") {
      fields.push({ key, value: cur });
      cur = "";
      key = null;
    } else if (ch === "=" && key === null) {
      key = cur;
      cur = "";
    } else {
      cur += ch;
    }
  }
  fields.push({ key, value: cur });
  const first = fields.shift()!;
  if (first.key !== null || first.value === "") throw new EndpointDescriptionError(`${JSON.stringify(description)}: it must start with a type such as "tcp:"`);
  const args: string[] = [];
  const kwargs: Record<string, string> = {};
  for (const f of fields) {
    if (f.key === null) args.push(f.value);
    else kwargs[f.key] = f.value;
  }
  return { type: first.value.toLowerCase(), args, kwargs };
}

class Fields {
  private next = 0;
  constructor(
    private readonly description: string,
    private readonly parsed: ParsedDescription,
    names: readonly string[],
  ) {
    for (const k of Object.keys(parsed.kwargs)) {
      if (!names.includes(k)) throw new EndpointDescriptionError(`${JSON.stringify(description)}: unknown parameter "${k}" for "${parsed.type}:" (known: ${names.join(", ")})`);
    }
    if (parsed.args.length > names.length) throw new EndpointDescriptionError(`${JSON.stringify(description)}: too many fields for "${parsed.type}:"`);
  }
  /** A field by name, or the next positional field. */
  get(name: string, positional: boolean): string | undefined {
    if (name in this.parsed.kwargs) return this.parsed.kwargs[name];
    if (positional && this.next < this.parsed.args.length) return this.parsed.args[this.next++];
    return undefined;
  }
  required(name: string, positional: boolean): string {
    const v = this.get(name, positional);
    if (v === undefined || v === "") throw new EndpointDescriptionError(`${JSON.stringify(this.description)}: "${this.parsed.type}:" needs ${name}`);
    return v;
  }
  int(name: string, positional: boolean, fallback: number, radix = 10): number {
    const v = this.get(name, positional);
    if (v === undefined || v === "") return fallback;
    const n = radix === 10 ? Number(v) : parseInt(v, radix);
    if (!Number.isInteger(n) || n < 0 || v.trim() === "" || (radix === 8 && !/^[0-7]+$/.test(v))) {
      throw new EndpointDescriptionError(`${JSON.stringify(this.description)}: ${name} must be a non-negative integer${radix === 8 ? " in octal" : ""}, not ${JSON.stringify(v)}`);
    }
    return n;
  }
  port(positional: boolean): number {
    const p = this.int("port", positional, -1);
    if (p < 0 || p > 65535) throw new EndpointDescriptionError(`${JSON.stringify(this.description)}: "${this.parsed.type}:" needs a port from 0 to 65535`);
    return p;
  }
  seconds(name: string, fallback: number): number {
    const v = this.get(name, false);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || v.trim() === "") throw new EndpointDescriptionError(`${JSON.stringify(this.description)}: ${name} must be a number of seconds, not ${JSON.stringify(v)}`);
    return n;
  }
  bindAddress(): readonly [string, number] | null {
    const v = this.get("bindAddress", false);
    return v === undefined || v === "" ? null : [v, 0];
  }
}

/**
 * Makes a server endpoint from a description:
 * - `tcp:PORT[:interface=ADDR][:backlog=N]` (an IPv6 interface gives `TCP6ServerEndpoint`), `tcp6:...`
 * - `unix:PATH[:mode=OCTAL][:backlog=N]`
 * - `ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=ADDR][:backlog=N]` (also `tls:`;
 *   `certKey` defaults to `privateKey`, a file holding both)
 * @throws EndpointDescriptionError when the description is malformed or names an unknown type/field.
 */
export function serverFromString(reactor: ReactorTime, description: string): IStreamServerEndpoint {
  const parsed = parseDescription(description);
  switch (parsed.type) {
    case "tcp":
    case "tcp6": {
      const f = new Fields(description, parsed, ["port", "interface", "backlog"]);
      const port = f.port(true);
      const v6 = parsed.type === "tcp6";
      const iface = f.get("interface", true) ?? (v6 ? "::" : "0.0.0.0");
      const backlog = f.int("backlog", true, 50);
      return v6 || iface.includes(":") ? new TCP6ServerEndpoint(reactor, port, backlog, iface) : new TCP4ServerEndpoint(reactor, port, backlog, iface);
    }
    case "unix": {
      const f = new Fields(description, parsed, ["address", "mode", "backlog", "lockfile"]);
      const address = f.required("address", true);
      const mode = f.int("mode", true, 0o666, 8);
      const backlog = f.int("backlog", true, 50);
      return new UNIXServerEndpoint(reactor, address, backlog, mode);
    }
    case "ssl":
    case "tls": {
      const f = new Fields(description, parsed, ["port", "privateKey", "certKey", "interface", "backlog"]);
      const port = f.port(true);
      const privateKey = f.required("privateKey", true);
      const certKey = f.get("certKey", true) ?? privateKey;
      const iface = f.get("interface", true) ?? "0.0.0.0";
      const backlog = f.int("backlog", true, 50);
      return new SSL4ServerEndpoint(reactor, port, { privateKey, certKey }, backlog, iface);
    }
    default:
      throw new EndpointDescriptionError(`${JSON.stringify(description)}: unknown endpoint type "${parsed.type}" (known: tcp, tcp6, unix, ssl, tls)`);
  }
}

/**
 * Makes a client endpoint from a description:
 * - `tcp:host=HOST:port=PORT[:timeout=S][:bindAddress=ADDR]` or `tcp:HOST:PORT` (an IPv6 host gives
 *   `TCP6ClientEndpoint`), `tcp6:...`
 * - `unix:path=PATH[:timeout=S]` or `unix:PATH`
 * - `ssl:host=HOST:port=PORT[:certKey=CERT.pem][:privateKey=KEY.pem][:caCertsDir=DIR]`, and
 *   `tls:HOST:PORT[:trustRoots=PEM-or-DIR][:certificate=CERT.pem][:privateKey=KEY.pem]`
 *   (both with `timeout`/`bindAddress`; the server is verified against the given roots or the system's)
 * @throws EndpointDescriptionError when the description is malformed or names an unknown type/field.
 */
export function clientFromString(reactor: ReactorTime, description: string): IStreamClientEndpoint {
  const parsed = parseDescription(description);
  switch (parsed.type) {
    case "tcp":
    case "tcp6": {
      const f = new Fields(description, parsed, ["host", "port", "timeout", "bindAddress"]);
      const host = f.required("host", true);
      const port = f.port(true);
      const timeout = f.seconds("timeout", 30);
      const bind = f.bindAddress();
      const Cls = parsed.type === "tcp6" || host.includes(":") ? TCP6ClientEndpoint : TCP4ClientEndpoint;
      return new Cls(reactor, host, port, timeout, bind);
    }
    case "unix": {
      const f = new Fields(description, parsed, ["path", "timeout", "checkPID"]);
      const path = f.required("path", true);
      return new UNIXClientEndpoint(reactor, path, f.seconds("timeout", 30));
    }
    case "ssl":
    case "tls": {
      const ssl = parsed.type === "ssl";
      const names = ssl
        ? ["host", "port", "certKey", "privateKey", "caCertsDir", "timeout", "bindAddress"]
        : ["host", "port", "trustRoots", "certificate", "privateKey", "timeout", "bindAddress"];
      const f = new Fields(description, parsed, names);
      const host = f.required("host", true);
      const port = f.port(true);
      const tls: TLSFileOptions = {};
      const cert = f.get(ssl ? "certKey" : "certificate", false);
      const key = f.get("privateKey", false);
      const roots = f.get(ssl ? "caCertsDir" : "trustRoots", false);
      if (cert !== undefined) tls.certKey = cert;
      if (key !== undefined) tls.privateKey = key;
      if (roots !== undefined) tls.trustRoots = roots;
      return new SSL4ClientEndpoint(reactor, host, port, tls, f.seconds("timeout", 30), f.bindAddress());
    }
    default:
      throw new EndpointDescriptionError(`${JSON.stringify(description)}: unknown endpoint type "${parsed.type}" (known: tcp, tcp6, unix, ssl, tls)`);
  }
}
