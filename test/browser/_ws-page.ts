// Bundled for the browser by websocket.test.ts: runs reed protocols in a real page.
import { BrowserReactor } from "../../src/browser/reactor.js";
import { connectWS } from "../../src/browser/websocket.js";
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { NetstringReceiver } from "../../src/protocols/basic/netstring.js";
import { ClientFactory } from "../../src/protocols/factory.js";
import { Deferred } from "../../src/deferred.js";
import type { Failure } from "../../src/failure.js";

const reactor = new BrowserReactor();
reactor.run();
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Outcome {
  received: string[];
  reason: string;
}

class LineClient extends LineReceiver {
  received: string[] = [];
  done = new Deferred<Outcome>();
  expected = 0;
  override lineReceived(line: Uint8Array): void {
    this.received.push(dec.decode(line));
    if (this.received.length === this.expected) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.done.callback({ received: this.received, reason: reason.typeName });
  }
}

class NetstringClient extends NetstringReceiver {
  received: string[] = [];
  done = new Deferred<Outcome>();
  expected = 0;
  override stringReceived(s: Uint8Array): void {
    this.received.push(dec.decode(s));
    if (this.received.length === this.expected) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.done.callback({ received: this.received, reason: reason.typeName });
  }
}

/** Sends `chunks` raw over a LineReceiver connection and collects `expected` lines back. */
async function lines(url: string, chunks: string[], expected: number): Promise<Outcome> {
  const p = await connectWS(reactor, url, ClientFactory.forProtocol(LineClient));
  p.expected = expected;
  for (const c of chunks) p.transport.write(enc.encode(c));
  return p.done;
}

/** Sends strings as netstrings and collects `expected` netstrings back. */
async function netstrings(url: string, strings: string[], expected: number): Promise<Outcome> {
  const p = await connectWS(reactor, url, ClientFactory.forProtocol(NetstringClient));
  p.expected = expected;
  for (const s of strings) p.sendString(enc.encode(s));
  return p.done;
}

/** Chains `n` callLater(0) calls and counts the page's setTimeout calls meanwhile. */
function zeroDelayChain(n: number): Promise<{ calls: number; setTimeouts: number }> {
  const real = globalThis.setTimeout;
  let setTimeouts = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    setTimeouts++;
    return real(...args);
  }) as typeof setTimeout;
  let calls = 0;
  return new Promise((resolve) => {
    const next = (): void => {
      calls++;
      if (calls < n) reactor.callLater(0, next);
      else {
        globalThis.setTimeout = real;
        resolve({ calls, setTimeouts });
      }
    };
    reactor.callLater(0, next);
  });
}

/** What the page reports when the connection cannot be made. */
async function failedConnect(url: string): Promise<string> {
  try {
    await connectWS(reactor, url, ClientFactory.forProtocol(LineClient));
    return "connected";
  } catch (e) {
    return (e as Error).name;
  }
}

(globalThis as unknown as { reedTest: unknown }).reedTest = { lines, netstrings, zeroDelayChain, failedConnect };
