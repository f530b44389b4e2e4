/**
 * `reed/testing`: fakes for deterministic tests of reed programs (the same ones reed's own tests use).
 */
export { Clock } from "./clock.js";
export {
  StringTransport,
  StringTransportWithDisconnection,
  type StringTransportOptions,
  type ProducerState,
} from "./string-transport.js";
export { seededRandom } from "../_internal/random.js";
export { MemoryReactor, MemoryReactorClock, FakePort, FakeUDPPort, FakeConnector } from "./memory-reactor.js";
export {
  assertReactorClean,
  reactorLeftovers,
  type CheckableReactor,
  type CleanReactorOptions,
} from "./dirty-reactor.js";
export {
  LogCapture,
  captureLogs,
  flushLoggedErrors,
  assertNoLoggedErrors,
  type CaptureLogsOptions,
} from "./log-capture.js";
export { DirtyReactorAggregateError, UnflushedLoggedErrors } from "../errors.js";
export {
  MemoryNetwork,
  MemoryListeningPort,
  MemoryConnector,
  type NetworkFaults,
  type MemoryNetworkOptions,
  type ListenOptions,
  type ConnectOptions,
  type MemoryConnection,
  type ConnectorState,
} from "./network.js";
export type { ClientFactoryLike } from "../interfaces.js";
export { MemoryTransport } from "./memory-transport.js";
export { connectionPair, type ConnectionPair } from "./loopback.js";
