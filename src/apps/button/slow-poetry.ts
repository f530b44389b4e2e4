/**
 * A minimal slow poetry server for `reed button` when no `--poetry HOST:PORT` is given: each client
 * gets the poem `numBytes` bytes every `delay` seconds, then the connection closes (the tutorial's
 * protocol: the poem is everything until the close).
 *
 * TODO(issue 7): replace with the poetry suite's server from branch `poetry` once it is merged.
 */
import { createServer, type Server, type Socket } from "node:net";

/** W. B. Yeats, "The Fascination of What's Difficult" (public domain), as the tutorial ships it. */
export const FASCINATION = "The Fascination of what's Difficult\n\nThe fascination of what's difficult\nHas dried the sap out of my veins, and rent\nSpontaneous joy and natural content\nOut of my heart. There's something ails our colt\nThat must, as if it had not holy blood\nNor on Olympus leaped from cloud to cloud,\nShiver under the lash, strain, sweat and jolt\nAs though it dragged road metal. My curse on plays\nThat have to be set up in fifty ways,\nOn the day's war with every knave and dolt,\nTheatre business, management of men.\nI swear before the dawn comes round again\nI'll find the stable and pull out the bolt.\n\n    -- William Butler Yeats\n";

/** Options for `serveSlowPoetry`. */
export interface SlowPoetryOptions {
  /** The poem (default Yeats's "The Fascination of What's Difficult"). */
  poem?: string;
  /** Bytes per chunk (default 10). */
  numBytes?: number;
  /** Seconds between chunks (default 0.1). */
  delay?: number;
  /** Port (default 0: any free port). */
  port?: number;
}

/** A running slow poetry server. */
export interface SlowPoetryServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Stops listening and drops every client. */
  close(): Promise<void>;
}

/** Starts a slow poetry server on 127.0.0.1. */
export async function serveSlowPoetry(options: SlowPoetryOptions = {}): Promise<SlowPoetryServer> {
  const bytes = Buffer.from(options.poem ?? FASCINATION, "utf8");
  const numBytes = options.numBytes ?? 10;
  const delayMs = (options.delay ?? 0.1) * 1000;
  const clients = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => clients.delete(socket));
    let at = 0;
    const send = (): void => {
      if (socket.destroyed) return;
      if (at >= bytes.length) {
        socket.end();
        return;
      }
      socket.write(bytes.subarray(at, at + numBytes));
      at += numBytes;
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, delayMs);
      timers.add(t);
    };
    send();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  return {
    port: addr && typeof addr === "object" ? addr.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }),
  };
}
