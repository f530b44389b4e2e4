/**
 * A log observer that ships events to a collector over AMP and never makes its caller wait
 * (seed 001, "Unyielding": "queue some outbound messages to the logging system, then discard if
 * too many are buffered ... the way syslog says 'and N more'").
 *
 * Invariants:
 * - `observer(event)` returns at once and never throws: it renders the event, then either folds
 *   it into the last queued entry (a consecutive repeat: costs no space), queues it, or, when the
 *   queue holds `maxQueue` entries, drops it and counts the drop.
 * - Accounting is exact: `emitted = delivered + dropped + pending`, where `pending` counts the
 *   events in queued and in-flight entries. Nothing leaves the books without being counted.
 * - At most `maxInFlight` entries wait for the collector's acknowledgement. When a connection is
 *   lost, its unacknowledged entries go back to the front of the queue in order (delivery is at
 *   least once: the collector may see an entry twice; `seq` identifies it), and an unacknowledged
 *   drop report is added back to the drops still to report.
 * - Drops are reported ("and N more") before the entries queued after them, as soon as a
 *   connection has room.
 * - An entry the collector refuses (any error answer) is dropped and counted, not resent.
 * - Re-entrant logging (an event logged while shipping, e.g. by the connection itself) is queued,
 *   never shipped from inside the ship loop.
 */
import type { Deferred } from "../../deferred.js";
import { RemoteAmpError, UnhandledCommand } from "../../errors.js";
import type { Failure } from "../../failure.js";
import { formatEvent, type LogEvent, type LogObserver } from "../../logger.js";
import type { ReactorTime } from "../../interfaces.js";
import { ReconnectingClientFactory } from "../reconnecting.js";
import { AMP } from "./amp.js";
import { Float, Integer, Unicode } from "./arguments.js";
import { command } from "./command.js";

/** Ships one log entry: an event, plus how many identical events right after it were folded in. */
export const ShipLogEvent = command({
  commandName: "reed.LogEvent",
  arguments: {
    sender: Unicode(),
    seq: Integer(),
    time: Float(),
    namespace: Unicode(),
    level: Unicode(),
    text: Unicode(),
    repeats: Integer(),
  },
});

/** Reports that `count` events were dropped because the sender's queue was full ("and N more"). */
export const ShipLogsDropped = command({
  commandName: "reed.LogsDropped",
  arguments: { sender: Unicode(), count: Integer() },
});

/** Options for `LogShipper`. */
export interface LogShipperOptions {
  /** The name the collector shows for this sender (default `"reed"`). */
  sender?: string;
  /** The most entries kept waiting for a connection (default 1000). */
  maxQueue?: number;
  /** The most entries sent and not yet acknowledged (default 64). */
  maxInFlight?: number;
}

interface Entry {
  seq: number;
  time: number;
  namespace: string;
  level: string;
  text: string;
  repeats: number;
}

/** Longest text shipped, in chars (3 bytes each at worst in UTF-8: stays under AMP's 65535-byte values). */
const MAX_TEXT = 16_000;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}... [${s.length - max} chars cut]`;
}

/** Whether the collector answered with an error (as opposed to the connection failing). */
function refused(f: Failure): boolean {
  return f.value instanceof RemoteAmpError || f.value instanceof UnhandledCommand;
}

function sameEvent(e: Entry, namespace: string, level: string, text: string): boolean {
  return e.text === text && e.namespace === namespace && e.level === level;
}

/**
 * Buffers log events and ships them over whatever AMP connection is attached. Use `observer` as
 * a `LogObserver`, and `factory()` (or `attach`/`detach` yourself) to connect it.
 *
 * @example
 * const shipper = new LogShipper({ sender: "web-1" });
 * globalLogPublisher.addObserver(shipper.observer);
 * connectTCP(reactor, "127.0.0.1", 7010, shipper.factory(reactor));
 */
export class LogShipper {
  /** Events given to `observer` (including coalesced and dropped ones). */
  emitted = 0;
  /** Events the collector acknowledged (an entry with `repeats: n` counts n + 1). */
  delivered = 0;
  /** Events dropped because the queue was full. */
  dropped = 0;
  /** Drops the collector acknowledged being told about. */
  droppedReported = 0;
  /** The deepest the queue has been. */
  maxQueueSeen = 0;

  private readonly sender: string;
  private readonly maxQueue: number;
  private readonly maxInFlight: number;
  private queue: Entry[] = [];
  private head = 0;
  private readonly inFlight = new Set<Entry>();
  private dropsToReport = 0;
  private reportInFlight = 0;
  private amp: AMP | null = null;
  private shipping = false;

  /** The observer to add to a `LogPublisher`. Never throws, never waits. */
  readonly observer: LogObserver;

  constructor(options: LogShipperOptions = {}) {
    this.sender = options.sender ?? "reed";
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.observer = (event: LogEvent): void => this.accept(event);
  }

  /** Entries waiting for a connection. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Events in queued and in-flight entries (not yet delivered or dropped). */
  get pending(): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++) n += 1 + this.queue[i]!.repeats;
    for (const e of this.inFlight) n += 1 + e.repeats;
    return n;
  }

  /** True while a connection is attached. */
  get connected(): boolean {
    return this.amp !== null;
  }

  private accept(event: LogEvent): void {
    const seq = this.emitted++;
    try {
      const text = clip(formatEvent(event) + (event.failure ? `\n${event.failure.getTraceback()}` : ""), MAX_TEXT);
      const namespace = clip(event.namespace, 1000);
      const tail = this.queued > 0 ? this.queue[this.queue.length - 1]! : undefined;
      if (tail && sameEvent(tail, namespace, event.level, text)) {
        tail.repeats++;
      } else if (this.queued >= this.maxQueue) {
        this.dropped++;
        this.dropsToReport++;
      } else {
        this.queue.push({ seq, time: event.time, namespace, level: event.level, text, repeats: 0 });
        if (this.queued > this.maxQueueSeen) this.maxQueueSeen = this.queued;
      }
      this.ship();
    } catch {
      // An observer must not throw; an event we could not even render is a drop.
      this.dropped++;
      this.dropsToReport++;
    }
  }

  /** A connection is ready: ship through it. */
  attach(amp: AMP): void {
    this.amp = amp;
    this.ship();
  }

  /** The connection `amp` is gone: take back what it did not acknowledge. */
  detach(amp: AMP): void {
    if (this.amp === amp) this.amp = null;
  }

  private ship(): void {
    if (this.shipping) return;
    this.shipping = true;
    try {
      while (this.amp && this.inFlight.size + this.reportInFlight < this.maxInFlight) {
        if (this.dropsToReport > 0) this.sendDropReport(this.amp);
        else if (this.queued > 0) this.sendEntry(this.amp);
        else break;
      }
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.shipping = false;
    }
  }

  private sendEntry(amp: AMP): void {
    const e = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as Entry;
    this.inFlight.add(e);
    const d: Deferred<unknown> = amp.callRemote(ShipLogEvent, {
      sender: this.sender, seq: e.seq, time: e.time, namespace: e.namespace, level: e.level, text: e.text, repeats: e.repeats,
    });
    d.addCallbacks(
      () => {
        this.inFlight.delete(e);
        this.delivered += 1 + e.repeats;
        this.ship();
      },
      (f: Failure) => {
        this.inFlight.delete(e);
        if (refused(f)) {
          // The collector answered and refused this entry: resending would loop. Count it as dropped.
          this.dropped += 1 + e.repeats;
          this.ship();
          return;
        }
        this.requeue(e, amp, f);
      },
    );
  }

  private sendDropReport(amp: AMP): void {
    const count = this.dropsToReport;
    this.dropsToReport = 0;
    this.reportInFlight++;
    amp.callRemote(ShipLogsDropped, { sender: this.sender, count }).addCallbacks(
      () => {
        this.reportInFlight--;
        this.droppedReported += count;
        this.ship();
      },
      (f: Failure) => {
        this.reportInFlight--;
        if (refused(f)) {
          this.ship(); // refused: the drops stay counted in `dropped`, unreported
          return;
        }
        this.dropsToReport += count;
        this.connectionFailed(amp, f);
      },
    );
  }

  private requeue(e: Entry, amp: AMP, f: Failure): void {
    // Back to the front, keeping seq order among the entries returned.
    let i = this.head;
    while (i < this.queue.length && this.queue[i]!.seq < e.seq) i++;
    this.queue.splice(i, 0, e);
    this.connectionFailed(amp, f);
  }

  private connectionFailed(amp: AMP, _f: Failure): void {
    // Whatever failed (the connection, or the collector refusing the entry), stop using this
    // connection; the factory reconnects.
    if (this.amp === amp) {
      this.amp = null;
      if (amp.connected) amp.transport.loseConnection();
    }
  }

  /**
   * A reconnecting client factory for this shipper: each connection attaches on `connectionMade`
   * and detaches on `connectionLost`; lost or failed connections are retried with Twisted's
   * back-off (`maxDelay` seconds at most, default 10), never giving up.
   */
  factory(clock: ReactorTime, options: { maxDelay?: number; initialDelay?: number; random?: () => number } = {}): ReconnectingClientFactory<AMP> {
    const shipper = this;
    const factory = new ReconnectingClientFactory<AMP>({ clock, ...(options.random ? { random: options.random } : {}) });
    factory.maxDelay = options.maxDelay ?? 10;
    factory.initialDelay = factory.delay = options.initialDelay ?? 0.1;
    factory.noisy = false;
    class ShipperConnection extends AMP {
      override connectionMade(): void {
        factory.resetDelay();
        shipper.attach(this);
      }
      override connectionLost(reason: Failure): void {
        shipper.detach(this);
        super.connectionLost(reason);
      }
    }
    factory.protocol = ShipperConnection;
    return factory;
  }

  /** `LogShipper(sender, queued/inFlight, emitted/delivered/dropped)`, for diagnostics. */
  toString(): string {
    return `LogShipper(${this.sender}, ${this.queued}/${this.inFlight.size}, ${this.emitted}/${this.delivered}/${this.dropped})`;
  }
}
