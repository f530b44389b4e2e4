/**
 * Addresses of connection endpoints, as transports report them (`getPeer()`, `getHost()`).
 */

/** An IPv4 endpoint of a TCP connection or UDP port. */
export class IPv4Address {
  constructor(
    /** `"TCP"` or `"UDP"`. */
    readonly type: "TCP" | "UDP",
    /** Dotted-quad address. */
    readonly host: string,
    /** Port number. */
    readonly port: number,
  ) {}
  /** `IPv4Address(TCP, '127.0.0.1', 8000)`. */
  toString(): string {
    return `IPv4Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

/** An IPv6 endpoint of a TCP connection or UDP port. */
export class IPv6Address {
  constructor(
    /** `"TCP"` or `"UDP"`. */
    readonly type: "TCP" | "UDP",
    /** IPv6 address (no brackets). */
    readonly host: string,
    /** Port number. */
    readonly port: number,
    /** Flow information (0 unless known). */
    readonly flowInfo = 0,
    /** Scope id (0 unless known). */
    readonly scopeID: string | number = 0,
  ) {}
  /** `IPv6Address(TCP, '::1', 8000)`. */
  toString(): string {
    return `IPv6Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

/** A UNIX-domain socket endpoint; `name` is the path (null for an unnamed socket). */
export class UNIXAddress {
  /** Always `"UNIX"`. */
  readonly type = "UNIX" as const;
  constructor(
    /** Filesystem path, or null when unnamed. */
    readonly name: string | null,
  ) {}
  /** `UNIXAddress('/tmp/sock')`. */
  toString(): string {
    return `UNIXAddress(${this.name === null ? "None" : `'${this.name}'`})`;
  }
}

/** Any endpoint address. */
export type IAddress = IPv4Address | IPv6Address | UNIXAddress | PipeAddress;

/** The address of a pipe (standard input/output): there is nothing more to say about it. */
export class PipeAddress {
  /** Always `"PIPE"`. */
  readonly type = "PIPE" as const;
  /** `PipeAddress()`. */
  toString(): string {
    return "PipeAddress()";
  }
}
