/**
 * `reed snek [--port N]`: serves the DrawSnek page on 127.0.0.1 and prints its URL.
 */
import { numberOption, parseCommandArgs, type Command, type CommandIO } from "../command.js";
import { runCommand, servePage, untilInterrupted, type PageServer } from "../_pages.js";

/** The page's HTML: a 1280×960 canvas on black, scaled down to fit the window. */
export const SNEK_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>DrawSnek — reed</title>
<style>
  html, body { margin: 0; background: #000; color: #9f9; font: 14px ui-monospace, monospace; }
  canvas { display: block; margin: 0 auto; max-width: 100vw; max-height: calc(100vh - 24px); image-rendering: pixelated; }
  #status { text-align: center; height: 24px; line-height: 24px; }
</style>
</head>
<body>
<canvas id="screen" width="1280" height="960"></canvas>
<div id="status">loading…</div>
<script type="module" src="/snek.js"></script>
</body>
</html>
`;

/** Starts the DrawSnek page server (for tests and the command). */
export function serveSnek(port = 0): Promise<PageServer> {
  return servePage({ name: "snek", html: SNEK_HTML, port });
}

/** The `reed snek` command. */
export const snekCommand: Command = {
  name: "snek",
  summary: "serve DrawSnek: smooth, time-accurate animation in the browser with LoopingCall.withCount",
  help: `\
Usage: {prog} [--port N]

Serves DrawSnek on http://127.0.0.1:PORT/ and prints its URL; runs until interrupted (Ctrl-C).
Keys in the page: s snek, Shift+s coloured snek, d remove the oldest, h hiccup (block the page for
up to 1 s), q stop the page's reactor. Add ?seed=N to the URL for reproducible random choices.

Options:
  --port N      port to listen on (default 0: any free port)
  -h, --help    show this help
`,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(args, { port: { type: "string" } }, { max: 0 });
    const port = numberOption("port", values.port as string | undefined, 0, 0, 65535, true);
    let server: PageServer;
    try {
      server = await serveSnek(port);
    } catch (e) {
      io.stderr.write(`Cannot serve DrawSnek: ${(e as Error).message}\n`);
      return 1;
    }
    io.stdout.write(`DrawSnek is at ${server.url}\n`);
    await untilInterrupted();
    await server.close();
    return 0;
  },
};

/**
 * Runs `reed snek` with `argv` (the arguments after `snek`), on the process's streams.
 * @returns the exit code (0 after Ctrl-C, 1 when the port cannot be bound, 2 for a usage error).
 */
export function main(argv: string[]): Promise<number> {
  return runCommand(snekCommand, argv);
}
