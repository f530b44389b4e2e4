/**
 * ProcessProtocol: the event handler for a child process (`spawnProcess` in `reed/node`), and the
 * transport it talks to the child through. Platform-neutral: no `node:` imports.
 */
import type { Failure } from "../failure.js";
import type { IPullProducer, IPushProducer } from "../interfaces.js";

/** A child process as its protocol sees it (Twisted's `IProcessTransport`). */
export interface IProcessTransport {
  /** The child's process id; null once the process has exited (or if it never started). */
  readonly pid: number | null;
  /** Writes bytes to the child's stdin. A string is an error: encode it yourself. */
  write(data: Uint8Array): void;
  /** Writes several chunks to stdin. */
  writeSequence(data: Iterable<Uint8Array>): void;
  /** Writes bytes to one of the child's file descriptors that the parent writes to (0 = stdin). */
  writeToChild(childFD: number, data: Uint8Array): void;
  /** Closes the child's stdin once what was written has been flushed (the child then sees EOF). */
  closeStdin(): void;
  /** Stops reading the child's stdout (the child may get SIGPIPE when it writes). */
  closeStdout(): void;
  /** Stops reading the child's stderr. */
  closeStderr(): void;
  /** Closes one of the pipes to the child. */
  closeChildFD(childFD: number): void;
  /** Closes stdin, stdout and stderr (the child is not killed: use `signalProcess`). */
  loseConnection(): void;
  /**
   * Attaches a producer of the child's stdin (Twisted's `Process.registerProducer`): a streaming
   * one is paused while the pipe's buffer is full and resumed when it drains; a pull one is asked
   * for a chunk now and another each time the buffer has emptied. While it is registered, a
   * `closeStdin()` waits for it as `loseConnection()` waits on a TCP transport; one still
   * registered when stdin closes is told `stopProducing()`. Without a stdin pipe (or once it is
   * closed) the producer is told `stopProducing()` at once.
   * @throws ProducerAlreadyRegistered when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Detaches the stdin producer (it is not told anything); a pending `closeStdin()` then goes ahead. */
  unregisterProducer(): void;
  /**
   * Sends a signal: `"TERM"`, `"KILL"`, `"INT"`, `"HUP"`... (with or without the `SIG` prefix) or
   * its number.
   * @throws ProcessExitedAlready when the process has already exited.
   */
  signalProcess(signal: string | number): void;
}

/**
 * Base class for child-process protocols: override the events you care about. Events arrive in
 * this order: `connectionMade`; `outReceived`/`errReceived` (via `childDataReceived`) and the
 * `*ConnectionLost` events as pipes close; `processExited(reason)` when the process has exited;
 * `processEnded(reason)` last, once it has exited *and* every pipe is closed. `reason` is a Failure
 * of `ProcessDone` (exit code 0) or `ProcessTerminated` (`exitCode`, or `signal` when a signal
 * ended it; a process that could not start at all, e.g. a missing executable, also ends this way).
 *
 * @example
 * class Collect extends ProcessProtocol {
 *   out = "";
 *   override outReceived(data: Uint8Array) { this.out += new TextDecoder().decode(data); }
 *   override processEnded(reason: Failure) { console.log(this.out, reason.value); }
 * }
 */
export class ProcessProtocol {
  /** The child process; set by `makeConnection` before `connectionMade()`. */
  transport!: IProcessTransport;
  /** True between `makeConnection` and `processEnded`. */
  connected = false;

  /** Connects to the process transport and calls `connectionMade()`. `spawnProcess` calls this. */
  makeConnection(transport: IProcessTransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The process has been started: `this.transport` can be written to. */
  connectionMade(): void {}

  /** Bytes arrived from the child's file descriptor `childFD`: 1 goes to `outReceived`, 2 to `errReceived`. */
  childDataReceived(childFD: number, data: Uint8Array): void {
    if (childFD === 1) this.outReceived(data);
    else if (childFD === 2) this.errReceived(data);
  }

  /** Bytes arrived on the child's stdout. */
  outReceived(_data: Uint8Array): void {}

  /** Bytes arrived on the child's stderr. */
  errReceived(_data: Uint8Array): void {}

  /** The pipe for `childFD` closed: 0 goes to `inConnectionLost`, 1 to `outConnectionLost`, 2 to `errConnectionLost`. */
  childConnectionLost(childFD: number): void {
    if (childFD === 0) this.inConnectionLost();
    else if (childFD === 1) this.outConnectionLost();
    else if (childFD === 2) this.errConnectionLost();
  }

  /** The child's stdin was closed. */
  inConnectionLost(): void {}

  /** The child's stdout was closed. */
  outConnectionLost(): void {}

  /** The child's stderr was closed. */
  errConnectionLost(): void {}

  /** The process exited (some pipes may still be open). */
  processExited(_reason: Failure): void {}

  /** The process exited and all its pipes are closed: the last event. */
  processEnded(_reason: Failure): void {}
}
