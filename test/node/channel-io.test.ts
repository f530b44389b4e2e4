import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

function run(script: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { stdout: r.stdout, stderr: r.stderr };
}

test("with reed/node loaded, main waiting on a channel fed by a socket is not a deadlock", () => {
  const { stdout, stderr } = run(`
    import { chan } from "./src/index.ts";
    import "./src/node/index.ts";
    import net from "node:net";
    const inbox = chan();
    const server = net.createServer((s) => { s.end("hello"); });
    server.listen(0, "127.0.0.1", () => {
      const c = net.connect(server.address().port, "127.0.0.1");
      c.on("data", (d) => inbox.send(String(d)));
      c.on("close", () => server.close());
    });
    console.log("got", await inbox.recv());
  `);
  assert.match(stdout, /got hello/, stderr);
  assert.doesNotMatch(stderr, /Deadlock/);
});

test("with nothing that could wake it, main blocked on a channel still fails with Deadlock", () => {
  const { stdout, stderr } = run(`
    import { chan, Deadlock } from "./src/index.ts";
    import "./src/node/index.ts";
    try { await chan().recv(); } catch (e) { console.log(e instanceof Deadlock ? "deadlock" : String(e)); }
  `);
  assert.match(stdout, /deadlock/, stderr);
});
