/**
 * `reed/node`: the real reactor on Node's event loop, with TCP/UNIX/UDP/TLS, threads and processes.
 */
export { nodeIsBusy } from "./channel-io.js";
export { ThreadPool, type ThreadTask, type ThreadPoolOptions } from "./thread-pool.js";
export {
  deferToThread,
  deferToThreadPool,
  callInThread,
  getThreadPool,
  suggestThreadPoolSize,
  type ThreadReactor,
} from "./threads.js";
export { callFromThread, blockingCallFromThread, move, isInThreadJob, type Moved } from "./worker-thread.js";
export {
  spawnProcess,
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  type SpawnProcessOptions,
} from "./process.js";
export { StandardIO, type StandardIOOptions, type IHalfCloseableProtocol } from "./stdio.js";
export { NodeReactor, createReactor, reactor, type NodeRunOptions } from "./reactor.js";
export { react } from "./react.js";
export { listenWS, WebSocketPort, NodeWebSocketTransport, type ListenWSOptions } from "./websocket.js";
export { shipLogs, type ShipLogsOptions, type LogShipment } from "./log-shipping.js";
