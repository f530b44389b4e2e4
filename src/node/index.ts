/**
 * `reed/node`: the real reactor on Node's event loop, with TCP/UNIX/UDP/TLS, threads and processes.
 */
export { NodeReactor, createReactor, reactor, type NodeRunOptions } from "./reactor.js";
export { react } from "./react.js";
export { listenWS, WebSocketPort, NodeWebSocketTransport, type ListenWSOptions } from "./websocket.js";
