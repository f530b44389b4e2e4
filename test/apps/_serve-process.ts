// Runs `reed <command>` as a child process (via tsx) until it prints its URL; stops it with SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

/** A running `reed` process and the lines it printed. */
export interface Served {
  child: ChildProcess;
  lines: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `reed ...args` and waits (up to 20 s) for a line matching `ready`. */
export async function serve(args: string[], ready: RegExp): Promise<Served & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/apps/cli.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, "exit");
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    return code;
  };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No line matching ${ready} in 20 s; stderr: ${stderr}`)), 20_000);
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`reed ${args.join(" ")} exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { child, lines, stop, match };
}
