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
