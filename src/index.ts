/**
 * reed: an event-driven networking engine for TypeScript in Twisted's mould.
 * This is the platform-neutral core: it imports nothing from `node:`.
 */
export {
  ReedError,
  AlreadyCalledError,
  CancelledError,
  TimeoutError,
  FirstError,
  FailureGroup,
  QueueOverflow,
  QueueUnderflow,
  AlreadyCalled,
  AlreadyCancelled,
  ConnectionDone,
  ConnectionLost,
  ConnectError,
  ConnectionRefusedError,
  DNSLookupError,
  UserError,
  CannotListenError,
  ConnectionAborted,
  NotConnectingError,
  ProducerAlreadyRegistered,
  EndpointDescriptionError,
} from "./errors.js";
export type {
  IDelayedCall,
  ReactorTime,
  IProducer,
  IPushProducer,
  IPullProducer,
  IConsumer,
  ITransport,
  ITCPTransport,
  IProtocol,
  IProtocolFactory,
  IConnector,
  IListeningPort,
  IHalfCloseableProtocol,
  TCPListenOptions,
  TCPConnectOptions,
  ReactorTCP,
  UNIXListenOptions,
  ReactorUNIX,
  IUDPTransport,
  IDatagramProtocol,
  UDPListenOptions,
  ReactorUDP,
  TLSFileOptions,
  ReactorSSL,
} from "./interfaces.js";
export { IPv4Address, IPv6Address, UNIXAddress, type IAddress } from "./protocols/address.js";
export { Protocol } from "./protocols/protocol.js";
export { DatagramProtocol } from "./protocols/datagram.js";
export { Factory, ServerFactory, ClientFactory, type ProtocolClass } from "./protocols/factory.js";
export { DelayedCall, type DelayedCallOwner } from "./delayed-call.js";
export { Failure, type ErrorType } from "./failure.js";
export {
  Deferred,
  succeed,
  fail,
  maybeDeferred,
  isDeferred,
  setDebugging,
  getDebugging,
  type Unwrapped,
  type Canceller,
  type TimeoutClock,
  type FromPromiseOptions,
} from "./deferred.js";
export { DeferredList, gatherResults, race, type DeferredListEntry, type DeferredListOptions } from "./combinators.js";
export { DeferredLock, DeferredSemaphore, DeferredQueue } from "./primitives.js";
export { inlineCallbacks, ensureDeferred, type Coroutine } from "./coroutine.js";
export {
  Logger,
  LogPublisher,
  globalLogPublisher,
  defaultLogObserver,
  textObserver,
  formatEvent,
  formatEventAsText,
  type LogEvent,
  type LogLevel,
  type LogObserver,
  type TextSink,
} from "./logger.js";
export { flushUnhandledFailures, countUnhandledFailures } from "./_internal/unhandled.js";
