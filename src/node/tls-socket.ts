/**
 * The Node side of reed's TLS: secure-context options from PEM files, and wrapping an
 * established plain socket in a `TLSSocket` for `startTLS`.
 *
 * Invariants of `wrapInTLS` (what makes the switch lossless):
 * - Bytes already written to the plain socket go out first, in the clear: Node's `TLSSocket`
 *   holds its own records back until the previous owner's pending writes have completed.
 * - No received byte is lost or delivered twice: the caller detaches its `'data'` listener and
 *   the plain socket is paused before wrapping, so chunks Node has read but not yet emitted stay
 *   in the plain socket's buffer, where `TLSSocket` picks them up (it drains `socket.read()`
 *   into the TLS engine). From then on the TCP handle's reads go to the TLS engine only.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { isIP, type Socket } from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import type { TLSFileOptions, TLSStartOptions } from "../interfaces.js";

/** The PEM text of `trustRoots`: one file, or every `.pem`/`.crt` file of a directory. */
function readTrustRoots(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((n) => /\.(pem|crt)$/i.test(n))
      .map((n) => readFileSync(join(path, n), "utf8"));
  }
  return [readFileSync(path, "utf8")];
}

/**
 * Node's secure-context options for reed's TLS file options (the files are read now).
 * @throws the fs error when a file cannot be read.
 */
export function secureContextOptions(files: TLSFileOptions): tls.SecureContextOptions {
  const o: tls.SecureContextOptions = {};
  if (files.certKey !== undefined) o.cert = readFileSync(files.certKey);
  if (files.privateKey !== undefined) o.key = readFileSync(files.privateKey);
  else if (files.certKey !== undefined) o.key = readFileSync(files.certKey); // Twisted: the key may sit in the cert file
  if (files.trustRoots !== undefined) o.ca = readTrustRoots(files.trustRoots);
  return o;
}

/** The parts of Node's TLS engine handle (`tlsSocket.ssl`) reed uses; not in Node's typings. */
interface TLSEngine {
  verifyError(): Error | null;
}

/** A plain socket wrapped for TLS, and the event that says its handshake (and verification) succeeded. */
export interface WrappedSocket {
  /** The TLS socket now owning the connection. */
  readonly socket: tls.TLSSocket;
  /** `"secureConnect"` for a client (after Node's own verification), `"secure"` for a server. */
  readonly readyEvent: "secureConnect" | "secure";
}

/**
 * Wraps the connected plain socket `raw` in TLS and starts the handshake. The caller must have
 * removed its own `'data'` listener from `raw` (see the module invariants); `raw` is paused here.
 * A failed handshake or verification destroys the TLS socket with the error (an `'error'` event).
 * @param client whether this side is the TLS client.
 * @throws the fs error when a file of `options` cannot be read (nothing is wrapped then).
 */
export function wrapInTLS(raw: Socket, options: TLSStartOptions, client: boolean): WrappedSocket {
  const ctx = tls.createSecureContext(secureContextOptions(options));
  raw.pause();
  if (client) {
    const verify = options.verify !== false;
    const hostname = options.hostname;
    const o: tls.ConnectionOptions = { socket: raw, secureContext: ctx, rejectUnauthorized: verify };
    if (hostname === undefined) o.checkServerIdentity = () => undefined;
    else {
      o.host = hostname;
      if (isIP(hostname) === 0) o.servername = hostname;
    }
    return { socket: tls.connect(o), readyEvent: "secureConnect" };
  }
  const verify = options.verify === true;
  const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: ctx, requestCert: verify, rejectUnauthorized: verify });
  // Without a tls.Server around it, a server-side TLSSocket leaves two jobs to its owner: checking
  // the client's certificate and "releasing control" (until then Node drops errors that happen
  // after the handshake instead of emitting them).
  socket.once("secure", () => {
    const internals = socket as unknown as { ssl: TLSEngine | null; _releaseControl?: () => boolean };
    if (verify && internals.ssl !== null) {
      const err = internals.ssl.verifyError();
      if (err !== null) {
        socket.destroy(err);
        return;
      }
    }
    internals._releaseControl?.();
  });
  return { socket, readyEvent: "secure" };
}
