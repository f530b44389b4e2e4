/**
 * AMP, the Asynchronous Messaging Protocol: symmetric request/response over one connection, wire-
 * and behaviour-compatible with `twisted.protocols.amp.AMP`. Either side may call the other.
 *
 * Invariants (Twisted 22.4's, kept on purpose):
 * - Outgoing tags are the connection's call counter in lower-case hex (`"1"`, `"2"`, ... `"a"`).
 * - When an answer or error arrives, an errback that drops the connection is appended to the
 *   call's Deferred *then*: errbacks the caller added before that handle the error; a failure
 *   nobody has handled by then is logged and the connection is dropped (so add errbacks early).
 *   A failure already delivered to a Promise (`await`, `asPromise()`) counts as handled: reed's
 *   Promise bridge leaves the Failure in the chain, so without this every awaited error would
 *   drop the connection.
 * - A responder failing with a declared error sends its code (`fatalErrors`: then drops the
 *   connection); any other failure (including undecodable arguments or a response that cannot be
 *   encoded) sends `UNKNOWN`/`Unknown Error`, logs the failure and drops the connection. An
 *   unknown command gets `UNHANDLED` and the connection is kept.
 * - A command without `_ask` gets no reply at all; if its responder fails, the connection is dropped.
 * - Malformed input (a key over 255 bytes, an empty box, a box that is not a command/answer/error,
 *   an answer to a tag never asked, an error box without code/description) stops parsing, logs
 *   the reason and closes this connection only; outstanding calls fail with that reason.
 * - After the connection is lost every outstanding call fails with the reason, and later calls
 *   fail at once with it.
 * - `StartTLS` (start-tls.ts): from sending the command until its answer arrives, every box this
 *   side sends is held; on the answer the transport starts TLS and the held boxes follow,
 *   encrypted. (On an error answer they are sent in the clear: Twisted would hold them forever.
 *   Cancelling the call keeps them held, as in Twisted: the peer may be starting TLS.)
 *   The responding side sends its answer in the clear, then starts TLS.
 * - A `ProtocolSwitchCommand` (protocol-switch.ts) locks the caller's AMP from sending the command
 *   until an error answer unlocks it: meanwhile `sendBox` throws and `callRemote` fails with
 *   `ProtocolSwitched` (Twisted raises it from `callRemote`; reed reports every send-time error
 *   of a call that wants an answer through its Deferred), and answers to the peer's commands are
 *   dropped. On a successful answer the caller, and the responder right after sending its
 *   answer, hand the transport to the new protocol for good: unparsed bytes first, then every
 *   `dataReceived` and `connectionLost` (calls still waiting for an answer fail only when the
 *   connection is lost, as in Twisted).
 */
import {
  BadLocalReturn, CancelledError, ConnectionLost, MalformedAmpBox, NoEmptyBoxes, OnlyOneTLS, ProtocolSwitched, RemoteAmpError, UnhandledCommand, UnknownRemoteError,
} from "../../errors.js";
import { Deferred, fail, maybeDeferred } from "../../deferred.js";
import { Failure } from "../../failure.js";
import type { IProtocol, ISSLTransport, ITLSTransport, ITransport, PeerCertificate, TLSStartOptions } from "../../interfaces.js";
import { Logger } from "../../logger.js";
import { Protocol } from "../protocol.js";
import { isObserved } from "../../_internal/unhandled.js";
import {
  ANSWER, ASK, BoxParser, COMMAND, ERROR, ERROR_CODE, ERROR_DESCRIPTION, fromBinary, fromUtf8, serializeBox, toBinary,
  UNHANDLED_ERROR_CODE, UNKNOWN_ERROR_CODE, utf8, type AmpBox,
} from "./box.js";
import {
  classifyError, errorClassFor, makeArguments, makeResponse, parseArguments, parseResponse,
  type ArgumentsOf, type Command, type ResponseOf,
} from "./command.js";
import { startsTLS, tlsOptionsFor } from "./start-tls.js";
import { isProtocol, switchesProtocol, type ProtocolSwitchCommand, type ProtocolSwitchFactory } from "./protocol-switch.js";

const log = new Logger("reed.amp");

/**
 * What a responder for `C` produces: its response object, or for a `ProtocolSwitchCommand` the
 * protocol to switch the connection to.
 */
export type ResponderResult<C extends Command> = C extends ProtocolSwitchCommand ? IProtocol : ResponseOf<C>;

/** Handles one command's decoded arguments; may answer now, or later with a Deferred or Promise. */
export type Responder<C extends Command> = (args: ArgumentsOf<C>) => ResponderResult<C> | Deferred<ResponderResult<C>> | PromiseLike<ResponderResult<C>>;

/**
 * What `callRemote(cmd, ...)` takes after the command: the arguments object, and for a
 * `ProtocolSwitchCommand` also the factory of the protocol to switch to (Twisted's positional
 * `_protoToSwitchToFactory`). A generic wrapper forwards them as they are:
 * @example
 * function call<C extends Command>(amp: AMP, cmd: C, ...params: CallParameters<C>): CallResult<C> {
 *   return amp.callRemote(cmd, ...params);
 * }
 */
export type CallParameters<C extends Command> = C extends ProtocolSwitchCommand
  ? [args: ArgumentsOf<C>, factory: ProtocolSwitchFactory]
  : [args: ArgumentsOf<C>];

/** The low-level form of a responder: takes the command box, fires with the answer box (without `_answer`). */
export type BoxResponder = (b: AmpBox) => Deferred<AmpBox> | AmpBox;

/** Finds the responder for a command name (Twisted's `IResponderLocator`). */
export interface IResponderLocator {
  /** The responder for `name` (the wire command name), or `undefined` when there is none. */
  locateResponder(name: string): BoxResponder | undefined;
}

/** What `callRemote` returns: a Deferred of the response, or `undefined` for `requiresAnswer: false`. */
export type CallResult<C extends Command> = C["requiresAnswer"] extends false
  ? undefined
  : C["requiresAnswer"] extends true
    ? Deferred<ResponseOf<C>>
    : Deferred<ResponseOf<C>> | undefined;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : `${e as string}`;
}

/** Python's `repr(bytes)` of a binary string, as Twisted writes it in "Unhandled Command: b'...'". */
function pyBytesRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return `b${q}${out}${q}`;
}

/**
 * Responders registered by command, wrapped with argument decoding, response encoding and
 * declared-error translation (Twisted's `CommandLocator`).
 *
 * @example
 * const locator = new CommandLocator().responder(Sum, ({ a, b }) => ({ total: a + b }));
 * new AMP({ locator });
 */
export class CommandLocator implements IResponderLocator {
  private readonly registry = new Map<string, BoxResponder>();

  /**
   * Registers `fn` as the responder for `cmd` (replacing any earlier one for that name).
   * @returns this locator, for chaining.
   */
  responder<C extends Command>(cmd: C, fn: Responder<C>): this {
    this.registry.set(cmd.commandName, wrapResponder(cmd, fn));
    return this;
  }

  /** The wrapped responder for `name`, or `undefined`. */
  locateResponder(name: string): BoxResponder | undefined {
    return this.registry.get(name);
  }
}

/** Wraps a typed responder as a box responder (Twisted's `_wrapWithSerialization`). */
function wrapResponder<C extends Command>(cmd: C, fn: Responder<C>): BoxResponder {
  return (b: AmpBox) => {
    // Undecodable arguments throw here: the caller (dispatch) turns that into UNKNOWN.
    const args = parseArguments(cmd, b) as ArgumentsOf<C>;
    return maybeDeferred(fn, args)
      .addCallback((result: unknown) => {
        try {
          if (switchesProtocol(cmd)) {
            if (!isProtocol(result)) throw new TypeError(`a ProtocolSwitchCommand responder must return the protocol to switch to: got ${result === null ? "null" : typeof result}`);
            // The answer is empty, as Twisted's `_SwitchBox`: the switch happens once it is sent.
            const answer: AmpBox = new Map();
            switchAnswers.set(answer, result);
            return answer;
          }
          const answer = makeResponse(cmd, result as Readonly<Record<string, unknown>>);
          if (startsTLS(cmd)) {
            const local = result as Parameters<typeof tlsOptionsFor>[0];
            if (local.tls_localCertificate === undefined) {
              throw new RemoteAmpError("TLS_ERROR", "TLS not available: the responder gave no tls_localCertificate");
            }
            tlsAnswers.set(answer, tlsOptionsFor(local));
          }
          return answer;
        } catch (e) {
          if (e instanceof RemoteAmpError) throw e;
          throw new BadLocalReturn(`responder for ${cmd.commandName} returned a value its response schema could not encode: ${describe(e)}`, e);
        }
      })
      .addErrback((f: Failure) => {
        const declared = classifyError(cmd, f.value);
        if (!declared) return f;
        return new Failure(new RemoteAmpError(declared.code, describe(f.value), declared.fatal, f.value));
      });
  };
}

/**
 * A call's failure as its caller sees it (Twisted's `_massageError`): an error answer becomes the
 * command's declared class for its code, else `UnknownRemoteError`; other failures pass.
 */
function localError(cmd: Command, f: Failure): Failure {
  if (!(f.value instanceof RemoteAmpError)) return f;
  const cls = errorClassFor(cmd, f.value.errorCode);
  return new Failure(cls ? new cls(f.value.description) : new UnknownRemoteError(f.value.description));
}

/** Boxes after which the connection is closed (Twisted's `QuitBox`). */
const quitBoxes = new WeakSet<AmpBox>();
/** Answers after which this side starts TLS, with its options (Twisted's `_TLSBox`). */
const tlsAnswers = new WeakMap<AmpBox, TLSStartOptions>();
/** Answers after which this side switches to a protocol (Twisted's `_SwitchBox`). */
const switchAnswers = new WeakMap<AmpBox, IProtocol>();

/** Options for `new AMP()`. */
export interface AMPOptions {
  /** Where commands are looked up first (then this AMP's own `responder()` registrations). */
  locator?: IResponderLocator;
}

/**
 * An AMP connection: a Protocol that parses boxes, answers commands with registered responders,
 * and sends commands with `callRemote`. Both sides of a connection are `AMP` instances.
 *
 * @example
 * const server = new AMP().responder(Sum, ({ a, b }) => ({ total: a + b }));
 * // on the other side, once connected:
 * client.callRemote(Sum, { a: 13, b: 81 }).addCallback(({ total }) => console.log(total)); // 94
 */
export class AMP extends Protocol implements IResponderLocator {
  private readonly parser = new BoxParser((b) => this.ampBoxReceived(b));
  private readonly own = new CommandLocator();
  private readonly locator: IResponderLocator | undefined;
  private counter = 0;
  private outstanding: Map<string, Deferred<AmpBox>> | null = new Map();
  private failAllReason: Failure | null = null;
  /** Why this side dropped the connection (malformed input), reported as the connection's loss reason. */
  private dropReason: Failure | null = null;
  /** Boxes held while a `StartTLS` call waits for its answer (Twisted's `_startingTLSBuffer`). */
  private startingTLSBuffer: AmpBox[] | null = null;
  private tlsStarted = false;
  /** No box may be sent: a protocol switch is under way or done (Twisted's `_locked`). */
  private locked = false;
  private inner: IProtocol | null = null;
  private innerFactory: ProtocolSwitchFactory | null = null;

  constructor(options: AMPOptions = {}) {
    super();
    this.locator = options.locator;
  }

  /**
   * Registers `fn` as this connection's responder for `cmd`.
   * @returns this AMP, for chaining.
   */
  responder<C extends Command>(cmd: C, fn: Responder<C>): this {
    this.own.responder(cmd, fn);
    return this;
  }

  /** The responder for `name`: the `locator` option's first, then this AMP's own. */
  locateResponder(name: string): BoxResponder | undefined {
    return this.locator?.locateResponder(name) ?? this.own.locateResponder(name);
  }

  /** Number of calls waiting for an answer. */
  get outstandingCalls(): number {
    return this.outstanding?.size ?? 0;
  }

  /**
   * The protocol this connection switched to with a `ProtocolSwitchCommand`, or null before a
   * switch (Twisted's `innerProtocol`). It receives the connection's data and its loss.
   */
  get innerProtocol(): IProtocol | null {
    return this.inner;
  }

  /**
   * The factory the caller of the `ProtocolSwitchCommand` passed, once switched (null on the
   * responding side and before a switch; Twisted's `innerProtocolClientFactory`). It hears
   * `clientConnectionLost` when the connection goes.
   */
  get innerProtocolClientFactory(): ProtocolSwitchFactory | null {
    return this.innerFactory;
  }

  // ------------------------------------------------------------------ connection events

  /** Connects to `transport`, logs the connection, then calls `connectionMade()`. */
  override makeConnection(transport: ITransport): void {
    log.info("AMP connection established (HOST:{host} PEER:{peer})", { host: String(transport.getHost()), peer: String(transport.getPeer()) });
    super.makeConnection(transport);
  }

  /**
   * Parses boxes; malformed input drops the connection (see the invariants). After a protocol
   * switch, passes `data` to the inner protocol instead.
   */
  override dataReceived(data: Uint8Array): void {
    if (this.inner !== null) {
      this.inner.dataReceived(data);
      return;
    }
    if (this.dropReason) return;
    try {
      this.parser.feed(data);
    } catch (e) {
      this.dropConnection(Failure.from(e));
    }
  }

  /**
   * Tells the inner protocol (and its factory's `clientConnectionLost`) after a protocol switch,
   * then fails every outstanding call with `reason` (or with the reason this side dropped the
   * connection).
   */
  override connectionLost(reason: Failure): void {
    if (this.inner !== null) {
      this.inner.connectionLost(reason);
      this.innerFactory?.clientConnectionLost?.(null, reason);
    }
    log.info("AMP connection lost: {reason}", { reason: reason.getErrorMessage() });
    this.failAllOutgoing(this.dropReason ?? reason);
    super.connectionLost(reason);
  }

  private dropConnection(reason: Failure): void {
    if (this.dropReason) return;
    this.dropReason = reason;
    log.failure("Dropping AMP connection to {peer}: {reason}", reason, { peer: this.peerName(), reason: reason.getErrorMessage() }, "error");
    if (this.connected) this.transport.loseConnection();
  }

  private peerName(): string {
    try {
      return this.connected ? String(this.transport.getPeer()) : "(not connected)";
    } catch {
      return "(unknown peer)";
    }
  }

  // ------------------------------------------------------------------ sending

  /**
   * Writes a box to the peer now.
   * @throws ProtocolSwitched while a protocol switch is under way or after it; ConnectionLost
   *   when not connected; TooLong for an over-long key or value.
   */
  sendBox(b: AmpBox): void {
    if (this.locked) {
      throw new ProtocolSwitched(this.inner !== null ? undefined : "the connection is switching to another protocol (a ProtocolSwitchCommand awaits its answer)");
    }
    if (!this.connected) throw new ConnectionLost("Cannot send an AMP box: not connected");
    if (this.startingTLSBuffer !== null) {
      serializeBox(b); // a box that cannot be encoded fails now, not when it is released
      this.startingTLSBuffer.push(b);
      return;
    }
    this.transport.write(serializeBox(b));
  }

  /**
   * The peer's TLS certificate once `StartTLS` has run (or on a TLS connection), else null
   * (Twisted's `peerCertificate`).
   */
  get peerCertificate(): PeerCertificate | null {
    if (!this.connected) return null;
    const t = this.transport as Partial<ISSLTransport>;
    return typeof t.getPeerCertificate === "function" ? t.getPeerCertificate() : null;
  }

  /** Starts TLS on the transport, then sends the boxes held meanwhile (encrypted). A failure drops the connection. */
  private startTLSNow(options: TLSStartOptions): void {
    const held = this.startingTLSBuffer ?? [];
    this.startingTLSBuffer = null;
    this.tlsStarted = true;
    try {
      (this.transport as ITransport & ITLSTransport).startTLS(options);
    } catch (e) {
      // Sending the held boxes in the clear would leak what the caller meant to encrypt.
      if (this.connected) this.transport.loseConnection();
      throw e;
    }
    if ((this.transport as { TLS?: unknown }).TLS === false) {
      // The transport did not start TLS (reed's Connection declines once it is closing): nothing
      // meant to be encrypted may go out in the clear, so the held boxes, and every later one,
      // stay held; their calls fail when the connection is lost.
      this.startingTLSBuffer = held;
      return;
    }
    for (const b of held) if (this.connected) this.transport.write(serializeBox(b));
  }

  /** Sends the held boxes in the clear after a `StartTLS` call failed. */
  private releaseTLSBuffer(): void {
    const held = this.startingTLSBuffer ?? [];
    this.startingTLSBuffer = null;
    for (const b of held) if (this.connected) this.transport.write(serializeBox(b));
  }

  /**
   * Calls `cmd` on the peer with typed `args`. Returns a Deferred of the typed response, or
   * `undefined` for a command with `requiresAnswer: false`. A `ProtocolSwitchCommand` also takes
   * the factory of the protocol to switch to (see protocol-switch.ts): the Deferred fires with
   * `{}` once the connection has switched, or fails as below after unlocking.
   *
   * The Deferred fails with: a declared error's class (constructed with the peer's description);
   * `UnknownRemoteError` for an undeclared one; `UnhandledCommand` when the peer has no responder;
   * `AmpArgumentError` when the answer does not decode; the connection-loss reason if the
   * connection goes first; `InvalidSignature`/`AmpArgumentError`/`TooLong` when `args` cannot be
   * sent, `ProtocolSwitched` when the connection is switching or has switched protocols (for
   * `requiresAnswer: false` those are thrown). Add errbacks before the answer can arrive: an
   * unhandled error drops the connection.
   */
  callRemote<C extends Command>(cmd: C, ...params: CallParameters<C>): CallResult<C> {
    const args = params[0] as ArgumentsOf<C>;
    if (startsTLS(cmd)) return this.callStartTLS(cmd, args) as CallResult<C>;
    if (switchesProtocol(cmd)) {
      const factory = (params as unknown as [unknown, ProtocolSwitchFactory])[1];
      return this.callProtocolSwitch(cmd, args as ArgumentsOf<ProtocolSwitchCommand>, factory) as CallResult<C>;
    }
    let d: Deferred<AmpBox> | undefined;
    try {
      d = this.sendBoxCommand(cmd.commandName, makeArguments(cmd, args as Readonly<Record<string, unknown>>), cmd.requiresAnswer);
    } catch (e) {
      if (!cmd.requiresAnswer) throw e;
      return fail(e) as CallResult<C>;
    }
    if (!d) return undefined as CallResult<C>;
    return d.addCallbacks((b) => parseResponse(cmd, b), (f: Failure) => localError(cmd, f)) as unknown as CallResult<C>;
  }

  /** `callRemote(StartTLS, ...)`: hold later boxes, start TLS on the answer (see the invariants). */
  private callStartTLS<C extends Command>(cmd: C, args: ArgumentsOf<C>): Deferred<ResponseOf<C>> {
    if (this.tlsStarted || this.startingTLSBuffer !== null) {
      return fail(new OnlyOneTLS(this.tlsStarted ? "TLS was already started on this connection" : "a StartTLS call is already waiting for its answer"));
    }
    const options = tlsOptionsFor(args as Parameters<typeof tlsOptionsFor>[0]);
    let d: Deferred<AmpBox>;
    try {
      d = this.sendBoxCommand(cmd.commandName, makeArguments(cmd, args as Readonly<Record<string, unknown>>), true)!;
    } catch (e) {
      return fail(e);
    }
    if (this.failAllReason === null) this.startingTLSBuffer = [];
    return d
      .addCallbacks(
        (b: AmpBox) => {
          this.startTLSNow(options);
          return parseResponse(cmd, b);
        },
        (f: Failure) => {
          // A cancelled call is still outstanding at the peer, which may be starting TLS: as in
          // Twisted, the boxes stay held rather than going out in the clear.
          if (!(f.value instanceof CancelledError)) this.releaseTLSBuffer();
          return localError(cmd, f);
        },
      ) as unknown as Deferred<ResponseOf<C>>;
  }

  /**
   * `callRemote(aProtocolSwitchCommand, args, factory)`: lock, then switch on the answer or unlock
   * on an error (Twisted's `ProtocolSwitchCommand._doCommand`).
   */
  private callProtocolSwitch(cmd: ProtocolSwitchCommand, args: ArgumentsOf<ProtocolSwitchCommand>, factory: ProtocolSwitchFactory): Deferred<{}> {
    if (typeof (factory as Partial<ProtocolSwitchFactory> | undefined)?.buildProtocol !== "function") {
      // Found out only after the peer switched, it would leave the connection speaking to nobody.
      return fail(new TypeError(`Cannot call ${cmd.commandName}: a ProtocolSwitchCommand needs a factory with buildProtocol after its arguments`));
    }
    let d: Deferred<AmpBox>;
    try {
      d = this.sendBoxCommand(cmd.commandName, makeArguments(cmd, args as Readonly<Record<string, unknown>>), true)!;
    } catch (e) {
      return fail(e);
    }
    // Locked even when `d` has already failed (connection gone): the errback below unlocks at once.
    this.locked = true;
    return d
      .addCallbacks(
        (b: AmpBox) => parseResponse(cmd, b),
        (f: Failure) => localError(cmd, f),
      )
      .addCallbacks(
        (response: {}) => {
          this.switchToBuiltProtocol(factory);
          return response;
        },
        (f: Failure) => {
          this.unlockFromSwitch();
          factory.clientConnectionFailed?.(null, new Failure(new ConnectionLost("Connection to the other side was lost in a non-clean fashion: Connection lost.")));
          return f;
        },
      );
  }

  /**
   * The caller's half of a switch: builds the protocol and hands the connection to it. A factory
   * that refuses (null) or throws leaves nobody to speak to the peer, which has switched
   * already: the connection is dropped and the call fails with that error.
   */
  private switchToBuiltProtocol(factory: ProtocolSwitchFactory): void {
    let inner: IProtocol | null;
    try {
      inner = factory.buildProtocol(this.transport.getPeer());
      if (inner === null) throw new TypeError("Cannot switch protocols: the factory's buildProtocol returned null");
    } catch (e) {
      // The peer has switched: the rest of this chunk is its new protocol's, not AMP boxes.
      this.parser.stopParsing();
      this.transport.loseConnection();
      throw e;
    }
    this.switchTo(inner, factory);
  }

  /**
   * Hands the connection to `inner` for good (Twisted's `_switchTo`): it gets `makeConnection`
   * with this transport, then the bytes received but not parsed yet (those after the box being
   * handled, when called from a box's handling), then every later `dataReceived` and
   * `connectionLost`.
   */
  private switchTo(inner: IProtocol, factory: ProtocolSwitchFactory | null): void {
    this.locked = true;
    const rest = this.parser.stopParsing();
    this.inner = inner;
    this.innerFactory = factory;
    inner.makeConnection(this.transport);
    if (rest.length > 0) inner.dataReceived(rest);
  }

  /** Lets boxes be sent again after a failed switch (Twisted's `_unlockFromSwitch`). */
  private unlockFromSwitch(): void {
    if (this.inner !== null) throw new ProtocolSwitched("the connection has switched to another protocol, it cannot be unlocked");
    this.locked = false;
  }

  /**
   * Low-level call: sends `_command: name` with `fields` as they are; the Deferred fires with the
   * raw answer box, or fails with `RemoteAmpError`/`UnhandledCommand` for an error answer.
   * Returns `undefined` when `requiresAnswer` is false.
   */
  callRemoteString(name: string, fields: AmpBox, requiresAnswer = true): Deferred<AmpBox> | undefined {
    try {
      return this.sendBoxCommand(name, new Map(fields), requiresAnswer);
    } catch (e) {
      if (!requiresAnswer) throw e;
      return fail(e);
    }
  }

  private sendBoxCommand(name: string, b: AmpBox, requiresAnswer: boolean): Deferred<AmpBox> | undefined {
    if (this.failAllReason) {
      if (requiresAnswer) return fail(this.failAllReason);
      return undefined;
    }
    b.set(COMMAND, toBinary(name));
    const tag = (++this.counter).toString(16);
    if (requiresAnswer) b.set(ASK, toBinary(tag));
    this.sendBox(b);
    if (!requiresAnswer) return undefined;
    const d = new Deferred<AmpBox>();
    this.outstanding!.set(tag, d);
    return d;
  }

  /** Fails every call waiting for an answer with `reason`; later calls fail at once with it. */
  failAllOutgoing(reason: Failure): void {
    this.failAllReason = reason;
    const pending = this.outstanding;
    this.outstanding = null;
    if (pending) for (const d of pending.values()) d.errback(reason);
  }

  /**
   * The last stop for a failure nobody handled: logs it and drops the connection (Twisted's
   * `unhandledError`).
   */
  unhandledError(failure: Failure): void {
    log.failure(
      "Amp server or network failure unhandled by client application.  Dropping connection!  To avoid, add errbacks to ALL remote commands!",
      failure,
      {},
      "error",
    );
    if (this.connected) this.transport.loseConnection();
  }

  // ------------------------------------------------------------------ receiving

  /**
   * Dispatches one received box: an answer, an error, or a command.
   * @throws NoEmptyBoxes for a box that is none of those; MalformedAmpBox for an answer or error
   *   to a tag never asked, or an error box without code/description.
   */
  ampBoxReceived(b: AmpBox): void {
    if (b.has(ANSWER)) this.answerReceived(b);
    else if (b.has(ERROR)) this.errorReceived(b);
    else if (b.has(COMMAND)) this.commandReceived(b);
    else throw new NoEmptyBoxes(b.size === 0 ? "empty box" : `no _command, _answer or _error key among ${[...b.keys()].map((k) => JSON.stringify(k)).join(", ")}`);
  }

  private takeQuestion(tagBytes: Uint8Array, kind: string): Deferred<AmpBox> {
    const tag = fromBinary(tagBytes);
    const q = this.outstanding?.get(tag);
    if (!q) throw new MalformedAmpBox(`${kind} for a command that was never asked: tag ${JSON.stringify(tag)}`);
    this.outstanding!.delete(tag);
    q.addErrback((f: Failure) => {
      // A failure already delivered to a Promise (`await amp.callRemote(...)`) was handled there.
      if (isObserved(f)) return f;
      this.unhandledError(f);
      return undefined;
    });
    return q;
  }

  private answerReceived(b: AmpBox): void {
    this.takeQuestion(b.get(ANSWER)!, "_answer").callback(b);
  }

  private errorReceived(b: AmpBox): void {
    const code = b.get(ERROR_CODE);
    const description = b.get(ERROR_DESCRIPTION);
    if (!code || !description) throw new MalformedAmpBox("_error box without _error_code or _error_description");
    const q = this.takeQuestion(b.get(ERROR)!, "_error");
    const codeText = fromBinary(code);
    const desc = fromUtf8(description);
    q.errback(new Failure(codeText === UNHANDLED_ERROR_CODE ? new UnhandledCommand(desc) : new RemoteAmpError(codeText, desc)));
  }

  private commandReceived(b: AmpBox): void {
    const ask = b.get(ASK);
    const d = this.dispatchCommand(b);
    if (ask) {
      d.addCallbacks(
        (answer: AmpBox) => {
          answer.set(ANSWER, ask);
          return answer;
        },
        (f: Failure) => this.formatError(f, ask, fromBinary(b.get(COMMAND)!)),
      ).addCallback((reply: AmpBox) => this.safeEmit(reply));
    }
    d.addErrback((f: Failure) => this.unhandledError(f));
  }

  /** Looks up and runs the responder for a command box (UNHANDLED when there is none). */
  private dispatchCommand(b: AmpBox): Deferred<AmpBox> {
    const name = fromBinary(b.get(COMMAND)!);
    const responder = this.locateResponder(name);
    if (!responder) {
      return fail(new RemoteAmpError(UNHANDLED_ERROR_CODE, `Unhandled Command: ${pyBytesRepr(name)}`, false, new UnhandledCommand()));
    }
    return maybeDeferred(responder, b) as Deferred<AmpBox>;
  }

  private formatError(f: Failure, ask: Uint8Array, name: string): AmpBox {
    const reply: AmpBox = new Map();
    let code: string;
    let desc: string;
    if (f.value instanceof RemoteAmpError) {
      code = f.value.errorCode;
      desc = f.value.description;
      if (f.value.fatal) quitBoxes.add(reply);
    } else {
      // An undeclared error: the peer learns nothing but UNKNOWN; we log it and hang up.
      log.failure("Unhandled error in AMP responder for {command}", f, { command: name }, "error");
      code = UNKNOWN_ERROR_CODE;
      desc = "Unknown Error";
      quitBoxes.add(reply);
    }
    reply.set(ERROR, ask);
    reply.set(ERROR_DESCRIPTION, utf8(desc));
    reply.set(ERROR_CODE, toBinary(code));
    return reply;
  }

  /**
   * Sends a reply; a connection already gone, or switching protocols, is not an error here
   * (nobody could act on it): the reply is dropped, as in Twisted.
   */
  private safeEmit(reply: AmpBox): void {
    if (!this.connected || this.locked) return;
    const tls = tlsAnswers.get(reply);
    if (tls !== undefined && (this.tlsStarted || this.startingTLSBuffer !== null)) {
      // The peer asked for TLS again (or both sides asked at once): refuse rather than nest TLS.
      const refusal: AmpBox = new Map();
      refusal.set(ERROR, reply.get(ANSWER)!);
      refusal.set(ERROR_DESCRIPTION, utf8(new OnlyOneTLS().message));
      refusal.set(ERROR_CODE, toBinary("TLS_ERROR"));
      // Written past our own StartTLS's hold: held, it would wait for an answer the peer, holding
      // its boxes too, never sends.
      this.transport.write(serializeBox(refusal));
      return;
    }
    this.sendBox(reply);
    const inner = switchAnswers.get(reply);
    if (inner !== undefined) this.switchTo(inner, null);
    if (tls !== undefined) this.startTLSNow(tls);
    if (quitBoxes.has(reply)) this.transport.loseConnection();
  }
}

