/**
 * `reed/node`: the real reactor on Node's event loop, with TCP/UNIX/UDP/TLS, threads and processes.
 */
export { nodeIsBusy } from "./channel-io.js";
export { Connection, type ConnectionLostHook } from "./connection.js";
export { Port, type PortAddress } from "./port.js";
export { Connector, type ConnectorAddress, type Dialer } from "./connector.js";
export { listenTCP, connectTCP, type ListenTCPOptions, type ConnectTCPOptions } from "./tcp.js";
export { listenUNIX, connectUNIX } from "./unix.js";
export { listenSSL, connectSSL, secureContextOptions } from "./tls.js";
export { UDPPort, listenUDP } from "./udp.js";
export type { ResourceRegistry } from "./_resources.js";
export {
  TCP4ServerEndpoint,
  TCP6ServerEndpoint,
  TCP4ClientEndpoint,
  TCP6ClientEndpoint,
  UNIXServerEndpoint,
  UNIXClientEndpoint,
  SSL4ServerEndpoint,
  SSL4ClientEndpoint,
  serverFromString,
  clientFromString,
  connectProtocol,
  parseDescription,
  type IStreamServerEndpoint,
  type IStreamClientEndpoint,
  type ParsedDescription,
} from "./endpoints.js";
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
export { StandardIO, type StandardIOOptions } from "./stdio.js";
export { NodeReactor, createReactor, reactor, type NodeRunOptions } from "./reactor.js";
export { react } from "./react.js";
export { listenWS, WebSocketPort, NodeWebSocketTransport, type ListenWSOptions } from "./websocket.js";
export { shipLogs, type ShipLogsOptions, type LogShipment } from "./log-shipping.js";
