/**
 * `reed/browser`: a reactor that lives in a web page's event loop, animation-frame pacing, and a
 * WebSocket transport that runs reed protocols in a page against a reed server (`listenWS`).
 * Imports nothing from `node:`.
 */
export { BrowserReactor, nextFrame, pageHost, type BrowserHost, type BrowserReactorOptions } from "./reactor.js";
export {
  connectWS,
  WebSocketTransport,
  addressOfURL,
  closeReason,
  WRITE_HIGH_WATER_MARK,
  BUFFER_POLL_INTERVAL,
  type ConnectWSOptions,
  type WebSocketLike,
  type WebSocketConstructor,
} from "./websocket.js";
