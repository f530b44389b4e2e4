/**
 * `reed/node`: the real reactor on Node's event loop, with TCP/UNIX/UDP/TLS, threads and processes.
 */
export { listenWS, WebSocketPort, NodeWebSocketTransport, type ListenWSOptions } from "./websocket.js";
