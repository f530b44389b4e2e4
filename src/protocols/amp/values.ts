/**
 * Value types AMP can carry that JavaScript has no exact twin for, and the number formats Python
 * uses on the wire:
 *
 * - `DecimalValue`: a decimal number kept as sign, coefficient digits and exponent, so a value
 *   round-trips with Python's `decimal.Decimal` exactly (precision included: `"1.50"` stays
 *   `"1.50"`). JavaScript numbers would lose both.
 * - `DateTimeValue`: a date and time with microseconds and a fixed UTC offset in minutes, as
 *   Twisted's `amp.DateTime` encodes a timezone-aware `datetime`.
 * - `pythonFloatRepr` / `parsePythonFloat`: Python's `repr(float)` and `float(str)`.
 */
import { AmpArgumentError } from "../../errors.js";

/** The kinds of decimal value: a finite number, an infinity, a quiet or a signalling NaN. */
export type DecimalKind = "finite" | "infinity" | "nan" | "snan";

const DECIMAL_RE = /^([+-])?(?:(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*)?)?(?:[eE]([+-]?\d+(?:_\d+)*))?|(inf|infinity)|(s?nan)(\d*))$/i;

/**
 * A decimal number exactly as Python's `decimal.Decimal` holds it: `(-1)^sign × coefficient × 10^exponent`,
 * or a special value. Immutable. `toString()` is Python's `str(Decimal)`, which is the AMP wire form.
 *
 * @example
 * DecimalValue.fromString("1.50").toString() // "1.50"
 * DecimalValue.fromString("1E+2").toString()  // "1E+2"
 */
export class DecimalValue {
  private constructor(
    /** 1 for a negative value (including -0), 0 otherwise. */
    readonly sign: 0 | 1,
    /** What kind of value this is. */
    readonly kind: DecimalKind,
    /** The coefficient's digits with no leading zeros (`"0"` for zero); a NaN's payload digits or `""`. */
    readonly coefficient: string,
    /** The power of ten the coefficient is scaled by (0 for specials). */
    readonly exponent: number,
  ) {}

  /**
   * Parses a decimal string as Python's `Decimal(str)` does: optional sign, digits with an optional
   * point and exponent (underscores between digits allowed), `Infinity`/`Inf`, `NaN`, `sNaN`
   * (case-insensitive), surrounding whitespace ignored.
   * @throws AmpArgumentError for anything else.
   */
  static fromString(text: string): DecimalValue {
    const m = DECIMAL_RE.exec(text.trim());
    if (!m || (m[5] === undefined && m[6] === undefined && m[2] === undefined && m[3] === undefined)) {
      throw new AmpArgumentError(`invalid decimal literal: ${JSON.stringify(text)}`);
    }
    const sign = m[1] === "-" ? 1 : 0;
    if (m[5] !== undefined) return new DecimalValue(sign, "infinity", "", 0);
    if (m[6] !== undefined) {
      const payload = (m[7] ?? "").replace(/^0+/, "");
      return new DecimalValue(sign, m[6].toLowerCase() === "snan" ? "snan" : "nan", payload, 0);
    }
    const intPart = (m[2] ?? "").replace(/_/g, "");
    const fracPart = (m[3] ?? "").replace(/_/g, "");
    const exp = m[4] === undefined ? 0 : Number(m[4].replace(/_/g, ""));
    const coefficient = (intPart + fracPart).replace(/^0+(?=\d)/, "");
    return new DecimalValue(sign, "finite", coefficient, exp - fracPart.length);
  }

  /**
   * The decimal for a JavaScript number, by its shortest round-trip digits (`0.1` → `"0.1"`, not the
   * binary expansion Python's `Decimal(0.1)` gives).
   */
  static fromNumber(n: number): DecimalValue {
    if (Number.isNaN(n)) return new DecimalValue(0, "nan", "", 0);
    if (!Number.isFinite(n)) return new DecimalValue(n < 0 ? 1 : 0, "infinity", "", 0);
    const [mant, e] = n.toExponential().split("e") as [string, string];
    const negative = mant.startsWith("-") || Object.is(n, -0);
    const digits = mant.replace("-", "").replace(".", "");
    return new DecimalValue(negative ? 1 : 0, "finite", digits.replace(/^0+(?=\d)/, ""), Number(e) - (digits.length - 1));
  }

  /** True for infinities and NaNs. */
  isSpecial(): boolean {
    return this.kind !== "finite";
  }

  /** The nearest JavaScript number (NaN for both NaN kinds). */
  toNumber(): number {
    if (this.kind === "nan" || this.kind === "snan") return NaN;
    if (this.kind === "infinity") return this.sign ? -Infinity : Infinity;
    return Number(`${this.sign ? "-" : ""}${this.coefficient}e${this.exponent}`);
  }

  /** True when both have the same sign, kind, coefficient and exponent (so `1.0` ≠ `1.00`). */
  equals(other: DecimalValue): boolean {
    return this.sign === other.sign && this.kind === other.kind && this.coefficient === other.coefficient && this.exponent === other.exponent;
  }

  /** Python's `str(Decimal)` (the General Decimal Arithmetic "to-scientific-string"), the AMP wire form. */
  toString(): string {
    const s = this.sign ? "-" : "";
    if (this.kind === "infinity") return `${s}Infinity`;
    if (this.kind === "nan") return `${s}NaN${this.coefficient}`;
    if (this.kind === "snan") return `${s}sNaN${this.coefficient}`;
    const c = this.coefficient;
    const e = this.exponent;
    const adjusted = e + c.length - 1;
    if (e <= 0 && adjusted >= -6) {
      if (e === 0) return s + c;
      const point = c.length + e;
      return point > 0 ? `${s}${c.slice(0, point)}.${c.slice(point)}` : `${s}0.${"0".repeat(-point)}${c}`;
    }
    const mantissa = c.length > 1 ? `${c[0]}.${c.slice(1)}` : c;
    return `${s}${mantissa}E${adjusted >= 0 ? "+" : ""}${adjusted}`;
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * A timezone-aware date and time as AMP's `DateTime` carries it: calendar fields, microseconds,
 * and a fixed offset from UTC in minutes (east positive). Immutable; fields are validated as
 * Python's `datetime` validates them.
 */
export class DateTimeValue {
  /**
   * @throws AmpArgumentError when a field is out of range (month 1–12, a real day of that month,
   *   hour 0–23, minute and second 0–59, microsecond 0–999999, offset within ±23:59, year 1–9999).
   */
  constructor(
    /** Year, 1–9999. */
    readonly year: number,
    /** Month, 1–12. */
    readonly month: number,
    /** Day of the month, from 1. */
    readonly day: number,
    /** Hour, 0–23. */
    readonly hour = 0,
    /** Minute, 0–59. */
    readonly minute = 0,
    /** Second, 0–59. */
    readonly second = 0,
    /** Microsecond, 0–999999. */
    readonly microsecond = 0,
    /** Offset from UTC in minutes, east positive (`+02:00` is 120). */
    readonly utcOffset = 0,
  ) {
    const dim = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // days in `month` of a leap year
    const leapOk = month !== 2 || day <= 28 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
    const ok =
      [year, month, day, hour, minute, second, microsecond, utcOffset].every(Number.isInteger) &&
      year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= dim && leapOk &&
      hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 &&
      microsecond >= 0 && microsecond < 1_000_000 && Math.abs(utcOffset) < 24 * 60;
    if (!ok) {
      throw new AmpArgumentError(`invalid date and time: ${year}-${month}-${day} ${hour}:${minute}:${second}.${microsecond} offset ${utcOffset} min`);
    }
  }

  /**
   * The wall-clock time of `date` at `utcOffset` minutes from UTC (default UTC). Milliseconds
   * become microseconds × 1000.
   */
  static fromDate(date: Date, utcOffset = 0): DateTimeValue {
    const t = new Date(date.getTime() + utcOffset * 60_000);
    return new DateTimeValue(
      t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(),
      t.getUTCMilliseconds() * 1000, utcOffset,
    );
  }

  /**
   * Parses Twisted's 32-char wire form `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM`.
   * @throws AmpArgumentError for any other length or shape, or fields out of range.
   */
  static fromString(s: string): DateTimeValue {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})([+-])(\d\d):(\d\d)$/.exec(s);
    if (!m) throw new AmpArgumentError(`invalid date format ${JSON.stringify(s)}`);
    const n = m.slice(1).map(Number);
    const offset = (m[8] === "-" ? -1 : 1) * (n[8]! * 60 + n[9]!);
    return new DateTimeValue(n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!, offset);
  }

  /** The instant as a `Date` (microseconds truncated to milliseconds). */
  toDate(): Date {
    const ms = Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
    const d = new Date(ms - this.utcOffset * 60_000);
    if (this.year < 100) d.setUTCFullYear(this.year); // Date.UTC maps years 0–99 to 1900–1999
    return d;
  }

  /**
   * Twisted's wire form: always 32 chars. As in Twisted, a zero offset is written `-00:00`
   * (only a positive offset gets `+`).
   */
  toString(): string {
    const sign = this.utcOffset > 0 ? "+" : "-";
    const off = Math.abs(this.utcOffset);
    return (
      `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}T${pad(this.hour, 2)}:${pad(this.minute, 2)}:` +
      `${pad(this.second, 2)}.${pad(this.microsecond, 6)}${sign}${pad(Math.floor(off / 60), 2)}:${pad(off % 60, 2)}`
    );
  }

  /** True when every field (offset included) is the same. */
  equals(o: DateTimeValue): boolean {
    return this.toString() === o.toString();
  }
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the decimal
 * exponent is in [-4, 16) (always with a `.0` or fraction), otherwise `1.5e+16`-style; `inf`,
 * `-inf`, `nan`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ea = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${ea < 10 ? `0${ea}` : ea}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits}${"0".repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

const FLOAT_RE = /^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;

/**
 * Python's `float(str)`: decimal or exponent notation (underscores between digits allowed),
 * `inf`/`infinity`/`nan` in any case with an optional sign, surrounding whitespace ignored.
 * @throws AmpArgumentError for anything else.
 */
export function parsePythonFloat(text: string): number {
  const t = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(t)) throw new AmpArgumentError(`could not convert string to float: ${JSON.stringify(text)}`);
  return Number(t.replace(/_/g, ""));
}
