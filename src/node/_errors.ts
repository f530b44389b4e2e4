/**
 * Translates Node's socket errors (`err.code` = `ECONNREFUSED`, `ENOTFOUND`, ...) into reed's
 * connection errors, keeping the original as `cause`. Never exported from `reed/node`.
 */
import { ConnectError, ConnectionLost, ConnectionRefusedError, DNSLookupError } from "../errors.js";

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  hostname?: string;
}

const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA", "ENODATA"]);

/** The reed error for a failure while connecting (before the connection was up). */
export function connectErrorFrom(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as SystemError;
  const detail = e?.message ?? String(err);
  if (e?.code === "ECONNREFUSED") return new ConnectionRefusedError(`Connection was refused by other side: ${detail}`, { cause: err });
  if ((e?.code !== undefined && dnsCodes.has(e.code)) || e?.syscall === "getaddrinfo") {
    return new DNSLookupError(`DNS lookup failed: ${detail}`, { cause: err });
  }
  return new ConnectError(`An error occurred while connecting: ${detail}`, "ERR_REED_CONNECT", { cause: err });
}

/** The reed error for a failure of an established connection (reset, broken pipe...). */
export function connectionErrorFrom(err: unknown): ConnectionLost {
  if (err instanceof ConnectionLost) return err;
  const detail = (err as Error)?.message ?? String(err);
  return new ConnectionLost(`Connection to the other side was lost in a non-clean fashion: ${detail}`, { cause: err });
}
