/**
 * DatagramProtocol: the handler of a UDP port (one per port, not per peer). Datagrams arrive whole
 * with the sender's address; replies go out with `this.transport.write(data, addr)`.
 */
import type { IDatagramProtocol, IUDPTransport } from "../interfaces.js";

/**
 * Base class for UDP protocols. Override `datagramReceived`, and `startProtocol`/`stopProtocol`
 * for set-up and tear-down.
 *
 * @example
 * class EchoUDP extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]) { this.transport!.write(data, addr); }
 * }
 */
export class DatagramProtocol implements IDatagramProtocol {
  /** The port's transport; set by `makeConnection`, null before and after. */
  transport: IUDPTransport | null = null;
  /** How many ports use this protocol (`startProtocol` runs on the first, `stopProtocol` after the last). */
  numPorts = 0;
  /** Log start/stop messages. */
  noisy = true;

  /**
   * Attaches the port's transport and starts the protocol. Ports call this; you rarely do.
   * @throws Error when the protocol already has a transport.
   */
  makeConnection(transport: IUDPTransport): void {
    if (this.transport !== null) throw new Error("DatagramProtocol already has a transport: it can serve one port at a time");
    this.transport = transport;
    this.doStart();
  }

  /** A port starts using this protocol (`startProtocol()` on the first). */
  doStart(): void {
    if (this.numPorts === 0) this.startProtocol();
    this.numPorts++;
  }

  /** A port stopped (`stopProtocol()` after the last; the transport is detached). */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    this.transport = null;
    if (this.numPorts === 0) this.stopProtocol();
  }

  /** The protocol is attached to a port (`this.transport` is set). */
  startProtocol(): void {}

  /** The port has stopped. */
  stopProtocol(): void {}

  /** One datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(_data: Uint8Array, _addr: [string, number]): void {}

  /** A datagram sent on a connected port was refused by the peer (ICMP port unreachable). */
  connectionRefused(): void {}
}
