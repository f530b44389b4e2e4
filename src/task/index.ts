/**
 * task: scheduling tools built on a clock: LoopingCall, deferLater, Cooperator, react.
 * (Core: nothing here imports `node:`; pass the reactor or clock in.)
 */
export { LoopingCall, type LoopingCallStopOptions } from "./looping-call.js";
export { deferLater } from "./defer-later.js";
export {
  Cooperator,
  CooperativeTask,
  coiterate,
  cooperate,
  defaultTerminationPredicateFactory,
  type CooperatorOptions,
  type CooperatorScheduler,
  type TerminationPredicateFactory,
} from "./cooperator.js";
export { react } from "./react.js";
