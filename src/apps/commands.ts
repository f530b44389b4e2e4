/**
 * The `reed` command table and dispatcher.
 *
 * To add a command: write a `Command` (see `command.ts`: name, summary, help text with `{prog}`,
 * and `run(args, io, prog)` resolving to an exit code, throwing `UsageError` for bad command
 * lines), then add it to `COMMANDS` below, or to a group's `commands` for `reed GROUP NAME`.
 * `--help` at any level, unknown commands and usage errors are handled here.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { isGroup, wantsHelp, type Command, type CommandGroup, type CommandIO } from "./command.js";
import { simulateCommand } from "./simulate/command.js";
import { poetryCommands } from "./poetry/commands.js";
import { snekCommand } from "./snek/main.js";
import { buttonCommand } from "./button/main.js";
import { main as logCollector, DEFAULT_PORT as LOG_COLLECTOR_PORT } from "./log-collector.js";

/** `reed log-collector`: receives events shipped by `LogShipper` (over AMP) and prints them. */
const logCollectorCommand: Command = {
  name: "log-collector",
  summary: "receive log events shipped over AMP by LogShipper and print them",
  help: `\
Usage: {prog} [--port N] [--interface ADDR]

Receives log events shipped by reed's LogShipper over AMP and prints them, one per line, with
"and N more" lines for what senders had to drop. Runs until interrupted (Ctrl-C).

Options:
  --port N          TCP port to listen on (default ${LOG_COLLECTOR_PORT}; 0 picks a free one)
  --interface ADDR  address to listen on (default 127.0.0.1)
  -h, --help        show this help
`,
  run: (args, io) => logCollector(args, io),
};

/** Every top-level `reed` command, in the order `reed --help` lists them. */
export const COMMANDS: readonly (Command | CommandGroup)[] = [
  poetryCommands,
  simulateCommand,
  snekCommand,
  buttonCommand,
  logCollectorCommand,
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function groupHelp(prog: string, commands: readonly (Command | CommandGroup)[], blurb: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: ${prog} <command> [options]\n\n${blurb}\n\nCommands:\n${lines.join("\n")}\n\nRun '${prog} <command> --help' for a command's options.\n`;
}

const TOP_BLURB = "reed: an event-driven networking engine for TypeScript, in Twisted's mould.\nStart with 'reed poetry demo'.";

/**
 * Runs `reed` with `argv` (the arguments after `reed`).
 * @returns the exit code: 0 success, 1 failure, 2 usage error.
 */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let table: readonly (Command | CommandGroup)[] = COMMANDS;
  let prog = "reed";
  let blurb = TOP_BLURB;
  let args = [...argv];
  for (;;) {
    const word = args[0];
    if (word === undefined || word === "-h" || word === "--help") {
      const text = groupHelp(prog, table, blurb);
      if (word === undefined) {
        io.stderr.write(text);
        return 2;
      }
      io.stdout.write(text);
      return 0;
    }
    if (prog === "reed" && (word === "--version" || word === "-V")) {
      io.stdout.write(`reed ${version()}\n`);
      return 0;
    }
    const entry = table.find((c) => c.name === word);
    if (!entry) {
      io.stderr.write(`${prog}: ${word.startsWith("-") ? "Unknown option" : "Unknown command"}: ${word}\nRun '${prog} --help' for the list of commands.\n`);
      return 2;
    }
    prog = `${prog} ${entry.name}`;
    args = args.slice(1);
    if (isGroup(entry)) {
      table = entry.commands;
      blurb = entry.summary.charAt(0).toUpperCase() + entry.summary.slice(1) + ".";
      continue;
    }
    if (wantsHelp(args)) {
      io.stdout.write(entry.help.replaceAll("{prog}", prog));
      return 0;
    }
    try {
      return await entry.run(args, io, prog);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`${prog}: ${e.message}\nRun '${prog} --help' for usage.\n`);
        return 2;
      }
      io.stderr.write(`${prog}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 1;
    }
  }
}
