/**
 * Running real Twisted (Debian's /usr/bin/python3 with python3-twisted) beside reed in interop
 * tests: a peer script as a child process whose stdout is read line by line, and a skip reason
 * when the modules it needs are missing (the tests then skip, loudly).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** The Python that has Debian's Twisted. */
export const PY = "/usr/bin/python3";

/**
 * `false` when PY can import every module in `modules`, else a SKIPPED reason naming `packages`
 * (also printed to stderr under `label`, so a skipped interop test is seen in CI's log).
 */
export function skipUnlessPython(label: string, modules: string[], packages: string): false | string {
  const ok = spawnSync(PY, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" }).status === 0;
  if (ok) return false;
  const reason = `SKIPPED: ${PY} cannot import ${modules.join(", ")} (apt-get install -y ${packages})`;
  console.error(`${label}: ${reason}`);
  return reason;
}

/** A running peer script: its process, its stdout lines, and what it wrote to stderr so far. */
export interface PythonPeer {
  readonly child: ChildProcess;
  readonly lines: AsyncIterableIterator<string>;
  stderr(): string;
}

/** Runs `script` with `args`; its stderr is kept for failure messages. */
export function pythonPeer(script: string, args: string[]): PythonPeer {
  const child = spawn(PY, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => void (err += d.toString()));
  const rl = createInterface({ input: child.stdout! });
  return { child, lines: rl[Symbol.asyncIterator](), stderr: () => err };
}

/** Every line still to come, until the peer closes its stdout. */
export async function allLines(lines: AsyncIterableIterator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

/** The peer's exit code, once it has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", (code) => r(code)));
}
