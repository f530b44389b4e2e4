/**
 * Every error class reed exports from its core. Each has a stable `code` beside its `name`, and a
 * message in one voice: sentence case, what went wrong, then the detail after a colon.
 *
 * Area modules (networking, channels, threads) add their own errors here, in their own section.
 */

/** Base class of reed's errors: a `name` equal to the class name and a stable machine-readable `code`. */
export class ReedError extends Error {
  /** A stable identifier for this kind of error, e.g. `"ERR_REED_ALREADY_CALLED"`. */
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

// --- Deferred ---------------------------------------------------------------------------------

/** Thrown by `Deferred.callback()`/`errback()` when the Deferred has already been fired. */
export class AlreadyCalledError extends ReedError {
  constructor(detail = "") {
    super(detail ? `Deferred has already been called: ${detail}` : "Deferred has already been called", "ERR_REED_ALREADY_CALLED");
  }
}

/** The failure a Deferred gets when it is cancelled and its canceller did not fire it. */
export class CancelledError extends ReedError {
  constructor(message = "") {
    super(message, "ERR_REED_CANCELLED");
  }
}

/**
 * A Deferred (or an operation) did not finish in time. `Deferred.addTimeout` uses it with the
 * message `"(10, 'Deferred')"`-style detail Twisted gives: the timeout and what timed out.
 */
export class TimeoutError extends ReedError {
  /** The timeout in seconds, when known. */
  readonly timeout: number | undefined;
  constructor(message = "User timeout caused connection failure.", timeout?: number) {
    super(message, "ERR_REED_TIMEOUT");
    this.timeout = timeout;
  }
}

/**
 * `DeferredList(..., {fireOnOneErrback: true})` and `gatherResults` fail with this: the first
 * member that failed, by `index`, and its `subFailure`.
 */
export class FirstError extends ReedError {
  /** The index of the failed Deferred in the list. */
  readonly index: number;
  /** The member's Failure (typed loosely here to keep errors.ts free of imports). */
  readonly subFailure: { getErrorMessage(): string; value: unknown };
  constructor(subFailure: { getErrorMessage(): string; value: unknown }, index: number) {
    super(`FirstError[#${index}, ${subFailure.getErrorMessage()}]`, "ERR_REED_FIRST_ERROR", { cause: subFailure.value });
    this.index = index;
    this.subFailure = subFailure;
  }
}

/** `race()` fails with this when every member failed; `failures` are in list order. */
export class FailureGroup extends ReedError {
  /** One Failure per member, in list order. */
  readonly failures: ReadonlyArray<{ getErrorMessage(): string; value: unknown }>;
  constructor(failures: ReadonlyArray<{ getErrorMessage(): string; value: unknown }>) {
    super(`Every Deferred in the race failed: ${failures.length} failures`, "ERR_REED_FAILURE_GROUP");
    this.failures = failures;
  }
}

/** `DeferredQueue.put()` when the queue holds `size` items already. */
export class QueueOverflow extends ReedError {
  constructor(size: number) {
    super(`Queue is full: size ${size}`, "ERR_REED_QUEUE_OVERFLOW");
  }
}

/** `DeferredQueue.get()` when `backlog` getters are already waiting. */
export class QueueUnderflow extends ReedError {
  constructor(backlog: number) {
    super(`Too many pending gets: backlog ${backlog}`, "ERR_REED_QUEUE_UNDERFLOW");
  }
}

// --- Time -------------------------------------------------------------------------------------

/** `DelayedCall.cancel/reset/delay` on a call that has already run. */
export class AlreadyCalled extends ReedError {
  constructor() {
    super("Tried to cancel an already-called event.", "ERR_REED_ALREADY_CALLED_EVENT");
  }
}

/** `DelayedCall.cancel/reset/delay` on a call that has already been cancelled. */
export class AlreadyCancelled extends ReedError {
  constructor() {
    super("Tried to cancel an already-cancelled event.", "ERR_REED_ALREADY_CANCELLED_EVENT");
  }
}

// --- Connections ------------------------------------------------------------------------------

/** A connection was closed cleanly (by either side): `connectionLost(reason)` with this is normal. */
export class ConnectionDone extends ReedError {
  constructor(message = "Connection was closed cleanly.") {
    super(message, "ERR_REED_CONNECTION_DONE");
  }
}

/** A connection was lost in a non-clean fashion (reset, aborted, or broken mid-stream). */
export class ConnectionLost extends ReedError {
  constructor(message = "Connection to the other side was lost in a non-clean fashion.", options?: { cause?: unknown }) {
    super(message, "ERR_REED_CONNECTION_LOST", options);
  }
}

/** Base class of failures to establish a connection (refused, timed out, DNS, aborted...). */
export class ConnectError extends ReedError {
  constructor(message = "An error occurred while connecting", code = "ERR_REED_CONNECT", options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/** The peer refused the connection (nothing listening there). */
export class ConnectionRefusedError extends ConnectError {
  constructor(message = "Connection was refused by other side", options?: { cause?: unknown }) {
    super(message, "ERR_REED_CONNECTION_REFUSED", options);
  }
}

/** The host name could not be resolved. */
export class DNSLookupError extends ConnectError {
  constructor(message = "DNS lookup failed", options?: { cause?: unknown }) {
    super(message, "ERR_REED_DNS_LOOKUP", options);
  }
}

/** The user stopped a connection attempt (`connector.stopConnecting()`). */
export class UserError extends ConnectError {
  constructor(message = "User aborted connection") {
    super(message, "ERR_REED_USER_ABORTED");
  }
}

/** A port could not be bound (address in use, permission denied...). */
export class CannotListenError extends ReedError {
  constructor(
    /** The interface asked for. */
    readonly iface: string,
    /** The port asked for. */
    readonly port: number | string,
    cause: unknown,
  ) {
    super(`Couldn't listen on ${iface || "any"}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, "ERR_REED_CANNOT_LISTEN", { cause });
  }
}

// --- Threads ----------------------------------------------------------------------------------

/** `deferToThread` on a thread pool that has been stopped (or a queued job the stop discarded). */
export class ThreadPoolStopped extends ReedError {
  constructor(detail = "") {
    super(detail ? `Thread pool is stopped: ${detail}` : "Thread pool is stopped", "ERR_REED_THREAD_POOL_STOPPED");
  }
}

/**
 * A value could not cross between threads: an argument (or a `blockingCallFromThread` result) sent
 * to a worker, or a result sent back, is not structured-clonable (a function, a class instance with
 * private state, a symbol...). `cause` is the underlying `DataCloneError`.
 */
export class ThreadCloneError extends ReedError {
  constructor(
    /** Which way the value was going: `"to worker"` (arguments) or `"from worker"` (a result). */
    readonly direction: "to worker" | "from worker",
    cause: unknown,
  ) {
    super(
      `Cannot send a value ${direction === "to worker" ? "to" : "from"} a worker thread: ${cause instanceof Error ? cause.message : String(cause)}`,
      "ERR_REED_THREAD_CLONE",
      { cause },
    );
  }
}

/** The worker thread running a job died (it called `process.exit`, or an error escaped its job). */
export class WorkerThreadExited extends ReedError {
  constructor(
    /** The worker's exit code. */
    readonly exitCode: number,
    cause?: unknown,
  ) {
    super(`Worker thread exited while running a job: exit code ${exitCode}`, "ERR_REED_WORKER_THREAD_EXITED", { cause });
  }
}

/**
 * `callFromThread`/`blockingCallFromThread` called where they cannot work: outside a pool job, or
 * in a job started without `handlers`.
 */
export class NotInThreadJob extends ReedError {
  constructor(detail: string) {
    super(`Cannot reach the reactor thread: ${detail}`, "ERR_REED_NOT_IN_THREAD_JOB");
  }
}

// --- Processes --------------------------------------------------------------------------------

/**
 * A child process ended with exit code 0: `processEnded(reason)` / `processExited(reason)` with this
 * is normal. Like Twisted's, it is a kind of `ConnectionDone`.
 */
export class ProcessDone extends ConnectionDone {
  /** Always 0. */
  readonly exitCode = 0;
  /** Always null. */
  readonly signal = null;
  constructor(
    /** The raw status (here: the exit code, 0). */
    readonly status: number = 0,
  ) {
    super("A process has ended without apparent errors: process finished with exit code 0.");
    Object.defineProperty(this, "code", { value: "ERR_REED_PROCESS_DONE" });
  }
}

/**
 * A child process ended with a non-zero exit code or was killed by a signal. Like Twisted's, it is
 * a kind of `ConnectionLost`.
 */
export class ProcessTerminated extends ConnectionLost {
  constructor(
    /** The exit code, or null when a signal ended the process. */
    readonly exitCode: number | null = null,
    /** The number of the signal that ended it (9 for SIGKILL), or null. */
    readonly signal: number | null = null,
    /** The signal's name (`"SIGKILL"`), or null. */
    readonly signalName: string | null = null,
    /** Why the process could not run at all (e.g. the executable was not found), if that is what happened. */
    cause?: unknown,
  ) {
    super(
      `A process has ended with a probable error condition: ${
        cause !== undefined
          ? `process could not be started: ${cause instanceof Error ? cause.message : String(cause)}`
          : signal !== null
            ? `process ended by signal ${signal}${signalName ? ` (${signalName})` : ""}.`
            : `process ended with exit code ${exitCode}.`
      }`,
      cause === undefined ? undefined : { cause },
    );
    Object.defineProperty(this, "code", { value: "ERR_REED_PROCESS_TERMINATED" });
  }
}

/** An operation (signalling, writing) on a process that has already exited. */
export class ProcessExitedAlready extends ReedError {
  constructor() {
    super("Process has already exited: the operation can no longer be performed", "ERR_REED_PROCESS_EXITED_ALREADY");
  }
}

/**
 * `getProcessOutput` saw output on the child's stderr (and `errortoo` was not set). `output` is
 * the stderr text so far; the Deferred fails as soon as it arrives, like Twisted's `IOError`.
 */
export class ProcessStderrOutput extends ReedError {
  constructor(
    /** The first stderr output received. */
    readonly output: string,
    /** Fires (with the process's end reason as a failure) once the child has ended; a Deferred. */
    readonly processEnded: PromiseLike<unknown> | null = null,
  ) {
    super(`Process wrote to stderr: ${JSON.stringify(output.length > 200 ? output.slice(0, 200) + "..." : output)}`, "ERR_REED_PROCESS_STDERR");
  }
}

// --- Reactor ----------------------------------------------------------------------------------

/** `reactor.stop()` when the reactor is not running (never started, or already stopping/stopped). */
export class ReactorNotRunning extends ReedError {
  constructor(message = "Can't stop reactor that isn't running.") {
    super(message, "ERR_REED_REACTOR_NOT_RUNNING");
  }
}

/** `reactor.run()` on a reactor that has already run and stopped: make a fresh reactor instead. */
export class ReactorNotRestartable extends ReedError {
  constructor(message = "Reactor cannot be restarted: it has already run; create a new reactor") {
    super(message, "ERR_REED_REACTOR_NOT_RESTARTABLE");
  }
}

/** `reactor.run()` while the reactor is already running. */
export class ReactorAlreadyRunning extends ReedError {
  constructor(message = "Reactor is already running") {
    super(message, "ERR_REED_REACTOR_ALREADY_RUNNING");
  }
}

// --- Task (LoopingCall, Cooperator) ------------------------------------------------------------

/** `LoopingCall.start()` on a loop that is running, or `stop()`/`reset()` on one that is not. */
export class LoopingCallStateError extends ReedError {
  constructor(message: string) {
    super(message, "ERR_REED_LOOPING_CALL_STATE");
  }
}

/** Base class of Cooperator errors: the scheduler or one of its tasks is in the wrong state. */
export class SchedulerError extends ReedError {
  constructor(message = "Scheduler error", code = "ERR_REED_SCHEDULER") {
    super(message, code);
  }
}

/** A task's `whenDone()` fails with this when its Cooperator was stopped before the task finished. */
export class SchedulerStopped extends SchedulerError {
  constructor(message = "Cooperator was stopped") {
    super(message, "ERR_REED_SCHEDULER_STOPPED");
  }
}

/** Base class for operations on a task that has finished (completed, stopped or failed). */
export class TaskFinished extends SchedulerError {
  constructor(message = "Task has finished", code = "ERR_REED_TASK_FINISHED") {
    super(message, code);
  }
}

/** `pause()`/`stop()` on a task whose iterator is exhausted. */
export class TaskDone extends TaskFinished {
  constructor(message = "Task has already completed") {
    super(message, "ERR_REED_TASK_DONE");
  }
}

/** `pause()`/`stop()` on a task that was stopped; also the failure its `whenDone()` gets. */
export class TaskStopped extends TaskFinished {
  constructor(message = "Task was stopped") {
    super(message, "ERR_REED_TASK_STOPPED");
  }
}

/** `pause()`/`stop()` on a task whose iterator threw (or yielded a Deferred that failed). */
export class TaskFailed extends TaskFinished {
  constructor(message = "Task failed with an unhandled error") {
    super(message, "ERR_REED_TASK_FAILED");
  }
}

/** `resume()` on a task that is not paused. */
export class NotPaused extends SchedulerError {
  constructor(message = "Task is not paused") {
    super(message, "ERR_REED_NOT_PAUSED");
  }
}

// --- Testing ----------------------------------------------------------------------------------

/**
 * A test left the reactor dirty: pending DelayedCalls, listening ports or open connections.
 * `leftovers` lists each one with where it was created (trial's `DirtyReactorAggregateError`).
 */
export class DirtyReactorAggregateError extends ReedError {
  /** One description per thing left behind, creator stack included. */
  readonly leftovers: readonly string[];
  constructor(leftovers: readonly string[]) {
    super(`Reactor was unclean: ${leftovers.length} left behind\n${leftovers.join("\n")}`, "ERR_REED_DIRTY_REACTOR");
    this.leftovers = leftovers;
  }
}

/** A test logged errors that it did not flush with `flushLoggedErrors()` (trial fails such tests). */
export class UnflushedLoggedErrors extends ReedError {
  /** The texts of the logged errors. */
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(`Logged errors were not flushed: ${errors.length}\n${errors.join("\n")}`, "ERR_REED_UNFLUSHED_LOGGED_ERRORS");
    this.errors = errors;
  }
}

// --- AMP --------------------------------------------------------------------------------------

/** Base class of AMP's errors (`twisted.protocols.amp.AmpError`). */
export class AmpError extends ReedError {
  constructor(message: string, code = "ERR_REED_AMP", options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/**
 * A key or value broke AMP's length limits (keys 1–255 bytes, values up to 65535 bytes).
 * `isLocal` is true when reed refused to encode it, false when the peer sent it (only a key can
 * arrive too long: the 16-bit prefix cannot say more than 65535); the connection is then dropped.
 */
export class TooLong extends AmpError {
  constructor(
    /** True for a key, false for a value. */
    readonly isKey: boolean,
    /** True when encoding locally, false when received from the peer. */
    readonly isLocal: boolean,
    /** The length that was too long, in bytes. */
    readonly length: number,
    /** For a value: the key it belonged to. */
    readonly keyName?: string,
  ) {
    const what = isKey ? "key" : `value ${JSON.stringify(keyName ?? "")}`;
    const limit = isKey ? 255 : 65535;
    super(`${isLocal ? "Local" : "Remote"} ${what} too long: ${length} bytes, limit ${limit}`, "ERR_REED_AMP_TOO_LONG");
  }
}

/**
 * The peer sent bytes that are not a well-formed AMP box (an empty box, or a box that is neither a
 * command, an answer nor an error). The connection is dropped.
 */
export class MalformedAmpBox extends AmpError {
  constructor(detail: string) {
    super(`Malformed AMP box: ${detail}`, "ERR_REED_AMP_MALFORMED_BOX");
  }
}

/** A box with none of `_command`, `_answer`, `_error` (Twisted's `NoEmptyBoxes`); the connection is dropped. */
export class NoEmptyBoxes extends MalformedAmpBox {
  constructor(detail = "no _command, _answer or _error key") {
    super(detail);
    Object.defineProperty(this, "code", { value: "ERR_REED_AMP_NO_EMPTY_BOXES" });
  }
}

/** `callRemote` was given a missing required argument or an argument the command does not declare. */
export class InvalidSignature extends AmpError {
  constructor(detail: string) {
    super(`Invalid AMP command signature: ${detail}`, "ERR_REED_AMP_INVALID_SIGNATURE");
  }
}

/**
 * A responder returned something its command's response schema cannot encode. The peer sees an
 * `UNKNOWN` error and the connection is dropped.
 */
export class BadLocalReturn extends AmpError {
  constructor(
    detail: string,
    /** The encoding error. */
    readonly enclosed: unknown,
  ) {
    super(`Bad local return: ${detail}`, "ERR_REED_AMP_BAD_LOCAL_RETURN", { cause: enclosed });
  }
}

/**
 * The peer answered a command with an error (`_error_code`, `_error_description`). Responders may
 * also throw one to choose the code themselves; `fatal` drops the connection after the error box.
 */
export class RemoteAmpError extends AmpError {
  constructor(
    /** The AMP error code, e.g. `"UNKNOWN"` or a command's declared code. */
    readonly errorCode: string,
    /** The peer's description of the error. */
    readonly description: string,
    /** True if the connection is dropped after sending it. */
    readonly fatal = false,
    /** The local error this one stands for, when it was raised here. */
    readonly local?: unknown,
  ) {
    super(`Code<${errorCode}>${local !== undefined ? " (local)" : ""}: ${description}`, "ERR_REED_AMP_REMOTE", { cause: local });
  }
}

/**
 * The peer's responder failed with an error the command does not declare (code `UNKNOWN`). The
 * peer drops the connection after sending it.
 */
export class UnknownRemoteError extends RemoteAmpError {
  constructor(description: string) {
    super("UNKNOWN", description);
    Object.defineProperty(this, "code", { value: "ERR_REED_AMP_UNKNOWN_REMOTE" });
  }
}

/** The peer has no responder for the command (code `UNHANDLED`); the connection is kept. */
export class UnhandledCommand extends AmpError {
  constructor(
    /** The peer's description, e.g. `Unhandled Command: b'Frobnicate'`. */
    readonly description = "",
  ) {
    super(description ? `Unhandled AMP command: ${description}` : "Unhandled AMP command", "ERR_REED_AMP_UNHANDLED");
  }
}

/** An AMP argument's wire bytes could not be decoded, or a value could not be encoded, as its type. */
export class AmpArgumentError extends AmpError {
  constructor(detail: string) {
    super(`Bad AMP argument: ${detail}`, "ERR_REED_AMP_ARGUMENT");
  }
}

/** `StartTLS` was called on an AMP connection that has already started TLS (Twisted's `OnlyOneTLS`). */
export class OnlyOneTLS extends AmpError {
  constructor(detail = "TLS was already started on this connection") {
    super(`Cannot start TLS twice on an AMP connection: ${detail}`, "ERR_REED_AMP_ONLY_ONE_TLS");
  }
}

/**
 * An AMP connection that is switching, or has switched, to another protocol was asked to send an
 * AMP box (Twisted's `ProtocolSwitched`). From the moment a `ProtocolSwitchCommand` is sent until
 * its error answer (if any), and for good once the switch is made, `sendBox` throws it and
 * `callRemote` fails with it. Like Twisted's, it is not an `AmpError`.
 */
export class ProtocolSwitched extends ReedError {
  constructor(detail = "the connection has switched to another protocol") {
    super(`No AMP traffic allowed: ${detail}`, "ERR_REED_AMP_PROTOCOL_SWITCHED");
  }
}

// --- Networking (node transports, endpoints) --------------------------------------------------

/** The connection was closed on purpose with `abortConnection()`: unsent data was discarded. */
export class ConnectionAborted extends ConnectionLost {
  constructor(message = "Connection was aborted locally using ITCPTransport.abortConnection.") {
    super(message);
    (this as { code: string }).code = "ERR_REED_CONNECTION_ABORTED";
  }
}

/** `connector.stopConnecting()` was called when the connector was not connecting. */
export class NotConnectingError extends ReedError {
  constructor(message = "The Connector was not connecting when it was asked to stop connecting") {
    super(message, "ERR_REED_NOT_CONNECTING");
  }
}

/** `registerProducer` was called while another producer is still registered. */
export class ProducerAlreadyRegistered extends ReedError {
  constructor(detail: string) {
    super(`Cannot register a producer: ${detail}`, "ERR_REED_PRODUCER_ALREADY_REGISTERED");
  }
}

/** An endpoint description string (`"tcp:8000:interface=127.0.0.1"`) could not be parsed. */
export class EndpointDescriptionError extends ReedError {
  constructor(detail: string) {
    super(`Invalid endpoint description: ${detail}`, "ERR_REED_ENDPOINT_DESCRIPTION");
  }
}

// --- TLS --------------------------------------------------------------------------------------

/** `startTLS` was called on a connection that already runs TLS (started before, or made by `connectSSL`/`listenSSL`). */
export class TLSAlreadyStarted extends ReedError {
  constructor(detail: string) {
    super(`Cannot start TLS: ${detail}`, "ERR_REED_TLS_ALREADY_STARTED");
  }
}

// --- Framing ----------------------------------------------------------------------------------

/**
 * Bytes received by a `NetstringReceiver` are not a valid netstring: no length specification
 * (or one with a leading zero), a length over `MAX_LENGTH`, or no trailing comma. The receiver
 * closes the connection and sets `brokenPeer`.
 */
export class NetstringParseError extends ReedError {
  constructor(message: string) {
    super(message, "ERR_REED_NETSTRING_PARSE");
  }
}

/**
 * `sendString` on a length-prefixed receiver (`Int8StringReceiver`...) with a string too long
 * for its prefix: nothing is written.
 */
export class StringTooLongError extends ReedError {
  /** The length of the string that was refused. */
  readonly length: number;
  /** The longest string the prefix can describe. */
  readonly limit: number;
  constructor(length: number, limit: number, prefixLength: number) {
    super(`String too long for a ${prefixLength}-byte length prefix: ${length} bytes, limit ${limit}`, "ERR_REED_STRING_TOO_LONG");
    this.length = length;
    this.limit = limit;
  }
}

// --- Apps (the `reed` command) ----------------------------------------------------------------

/** A command line the `reed` command cannot run: unknown command or option, missing argument... */
export class UsageError extends ReedError {
  constructor(message: string) {
    super(message, "ERR_REED_USAGE");
  }
}

/**
 * A line the deferred simulator (`reed simulate`) cannot read. `args` are the tutorial's
 * exception arguments; the message is what the tutorial's program prints after `ERROR: `
 * (the one argument, or the tuple of them as Python shows it).
 */
export class BadSimulatorInput extends ReedError {
  /** The message and, for some errors, the offending word. */
  readonly args: readonly string[];
  constructor(...args: string[]) {
    super(args.length === 1 ? args[0]! : `(${args.map(pyRepr).join(", ")})`, "ERR_REED_SIMULATOR_INPUT");
    this.args = args;
  }
}

/**
 * A poetry transform server closed the connection without a reply: the transform does not
 * exist, or it failed (`TransformProxy.xform`).
 */
export class TransformFailed extends ReedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "ERR_REED_POETRY_TRANSFORM_FAILED", options);
  }
}

/** A string as Python's `repr()` shows it (quotes chosen as Python chooses them). */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const c of s) {
    if (c === "\\") out += "\\\\";
    else if (c === q) out += "\\" + q;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c < " " || c === "\x7f") out += "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
    else out += c;
  }
  return q + out + q;
}
// --- Channels ---------------------------------------------------------------------------------

/**
 * A channel operation met a closed channel: `send` on a closed channel, `recv` on a closed and
 * empty one, a `select` whose chosen `scase` targets a closed channel, or a send or receive that
 * was blocked when the channel was closed.
 */
export class ChannelClosed extends ReedError {
  constructor(message = "Channel is closed") {
    super(message, "ERR_REED_CHANNEL_CLOSED");
  }
}

/** One blocked operation named in a `Deadlock` report. */
export interface BlockedOperation {
  /** Who is blocked: `main` (code outside any task) or a task's name, e.g. `task "worker" (#3)`. */
  readonly task: string;
  /** `recv`, `send` or `select`. */
  readonly op: string;
  /** The channels it waits on, e.g. `["chan#2 \"jobs\""]`. */
  readonly channels: readonly string[];
}

/**
 * Tasks (or code outside any task) are blocked on channels and nothing can ever wake them: no
 * runnable task, no pending timer, no I/O. Every blocked operation fails with this error; the
 * message and `blocked` name each blocked task and the channels it waits on.
 */
export class Deadlock extends ReedError {
  /** The operations that were blocked when the deadlock was found, in the order they blocked. */
  readonly blocked: readonly BlockedOperation[];
  constructor(message: string, blocked: readonly BlockedOperation[] = []) {
    super(message, "ERR_REED_DEADLOCK");
    this.blocked = blocked;
  }
}
