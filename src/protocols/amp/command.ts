/**
 * AMP commands, declared as values: a name, argument and response schemas, the errors a responder
 * may raise (each with its wire code), and whether the caller wants an answer. TypeScript derives
 * the argument and response types from the schemas.
 *
 * @example
 * class DivideByZero extends Error {}
 * const Divide = command({
 *   commandName: "Divide",
 *   arguments: { numerator: Integer(), denominator: Integer() },
 *   response: { result: Float() },
 *   errors: { ZERO_DIVISION: DivideByZero },
 * });
 * // amp.callRemote(Divide, { numerator: 1, denominator: 2 }) : Deferred<{ result: number }>
 */
import { InvalidSignature } from "../../errors.js";
import { boxToObject, objectToBox, type ObjectOf, type Schema } from "./arguments.js";
import type { AmpBox } from "./box.js";

/** An error class a command declares: constructed on the calling side with the peer's description. */
export type ErrorClass = new (description: string) => Error;

/** What `command()` takes. */
export interface CommandSpec<A extends Schema, R extends Schema, RA extends boolean> {
  /** The name on the wire (`_command`); a byte string (ASCII in practice). */
  readonly commandName: string;
  /** The arguments' schema (default: none). */
  readonly arguments?: A;
  /** The response's schema (default: none). */
  readonly response?: R;
  /** Declared errors: wire code → class. A responder throwing one sends that code; the connection is kept. */
  readonly errors?: Readonly<Record<string, ErrorClass>>;
  /** Like `errors`, but the responding side drops the connection after sending the error. */
  readonly fatalErrors?: Readonly<Record<string, ErrorClass>>;
  /**
   * False: `callRemote` sends no `_ask` and returns `undefined` (default true). A hint for the
   * caller only: responders always produce a response.
   */
  readonly requiresAnswer?: RA;
}

/** A result now, or later as a Deferred or a Promise. */
export type Eventually<T> = T | PromiseLike<T>;

/** Something responders can be registered on (an `AMP` or a `CommandLocator`). */
export interface ResponderHost {
  /** Registers `fn` as the responder for `cmd`. */
  responder(cmd: never, fn: never): unknown;
}

/** A declared AMP command (see `command()`). Immutable. */
export interface Command<A extends Schema = Schema, R extends Schema = Schema, RA extends boolean = boolean> {
  /** The name on the wire. */
  readonly commandName: string;
  /** The arguments' schema. */
  readonly arguments: A;
  /** The response's schema. */
  readonly response: R;
  /** Non-fatal declared errors, code → class. */
  readonly errors: Readonly<Record<string, ErrorClass>>;
  /** Fatal declared errors, code → class. */
  readonly fatalErrors: Readonly<Record<string, ErrorClass>>;
  /** Whether `callRemote` asks for an answer. */
  readonly requiresAnswer: RA;
  /**
   * Decorates a method of an `AMP` (or `CommandLocator`) subclass as this command's responder,
   * like Twisted's `@Command.responder`; each instance registers it, bound, when constructed.
   * @example
   * class Calculator extends AMP {
   *   @Sum.responder
   *   sum({ a, b }: { a: number; b: number }) { return { total: a + b }; }
   * }
   */
  responder<This extends ResponderHost>(
    method: (this: This, args: ObjectOf<A>) => Eventually<ObjectOf<R>>,
    context: ClassMethodDecoratorContext<This>,
  ): void;
}

/** The argument object a command takes. */
export type ArgumentsOf<C> = C extends Command<infer A, Schema, boolean> ? ObjectOf<A> : never;
/** The response object a command answers with. */
export type ResponseOf<C> = C extends Command<Schema, infer R, boolean> ? ObjectOf<R> : never;

const EMPTY: Schema = Object.freeze({});

/**
 * Declares a command.
 * @throws TypeError when the name or an argument/response name is empty or not a byte string
 *   (chars above U+00FF), or an error code is.
 */
export function command<A extends Schema = {}, R extends Schema = {}, RA extends boolean = true>(
  spec: CommandSpec<A, R, RA>,
): Command<A, R, RA> {
  const names = [spec.commandName, ...Object.keys(spec.arguments ?? {}), ...Object.keys(spec.response ?? {}),
    ...Object.keys(spec.errors ?? {}), ...Object.keys(spec.fatalErrors ?? {})];
  for (const n of names) {
    if (typeof n !== "string" || n.length === 0 || n.length > 255 || /[^\x00-\xff]/.test(n)) {
      throw new TypeError(`AMP names must be byte strings of 1-255 chars: got ${JSON.stringify(n)}`);
    }
  }
  const cmd: Command<A, R, RA> = Object.freeze({
    commandName: spec.commandName,
    arguments: (spec.arguments ?? EMPTY) as A,
    response: (spec.response ?? EMPTY) as R,
    errors: Object.freeze({ ...spec.errors }),
    fatalErrors: Object.freeze({ ...spec.fatalErrors }),
    requiresAnswer: (spec.requiresAnswer ?? true) as RA,
    responder: <This extends ResponderHost>(
      method: (this: This, args: ObjectOf<A>) => Eventually<ObjectOf<R>>,
      context: ClassMethodDecoratorContext<This>,
    ): void => {
      context.addInitializer(function (this: This) {
        const host = this as unknown as { responder(c: Command<A, R, RA>, fn: (args: ObjectOf<A>) => unknown): unknown };
        host.responder(cmd, (args) => method.call(this, args));
      });
    },
  });
  return cmd;
}

/**
 * The declared error `error` is an instance of (errors first, then fatal errors, in declaration
 * order), with its code and whether it is fatal; `undefined` when it is undeclared.
 */
export function classifyError(cmd: Command, error: unknown): { code: string; fatal: boolean } | undefined {
  for (const [code, cls] of Object.entries(cmd.errors)) if (error instanceof cls) return { code, fatal: false };
  for (const [code, cls] of Object.entries(cmd.fatalErrors)) if (error instanceof cls) return { code, fatal: true };
  return undefined;
}

/** The class declared for a wire error code, if any (fatal or not). */
export function errorClassFor(cmd: Command, code: string): ErrorClass | undefined {
  return Object.hasOwn(cmd.errors, code) ? cmd.errors[code] : Object.hasOwn(cmd.fatalErrors, code) ? cmd.fatalErrors[code] : undefined;
}

/**
 * The box of a call's arguments (without `_command`/`_ask`).
 * @throws InvalidSignature for a missing required argument or one the command does not declare;
 *   AmpArgumentError for a value of the wrong type; TooLong for a value over 65535 bytes.
 */
export function makeArguments(cmd: Command, args: Readonly<Record<string, unknown>>): AmpBox {
  const forgotten = Object.keys(cmd.arguments).filter((n) => !cmd.arguments[n]!.optional && (args[n] === undefined || args[n] === null));
  if (forgotten.length) throw new InvalidSignature(`forgot ${forgotten.join(", ")} for ${cmd.commandName}`);
  for (const n of Object.keys(args)) {
    if (!Object.hasOwn(cmd.arguments, n)) throw new InvalidSignature(`${n} is not a valid argument of ${cmd.commandName}`);
  }
  return objectToBox(cmd.arguments, args, new Map());
}

/** Decodes a command box's arguments. @throws AmpArgumentError for missing or undecodable values. */
export function parseArguments<A extends Schema>(cmd: Command<A, Schema, boolean>, b: AmpBox): ObjectOf<A> {
  return boxToObject(cmd.arguments, b);
}

/** Encodes a responder's result as an answer box. @throws AmpArgumentError / TooLong as `objectToBox`. */
export function makeResponse(cmd: Command, result: Readonly<Record<string, unknown>>): AmpBox {
  if (typeof result !== "object" || result === null) {
    throw new TypeError(`A responder for ${cmd.commandName} must return an object: got ${result === null ? "null" : typeof result}`);
  }
  return objectToBox(cmd.response, result, new Map());
}

/** Decodes an answer box. @throws AmpArgumentError for missing or undecodable values. */
export function parseResponse<R extends Schema>(cmd: Command<Schema, R, boolean>, b: AmpBox): ObjectOf<R> {
  return boxToObject(cmd.response, b);
}
