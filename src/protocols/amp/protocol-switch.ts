/**
 * AMP's protocol switch (Twisted's `twisted.protocols.amp.ProtocolSwitchCommand`): one command
 * after which the connection stops speaking AMP and carries another protocol, so AMP can serve
 * as a connection's negotiation phase.
 *
 * The exchange, as Twisted does it:
 * - The caller sends the command and *locks* its AMP: from then on every box it would send
 *   (calls, answers) is refused with `ProtocolSwitched`.
 * - The responder returns the protocol to switch to. Its AMP sends the (empty) answer, locks, and
 *   hands the transport over: the new protocol gets `makeConnection` with the same transport, and
 *   every later `dataReceived`/`connectionLost` of the connection.
 * - The caller, when the answer arrives, builds its protocol with the factory it passed to
 *   `callRemote` and hands the transport over the same way; bytes that came after the answer in
 *   the same chunk go to the new protocol, in order. When the connection is lost the factory's
 *   `clientConnectionLost` is called too.
 * - On an error answer (or a connection lost before the answer) the caller unlocks and calls the
 *   factory's `clientConnectionFailed`; the call's Deferred fails as any call's would.
 *
 * @example
 * const SwitchToLines = ProtocolSwitchCommand({ commandName: "SwitchToLines", arguments: { greeting: Unicode() } });
 * // responder side: return the protocol to switch to
 * server.responder(SwitchToLines, ({ greeting }) => new GreetingLineProtocol(greeting));
 * // caller side: pass the factory that builds this side's protocol
 * client.callRemote(SwitchToLines, { greeting: "hi" }, Factory.forProtocol(LineClient))
 *   .addCallback(() => (client.innerProtocol as LineClient).sendLine(utf8("hello")));
 */
import type { Failure } from "../../failure.js";
import type { IConnector, IProtocol } from "../../interfaces.js";
import type { IAddress } from "../address.js";
import type { ObjectOf, Schema } from "./arguments.js";
import { command, type Command, type ErrorClass, type Eventually, type ResponderHost } from "./command.js";

/**
 * What the caller of a `ProtocolSwitchCommand` passes to `callRemote`: it builds the protocol the
 * connection switches to and hears how the switch went (the role of Twisted's `ClientFactory`,
 * so a reed `ClientFactory` fits).
 */
export interface ProtocolSwitchFactory {
  /** Builds the protocol to switch to, once the answer arrived; `addr` is the peer's address. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /**
   * The switch did not happen (an error answer, or the connection was lost first). As in
   * Twisted, `connector` is `null` and `reason` is a `ConnectionLost` failure whatever the cause
   * (the call's Deferred carries the cause).
   */
  clientConnectionFailed?(connector: IConnector | null, reason: Failure): void;
  /** The connection, switched to the built protocol, was lost; `connector` is `null`, as in Twisted. */
  clientConnectionLost?(connector: IConnector | null, reason: Failure): void;
}

/** What `ProtocolSwitchCommand()` takes: a command without a response (the answer is always empty). */
export interface ProtocolSwitchCommandSpec<A extends Schema> {
  /** The name on the wire (`_command`); a byte string (ASCII in practice). */
  readonly commandName: string;
  /** The arguments' schema (default: none). */
  readonly arguments?: A;
  /** Declared errors the responder may raise instead of switching: wire code → class. */
  readonly errors?: Readonly<Record<string, ErrorClass>>;
  /** Like `errors`, but the responding side drops the connection after sending the error. */
  readonly fatalErrors?: Readonly<Record<string, ErrorClass>>;
}

/**
 * A command that switches the connection to another protocol once answered (see
 * `ProtocolSwitchCommand()`). `callRemote` takes the arguments and a `ProtocolSwitchFactory`;
 * its responder returns the protocol (an `IProtocol`) to switch to instead of a response.
 */
export interface ProtocolSwitchCommand<A extends Schema = Schema> extends Command<A, {}, true> {
  /** Marks a protocol-switching command (for AMP, and for the types of `callRemote` and `responder`). */
  readonly switchesProtocol: true;
}

/**
 * Declares a protocol-switching command (Twisted's `ProtocolSwitchCommand` subclasses). It has
 * arguments and errors like any command, always asks for an answer, and has no response: the
 * responder side answers with an empty box, so the caller's Deferred fires with `{}` (after the
 * switch has been made: `amp.innerProtocol` is the new protocol by then). Its responders (and
 * methods decorated with its `responder`) return the protocol to switch to.
 * @throws TypeError for a name or an argument name that is empty or not a byte string, as `command()`.
 */
export function ProtocolSwitchCommand<A extends Schema = {}>(spec: ProtocolSwitchCommandSpec<A>): ProtocolSwitchCommand<A> {
  const base = command({ ...spec, response: {}, requiresAnswer: true });
  const cmd: ProtocolSwitchCommand<A> = Object.freeze({
    ...base,
    switchesProtocol: true as const,
    responder: <This extends ResponderHost>(
      method: (this: This, args: ObjectOf<A>) => Eventually<{}>,
      context: ClassMethodDecoratorContext<This>,
    ): void => {
      context.addInitializer(function (this: This) {
        const host = this as unknown as { responder(c: ProtocolSwitchCommand<A>, fn: (args: ObjectOf<A>) => unknown): unknown };
        host.responder(cmd, (args) => method.call(this, args));
      });
    },
  });
  return cmd;
}

/** Whether `cmd` switches the connection's protocol once answered. */
export function switchesProtocol(cmd: Command): cmd is ProtocolSwitchCommand {
  return (cmd as Partial<ProtocolSwitchCommand>).switchesProtocol === true;
}

/** Whether `value` looks like a protocol a connection can be handed to. */
export function isProtocol(value: unknown): value is IProtocol {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Partial<Record<keyof IProtocol, unknown>>;
  return typeof p.makeConnection === "function" && typeof p.dataReceived === "function" && typeof p.connectionLost === "function";
}
