/**
 * A line-echo server and three clients on reed's in-memory network, under seeded faults: bytes
 * arrive in chunks of 1–3 bytes after random latencies, so the clients' conversations interleave.
 * Run it twice with the same seed and the event trace is identical; change the seed and it is not.
 *
 *   node --import tsx examples/testing/simulated-echo.ts [seed]
 */
import { ClientFactory, Factory, LineReceiver } from "../../src/index.js";
import { MemoryNetwork } from "../../src/testing/index.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Answers each line with the line in upper case. */
class Shout extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(enc(dec(line).toUpperCase()));
  }
}

/** Sends its lines, prints the answers, and hangs up after the last one. */
class Talker extends LineReceiver {
  private answers = 0;
  constructor(
    private readonly name: string,
    private readonly lines: string[],
  ) {
    super();
  }
  override connectionMade(): void {
    for (const l of this.lines) this.sendLine(enc(l));
  }
  override lineReceived(line: Uint8Array): void {
    console.log(`${this.name} got ${JSON.stringify(dec(line))}`);
    if (++this.answers === this.lines.length) this.transport.loseConnection();
  }
}

const seed = Number(process.argv[2] ?? 1);
const net = new MemoryNetwork({ seed, faults: { maxChunkSize: 3, latency: [0.001, 0.02] } });
net.listenTCP(7000, Factory.forProtocol(Shout));
for (const [name, lines] of [
  ["alice", ["hello", "how are you"]],
  ["bob", ["good morning"]],
  ["carol", ["one", "two", "three"]],
] as const) {
  const f = new ClientFactory();
  f.buildProtocol = () => new Talker(name, [...lines]);
  net.connectTCP("127.0.0.1", 7000, f);
}
net.run();
let hash = 0;
for (const line of net.trace) for (let i = 0; i < line.length; i++) hash = (Math.imul(hash, 31) + line.charCodeAt(i)) | 0;
console.log(`seed ${seed}: ${net.trace.length} events by t=${net.seconds().toFixed(3)}s, trace hash ${(hash >>> 0).toString(16)}`);
