/**
 * AMP (the Asynchronous Messaging Protocol), byte-compatible with `twisted.protocols.amp`:
 * boxes, argument types, declared commands, and the `AMP` protocol, with `StartTLS` and
 * `ProtocolSwitchCommand`.
 *
 * Not supported: Twisted's `Descriptor` argument type (passing open file descriptors over a UNIX
 * socket). It needs `SCM_RIGHTS` ancillary data, which Node's sockets can neither send nor
 * receive, so reed has no `Descriptor`. A Twisted peer's `Descriptor` arrives as a bare integer
 * ordinal (declare it `Integer()` to accept the command) with no descriptor behind it.
 */
export {
  ANSWER,
  ASK,
  COMMAND,
  ERROR,
  ERROR_CODE,
  ERROR_DESCRIPTION,
  MAX_KEY_LENGTH,
  MAX_VALUE_LENGTH,
  UNHANDLED_ERROR_CODE,
  UNKNOWN_ERROR_CODE,
  BoxParser,
  box,
  parseString,
  serializeBox,
  type AmpBox,
} from "./box.js";
export { DateTimeValue, DecimalValue, pythonFloatRepr, parsePythonFloat, type DecimalKind } from "./values.js";
export {
  AmpList,
  Boolean,
  DateTime,
  Decimal,
  Float,
  Integer,
  ListOf,
  LocalArgument,
  Path,
  String,
  Unicode,
  boxToObject,
  objectToBox,
  type Argument,
  type ArgumentOptions,
  type ObjectOf,
  type Schema,
  type ValueOf,
} from "./arguments.js";
export { command, type ArgumentsOf, type Command, type CommandSpec, type ErrorClass, type Eventually, type ResponderHost, type ResponseOf } from "./command.js";
export { StartTLS, type LocalCertificate } from "./start-tls.js";
export { ProtocolSwitchCommand, type ProtocolSwitchCommandSpec, type ProtocolSwitchFactory } from "./protocol-switch.js";
export {
  AMP,
  CommandLocator,
  type AMPOptions,
  type BoxResponder,
  type CallParameters,
  type CallResult,
  type IResponderLocator,
  type Responder,
  type ResponderResult,
} from "./amp.js";
