/**
 * The shape of a `reed` subcommand, and the option parsing every command shares.
 *
 * A command is a plain object in a table (see `cli.ts`): a name, a one-line summary, its help
 * text, and `run(args, io)` resolving to the exit code. Groups (`reed poetry ...`) are tables of
 * their own. Exit codes: 0 success, 1 the command ran and something failed, 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";

/** Where a command reads and writes (the process's streams, or test doubles). */
export interface CommandIO {
  /** Standard input. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Standard output. */
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Standard error. */
  readonly stderr: NodeJS.WritableStream;
}

/** One runnable subcommand. */
export interface Command {
  /** The word that selects it (`serve`). */
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** The full `--help` text; `{prog}` is replaced by the command's full name (`reed poetry serve`). */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name.
   * @returns the exit code. @throws UsageError for a bad command line (the CLI prints it, exit 2).
   */
  run(args: string[], io: CommandIO, prog: string): Promise<number> | number;
}

/** A word that groups subcommands (`reed poetry ...`). */
export interface CommandGroup {
  /** The word that selects the group. */
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** The group's members. */
  readonly commands: readonly (Command | CommandGroup)[];
}

/** Whether `args` ask for help (`-h`/`--help` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "-h" || a === "--help") return true;
  }
  return false;
}

/** Whether a table entry is a group. */
export function isGroup(c: Command | CommandGroup): c is CommandGroup {
  return "commands" in c;
}

/** The options config `parseArgs` takes. */
export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command's arguments strictly with `util.parseArgs` (plus `-h`/`--help`).
 * (`--help` is answered by the CLI before a command runs, so it is accepted and ignored here.)
 * @returns the values and positionals.
 * @throws UsageError for an unknown option, a missing option value, or a bad positional count.
 */
export function parseCommandArgs<O extends OptionsConfig>(
  args: string[],
  options: O,
  positionals: { min?: number; max?: number } = {},
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"]; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS")) throw new UsageError(cleanParseMessage(err.message));
    throw e;
  }
  const n = parsed.positionals.length;
  if (positionals.min !== undefined && n < positionals.min) throw new UsageError(n === 0 ? "Missing argument" : `Too few arguments: ${n}`);
  if (positionals.max !== undefined && n > positionals.max) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[positionals.max]}`);
  }
  return parsed as never;
}

function cleanParseMessage(message: string): string {
  // Node's messages are long and mention the API; keep the first sentence, in our voice.
  const first = message.split(". ")[0]!.replace(/\.$/, "");
  return first.charAt(0).toUpperCase() + first.slice(1);
}

/**
 * Reads a number option.
 * @throws UsageError when it is not a number in `[min, max]`.
 */
export function numberOption(name: string, raw: string | undefined, fallback: number, min = 0, max = Infinity, integer = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const what = integer ? "an integer" : "a number";
    throw new UsageError(`Bad value for --${name}: ${JSON.stringify(raw)} is not ${what} in ${min}..${max === Infinity ? "∞" : max}`);
  }
  return v;
}

/** A `[HOST:]PORT` address. */
export interface HostPort {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * Parses `[HOST:]PORT` (the tutorial's address syntax); the host defaults to `defaultHost`.
 * @throws UsageError for a bad port.
 */
export function parseHostPort(text: string, defaultHost = "127.0.0.1"): HostPort {
  const i = text.lastIndexOf(":");
  const host = i < 0 ? defaultHost : text.slice(0, i).replace(/^\[(.*)\]$/, "$1") || defaultHost;
  const portText = i < 0 ? text : text.slice(i + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) throw new UsageError(`Bad address: ${JSON.stringify(text)} (expected [HOST:]PORT)`);
  return { host, port };
}
