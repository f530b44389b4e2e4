/**
 * The scripted client session for unit-server.ts: one slow request on one connection, and quick
 * requests on a second connection, one every 100 ms, for as long as the slow one runs. It prints
 * the slow request's answer, how many quick requests were answered meanwhile and their round
 * trips, the server's own timer lateness (its `stats`), and what that means.
 *
 *   node --import tsx examples/threads/unit-client.ts 127.0.0.1:8123 [--slow-ms 2000]
 *
 * (`unit-server.ts --demo` runs this as a child process, so this clock is not the server's: when
 * the server's reactor freezes, these round trips show it.)
 */
import { parseArgs } from "node:util";
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { deferLater } from "../../src/task/defer-later.js";
import { clientFromString, connectProtocol } from "../../src/node/endpoints.js";
import { react } from "../../src/node/react.js";
import type { NodeReactor } from "../../src/node/reactor.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
/** The gap between quick requests, in seconds. */
const QUICK_EVERY = 0.1;

/** A connection that sends requests and pairs each answer with the oldest unanswered request. */
class Session extends LineReceiver {
  /** Fires with the server's greeting line. */
  readonly greeting = new Deferred<string>();
  private readonly waiting: Deferred<string>[] = [];
  private greeted = false;

  constructor() {
    super();
    this.delimiter = enc.encode("\n");
  }

  /** Sends `request`; fires with the answer line. */
  ask(request: string): Deferred<string> {
    const d = new Deferred<string>();
    this.waiting.push(d);
    this.sendLine(enc.encode(request));
    return d;
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = dec.decode(bytes).replace(/\r$/, "");
    if (!this.greeted) {
      this.greeted = true;
      this.greeting.callback(line);
    } else this.waiting.shift()?.callback(line);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    for (const d of this.waiting.splice(0)) d.errback(reason);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

async function session(reactor: NodeReactor, address: string, slowMs: number): Promise<void> {
  const endpoint = clientFromString(reactor, `tcp:${address}`);
  const slowOne = await connectProtocol(endpoint, new Session());
  const quickOne = await connectProtocol(endpoint, new Session());
  await slowOne.greeting;
  await quickOne.greeting;

  // Phase 1: the slow request; its answer marks the end of the window.
  const request = `slow 12 km mi ${slowMs}`;
  const sent = reactor.seconds();
  let slowAnswer: string | null = null;
  let slowTook = 0;
  const slow = slowOne.ask(request).addCallback((answer) => {
    slowTook = (reactor.seconds() - sent) * 1000;
    slowAnswer = answer;
  });

  // Phase 2: quick requests on the other connection, one at a time, until the slow one is answered.
  const trips: number[] = [];
  let answeredMeanwhile = 0;
  while (slowAnswer === null) {
    await deferLater(reactor, QUICK_EVERY);
    const t0 = reactor.seconds();
    const answer = await quickOne.ask("convert 12 km mi");
    trips.push((reactor.seconds() - t0) * 1000);
    if (!answer.startsWith("12 km = ")) throw new Error(`Unexpected answer: ${answer}`);
    if (slowAnswer === null) answeredMeanwhile++;
  }
  await slow;

  // Phase 3: the server's side of the story, then the verdict.
  const stats = await quickOne.ask("stats");
  const lateness = Number(/worst timer lateness ([\d.]+) ms/.exec(stats)?.[1] ?? NaN);
  const worstTrip = Math.max(...trips);
  console.log(`slow request:   ${request} -> ${slowAnswer}; round trip ${slowTook.toFixed(0)} ms`);
  console.log(
    `quick requests: ${answeredMeanwhile} of ${trips.length} answered while the slow one ran; ` +
      `round trip worst ${worstTrip.toFixed(1)} ms, median ${median(trips).toFixed(1)} ms`,
  );
  console.log(`server ${stats}`);
  // "Responsive" here means: nothing waited for more than a tenth of the slow job.
  const limit = slowMs / 10;
  console.log(
    worstTrip < limit && lateness < limit
      ? `verdict: the reactor stayed responsive (no wait over ${limit} ms during ${slowMs} ms of slow work)`
      : `verdict: the reactor froze: quick requests waited up to ${worstTrip.toFixed(0)} ms, the timer ${lateness.toFixed(0)} ms`,
  );
  slowOne.transport.loseConnection();
  quickOne.transport.loseConnection();
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "slow-ms": { type: "string", default: "2000" } },
});
const address = positionals[0] ?? "127.0.0.1:8123";
react((reactor) => session(reactor, address, Number(values["slow-ms"])));
