/**
 * `reed simulate`: the deferred simulator's command line. Reads callback/errback pairs from
 * standard input (one per line, a blank line or end of input ends the list) and prints the
 * drawings; `--svg FILE` also writes them as a picture.
 */
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { BadSimulatorInput } from "../../errors.js";
import { parseCommandArgs, type Command, type CommandIO } from "../command.js";
import { Chain, parsePair, renderSvg, renderText, type StagePair } from "./simulator.js";

const INTRO = `\
Type the callback/errback pairs of a Deferred, one pair per line:

  CALLBACK ERRBACK

each of them one of

  return VALUE    succeed with VALUE
  fail VALUE      fail with VALUE (drawn as VALUE*, a Failure)
  passthru        pass the result on unchanged

VALUE is a word of at most 6 characters; return/fail/passthru may be shortened (r, f, p).
For example "r good f bad", then "f googly p". An empty line ends the list: the chain is drawn,
then what happens when it is fired with d.callback(initial) and with d.errback(initial*).
A widened terminal helps (or use --narrow).
`;

/** The `reed simulate` command. */
export const simulateCommand: Command = {
  name: "simulate",
  summary: "draw how a Deferred's callbacks and errbacks fire (the tutorial's simulator)",
  help: `\
Usage: {prog} [--narrow] [--svg FILE]

Reads callback/errback pairs from standard input, runs them on a real reed Deferred fired both
ways, and draws the chain and the two firings in ASCII (the Twisted tutorial's Part 9 simulator).

Input lines:  CALLBACK ERRBACK, each "return VALUE", "fail VALUE" or "passthru" (or r/f/p);
              an empty line (or end of input) finishes.

Options:
  --narrow      draw the three diagrams one under the other instead of side by side
  --svg FILE    also write the diagrams to FILE as an SVG picture
  -h, --help    show this help
`,
  async run(args: string[], io: CommandIO): Promise<number> {
    const parsed = parseCommandArgs(args, { narrow: { type: "boolean" }, svg: { type: "string" } }, { max: 0 });
    const narrow = parsed.values.narrow === true;
    const svgFile = parsed.values.svg as string | undefined;
    const interactive = io.stdin.isTTY === true;
    // The prompt is for people; piped input gets the drawings alone (after one blank line, the
    // way they follow the prompt), so scripts can compare them byte for byte.
    io.stdout.write(interactive ? INTRO + "\n" : "\n");

    const pairs = await readPairs(io);
    if (pairs === null) return 1;
    const chain = new Chain(pairs);
    io.stdout.write(renderText(chain, narrow));
    if (svgFile !== undefined) writeFileSync(svgFile, renderSvg(chain, narrow));
    return 0;
  },
};

/** Reads pairs until a blank line; at end of input, uses what it has (null if nothing). */
async function readPairs(io: CommandIO): Promise<StagePair[] | null> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  const pairs: StagePair[] = [];
  try {
    for await (const line of rl) {
      let pair: StagePair | null;
      try {
        pair = parsePair(line);
      } catch (e) {
        if (!(e instanceof BadSimulatorInput)) throw e;
        io.stdout.write(`ERROR: ${e.message}\n`);
        continue;
      }
      if (pair) {
        pairs.push(pair);
        continue;
      }
      if (pairs.length) return pairs;
      io.stdout.write("You must enter at least one pair.\n");
    }
  } finally {
    rl.close();
  }
  if (pairs.length) return pairs;
  io.stderr.write("No callback/errback pairs given: nothing to draw\n");
  return null;
}
