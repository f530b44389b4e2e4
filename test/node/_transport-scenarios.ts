// The close-with-a-producer scenarios shared by test/node/transport-conformance.test.ts (every
// reed transport) and test/interop/twisted-producer-close.test.ts (real Twisted 22.4, through
// test/fixtures/producer_close_peer.py, which plays the rows by `id`). The expected event lists
// are what Twisted's TCP transport does (FileDescriptor.doWrite, loseConnection,
// unregisterProducer, connectionLost); the interop test checks them against Twisted itself.
import type { IPullProducer, IPushProducer, ITCPTransport } from "../../src/interfaces.js";
/**
 * The transports the table runs against. `stdio` is StandardIO over a child's real pipes (the
 * client is the parent, reading the child's stdout; "the client closes" = it closes the child's
 * stdin); `process` is spawnProcess's transport writing a child's stdin (the client is the child;
 * it closes by exiting), where `lost` means the protocol's `inConnectionLost` (a ProcessProtocol
 * is not told why a pipe closed). Neither has abortConnection, and their half-close differs from
 * a socket's (StandardIO's stops the producer, as Twisted's does: see stdio.test.ts).
 */
export type Kind = "tcp" | "tls" | "memory" | "ws-server" | "ws-page" | "stdio" | "process";
export const ALL: readonly Kind[] = ["tcp", "tls", "memory", "ws-server", "ws-page", "stdio", "process"];
/** A WebSocket has no half-close, and its abort is reported as `ConnectionLost` (not `ConnectionAborted`). */
export const STREAMS: readonly Kind[] = ["tcp", "tls", "memory"];

const enc = (s: string) => new TextEncoder().encode(s);
export const CHUNK = 1 << 16;
export const MAX_CHUNKS = 4096; // 256 MiB: far beyond any socket buffer (the loop stops at the first pause)

/** What a scenario's server protocol can do and record. */
export interface Server {
  readonly t: ITCPTransport;
  log(event: string): void;
  /** Writes through the transport, counting the bytes (what the client should then receive). */
  write(data: Uint8Array): void;
  /** A streaming producer that logs `pause`, `resume`, `stop`; `onResume` runs on each resume. */
  push(onResume?: () => void): IPushProducer;
  /** A pull producer that logs `resume N` and `stop`; `onResume(n)` runs on the n-th resume. */
  pull(onResume?: (n: number) => void): IPullProducer;
}

/** A streaming producer that logs `pause`, `resume`, `stop` through `log`; `onResume` runs on each resume. */
export function pushProducer(log: (event: string) => void, onResume?: () => void): IPushProducer {
  return {
    pauseProducing: () => log("pause"),
    resumeProducing: () => {
      log("resume");
      onResume?.();
    },
    stopProducing: () => log("stop"),
  };
}

/** A pull producer that logs `resume N` and `stop` through `log`; `onResume(n)` runs on the n-th resume. */
export function pullProducer(log: (event: string) => void, onResume?: (n: number) => void): IPullProducer {
  let n = 0;
  return {
    resumeProducing: () => {
      log(`resume ${++n}`);
      onResume?.(n);
    },
    stopProducing: () => log("stop"),
  };
}

/** One row: what the server does, and what must happen. */
export interface Scenario {
  /** The key the Twisted peer script plays it by. */
  id: string;
  /** Whether Twisted 22.4 behaves as `expected` (false for a row where reed departs on purpose). */
  twisted?: boolean;
  /** The test name. */
  name: string;
  /** The transports this row applies to (default all). */
  on?: readonly Kind[];
  /** Runs in the server protocol's connectionMade. */
  made(s: Server): void;
  /** Runs in the server protocol's writeConnectionLost (the server is then half-closeable). */
  writeConnectionLost?(s: Server): void;
  /** Runs in the server protocol's connectionLost, after it is logged. */
  lost?(s: Server): void;
  /** The client closes its side as soon as it is connected. */
  clientCloses?: boolean;
  /** The server's events, in order. */
  expected: string[];
  /** Bytes the client receives in all: a number, `"sent"` (all the server wrote) or `"any"`. */
  clientBytes: number | "sent" | "any";
}

export const scenarios: Scenario[] = [
  {
    id: "push-lose",
    name: "a streaming producer that is not paused does not hold loseConnection: the close comes once the buffer is flushed and stops it",
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("hello"));
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["lose returned", "stop", "lost ConnectionDone"],
    clientBytes: 5,
  },
  {
    id: "push-unregister",
    name: "a streaming producer unregistered right after loseConnection is not stopped",
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("hello"));
      s.t.loseConnection();
      s.t.unregisterProducer();
    },
    expected: ["lost ConnectionDone"],
    clientBytes: 5,
  },
  {
    id: "push-paused",
    name: "a paused streaming producer is resumed when the buffer empties, and the close waits for its next flush",
    made(s) {
      let resumed = 0;
      let paused = false;
      const p = s.push(() => {
        if (++resumed === 1) s.write(enc("tail"));
      });
      s.t.registerProducer({ ...p, pauseProducing: () => ((paused = true), p.pauseProducing()) }, true);
      // Fill the buffer until the transport pauses the producer (the reader, in this same
      // process, cannot read meanwhile, so the kernel's buffers fill too).
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; !paused && i < MAX_CHUNKS; i++) s.write(chunk);
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["pause", "lose returned", "resume", "stop", "lost ConnectionDone"],
    clientBytes: "sent",
  },
  {
    id: "pull-holds",
    name: "a pull producer holds loseConnection open, asked for more at each flush, until it is unregistered",
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n <= 3) s.write(enc("p"));
          else {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["resume 1", "lose returned", "resume 2", "resume 3", "resume 4", "unregister", "lost ConnectionDone"],
    clientBytes: 3,
  },
  {
    id: "pull-nowrite",
    name: "a pull producer that writes nothing is asked once more after loseConnection and holds it open",
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n === 2) {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseConnection();
      s.log("lose returned");
    },
    expected: ["resume 1", "lose returned", "resume 2", "unregister", "lost ConnectionDone"],
    clientBytes: 0,
  },
  {
    id: "register-after-lose",
    name: "a streaming producer registered after loseConnection, before the close, is stopped by the close",
    made(s) {
      s.write(enc("hi"));
      s.t.loseConnection();
      s.t.registerProducer(s.push(), true);
      s.log("registered");
    },
    expected: ["registered", "stop", "lost ConnectionDone"],
    clientBytes: 2,
  },
  {
    id: "write-after-lose",
    name: "writes made after loseConnection, before the buffer empties, are still sent",
    // A page's socket starts the close at once without a producer (see WebSocketTransport.write).
    on: ["tcp", "tls", "memory", "ws-server", "stdio", "process"],
    made(s) {
      s.t.loseConnection();
      s.write(enc("late"));
    },
    expected: ["lost ConnectionDone"],
    clientBytes: 4,
  },
  {
    id: "peer-closes",
    name: "the peer closing stops a registered producer before connectionLost",
    clientCloses: true,
    made(s) {
      s.t.registerProducer(s.push(), true);
    },
    expected: ["stop", "lost ConnectionDone"],
    clientBytes: 0,
  },
  {
    id: "abort",
    name: "abortConnection stops a registered producer; the reason is ConnectionAborted",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("x"));
      s.t.abortConnection();
      s.log("abort returned");
    },
    expected: ["abort returned", "stop", "lost ConnectionAborted"],
    clientBytes: "any", // the abort may or may not beat the byte
  },
  {
    id: "register-after-lost",
    name: "a producer registered on a lost connection is stopped at once",
    made() {},
    clientCloses: true,
    lost(s) {
      s.t.registerProducer(s.push(), true);
      s.log("registered");
    },
    expected: ["lost ConnectionDone", "stop", "registered"],
    clientBytes: 0,
  },
  {
    id: "halfclose-push",
    name: "a streaming producer does not hold a half-close; loseConnection after it closes at once and stops the producer",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(s.push(), true);
      s.write(enc("a"));
      s.t.loseWriteConnection();
      s.write(enc("b"));
      s.log("half-close returned");
    },
    writeConnectionLost(s) {
      s.t.loseConnection();
    },
    expected: ["half-close returned", "writeConnectionLost", "stop", "lost ConnectionDone"],
    clientBytes: 2,
  },
  {
    // Twisted 22.4 never half-closes here (its unregisterProducer only restarts writing after
    // loseConnection); reed lets the half-close held by the producer happen.
    id: "halfclose-pull",
    twisted: false,
    name: "a pull producer holds a half-close until it is unregistered (reed: the half-close then happens)",
    on: STREAMS,
    made(s) {
      s.t.registerProducer(
        s.pull((n) => {
          if (n === 1) s.write(enc("p"));
          else {
            s.log("unregister");
            s.t.unregisterProducer();
          }
        }),
        false,
      );
      s.t.loseWriteConnection();
      s.log("half-close returned");
    },
    writeConnectionLost(s) {
      s.t.loseConnection();
    },
    expected: ["resume 1", "half-close returned", "resume 2", "unregister", "writeConnectionLost", "lost ConnectionDone"],
    clientBytes: 1,
  },
];
