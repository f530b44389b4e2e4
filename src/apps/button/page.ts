/**
 * "Sometimes, you just want a button" (seed 000), in a page: one button, one label. Clicking runs a
 * Deferred chain that fetches a poem from a reed poetry server over a WebSocket (relayed to the
 * poetry server's TCP port by `reed button`) and shows its first line. The poem dribbles in
 * slowly, and the page stays responsive throughout (seed 004): nothing here ever blocks; each
 * chunk is handled by `dataReceived` as it arrives and the reactor goes back to the page's loop.
 */
import { BrowserReactor } from "../../browser/reactor.js";
import { connectWS } from "../../browser/websocket.js";
import { Deferred } from "../../deferred.js";
import { ConnectionDone } from "../../errors.js";
import type { Failure } from "../../failure.js";
import { ClientFactory } from "../../protocols/factory.js";
import { Protocol } from "../../protocols/protocol.js";
import { LoopingCall } from "../../task/looping-call.js";
import type { ReactorTime } from "../../interfaces.js";

/** The tutorial's poetry client protocol: the poem is every byte until the server closes. */
export class PoetryProtocol extends Protocol {
  private readonly chunks: Uint8Array[] = [];
  /** Bytes received so far. */
  received = 0;

  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.received += data.byteLength;
    (this.factory as PoetryClientFactory).progress(this.received);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const factory = this.factory as PoetryClientFactory;
    if (reason.check(ConnectionDone)) {
      const all = new Uint8Array(this.received);
      let at = 0;
      for (const c of this.chunks) {
        all.set(c, at);
        at += c.byteLength;
      }
      factory.poemFinished(new TextDecoder().decode(all));
    } else {
      factory.poemFailed(reason);
    }
  }
}

/** Fires `deferred` with the poem, or fails it with why there is none. */
export class PoetryClientFactory extends ClientFactory<PoetryProtocol> {
  override protocol = PoetryProtocol;
  override noisy = false;
  /** Fires with the whole poem. */
  readonly deferred = new Deferred<string>();

  constructor(private readonly onProgress: (bytes: number) => void = () => {}) {
    super();
  }

  /** Bytes arrived: `bytes` so far. */
  progress(bytes: number): void {
    this.onProgress(bytes);
  }

  /** The server closed cleanly: that is the whole poem. */
  poemFinished(poem: string): void {
    if (!this.deferred.called) this.deferred.callback(poem);
  }

  /** The connection failed or broke. */
  poemFailed(reason: Failure): void {
    if (!this.deferred.called) this.deferred.errback(reason);
  }
}

/**
 * Fetches a poem over a WebSocket from `url`; the Deferred fires with the poem, or fails with
 * `ConnectError`/`ConnectionLost`. Cancelling it closes the connection.
 */
export function getPoetry(reactor: ReactorTime, url: string, onProgress?: (bytes: number) => void): Deferred<string> {
  const factory = new PoetryClientFactory(onProgress);
  const connecting = connectWS(reactor, url, factory, { timeout: 10 });
  connecting.addErrback((f: Failure) => factory.poemFailed(f));
  return factory.deferred;
}

// --- The page ------------------------------------------------------------------------------------

const reactor = new BrowserReactor();
const button = document.getElementById("fetch") as HTMLButtonElement;
const label = document.getElementById("label")!;
const progress = document.getElementById("progress")!;
const heartbeat = document.getElementById("heartbeat")!;

const state = {
  /** Heartbeats of a 20 Hz LoopingCall: they keep coming while the poem dribbles in. */
  heartbeats: 0,
  /** Bytes of the current poem received so far. */
  bytes: 0,
  /** Every byte count seen while a poem was arriving. */
  progress: [] as number[],
  /** "idle" | "fetching" | "done" | "failed". */
  status: "idle",
  /** The last poem fetched. */
  poem: "",
};

const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const heart = LoopingCall.on(reactor, () => {
  state.heartbeats++;
  heartbeat.textContent = state.status === "fetching" ? spinner[state.heartbeats % spinner.length]! : "";
});

function fetchPoem(): Deferred<void> {
  button.disabled = true;
  state.status = "fetching";
  state.bytes = 0;
  state.progress = [];
  label.textContent = "✗";
  progress.textContent = "connecting…";
  const url = new URL("/poetry", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return getPoetry(reactor, url.href, (bytes) => {
    state.bytes = bytes;
    state.progress.push(bytes);
    progress.textContent = `${bytes} bytes of poetry so far`;
  })
    .addCallback((poem: string) => {
      state.poem = poem;
      progress.textContent = `${new TextEncoder().encode(poem).byteLength} bytes of poetry`;
      return poem.split("\n")[0] ?? "";
    })
    .addCallbacks(
      (firstLine: string) => {
        state.status = "done";
        label.textContent = `✓ ${firstLine}`;
      },
      (f: Failure) => {
        state.status = "failed";
        label.textContent = `✗ ${f.getErrorMessage()}`;
        progress.textContent = "";
      },
    )
    .addBoth(() => {
      button.disabled = false;
    });
}

button.addEventListener("click", () => void fetchPoem());

reactor.callWhenRunning(() => {
  heart.start(0.05);
  button.disabled = false;
  document.body.dataset.reactor = "running";
});
reactor.run();

(globalThis as unknown as { button: unknown }).button = {
  get state() {
    return { ...state, progress: [...state.progress] };
  },
  fetchPoem,
  seconds: () => reactor.seconds(),
};
