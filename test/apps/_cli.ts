/**
 * Runs the real `reed` command as child processes for end-to-end tests (via tsx, from src/).
 * Every process started here is killed by `killAll()` (call it in `after`), and each wait is
 * bounded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../src/apps/cli.ts", import.meta.url));
const running = new Set<ChildProcess>();

/** A running `reed` process with its output so far. */
export interface Reed {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Waits until stdout (or stderr) matches `re`, at most `ms`. */
  waitFor(re: RegExp, ms?: number, stream?: "stdout" | "stderr"): Promise<RegExpMatchArray>;
}

/** Starts `reed ...args`. */
export function reed(args: string[], options: { input?: string } = {}): Reed {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  const r: Reed = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.on("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    })),
    waitFor(re, ms = 15000, stream = "stdout") {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = r[stream].match(re);
          if (m) {
            clearTimeout(timer);
            child.stdout!.off("data", check);
            child.stderr!.off("data", check);
            resolve(m);
          }
          return !!m;
        };
        const timer = setTimeout(() => {
          child.stdout!.off("data", check);
          child.stderr!.off("data", check);
          reject(new Error(`Timed out waiting for ${re} in ${stream}:\n${r[stream]}\n--- stderr:\n${r.stderr}`));
        }, ms);
        child.stdout!.on("data", check);
        child.stderr!.on("data", check);
        setImmediate(check);
      });
    },
  };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (r.stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (r.stderr += d));
  if (options.input !== undefined) child.stdin!.end(options.input);
  return r;
}

/** Runs `reed ...args` to completion (killed after `ms`). */
export async function run(args: string[], options: { input?: string; ms?: number } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const r = reed(args, options);
  const timer = setTimeout(() => r.child.kill("SIGKILL"), options.ms ?? 20000);
  const code = await r.exited;
  clearTimeout(timer);
  return { code, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a server command and waits for its "... on port N." line. */
export async function server(args: string[]): Promise<{ proc: Reed; port: number }> {
  const proc = reed(args);
  const m = await proc.waitFor(/on port (\d+)\./);
  return { proc, port: Number(m[1]) };
}

/** Kills every process still running (SIGKILL) and waits for them to go. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const c of left) c.kill("SIGKILL");
  await Promise.all(left.map((c) => new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(null) : c.once("exit", resolve)))));
}
