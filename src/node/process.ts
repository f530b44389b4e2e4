/**
 * Child processes, Twisted-style: `spawnProcess` runs a program and drives a `ProcessProtocol`
 * with its output, pipe closures and exit; `getProcessOutput`/`getProcessOutputAndValue` wrap the
 * common cases in a Deferred.
 *
 * Invariants:
 * - Nothing a child does becomes an uncaught exception: a missing executable, a crash or a signal
 *   reaches the protocol as `processExited`/`processEnded` with a Failure, and pipe errors (EPIPE
 *   when the child stops reading) close that pipe.
 * - `processExited` and `processEnded` are each called exactly once, in that order, and
 *   `processEnded` comes after every `childConnectionLost`.
 * - Exceptions thrown by the protocol's own handlers are logged, not re-thrown into Node's event
 *   emitters (which would crash the process).
 * - The pipes the parent writes to (stdin, and any `"w"` descriptor) follow the producer rule
 *   every reed transport shares (through `PipeWriter`, Twisted's `ProcessWriter`): closing one
 *   (`closeStdin`, `closeChildFD`, `loseConnection`) waits for its buffer to empty, a pull
 *   producer or a paused streaming producer registered on stdin is asked to resume each time it
 *   does and holds the close, and a producer still registered when stdin closes (or the child
 *   goes away) is told `stopProducing()` before `childConnectionLost(0)`.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import type { Readable, Writable } from "node:stream";
import { Deferred } from "../deferred.js";
import { Failure } from "../failure.js";
import { Logger } from "../logger.js";
import type { IPullProducer, IPushProducer, ReactorTime } from "../interfaces.js";
import { PipeWriter } from "./_pipe-writer.js";
import { ConnectionLost, ProcessDone, ProcessExitedAlready, ProcessStderrOutput, ProcessTerminated } from "../errors.js";
import { ProcessProtocol, type IProcessTransport } from "../protocols/process-protocol.js";

const log = new Logger("reed.process");

/**
 * Options for `spawnProcess`. `env` follows Twisted on POSIX: left out, the child gets an *empty*
 * environment; `null` passes this process's environment; an object is the complete environment.
 */
export interface SpawnProcessOptions {
  /** The child's environment (see above). */
  env?: Readonly<Record<string, string>> | null;
  /** The working directory (default: this process's). */
  path?: string;
  /** Run as this user id (needs privileges). */
  uid?: number;
  /** Run as this group id (needs privileges). */
  gid?: number;
  /**
   * How to set up the child's file descriptors, Twisted's mapping: `"w"` = a pipe the parent writes
   * to, `"r"` = a pipe the parent reads from, a number = give the child that descriptor of ours.
   * Descriptors left out are closed in the child. Default `{0: "w", 1: "r", 2: "r"}`.
   */
  childFDs?: Readonly<Record<number, "r" | "w" | number>>;
}

function signalNumber(name: string | null): number | null {
  if (!name) return null;
  return (constants.signals as Record<string, number | undefined>)[name] ?? null;
}

function signalName(sig: string | number): NodeJS.Signals | number {
  if (typeof sig === "number") return sig;
  const upper = sig.toUpperCase();
  return (upper.startsWith("SIG") ? upper : `SIG${upper}`) as NodeJS.Signals;
}

/** Runs a protocol callback, logging (not throwing) its errors. */
function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    log.failure("A process protocol's {what} failed", Failure.from(e), { what });
  }
}

/** The transport `spawnProcess` gives a `ProcessProtocol`. */
class ProcessTransport implements IProcessTransport {
  pid: number | null;
  private exited = false;
  private exitReason: Failure | null = null;
  private readonly open = new Set<number>();
  private readonly lost = new Set<number>();
  /** The pipes the parent writes to, by child descriptor. */
  private readonly writers = new Map<number, PipeWriter>();
  private ended = false;
  private closed = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly proto: ProcessProtocol,
    private readonly fds: Readonly<Record<number, "r" | "w" | number>>,
  ) {
    this.pid = child.pid ?? null;
    for (const [key, kind] of Object.entries(fds)) {
      const fd = Number(key);
      const stream = child.stdio[fd] as (Readable & Writable) | null | undefined;
      if (!stream || typeof kind === "number") continue;
      this.open.add(fd);
      if (kind === "w") {
        // Its errors (EPIPE once the child stops reading) and its closing end the writer.
        this.writers.set(fd, new PipeWriter(stream, true, `The pipe to child descriptor ${fd}`, () => this.pipeClosed(fd)));
        continue;
      }
      // Pipe errors (ECONNRESET) just close the pipe.
      stream.on("error", () => stream.destroy());
      stream.on("close", () => this.pipeClosed(fd));
      stream.on("data", (chunk: Uint8Array) => safely("childDataReceived", () => proto.childDataReceived(fd, chunk)));
    }
    child.on("error", (err) => this.failedToStart(err));
    child.on("exit", (code, signal) => this.processExited(code, signal));
    child.on("close", () => {
      this.closed = true;
      this.maybeEnded();
    });
  }

  write(data: Uint8Array): void {
    this.writeToChild(0, data);
  }

  writeSequence(data: Iterable<Uint8Array>): void {
    for (const chunk of data) this.writeToChild(0, chunk);
  }

  writeToChild(childFD: number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`Data must be bytes (Uint8Array): got ${typeof data}`);
    const stream = this.child.stdio[childFD] as Writable | null | undefined;
    if (!stream || this.fds[childFD] !== "w") throw new RangeError(`Child file descriptor ${childFD} is not a pipe the parent writes to`);
    this.writers.get(childFD)?.write(data);
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    const w = this.writers.get(0);
    if (w === undefined) producer.stopProducing();
    else w.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.writers.get(0)?.unregisterProducer();
  }

  closeStdin(): void {
    this.closeChildFD(0);
  }

  closeStdout(): void {
    this.closeChildFD(1);
  }

  closeStderr(): void {
    this.closeChildFD(2);
  }

  closeChildFD(childFD: number): void {
    const w = this.writers.get(childFD);
    if (w !== undefined) {
      w.loseConnection();
      return;
    }
    (this.child.stdio[childFD] as Readable | null | undefined)?.destroy();
  }

  loseConnection(): void {
    this.closeStdin();
    this.closeStderr();
    this.closeStdout();
  }

  signalProcess(signal: string | number): void {
    if (this.exited || this.pid === null) throw new ProcessExitedAlready();
    this.child.kill(signalName(signal));
  }

  // --- events ------------------------------------------------------------------------------------

  private pipeClosed(fd: number): void {
    if (this.lost.has(fd)) return;
    this.lost.add(fd);
    safely("childConnectionLost", () => this.proto.childConnectionLost(fd));
    this.maybeEnded();
  }

  private failedToStart(err: Error): void {
    // 'error' also reports a failed kill() or a write after exit; only a spawn failure ends things.
    if (this.pid !== null || this.exited) {
      log.debug("Child process error: {message}", { message: err.message });
      return;
    }
    this.exit(new Failure(new ProcessTerminated(null, null, null, err)));
    // No streams will close on their own after a failed spawn.
    for (const fd of this.open) {
      this.writers.get(fd)?.connectionLost(new Failure(new ConnectionLost("The child process never started")));
      (this.child.stdio[fd] as Readable | null)?.destroy();
    }
    this.closed = true;
    this.maybeEnded();
  }

  private processExited(code: number | null, signal: NodeJS.Signals | null): void {
    const reason =
      code === 0 ? new ProcessDone(0) : new ProcessTerminated(signal ? null : code, signalNumber(signal), signal);
    this.exit(new Failure(reason));
  }

  private exit(reason: Failure): void {
    if (this.exited) return;
    this.exited = true;
    this.exitReason = reason;
    this.pid = null;
    safely("processExited", () => this.proto.processExited(reason));
    this.maybeEnded();
  }

  private maybeEnded(): void {
    if (this.ended || !this.exited || !this.closed) return;
    this.ended = true;
    // The child is gone: a stdin pipe the child can no longer read counts as lost now (a producer
    // on it is stopped first).
    for (const fd of this.open) {
      if (this.lost.has(fd)) continue;
      const w = this.writers.get(fd);
      if (w !== undefined) {
        w.connectionLost(new Failure(new ConnectionLost("The child process has ended")));
        (this.child.stdio[fd] as Writable | null)?.destroy();
      } else {
        (this.child.stdio[fd] as Readable | null)?.destroy();
        this.lost.add(fd);
        safely("childConnectionLost", () => this.proto.childConnectionLost(fd));
      }
    }
    this.proto.connected = false;
    const reason = this.exitReason!;
    safely("processEnded", () => this.proto.processEnded(reason));
  }
}

/**
 * Starts `executable` with `args` as its argv (Twisted's convention: `args[0]` is the program's
 * `argv[0]`, usually its name) and connects `processProtocol` to it; `connectionMade` runs before
 * this returns. The executable is looked up in the child's `PATH` when it has no slash.
 *
 * Failures never throw: a missing executable ends the protocol with a `ProcessTerminated` whose
 * `cause` is the spawn error; a non-zero exit or a signal ends it with `ProcessTerminated`; exit
 * code 0 with `ProcessDone`.
 *
 * @param reactor the reactor the process belongs to (its events run on the reactor thread).
 * @returns the transport (also `processProtocol.transport`).
 */
export function spawnProcess(
  _reactor: ReactorTime,
  processProtocol: ProcessProtocol,
  executable: string,
  args: readonly string[] = [executable],
  options: SpawnProcessOptions = {},
): IProcessTransport {
  return start(processProtocol, executable, args, options);
}

// Node delivers a child's events on the main (reactor) thread by itself; the reactor is taken for
// Twisted's signature and for what a reactor may later track (e.g. killing children at shutdown).
function start(processProtocol: ProcessProtocol, executable: string, args: readonly string[], options: SpawnProcessOptions): IProcessTransport {
  const fds = options.childFDs ?? { 0: "w", 1: "r", 2: "r" };
  const maxFD = Math.max(2, ...Object.keys(fds).map(Number));
  const stdio: StdioOptions = [];
  for (let fd = 0; fd <= maxFD; fd++) {
    const kind = fds[fd];
    stdio.push(kind === undefined ? "ignore" : typeof kind === "number" ? kind : "pipe");
  }
  const env = options.env === undefined ? {} : options.env === null ? process.env : { ...options.env };
  const child = spawn(executable, args.slice(1), {
    argv0: args[0] ?? executable,
    env,
    cwd: options.path,
    uid: options.uid,
    gid: options.gid,
    stdio,
    windowsHide: true,
  });
  const transport = new ProcessTransport(child, processProtocol, fds);
  processProtocol.makeConnection(transport);
  return transport;
}

/** Gathers stdout (and stderr too, or fails on stderr) for `getProcessOutput`. */
class OutputCollector extends ProcessProtocol {
  private readonly chunks: Uint8Array[] = [];
  private deferred: Deferred<Uint8Array> | null;
  private onProcessEnded: Deferred<unknown> | null = null;

  constructor(deferred: Deferred<Uint8Array>, private readonly errortoo: boolean) {
    super();
    this.deferred = deferred;
  }

  override outReceived(data: Uint8Array): void {
    this.chunks.push(data);
  }

  override errReceived(data: Uint8Array): void {
    if (this.errortoo) {
      this.chunks.push(data);
      return;
    }
    const d = this.deferred;
    if (d === null) return;
    this.deferred = null;
    this.onProcessEnded = new Deferred<unknown>();
    d.errback(new Failure(new ProcessStderrOutput(new TextDecoder().decode(data), this.onProcessEnded)));
    this.transport.loseConnection();
  }

  override processEnded(reason: Failure): void {
    if (this.deferred) this.deferred.callback(Buffer.concat(this.chunks));
    else if (this.onProcessEnded) this.onProcessEnded.errback(reason);
  }
}

/**
 * Runs `executable` with `args` (not counting argv[0]: the executable's name is used) and fires
 * with everything it wrote to stdout, as bytes, once it has ended, whatever its exit code.
 * Output on stderr fails the Deferred at once with `ProcessStderrOutput` (whose `processEnded`
 * Deferred fails with the end reason later) and closes the pipes, unless `errortoo` is set, in
 * which case stderr is collected together with stdout. `env` as in `spawnProcess` (left out = an
 * empty environment, null = this process's).
 */
export function getProcessOutput(
  executable: string,
  args: readonly string[] = [],
  env?: Readonly<Record<string, string>> | null,
  path?: string,
  _reactor?: ReactorTime,
  errortoo = false,
): Deferred<Uint8Array> {
  const d = new Deferred<Uint8Array>();
  start(new OutputCollector(d, errortoo), executable, [executable, ...args], spawnOptions(env, path));
  return d;
}

/** Collects stdout, stderr and the exit code for `getProcessOutputAndValue`. */
class EverythingCollector extends ProcessProtocol {
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];

  constructor(
    private readonly deferred: Deferred<[Uint8Array, Uint8Array, number]>,
    private readonly stdinBytes: Uint8Array | undefined,
  ) {
    super();
  }

  override connectionMade(): void {
    if (this.stdinBytes !== undefined) {
      this.transport.writeToChild(0, this.stdinBytes);
      this.transport.closeStdin();
    }
  }

  override outReceived(data: Uint8Array): void {
    this.out.push(data);
  }

  override errReceived(data: Uint8Array): void {
    this.err.push(data);
  }

  override processEnded(reason: Failure): void {
    const e = reason.value as ProcessDone | ProcessTerminated;
    const out = Buffer.concat(this.out);
    const err = Buffer.concat(this.err);
    if (e.signal) this.deferred.errback(new Failure([out, err, e.signal]));
    else if (e instanceof ProcessTerminated && e.cause !== undefined) this.deferred.errback(reason);
    else this.deferred.callback([out, err, e.exitCode ?? -1]);
  }
}

/**
 * Runs `executable` with `args` (not counting argv[0]) and fires with `[stdout, stderr, exitCode]`
 * once it has ended. Killed by a signal, it fails with the array `[stdout, stderr, signalNumber]`
 * as the Failure's value (Twisted's tuple); an executable that cannot start fails with
 * `ProcessTerminated`. `stdinBytes`, when given, is written to the child's stdin, which is then
 * closed.
 */
export function getProcessOutputAndValue(
  executable: string,
  args: readonly string[] = [],
  env?: Readonly<Record<string, string>> | null,
  path?: string,
  _reactor?: ReactorTime,
  stdinBytes?: Uint8Array,
): Deferred<[Uint8Array, Uint8Array, number]> {
  const d = new Deferred<[Uint8Array, Uint8Array, number]>();
  start(new EverythingCollector(d, stdinBytes), executable, [executable, ...args], spawnOptions(env, path));
  return d;
}

/** Runs `executable` and fires with its exit code (Twisted's `getProcessValue`); a signal gives the ProcessTerminated's null. */
export function getProcessValue(
  executable: string,
  args: readonly string[] = [],
  env?: Readonly<Record<string, string>> | null,
  path?: string,
  _reactor?: ReactorTime,
): Deferred<number | null> {
  const d = new Deferred<number | null>();
  class ValueGetter extends ProcessProtocol {
    override processEnded(reason: Failure): void {
      d.callback((reason.value as ProcessDone | ProcessTerminated).exitCode);
    }
  }
  start(new ValueGetter(), executable, [executable, ...args], spawnOptions(env, path));
  return d;
}

function spawnOptions(env: Readonly<Record<string, string>> | null | undefined, path: string | undefined): SpawnProcessOptions {
  const o: SpawnProcessOptions = { env };
  if (env === undefined) delete o.env;
  if (path !== undefined) o.path = path;
  return o;
}
