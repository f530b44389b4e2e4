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
  TLSAlreadyStarted,
  EndpointDescriptionError,
  ChannelClosed,
  Deadlock,
  type BlockedOperation,
  AmpError,
  TooLong,
  MalformedAmpBox,
  NoEmptyBoxes,
  OnlyOneTLS,
  ProtocolSwitched,
  InvalidSignature,
  BadLocalReturn,
  RemoteAmpError,
  UnknownRemoteError,
  UnhandledCommand,
  AmpArgumentError,
  NetstringParseError,
  StringTooLongError,
  ThreadPoolStopped,
  ThreadCloneError,
  WorkerThreadExited,
  NotInThreadJob,
  ProcessDone,
  ProcessTerminated,
  ProcessExitedAlready,
  ProcessStderrOutput,
  ReactorNotRunning,
  ReactorNotRestartable,
  ReactorAlreadyRunning,
  LoopingCallStateError,
  SchedulerError,
  SchedulerStopped,
  TaskFinished,
  TaskDone,
  TaskStopped,
  TaskFailed,
  NotPaused,
} from "./errors.js";
export type {
  IDelayedCall,
  ReactorTime,
  ReactorCore,
  SystemEventPhase,
  SystemEventType,
  SystemEventTriggerID,
  TrackedResource,
  IProducer,
  IPushProducer,
  IPullProducer,
  IConsumer,
  ITransport,
  ITCPTransport,
  IProtocol,
  IProtocolFactory,
  ClientFactoryLike,
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
  TLSStartOptions,
  PeerCertificate,
  ISSLTransport,
  ITLSTransport,
  IHandshakeListener,
  ReactorSSL,
} from "./interfaces.js";
export { IPv4Address, IPv6Address, UNIXAddress, PipeAddress, type IAddress } from "./protocols/address.js";
export { Protocol } from "./protocols/protocol.js";
export { DatagramProtocol } from "./protocols/datagram.js";
export { ProcessProtocol, type IProcessTransport } from "./protocols/process-protocol.js";
export { Factory, ServerFactory, ClientFactory, type ProtocolClass } from "./protocols/factory.js";
export { ReconnectingClientFactory, type ReconnectingClientFactoryOptions } from "./protocols/reconnecting.js";
export { LineReceiver, LineOnlyReceiver } from "./protocols/basic/line.js";
export { NetstringReceiver } from "./protocols/basic/netstring.js";
export {
  IntNStringReceiver,
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
} from "./protocols/basic/int-prefix.js";
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
/** AMP's argument types, box codec and value classes, as `amp.Integer()`, `amp.DecimalValue`... (Twisted's `amp` module). */
export * as amp from "./protocols/amp/index.js";
export { AMP, CommandLocator, type IResponderLocator, type Responder } from "./protocols/amp/amp.js";
export { command, type Command, type ArgumentsOf, type ResponseOf } from "./protocols/amp/command.js";
export { LogShipper, ShipLogEvent, ShipLogsDropped, type LogShipperOptions } from "./protocols/amp/log-shipper.js";
export {
  Channel,
  chan,
  type ChannelOptions,
  type OpTimeoutOptions,
  type TryRecvResult,
  type TrySendResult,
} from "./channels/channel.js";
export { select, rcase, scase, dcase, RCase, SCase, DCase, type SelectCase, type SelectResult } from "./channels/select.js";
export {
  Scheduler,
  go,
  getScheduler,
  setScheduler,
  logPanic,
  type SchedulerOptions,
  type PanicHandler,
  type TaskResult,
} from "./channels/scheduler.js";
export { Task, type TaskFunction } from "./channels/task.js";
export { currentTask } from "./channels/runner.js";
export { timeout, sleep, after } from "./channels/timeout.js";
export {
  LoopingCall,
  deferLater,
  Cooperator,
  CooperativeTask,
  coiterate,
  cooperate,
  defaultTerminationPredicateFactory,
  react,
  type LoopingCallStopOptions,
  type CooperatorOptions,
  type CooperatorScheduler,
  type TerminationPredicateFactory,
} from "./task/index.js";
