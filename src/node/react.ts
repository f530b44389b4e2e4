/**
 * `react` for Node scripts: the core `react` on the default reactor, setting `process.exitCode`.
 */
import type { Deferred } from "../deferred.js";
import { react as coreReact } from "../task/react.js";
import { reactor as defaultReactor, type NodeReactor } from "./reactor.js";

/**
 * Calls `main(reactor, ...argv)`, runs the reactor until the Deferred/Promise it returns fires,
 * stops it, and sets `process.exitCode` (0 on success, 1 on failure after logging it, or the
 * error's numeric `exitCode`). The process then exits by itself once nothing else keeps it alive
 * (reed does not call `process.exit()`, so buffered output is not lost).
 * @param argv extra arguments for `main` (default none).
 * @param reactor the reactor to run (default: the default `reactor`).
 * @returns a Deferred of the exit code, fired after shutdown.
 *
 * @example
 * react(async (reactor) => { await deferLater(reactor, 1); console.log("done"); });
 */
export function react<A extends unknown[]>(
  main: (reactor: NodeReactor, ...argv: A) => unknown,
  argv?: A,
  reactor: NodeReactor = defaultReactor,
): Deferred<number> {
  return coreReact(main, argv ?? ([] as unknown as A), reactor).addCallback((code) => {
    process.exitCode = code;
    return code;
  });
}
