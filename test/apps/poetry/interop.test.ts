/**
 * Interoperability with Twisted 22.4 (real processes, 127.0.0.1): Twisted programs written for
 * these tests talk to reed's servers, and reed's client talks to a Twisted server. Skipped when
 * /usr/bin/python3 cannot import twisted. Every process is killed in `after`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { killAll, run, server } from "../_cli.js";

const PY = "/usr/bin/python3";
const hasTwisted = spawnSync(PY, ["-c", "import twisted"], { stdio: "ignore" }).status === 0;
const skip = hasTwisted ? false : "Twisted is not installed for /usr/bin/python3";

function python(code: string, args: (string | number)[], ms = 15000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PY, ["-c", code, ...args.map(String)]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout, stderr });
    });
  });
}

// A Twisted poetry client: read until the server closes, print the byte count.
const TWISTED_GET = `
import sys
from twisted.internet import reactor, protocol
class P(protocol.Protocol):
    def connectionMade(self): self.buf = b''
    def dataReceived(self, d): self.buf += d
    def connectionLost(self, reason):
        print(len(self.buf)); print(self.buf.decode('utf8').splitlines()[0]); reactor.stop()
f = protocol.ClientFactory(); f.protocol = P
f.clientConnectionFailed = lambda c, r: (print('failed', r.getErrorMessage()), reactor.stop())
reactor.connectTCP('127.0.0.1', int(sys.argv[1]), f)
reactor.run()
`;

// A Twisted transform client: one netstring request, print the reply.
const TWISTED_XFORM = `
import sys
from twisted.internet import reactor, protocol
from twisted.protocols.basic import NetstringReceiver
class X(NetstringReceiver):
    def connectionMade(self): self.sendString(sys.argv[2].encode('utf8'))
    def stringReceived(self, s): print('reply', s.decode('utf8')); self.transport.loseConnection()
    def connectionLost(self, reason): print('closed'); reactor.stop()
f = protocol.ClientFactory(); f.protocol = X
reactor.connectTCP('127.0.0.1', int(sys.argv[1]), f)
reactor.run()
`;

// A Twisted slow poetry server: 7 bytes every 0.01 s (splitting UTF-8 characters), then close.
const TWISTED_SERVE = `
import sys
from twisted.internet import reactor, protocol, task
POEM = 'Alla Sera\\nForse perché della fatal quïete\\n'.encode('utf8')
class S(protocol.Protocol):
    def connectionMade(self):
        self.i = 0
        self.loop = task.LoopingCall(self.tick); self.loop.start(0.01)
    def tick(self):
        if self.i >= len(POEM):
            self.loop.stop(); self.transport.loseConnection(); return
        self.transport.write(POEM[self.i:self.i + 7]); self.i += 7
    def connectionLost(self, reason):
        if self.loop.running: self.loop.stop()
f = protocol.ServerFactory(); f.protocol = S
port = reactor.listenTCP(0, f, interface='127.0.0.1')
print('Serving on port %d.' % port.getHost().port, flush=True)
reactor.run()
`;

let poemPort = 0;
let xformPort = 0;

before(async () => {
  if (!hasTwisted) return;
  const [s, t] = await Promise.all([server(["poetry", "serve", "--num-bytes", "100", "--delay", "0.01", "science"]), server(["poetry", "transform"])]);
  poemPort = s.port;
  xformPort = t.port;
});

after(killAll);

test("a Twisted client downloads the whole poem from reed poetry serve", { skip }, async () => {
  const r = await python(TWISTED_GET, [poemPort]);
  assert.equal(r.stdout, "653\nSonnet - To Science\n", r.stderr);
});

test("a Twisted NetstringReceiver gets a cummingsified poem from reed poetry transform", { skip }, async () => {
  const r = await python(TWISTED_XFORM, [xformPort, "cummingsify.The Ecstasy"]);
  assert.equal(r.stdout, "reply the ecstasy\nclosed\n", r.stderr);
});

test("reed poetry transform closes on a Twisted client's unknown transform without replying", { skip }, async () => {
  const r = await python(TWISTED_XFORM, [xformPort, "byronificate.The Ecstasy"]);
  assert.equal(r.stdout, "closed\n", r.stderr);
});

test("reed poetry get downloads from a Twisted slow poetry server", { skip }, async () => {
  const child = spawn(PY, ["-u", "-c", TWISTED_SERVE]);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no port line: ${out}`)), 10000);
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        const m = out.match(/on port (\d+)\./);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const r = await run(["poetry", "get", "--print", String(port)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Task 1: 44 bytes of poetry$/m);
    assert.match(r.stdout, /Forse perché della fatal quïete/);
  } finally {
    child.kill("SIGKILL");
  }
});
