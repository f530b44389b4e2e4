/**
 * AMP's `StartTLS` command (Twisted's `twisted.protocols.amp.StartTLS`): one call that switches
 * the connection to TLS. Its arguments and response are *local*: they carry this side's
 * certificate and the authorities to verify the peer with, and never go on the wire (the wire
 * box is a bare `_command: StartTLS`).
 *
 * The exchange, as Twisted does it: the caller sends the command and from then on holds every
 * box it sends; the responder sends its answer in the clear and starts TLS (as the TLS server);
 * the caller, on the answer, starts TLS (as the TLS client) and sends the held boxes, encrypted.
 *
 * @example
 * // responder side
 * amp.responder(StartTLS, () => ({ tls_localCertificate: { certKey: "server.pem", privateKey: "server.key" } }));
 * // caller side: verify the server against a CA file
 * await amp.callRemote(StartTLS, { tls_verifyAuthorities: "ca.pem" });
 */
import type { TLSStartOptions } from "../../interfaces.js";
import { LocalArgument, type ObjectOf } from "./arguments.js";
import { command, type Command } from "./command.js";

/**
 * This side's certificate for `StartTLS` (Twisted's `PrivateCertificate`): paths of a PEM
 * certificate (chain) file and of its private key (default: the key sits in `certKey`'s file).
 */
export interface LocalCertificate {
  /** The PEM certificate (chain) file. */
  readonly certKey: string;
  /** The PEM private key file (default: `certKey`'s file holds it too). */
  readonly privateKey?: string;
}

const tlsArguments = {
  /** This side's certificate; required on the responding (TLS server) side. */
  tls_localCertificate: LocalArgument<LocalCertificate>("LocalCertificate"),
  /**
   * The certificates that may sign the peer's (a PEM file or a directory of them). When given
   * the peer must present a certificate they signed; when left out the peer is not verified, as
   * in Twisted.
   */
  tls_verifyAuthorities: LocalArgument<string>("VerifyAuthorities"),
};

/**
 * The command that starts TLS on an AMP connection (Twisted's `StartTLS`). Call it with
 * `tls_localCertificate` and/or `tls_verifyAuthorities` (both local, see `LocalCertificate`); its
 * responder returns the same two keys for its own side and must give a certificate: reed cannot
 * make Twisted's throw-away self-signed one, so AMP registers no default responder and a
 * response without `tls_localCertificate` is sent as a `TLS_ERROR` error instead.
 */
export const StartTLS = command({ commandName: "StartTLS", arguments: tlsArguments, response: tlsArguments });

/** Whether `cmd` starts TLS once answered. */
export function startsTLS(cmd: Command): boolean {
  return cmd === (StartTLS as Command);
}

/**
 * The transport's `startTLS` options for one side's local `StartTLS` values: its certificate,
 * and verification of the peer against the authorities exactly when some are given (no host
 * name check: Twisted's AMP checks the chain only).
 */
export function tlsOptionsFor(local: ObjectOf<typeof tlsArguments>): TLSStartOptions {
  const o: { -readonly [K in keyof TLSStartOptions]: TLSStartOptions[K] } = { verify: local.tls_verifyAuthorities !== undefined };
  if (local.tls_localCertificate !== undefined) {
    o.certKey = local.tls_localCertificate.certKey;
    if (local.tls_localCertificate.privateKey !== undefined) o.privateKey = local.tls_localCertificate.privateKey;
  }
  if (local.tls_verifyAuthorities !== undefined) o.trustRoots = local.tls_verifyAuthorities;
  return o;
}
