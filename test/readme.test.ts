/**
 * The README's examples run: every ```ts block whose first line is `// example: NAME` is written
 * into the package (so `import ... from "reed"` resolves to the built package, as for a user) and
 * run with tsx; its output is checked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const readme = readFileSync("README.md", "utf8");
const blocks = new Map<string, string>();
for (const m of readme.matchAll(/```ts\n\/\/ example: (\S+)\n([\s\S]*?)```/g)) blocks.set(m[1]!, m[2]!);

function run(name: string): string {
  const dir = join("build-check", "readme");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, blocks.get(name)!);
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("the README has its examples", () => {
  assert.deepEqual([...blocks.keys()], ["taste", "echo"]);
});

test("README example 'taste' prints what its comments say", () => {
  assert.equal(run("taste"), "result -1\ncoroutine 21\nawaited a Deferred is a thenable\n");
});

test("README example 'echo' serves, connects, answers and stops", () => {
  assert.equal(run("echo"), "server said: HELLO, REACTOR\n");
});
