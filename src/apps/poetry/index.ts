/**
 * `reed/poetry`: the Twisted tutorial's poetry system as a library: the slow poetry server, the
 * client (`getPoetry`), the transform service and its client (`TransformProxy`), the caching
 * proxy, concurrent/sequential downloads, timelines, and the shipped poems.
 */
export { getPoetry, PoetryProtocol, PoetryClientFactory, type GetPoetryOptions, type ChunkObserver } from "./client.js";
export { SlowPoetryFactory, SlowPoetryProtocol, type SlowPoetryOptions, type SlowPoetryEvent } from "./server.js";
export {
  TransformService,
  TransformFactory,
  TransformProtocol,
  TransformProxy,
  TransformClientFactory,
  TransformClientProtocol,
} from "./transform.js";
export { ProxyService, PoetryProxyFactory, PoetryProxyProtocol, type ProxyEvent } from "./proxy.js";
export { downloadAll, newTasks, formatTimedelta, addressText, type DownloadTask, type DownloadOptions } from "./download.js";
export { renderTimeline } from "./timeline.js";
export { CLASSIC_POEMS, poemsDir, poemPath, findPoem, readPoem } from "./poems.js";
export { defaultReactor, type PoetryReactor, type PoetryTCP } from "./reactor.js";
export { TransformFailed } from "../../errors.js";
