/**
 * A structured logger in the spirit of `twisted.logger`: events carry a namespace, a level, a
 * format string with `{field}` placeholders and their fields; observers receive every event.
 * By default events at `warn` and above are written as readable text to the console's error
 * stream; add observers (or replace the default one) to send them elsewhere.
 */
import { Failure } from "./failure.js";

/** Severity of a log event, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "critical";

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, critical: 4 };

/** One logged event. */
export interface LogEvent {
  /** Who logged it, e.g. `"reed.deferred"`. */
  readonly namespace: string;
  /** How serious the event is, from `"debug"` to `"critical"`. */
  readonly level: LogLevel;
  /** Format string; `{name}` is replaced by `fields.name`. */
  readonly format: string;
  /** Time of the event in seconds since the epoch (wall clock). */
  readonly time: number;
  /** The failure this event reports, if any. */
  readonly failure?: Failure;
  /** The values the format refers to, and anything else worth recording. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Receives log events. It must not throw; if it does, it is removed and the error reported. */
export type LogObserver = (event: LogEvent) => void;

/** Renders an event's format string with its fields (`{name}`; `{{` and `}}` for braces). */
export function formatEvent(event: LogEvent): string {
  return event.format.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, key: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const v = event.fields[key ?? ""];
    if (v === undefined && !(key! in event.fields)) return `{${key}}`;
    return typeof v === "string" ? v : v instanceof Uint8Array ? `<${v.length} bytes>` : String(v);
  });
}

/** Renders an event as text lines: `time [namespace#level] message`, then the traceback if any. */
export function formatEventAsText(event: LogEvent): string {
  const when = new Date(event.time * 1000).toISOString();
  let text = `${when} [${event.namespace}#${event.level}] ${formatEvent(event)}`;
  if (event.failure) text += `\n${event.failure.getTraceback()}`;
  return text;
}

/** Fans events out to observers. `globalLogPublisher` is the one every `Logger` uses by default. */
export class LogPublisher {
  private observers: LogObserver[] = [];

  /** Adds an observer; it receives every later event. */
  addObserver(observer: LogObserver): void {
    if (!this.observers.includes(observer)) this.observers = [...this.observers, observer];
  }

  /** Removes an observer (no error if it was not there). */
  removeObserver(observer: LogObserver): void {
    this.observers = this.observers.filter((o) => o !== observer);
  }

  /** The observers, in the order they were added. */
  getObservers(): readonly LogObserver[] {
    return this.observers;
  }

  /** Delivers an event to every observer. An observer that throws is removed, then reported. */
  publish(event: LogEvent): void {
    for (const o of this.observers) {
      try {
        o(event);
      } catch (e) {
        this.removeObserver(o);
        this.publish({
          namespace: "reed.logger",
          level: "critical",
          format: "Temporarily disabling observer {observer} due to exception",
          time: Date.now() / 1000,
          failure: Failure.from(e),
          fields: { observer: o.name || "<anonymous>" },
        });
      }
    }
  }
}

/** Where an observer writes text; `console.error` by default. */
export type TextSink = (text: string) => void;

/**
 * An observer that writes events at `minLevel` and above as text (see `formatEventAsText`).
 * @param sink where lines go; defaults to `console.error`.
 */
export function textObserver(sink: TextSink = (t) => console.error(t), minLevel: LogLevel = "warn"): LogObserver {
  return function textObserver(event: LogEvent) {
    if (levelRank[event.level] >= levelRank[minLevel]) sink(formatEventAsText(event));
  };
}

/** The observer installed on `globalLogPublisher` at start: warnings and worse, as text, to stderr. */
export const defaultLogObserver: LogObserver = textObserver();

/** The publisher every Logger uses unless given another. */
export const globalLogPublisher = new LogPublisher();
globalLogPublisher.addObserver(defaultLogObserver);

/**
 * Emits events in one namespace.
 * @example
 * const log = new Logger("poetry.server");
 * log.info("Serving {file} on port {port}.", { file, port });
 * d.addErrback((f) => log.failure("Download failed", f));
 */
export class Logger {
  /**
   * @param namespace dotted name of the emitting module.
   * @param publisher where events go (default `globalLogPublisher`).
   */
  constructor(
    readonly namespace: string,
    private readonly publisher: LogPublisher = globalLogPublisher,
  ) {}

  /** Emits an event at `level`. */
  emit(level: LogLevel, format: string, fields: Record<string, unknown> = {}, failure?: Failure): void {
    const event: LogEvent = failure
      ? { namespace: this.namespace, level, format, time: Date.now() / 1000, failure, fields }
      : { namespace: this.namespace, level, format, time: Date.now() / 1000, fields };
    this.publisher.publish(event);
  }
  /** Emits a debug event. */
  debug(format: string, fields?: Record<string, unknown>): void {
    this.emit("debug", format, fields);
  }
  /** Emits an informational event. */
  info(format: string, fields?: Record<string, unknown>): void {
    this.emit("info", format, fields);
  }
  /** Emits a warning. */
  warn(format: string, fields?: Record<string, unknown>): void {
    this.emit("warn", format, fields);
  }
  /** Emits an error event. */
  error(format: string, fields?: Record<string, unknown>): void {
    this.emit("error", format, fields);
  }
  /** Emits a critical event. */
  critical(format: string, fields?: Record<string, unknown>): void {
    this.emit("critical", format, fields);
  }
  /**
   * Reports a failure (by default at `critical`, as Twisted does); accepts a Failure or any thrown value.
   */
  failure(format: string, failure: unknown, fields?: Record<string, unknown>, level: LogLevel = "critical"): void {
    this.emit(level, format, fields, Failure.from(failure));
  }
}
