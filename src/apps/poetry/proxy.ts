/**
 * The caching poetry proxy (the tutorial's proxy 3.0): it looks like a poetry server, fetches the
 * poem from the real server on the first request, and serves the cached copy afterwards. If a
 * client goes away before the poem has arrived, its download is cancelled (closing the upstream
 * connection).
 */
import { Deferred, succeed } from "../../deferred.js";
import { CancelledError } from "../../errors.js";
import type { Failure } from "../../failure.js";
import { Logger } from "../../logger.js";
import { ServerFactory } from "../../protocols/factory.js";
import { Protocol } from "../../protocols/protocol.js";
import { getPoetry } from "./client.js";
import type { PoetryReactor } from "./reactor.js";

const log = new Logger("reed.poetry.proxy");
const encoder = new TextEncoder();

/** What the proxy reports: cache hits, fetches and cancellations (the CLI prints them). */
export type ProxyEvent = "cached" | "fetching" | "cancelled" | "fetched" | "failed";

/** Fetches the poem once and caches it. */
export class ProxyService {
  /** The cached poem, once fetched. */
  poem: string | null = null;

  /**
   * Makes a service with an empty cache; nothing is fetched until the first `getPoem()`.
   * @param reactor the reactor the downloads run on.
   * @param host the poetry server to fetch from.
   * @param port the poetry server's port.
   * @param onEvent told, synchronously, what each `getPoem()` did: `"cached"` (answered from the
   *   cache), `"fetching"` (a download started), then `"fetched"`, `"failed"` or `"cancelled"` when it ends.
   */
  constructor(
    readonly reactor: PoetryReactor,
    readonly host: string,
    readonly port: number,
    readonly onEvent?: (event: ProxyEvent) => void,
  ) {}

  /**
   * The poem: an already-fired Deferred when cached, otherwise a new download.
   * Cancelling the Deferred of a download closes its connection to the server.
   */
  getPoem(): Deferred<string> {
    if (this.poem !== null) {
      this.onEvent?.("cached");
      return succeed(this.poem);
    }
    this.onEvent?.("fetching");
    const d = getPoetry(this.reactor, this.host, this.port);
    d.addCallbacks(
      (poem) => {
        this.poem = poem;
        this.onEvent?.("fetched");
        return poem;
      },
      (f: Failure) => {
        this.onEvent?.(f.check(CancelledError) ? "cancelled" : "failed");
        return f;
      },
    );
    return d;
  }
}

/** Serves one client: write the poem (from the service), then close. */
export class PoetryProxyProtocol extends Protocol {
  private deferred: Deferred<void> | null = null;

  /**
   * Asks the service for the poem, writes it and closes the connection; when the poem cannot be
   * had, logs why (unless cancelled) and closes without writing.
   */
  override connectionMade(): void {
    const service = (this.factory as PoetryProxyFactory).service;
    const d = service.getPoem().addCallback((poem) => {
      this.transport.write(encoder.encode(poem));
    });
    this.deferred = d;
    d.addErrback((f) => {
      if (!f.check(CancelledError)) log.warn("Could not get the poem from {host}:{port}: {why}", { host: service.host, port: service.port, why: f.getErrorMessage() });
    });
    d.addBoth(() => {
      this.deferred = null;
      if (this.connected) this.transport.loseConnection();
    });
  }

  /** Cancels a download still running for this client, which closes its connection to the server. */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const d = this.deferred;
    this.deferred = null;
    d?.cancel(); // the client left before the poem arrived: stop downloading it
  }
}

/** Builds `PoetryProxyProtocol`s sharing one `ProxyService`. */
export class PoetryProxyFactory extends ServerFactory<PoetryProxyProtocol> {
  /** Each client is served by a `PoetryProxyProtocol`. */
  override protocol = PoetryProxyProtocol;
  /** Quiet: starting and stopping this factory is not logged. */
  override noisy = false;
  /** @param service the service every connection takes the poem from. */
  constructor(readonly service: ProxyService) {
    super();
  }
}
