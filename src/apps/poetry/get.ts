/**
 * `reed poetry get`: the poetry client on the command line, and `runDownloads`, which the demo
 * shares.
 */
import { writeFileSync } from "node:fs";
import { numberOption, parseCommandArgs, parseHostPort, type Command, type CommandIO, type HostPort } from "../command.js";
import { addressText, downloadAll, formatTimedelta, newTasks, type DownloadTask } from "./download.js";
import { ProgressDisplay } from "./progress.js";
import { defaultReactor, type PoetryReactor } from "./reactor.js";
import { renderTimeline } from "./timeline.js";

/** Options for `runDownloads`. */
export interface RunDownloadsOptions {
  /** Seconds each download may take. */
  timeout?: number;
  /** One after another. */
  sequential?: boolean;
  /** Cummingsify with the transform server there. */
  transform?: HostPort;
  /** Print a line per chunk. */
  verbose?: boolean;
}

/**
 * Runs the client against `addresses`: prints a line per chunk when `verbose`, otherwise live
 * progress bars when stdout is a terminal.
 * @returns the tasks, the elapsed seconds and the start time (reactor seconds).
 */
export async function runDownloads(reactor: PoetryReactor, addresses: readonly HostPort[], options: RunDownloadsOptions, io: CommandIO): Promise<{ tasks: DownloadTask[]; elapsed: number; started: number }> {
  const started = reactor.seconds();
  const tasks = newTasks(addresses);
  const display = io.stdout.isTTY === true && !options.verbose ? new ProgressDisplay(reactor, io.stdout, tasks) : null;
  const printed = new Map<number, number>();
  const d = downloadAll(reactor, tasks, {
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.transform ? { transform: options.transform } : {}),
    sequential: options.sequential === true,
    onUpdate: (task) => {
      if (options.verbose) {
        const before = printed.get(task.index) ?? 0;
        if (task.bytes > before) {
          printed.set(task.index, task.bytes);
          io.stdout.write(`Task ${task.index}: got ${task.bytes - before} bytes of poetry from ${addressText(task.host, task.port)}\n`);
        }
      }
      display?.update();
    },
  });
  await d.asPromise();
  display?.finish();
  return { tasks, elapsed: reactor.seconds() - started, started };
}

function describe(task: DownloadTask): string {
  const from = addressText(task.host, task.port);
  if (task.error) return `Task ${task.index}: failed to get poetry from ${from}: ${task.error.getErrorMessage()}`;
  const note = task.transformed === true ? " (cummingsified)" : task.transformed === false ? " (Cummingsify failed! kept the original)" : "";
  return `Task ${task.index}: ${task.bytes} bytes of poetry from ${from}${note}`;
}

/** The `reed poetry get` command. */
export const getCommand: Command = {
  name: "get",
  summary: "download poems from slow poetry servers, all at once (or --sequential)",
  help: `\
Usage: {prog} [--timeout S] [--transform HOST:PORT] [--verbose] [--sequential] [--timeline FILE.svg] [--print] [HOST:]PORT ...

Downloads a poem from every server at once (the asynchronous client), then prints one line per
server and "Got N poems in H:MM:SS.ffffff". Failures are reported per server, with the reason.
On a terminal, shows a live progress bar per server while downloading.

Options:
  --timeout S            give up on a server after S seconds (its connection is closed)
  --transform HOST:PORT  cummingsify each poem with the transform server there
  --verbose              print "Task N: got K bytes of poetry from HOST:PORT" for every chunk
  --sequential           download one poem after another, like the blocking client
  --timeline FILE.svg    draw the run: one lane per task, a mark for every chunk
  --print                print the poems themselves
  -h, --help             show this help

Exit status: 0 when every poem arrived, 1 when any failed, 2 for a usage error.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        timeout: { type: "string" },
        transform: { type: "string" },
        verbose: { type: "boolean" },
        sequential: { type: "boolean" },
        timeline: { type: "string" },
        print: { type: "boolean" },
      },
      { min: 1 },
    );
    const addresses = positionals.map((p) => parseHostPort(p));
    const timeout = values.timeout === undefined ? undefined : numberOption("timeout", values.timeout as string, 0, 0.001);
    const transform = values.transform === undefined ? undefined : parseHostPort(values.transform as string);
    const reactor = defaultReactor;
    const result = await runDownloads(
      reactor,
      addresses,
      {
        ...(timeout !== undefined ? { timeout } : {}),
        ...(transform ? { transform } : {}),
        sequential: values.sequential === true,
        verbose: values.verbose === true,
      },
      io,
    );
    for (const t of result.tasks) (t.error ? io.stderr : io.stdout).write(describe(t) + "\n");
    if (values.print) for (const t of result.tasks) if (t.poem !== null) io.stdout.write(t.poem.endsWith("\n") ? t.poem : t.poem + "\n");
    const ok = result.tasks.filter((t) => !t.error).length;
    if (values.timeline !== undefined) {
      writeFileSync(values.timeline as string, renderTimeline(result.tasks, values.sequential ? "sequential client" : "concurrent client", result.started));
    }
    io.stdout.write(`Got ${ok} poems in ${formatTimedelta(result.elapsed)}\n`);
    return ok === result.tasks.length ? 0 : 1;
  },
};

