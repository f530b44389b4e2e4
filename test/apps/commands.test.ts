import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { COMMANDS, runCli } from "../../src/apps/commands.js";
import { isGroup } from "../../src/apps/command.js";
import { run } from "./_cli.js";

function io(): { io: Parameters<typeof runCli>[1]; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = "";
  let e = "";
  stdout.on("data", (d: Buffer) => (o += d));
  stderr.on("data", (d: Buffer) => (e += d));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => o, err: () => e };
}

test("reed without a command prints the command list to stderr and exits 2", async () => {
  const t = io();
  assert.equal(await runCli([], t.io), 2);
  assert.match(t.err(), /^Usage: reed <command>/);
  assert.match(t.err(), /poetry/);
  assert.match(t.err(), /simulate/);
});

test("reed --help lists every command: poetry, simulate, snek, button, log-collector", async () => {
  const t = io();
  assert.equal(await runCli(["--help"], t.io), 0);
  for (const name of ["poetry", "simulate", "snek", "button", "log-collector"]) {
    assert.match(t.out(), new RegExp(`^  ${name} `, "m"), name);
  }
});

test("--help works at every level and exits 0", async () => {
  for (const argv of [["--help"], ["poetry", "--help"], ["poetry", "get", "--help"], ["simulate", "-h"]]) {
    const t = io();
    assert.equal(await runCli(argv, t.io), 0, argv.join(" "));
    assert.match(t.out(), /^Usage: reed/, argv.join(" "));
  }
});

test("every command's help names the command in full", async () => {
  const walk = async (prefix: string[], table: typeof COMMANDS): Promise<void> => {
    for (const c of table) {
      if (isGroup(c)) await walk([...prefix, c.name], c.commands);
      else {
        const t = io();
        assert.equal(await runCli([...prefix, c.name, "--help"], t.io), 0);
        assert.ok(t.out().startsWith(`Usage: reed ${[...prefix, c.name].join(" ")}`), t.out().split("\n")[0]);
      }
    }
  };
  await walk([], COMMANDS);
});

test("an unknown command or option is a usage error (exit 2) that says what was wrong", async () => {
  let t = io();
  assert.equal(await runCli(["poetree"], t.io), 2);
  assert.match(t.err(), /^reed: Unknown command: poetree/);
  t = io();
  assert.equal(await runCli(["poetry", "get", "--bogus", "1"], t.io), 2);
  assert.match(t.err(), /^reed poetry get: Unknown option '--bogus'/);
  t = io();
  assert.equal(await runCli(["poetry", "get"], t.io), 2);
  assert.match(t.err(), /^reed poetry get: Missing argument/);
  t = io();
  assert.equal(await runCli(["poetry", "get", "1:2:x"], t.io), 2);
  assert.match(t.err(), /Bad address: "1:2:x"/);
  t = io();
  assert.equal(await runCli(["simulate", "extra"], t.io), 2);
  assert.match(t.err(), /Unexpected argument: extra/);
});

test("--version prints the package version", async () => {
  const t = io();
  assert.equal(await runCli(["--version"], t.io), 0);
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal(t.out(), `reed ${pkg.version}\n`);
});

// Real process: the simulator's piped output is the golden diagrams, byte for byte.
test("reed simulate piped input prints exactly the tutorial's diagrams (wide and narrow)", async () => {
  const golden = (n: string): string => readFileSync(new URL(`../fixtures/golden/simulator/${n}`, import.meta.url), "utf8");
  const wide = await run(["simulate"], { input: "r good f bad\nf googly p\n\n" });
  assert.equal(wide.code, 0, wide.stderr);
  assert.equal(wide.stdout, golden("sim_two_pairs_wide.txt"));
  const narrow = await run(["simulate", "--narrow"], { input: "r good f bad\n\n" });
  assert.equal(narrow.stdout, golden("sim_one_pair_narrow.txt"));
});

test("reed simulate reports bad lines with the tutorial's messages and keeps reading", async () => {
  const r = await run(["simulate"], { input: "\nbogus x\nr 1234567 p\nr good\nr good f bad\n\n" });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^You must enter at least one pair\.$/m);
  assert.match(r.stdout, /^ERROR: bad command: bogus$/m);
  assert.match(r.stdout, /^ERROR: \('result more than 6 chars long', '1234567'\)$/m);
  assert.match(r.stdout, /^ERROR: missing command$/m);
  assert.ok(r.stdout.endsWith(readFileSync(new URL("../fixtures/golden/simulator/sim_one_pair_wide.txt", import.meta.url), "utf8")));
});

test("reed simulate --svg writes the diagrams as an SVG picture too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reed-sim-"));
  try {
    const file = join(dir, "chain.svg");
    const r = await run(["simulate", "--svg", file], { input: "r good f bad\n\n" });
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(file, "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />bad\*</);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
