/**
 * Ships this process's log events to a `reed log-collector` over TCP, without ever making a
 * logging call wait (see `LogShipper`).
 */
import { globalLogPublisher, type LogPublisher } from "../logger.js";
import type { ReactorTime } from "../interfaces.js";
import { LogShipper, type LogShipperOptions } from "../protocols/amp/log-shipper.js";
import { connectTCP } from "./tcp.js";

/** Options for `shipLogs`. */
export interface ShipLogsOptions extends LogShipperOptions {
  /** The publisher whose events are shipped (default `globalLogPublisher`). */
  publisher?: LogPublisher;
  /** The longest wait between reconnection attempts, in seconds (default 10). */
  maxDelay?: number;
}

/** A running log shipment: its `shipper` (counters) and `stop()`. */
export interface LogShipment {
  /** The shipper: `emitted`, `delivered`, `dropped`, `pending`... */
  readonly shipper: LogShipper;
  /** Stops shipping: removes the observer, stops reconnecting and closes the connection. */
  stop(): void;
}

/**
 * Adds a `LogShipper` observer to `publisher` and connects it to `host:port`, reconnecting with
 * back-off whenever the collector is unreachable. Events logged meanwhile are queued (up to
 * `maxQueue`), then dropped and counted; the collector is told "and N more".
 *
 * @example
 * const shipment = shipLogs(reactor, "127.0.0.1", 7010, { sender: "web-1" });
 * // ... later
 * shipment.stop();
 */
export function shipLogs(reactor: ReactorTime, host: string, port: number, options: ShipLogsOptions = {}): LogShipment {
  const shipper = new LogShipper(options);
  const publisher = options.publisher ?? globalLogPublisher;
  const factory = shipper.factory(reactor, options.maxDelay === undefined ? {} : { maxDelay: options.maxDelay });
  publisher.addObserver(shipper.observer);
  const connector = connectTCP(reactor, host, port, factory);
  return {
    shipper,
    stop(): void {
      publisher.removeObserver(shipper.observer);
      factory.stopTrying();
      connector.disconnect();
    },
  };
}
