/**
 * react: run a reactor until the work `main` returns is finished (Twisted's `task.react`).
 */
import { maybeDeferred, type Deferred } from "../deferred.js";
import { ReactorNotRunning } from "../errors.js";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import type { ReactorCore } from "../interfaces.js";

const log = new Logger("reed.task.react");

/**
 * Calls `main(reactor, ...argv)`, runs `reactor` until the Deferred (or Promise) `main` returns
 * has fired, stops the reactor once (and at the right time), logs a failure, and reports an exit
 * code: 0 on success, 1 on failure, or the failure's numeric `exitCode` property if it has one
 * (JavaScript's stand-in for Python's `SystemExit(code)`).
 *
 * The core version does not exit the process (it has no process to exit): it returns a Deferred
 * that fires with the exit code once the reactor has shut down. `react` from `reed/node` uses the
 * default reactor and sets `process.exitCode`.
 *
 * If the reactor is stopped by someone else (Ctrl-C) before `main`'s work is done, the exit code
 * comes from that work when it finishes during shutdown, else 0.
 * @returns a Deferred of the exit code, fired after the reactor's `run()` has completed.
 */
export function react<R extends ReactorCore, A extends unknown[]>(
  main: (reactor: R, ...argv: A) => unknown,
  argv: A,
  reactor: R,
): Deferred<number> {
  let code = 0;
  let stopping = false;
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    stopping = true;
  });
  const stop = (result: unknown, stopReactor: boolean): void => {
    // The code is settled before stopping: a reactor may finish shutting down inside stop().
    if (result instanceof Failure) {
      const exitCode = (result.value as { exitCode?: unknown } | null)?.exitCode;
      if (typeof exitCode === "number") code = exitCode;
      else {
        log.failure("main function encountered error", result);
        code = 1;
      }
    }
    if (stopReactor) {
      try {
        reactor.stop();
      } catch (e) {
        if (!(e instanceof ReactorNotRunning)) throw e;
      }
    }
  };
  const finished = maybeDeferred(() => main(reactor, ...argv)) as Deferred<unknown>;
  finished.addBoth((result) => {
    if (stopping) stop(result, false);
    else reactor.callWhenRunning(stop, result, true);
  });
  return reactor.run().addCallback(() => code);
}

