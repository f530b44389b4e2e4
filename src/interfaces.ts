/**
 * Reactor interfaces (types only), so real and fake reactors implement the same contracts.
 * Networking, process and thread interfaces are added beside these by their modules.
 */
import type { Failure } from "./failure.js";
import type { Deferred } from "./deferred.js";
import type { IAddress } from "./protocols/address.js";

/** A call scheduled with `callLater`. */
export interface IDelayedCall {
  /** When it is due, in the reactor's seconds. */
  getTime(): number;
  /**
   * Stops it from running.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  cancel(): void;
  /**
   * Makes it due `seconds` from now.
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  reset(seconds: number): void;
  /**
   * Postpones it by `seconds` (negative brings it forward).
   * @throws AlreadyCancelled / AlreadyCalled.
   */
  delay(seconds: number): void;
  /** True until it has run or been cancelled. */
  active(): boolean;
}

/** Time: the part of a reactor that `Clock` fakes. Everything that needs time takes one of these. */
export interface ReactorTime {
  /** The current time in seconds (a float). */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds (0 = as soon as possible, after what is already due). */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** The calls that are scheduled and have not run or been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}

/** The phase of a system event a trigger runs in: `before`, `during` or `after`. */
export type SystemEventPhase = "before" | "during" | "after";

/** The system events a reactor fires: `startup` (inside `run()`) and `shutdown` (after `stop()`). */
export type SystemEventType = "startup" | "shutdown";

/** What `addSystemEventTrigger` returns; pass it to `removeSystemEventTrigger`. */
export interface SystemEventTriggerID {
  /** The event the trigger belongs to. */
  readonly event: SystemEventType;
  /** The phase it runs in. */
  readonly phase: SystemEventPhase;
}

/**
 * Running and stopping: the part of a reactor that owns the main loop and its system events
 * (Twisted's `IReactorCore`).
 *
 * Startup, fired synchronously inside `run()`: `before` triggers (`running` is still false), then
 * `during` (the reactor becomes `running` first), then `after` (where `callWhenRunning` functions
 * are). Shutdown, fired at the end of the loop iteration in which `stop()` was called: `before`
 * triggers (each may return a Deferred; the other phases wait until all of them have fired),
 * then `during` (the reactor stops `running` first), then `after`. Within a phase triggers run
 * in the order they were added; an exception in one is logged and the next one runs.
 */
export interface ReactorCore {
  /** True from the `during startup` phase until the `during shutdown` phase. */
  readonly running: boolean;
  /**
   * Starts the loop: fires `startup` now, then runs timed calls and I/O until `stop()`.
   * @returns a Deferred (await-able) that fires once shutdown has completed (after the
   *   `after shutdown` triggers).
   * @throws ReactorAlreadyRunning while running; ReactorNotRestartable once it has stopped.
   */
  run(): Deferred<void>;
  /**
   * Asks the loop to stop: the `shutdown` event fires at the end of the current iteration.
   * @throws ReactorNotRunning if it was never started or `stop()` was already called.
   */
  stop(): void;
  /**
   * Calls `fn(...args)` now if the reactor is running, otherwise as an `after startup` trigger.
   * @returns the trigger's ID when one was added, else undefined.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): SystemEventTriggerID | undefined;
  /**
   * Adds `fn(...args)` to `phase` of `event`. A `before shutdown` trigger may return a Deferred
   * that delays the rest of shutdown until it fires.
   * @returns an ID for `removeSystemEventTrigger`.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID;
  /**
   * Removes a trigger before it has run. Removing a `before` trigger that already ran while its
   * event's `before` phase is still going on (waiting for Deferreds) is ignored.
   * @throws RangeError when the trigger is not pending (it ran, was removed, or is not this reactor's).
   */
  removeSystemEventTrigger(id: SystemEventTriggerID): void;
  /** Fires `event` now, outside the normal life cycle (for tests and embedders). */
  fireSystemEvent(event: SystemEventType): void;
  /**
   * Calls `fn(...args)` soon from inside the reactor loop (at the start of its next iteration),
   * in order. Safe to call from any callback; on Node there are no other threads sharing the
   * reactor, so this is "call soon, FIFO".
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/**
 * Something open that a test should have closed (a listening port, a connection, a process):
 * transports register themselves with `NodeReactor.trackResource` and the dirty-reactor check
 * reports what is still registered when a test ends.
 */
export interface TrackedResource {
  /** What it is: `"tcp-port"`, `"tcp-connection"`, `"unix-port"`, `"udp-port"`, `"process"`... */
  readonly kind: string;
  /** A one-line description, e.g. `"TCP port listening on 127.0.0.1:8080"`. */
  describe(): string;
  /** Where it was created (a stack trace). */
  readonly creator: string;
  /**
   * Closes it at once because its reactor is shutting down (Twisted's `disconnectAll`, run in the
   * `during shutdown` phase): a port stops listening and its factory's `doStop()` runs; a
   * connection drops its socket (unsent data is discarded) and its protocol's
   * `connectionLost(reason)` runs before this returns; an attempt in progress fails with `reason`.
   * Called at most once; a resource without it is left alone.
   * @param reason a Failure of `ConnectionLost`, as Twisted gives.
   */
  disconnectAtShutdown?(reason: Failure): void;
}

// --- Connections ------------------------------------------------------------------------------

/** Something that produces data for a consumer (a transport) and can be told to stop. */
export interface IProducer {
  /** Stop producing for good (the consumer is going away). */
  stopProducing(): void;
}

/** A producer that writes on its own and must be paused when the consumer's buffer is full. */
export interface IPushProducer extends IProducer {
  /** The consumer's buffer is full: stop writing until `resumeProducing()`. */
  pauseProducing(): void;
  /** The consumer's buffer has drained: writing may continue. */
  resumeProducing(): void;
}

/** A producer that writes one chunk each time it is asked. */
export interface IPullProducer extends IProducer {
  /** Write one chunk now. */
  resumeProducing(): void;
}

/** Takes data from a producer (transports are consumers). */
export interface IConsumer {
  /**
   * Attaches a producer: `streaming` true for an `IPushProducer` (paused/resumed by the consumer's
   * buffer), false for an `IPullProducer` (asked for a chunk whenever the buffer drains).
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /**
   * Detaches the producer: it is no longer paused, resumed or asked for chunks, and a
   * `loseConnection()` that was waiting for it goes ahead.
   */
  unregisterProducer(): void;
  /** Queues bytes to send, without waiting; a full buffer pauses a registered push producer. */
  write(data: Uint8Array): void;
}

/** A protocol's view of its connection. */
export interface ITransport {
  /**
   * Queues bytes to send, without waiting.
   * @throws TypeError when `data` is not bytes (a string is an error: encode it yourself).
   */
  write(data: Uint8Array): void;
  /** Queues several chunks, in order, as if each were passed to `write`. */
  writeSequence(data: Iterable<Uint8Array>): void;
  /** Closes the connection once everything written has been sent. */
  loseConnection(): void;
  /** The other side's address. */
  getPeer(): IAddress;
  /** This side's address. */
  getHost(): IAddress;
}

/** A TCP (or TLS, or UNIX stream) connection's transport. */
export interface ITCPTransport extends ITransport, IConsumer {
  /** Closes at once, discarding unsent data; the protocol sees `ConnectionLost`. */
  abortConnection(): void;
  /** Half-close: stop writing (sends FIN) but keep reading. */
  loseWriteConnection(): void;
  /** Enables/disables Nagle's algorithm being off (`true` = no delay). */
  setTcpNoDelay(enabled: boolean): void;
  /** Enables/disables TCP keep-alive probes. */
  setTcpKeepAlive(enabled: boolean): void;
}

/** One connection's event handler (see `Protocol`). */
export interface IProtocol {
  /** Connects the protocol to a transport and calls `connectionMade()`. */
  makeConnection(transport: ITransport): void;
  /** The connection is up. */
  connectionMade(): void;
  /** Bytes arrived (in arbitrary chunks: framing is the protocol's job). */
  dataReceived(data: Uint8Array): void;
  /** The connection is gone: `ConnectionDone` when clean, `ConnectionLost` otherwise. */
  connectionLost(reason: Failure): void;
}

/** Makes a protocol per connection. */
export interface IProtocolFactory {
  /** A protocol for a new connection from/to `addr`; null refuses the connection. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called when a port starts listening or a connector starts (counted). */
  doStart(): void;
  /** Called when a port stops listening or a connector finishes (counted). */
  doStop(): void;
}

/** A pending or established outgoing connection. */
export interface IConnector {
  /** Stops an attempt in progress (the factory sees `UserError`-style failure). */
  stopConnecting(): void;
  /** Disconnects (or stops connecting). */
  disconnect(): void;
  /** Tries again (used by reconnecting factories). */
  connect(): void;
  /** Where it connects to. */
  getDestination(): IAddress;
}

/** A listening server socket. */
export interface IListeningPort {
  /** Stops accepting connections; fires when the socket is closed. */
  stopListening(): Deferred<void>;
  /** The address it listens on (with the real port when 0 was asked for). */
  getHost(): IAddress;
}

// --- Reactor networking (IReactorTCP, IReactorUNIX, IReactorUDP, IReactorSSL) -----------------

/** A protocol told about each direction of a connection closing (Twisted's `IHalfCloseableProtocol`). */
export interface IHalfCloseableProtocol {
  /** The peer will send no more data (it half-closed); writing is still possible. */
  readConnectionLost(): void;
  /** Our write side has closed (after `loseWriteConnection()` and the buffer flushed). */
  writeConnectionLost(): void;
}

/** Options for listening on TCP. */
export interface TCPListenOptions {
  /** Queue length for connections not yet accepted (default 50). */
  backlog?: number;
  /** The address to bind (default `"0.0.0.0"`; `"::"` for every IPv6 interface). */
  interface?: string;
}

/** Options for connecting over TCP. */
export interface TCPConnectOptions {
  /** Seconds before the attempt fails with `TimeoutError` (default 30; 0 = no limit). */
  timeout?: number;
  /** Local `[host, port]` to bind before connecting. */
  bindAddress?: readonly [string, number];
}

/**
 * A factory for client connections as connectors see it: `IProtocolFactory` plus the optional
 * callbacks of `ClientFactory` (Twisted calls them only when present). Connectors of real and fake
 * reactors alike take this shape.
 */
export interface ClientFactoryLike extends IProtocolFactory {
  /** A connection attempt started. */
  startedConnecting?(connector: IConnector): void;
  /** The attempt failed. */
  clientConnectionFailed?(connector: IConnector, reason: Failure): void;
  /** An established connection was lost. */
  clientConnectionLost?(connector: IConnector, reason: Failure): void;
}

/** A reactor that makes TCP ports and connections (Twisted's `IReactorTCP`). */
export interface ReactorTCP {
  /**
   * Listens on `port` (0 = any free port); binds before returning.
   * @throws CannotListenError when the address cannot be bound.
   */
  listenTCP(port: number, factory: IProtocolFactory, options?: TCPListenOptions): IListeningPort;
  /** Connects to `host:port`; results go to the factory (`clientConnectionFailed`, `buildProtocol`...). */
  connectTCP(host: string, port: number, factory: IProtocolFactory, options?: TCPConnectOptions): IConnector;
}

/** Options for listening on a UNIX socket. */
export interface UNIXListenOptions {
  /** Queue length for connections not yet accepted (default 50). */
  backlog?: number;
  /** File mode of the socket file (e.g. `0o660`). */
  mode?: number;
}

/** A reactor that makes UNIX-domain stream sockets (Twisted's `IReactorUNIX`). */
export interface ReactorUNIX {
  /**
   * Listens on the socket file `address`.
   * @throws CannotListenError when it cannot be bound (the file exists, no permission...).
   */
  listenUNIX(address: string, factory: IProtocolFactory, options?: UNIXListenOptions): IListeningPort;
  /** Connects to the socket file `address`. */
  connectUNIX(address: string, factory: IProtocolFactory, options?: { timeout?: number }): IConnector;
}

/** A UDP port's transport as a `DatagramProtocol` sees it. */
export interface IUDPTransport {
  /**
   * Sends one datagram to `addr` (`[host, port]`), or to the connected peer when omitted.
   * @throws TypeError when `data` is not bytes.
   */
  write(data: Uint8Array, addr?: readonly [string, number]): void;
  /** Restricts the port to one peer: `write` without an address goes there, other senders are ignored. */
  connect(host: string, port: number): void;
  /** The address the port is bound to. */
  getHost(): IAddress;
  /** Closes the port (the protocol's `stopProtocol` runs). */
  stopListening(): Deferred<void>;
}

/** Something that handles datagrams (see `DatagramProtocol`). */
export interface IDatagramProtocol {
  /** Connects the protocol to its port's transport and calls `startProtocol()`. */
  makeConnection(transport: IUDPTransport): void;
  /** One datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(data: Uint8Array, addr: [string, number]): void;
  /** The port stopped: `stopProtocol()` runs. */
  doStop(): void;
  /** A sent datagram was refused (connected UDP only, ICMP port unreachable). */
  connectionRefused(): void;
}

/** Options for a UDP port. */
export interface UDPListenOptions {
  /** The address to bind (default `"0.0.0.0"`). */
  interface?: string;
  /** Largest datagram accepted (default 8192, as Twisted). */
  maxPacketSize?: number;
}

/** A reactor that makes UDP ports (Twisted's `IReactorUDP`). */
export interface ReactorUDP {
  /**
   * Binds a UDP port (0 = any free port) delivering datagrams to `protocol`.
   * @throws CannotListenError when the address cannot be bound.
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: UDPListenOptions): IUDPTransport;
}

/** TLS files for a server or client: paths of PEM files. */
export interface TLSFileOptions {
  /** Certificate (chain) file. */
  certKey?: string;
  /** Private key file. */
  privateKey?: string;
  /** Certificates to trust (a PEM file or a directory of them); the system's by default. */
  trustRoots?: string;
}

/**
 * How `startTLS` secures an established connection: this side's certificate and key, the
 * certificates to trust, and what to verify.
 */
export interface TLSStartOptions extends TLSFileOptions {
  /**
   * TLS client side: the name the server's certificate must carry (also sent as SNI). When
   * omitted only the certificate chain is checked, as Twisted's `CertificateOptions(verify=True)`
   * does (what AMP's `StartTLS` uses).
   */
  hostname?: string;
  /**
   * TLS client side: whether to verify the server's certificate against `trustRoots` (or the
   * system's roots); default true. TLS server side: whether to ask for a client certificate and
   * require it to be signed by `trustRoots`; default false.
   */
  verify?: boolean;
}

/** The peer's certificate as a TLS transport reports it (Node's `X509Certificate` has this shape). */
export interface PeerCertificate {
  /** The subject's distinguished name, one `key=value` per line. */
  readonly subject: string;
  /** The issuer's distinguished name, one `key=value` per line. */
  readonly issuer: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  readonly fingerprint256: string;
  /** The DER encoding. */
  readonly raw: Uint8Array;
  /** The PEM encoding. */
  toString(): string;
}

/** A transport running over TLS (Twisted's `ISSLTransport`). */
export interface ISSLTransport extends ITCPTransport {
  /** The peer's certificate, or null when it sent none (or the handshake has not finished). */
  getPeerCertificate(): PeerCertificate | null;
}

/** A TCP transport that can switch to TLS midstream (Twisted's `ITLSTransport`). */
export interface ITLSTransport extends ITCPTransport {
  /**
   * Starts TLS on this connection: bytes written from now on are encrypted (bytes written
   * before go first, in the clear), and `dataReceived` gets the decrypted data. `normal` true
   * (the default) makes the side that connected the TLS client; false swaps the roles.
   * @throws TLSAlreadyStarted when the connection already runs TLS.
   */
  startTLS(options: TLSStartOptions, normal?: boolean): void;
}

/** A protocol told when a TLS handshake on its connection has completed (Twisted's `IHandshakeListener`). */
export interface IHandshakeListener {
  /** The TLS handshake finished; the peer's certificate is available now. */
  handshakeCompleted(): void;
}

/** A reactor that makes TLS ports and connections (Twisted's `IReactorSSL`). */
export interface ReactorSSL {
  /**
   * Listens for TLS connections on `port`.
   * @throws CannotListenError when the address cannot be bound; Error when a file cannot be read.
   */
  listenSSL(port: number, factory: IProtocolFactory, tls: TLSFileOptions, options?: TCPListenOptions): IListeningPort;
  /** Connects over TLS to `host:port`, verifying the server's certificate for `host`. */
  connectSSL(host: string, port: number, factory: IProtocolFactory, tls: TLSFileOptions, options?: TCPConnectOptions): IConnector;
}
