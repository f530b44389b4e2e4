/**
 * End to end: the real `reed` command as processes on 127.0.0.1, with fast delays. Marked real
 * sockets and real processes; every process is killed in `after`, every wait is bounded.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { killAll, reed, run, server } from "../_cli.js";

const TIME = /^Got (\d+) poems in (\d+):(\d\d):(\d\d)(\.\d{6})?$/m;

function seconds(out: string): number {
  const m = out.match(TIME);
  assert.ok(m, `no "Got N poems in H:MM:SS.ffffff" line in:\n${out}`);
  return Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]) + Number(m[5] ?? 0);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Connects a raw socket, optionally sends bytes, and collects the reply until the peer closes. */
function rawClient(port: number, send?: Uint8Array | string): { socket: Socket; done: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let got = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (got += d));
  if (send !== undefined) socket.write(send);
  const done = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got ${JSON.stringify(got)}`));
    }, 10000);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on("error", () => undefined);
  });
  return { socket, done };
}

/** Waits (polling, at most `ms`) until `pred()` holds. */
async function waitUntil(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let fast: number[] = [];
let slow = 0;
let transform = 0;
let transformProc: Awaited<ReturnType<typeof server>>["proc"];
let slowProc: Awaited<ReturnType<typeof server>>["proc"];

before(async () => {
  const started = await Promise.all([
    server(["poetry", "serve", "--num-bytes", "300", "--delay", "0.03", "ecstasy"]),
    server(["poetry", "serve", "--num-bytes", "100", "--delay", "0.03", "fascination"]),
    server(["poetry", "serve", "--num-bytes", "100", "--delay", "0.03", "science"]),
    server(["poetry", "serve", "--num-bytes", "10", "--delay", "0.3", "science"]),
    server(["poetry", "transform"]),
  ]);
  fast = started.slice(0, 3).map((s) => s.port);
  slow = started[3]!.port;
  slowProc = started[3]!.proc;
  transform = started[4]!.port;
  transformProc = started[4]!.proc;
});

after(killAll);

test("serve announces 'Serving <file> on port <N>.'", async () => {
  const { proc, port } = await server(["poetry", "serve", "--port", "0", "alla_sera"]);
  assert.match(proc.stdout, new RegExp(`^Serving alla_sera on port ${port}\\.$`, "m"));
  proc.child.kill("SIGTERM");
  assert.equal(await proc.exited, 0, "SIGTERM stops the server cleanly");
});

test("get downloads the whole poems and ends with 'Got N poems in H:MM:SS.ffffff'", async () => {
  const r = await run(["poetry", "get", ...fast.map(String)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Task 1: 3003 bytes of poetry$/m);
  assert.match(r.stdout, /^Task 2: 615 bytes of poetry$/m);
  assert.match(r.stdout, /^Task 3: 653 bytes of poetry$/m);
  assert.match(r.stdout, /^Got 3 poems in \d:\d\d:\d\d\.\d{6}$/m);
});

test("--verbose prints 'Task N: got K bytes of poetry from HOST:PORT' and the tasks interleave", async () => {
  const r = await run(["poetry", "get", "--verbose", ...fast.map((p) => `127.0.0.1:${p}`)]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n").filter((l) => / got \d+ bytes/.test(l));
  for (const l of lines) assert.match(l, /^Task [123]: got \d+ bytes of poetry from 127\.0\.0\.1:\d+$/);
  const order = lines.map((l) => l[5]);
  const lastOf1 = order.lastIndexOf("1");
  const firstOf2 = order.indexOf("2");
  assert.ok(firstOf2 < lastOf1, `concurrent chunks interleave: ${order.join("")}`);
});

test("--sequential downloads one after another and takes longer than the concurrent client", async () => {
  const conc = await run(["poetry", "get", ...fast.map(String)]);
  const seq = await run(["poetry", "get", "--sequential", "--verbose", ...fast.map(String)]);
  assert.equal(seq.code, 0, seq.stderr);
  const order = seq.stdout.split("\n").filter((l) => / got \d+ bytes/.test(l)).map((l) => l[5]).join("");
  assert.match(order, /^1+2+3+$/, "each task's chunks come after the previous task's");
  assert.ok(seconds(seq.stdout) > seconds(conc.stdout), `sequential ${seconds(seq.stdout)} s > concurrent ${seconds(conc.stdout)} s`);
});

test("--one-at-a-time makes the second client wait until the first is served", async () => {
  const { port } = await server(["poetry", "serve", "--one-at-a-time", "--num-bytes", "200", "--delay", "0.05", "science"]);
  const r = await run(["poetry", "get", "--verbose", String(port), String(port)]);
  assert.equal(r.code, 0, r.stderr);
  const order = r.stdout.split("\n").filter((l) => / got \d+ bytes/.test(l)).map((l) => l[5]).join("");
  assert.match(order, /^1+2+$/, `the second download starts after the first: ${order}`);
});

test("a refused connection is reported for that server, with the reason, and exit status 1", async () => {
  const dead = await freePort();
  const r = await run(["poetry", "get", String(fast[1]), String(dead)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Task 2: failed to get poetry from 127\\.0\\.0\\.1:${dead}: Connection was refused`, "m"));
  assert.match(r.stdout, /^Task 1: 615 bytes of poetry/m);
  assert.match(r.stdout, /^Got 1 poems in /m);
});

test("--timeout gives up on a slow server and closes its connection", async () => {
  const before = slowProc.stdout.length;
  const r = await run(["poetry", "get", "--timeout", "0.5", String(slow)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Task 1: failed to get poetry from 127\.0\.0\.1:\d+: Timed out after 0\.5 seconds$/m);
  await waitUntil(() => slowProc.stdout.slice(before).includes("left before the end of the poem."), "the slow server sees the client go");
});

test("a server killed mid-poem does not hang the client: it reports what it got", async () => {
  const victim = await server(["poetry", "serve", "--num-bytes", "10", "--delay", "0.1", "science"]);
  const client = reed(["poetry", "get", "--verbose", String(victim.port)]);
  await client.waitFor(/Task 1: got \d+ bytes/);
  victim.proc.child.kill("SIGKILL");
  const timer = setTimeout(() => client.child.kill("SIGKILL"), 10000);
  const code = await client.exited;
  clearTimeout(timer);
  const all = client.stdout + client.stderr;
  assert.match(all, /^Task 1: (\d+ bytes of poetry|failed to get poetry from)/m);
  const got = all.match(/^Task 1: (\d+) bytes of poetry/m);
  if (got) assert.ok(Number(got[1]) < 653, "only part of the poem arrived");
  else assert.equal(code, 1);
  assert.match(client.stdout, TIME);
});

test("--transform cummingsifies the poems through the transform server", async () => {
  const r = await run(["poetry", "get", "--print", "--transform", `127.0.0.1:${transform}`, String(fast[2])]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Task 1: 653 bytes of poetry \(cummingsified\)$/m);
  assert.match(r.stdout, /science! true daughter of old time thou art!/);
  assert.doesNotMatch(r.stdout, /Science!/);
});

test("the transform server replies with one netstring and closes", async () => {
  const { done } = rawClient(transform, "17:cummingsify.ABC D,");
  assert.equal(await done, "5:abc d,");
});

test("malformed and unknown transform requests close the connection without a reply, logged", async () => {
  const cases = ["this is not a netstring", "7:no-dots,", "8:nosuch.x,"];
  for (const c of cases) assert.equal(await rawClient(transform, c).done, "", c);
  await transformProc.waitFor(/No such transform "nosuch"/, 5000, "stderr");
  assert.match(transformProc.stderr, /Malformed transform request .*: no transform name/);
});

test("the proxy fetches once and serves the cached poem after", async () => {
  const { proc, port } = await server(["poetry", "proxy", String(fast[1])]);
  assert.match(proc.stdout, new RegExp(`^Proxying 127\\.0\\.0\\.1:${fast[1]} on port ${port}\\.$`, "m"));
  const first = await rawClient(port).done;
  const second = await rawClient(port).done;
  assert.equal(first.length, 615);
  assert.equal(second, first);
  await proc.waitFor(/Using cached poem\./);
  assert.equal(proc.stdout.match(/Fetching poem from server\./g)?.length, 1);
});

test("the proxy cancels the download when its client goes away before the poem arrives", async () => {
  const { proc, port } = await server(["poetry", "proxy", String(slow)]);
  const mark = slowProc.stdout.length;
  const { socket, done } = rawClient(port);
  await proc.waitFor(/Fetching poem from server\./);
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
  await done;
  await proc.waitFor(/Canceling poem download\./, 5000);
  await waitUntil(() => slowProc.stdout.slice(mark).includes("left before the end of the poem."), "the upstream connection is closed");
});

test("usage errors exit with status 2 and say what is wrong", async () => {
  const r = await run(["poetry", "serve", "--delay", "fast", "ecstasy"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Bad value for --delay/);
  const r2 = await run(["poetry", "serve", "/no/such/poem.txt"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /No such file: \/no\/such\/poem\.txt/);
});

test("the demo starts three servers, runs both clients and explains the difference", async () => {
  const r = await run(["poetry", "demo", "--delay", "0.004"], { ms: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/^ {2}\w+\.txt \(\d+ bytes\) on port \d+: /gm)?.length, 3);
  const m = r.stdout.match(/^Concurrent: (\S+) {3}Sequential: (\S+) {3}\((\d+\.\d)x\)$/m);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[3]) > 1, "the sequential client is slower");
  assert.equal(r.stdout.match(/^ {3}Got 3 poems in /gm)?.length, 2);
  assert.match(r.stdout, /Why asynchronous wins/);
});
