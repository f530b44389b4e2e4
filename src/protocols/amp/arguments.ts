/**
 * AMP argument types: how a typed value becomes the bytes of a box value and back, exactly as
 * `twisted.protocols.amp` encodes it. A schema (an object of name → argument type) describes a
 * command's arguments or response; its TypeScript type follows from the schema, without casts.
 *
 * | type          | JS value         | wire                                              |
 * |---------------|------------------|---------------------------------------------------|
 * | `Integer`     | `number` (safe)  | decimal digits, `-` for negatives                 |
 * | `String`      | `Uint8Array`     | the bytes                                         |
 * | `Unicode`     | `string`         | UTF-8                                             |
 * | `Path`        | `string` (path)  | UTF-8 (Twisted: a `FilePath`'s text path)         |
 * | `Boolean`     | `boolean`        | `True` / `False`                                  |
 * | `Float`       | `number`         | Python `repr(float)`: `1.0`, `1e+16`, `inf`, `nan` |
 * | `Decimal`     | `DecimalValue`   | Python `str(Decimal)`: `1.50`, `1E+2`, `-Infinity` |
 * | `DateTime`    | `DateTimeValue`  | `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM` (32 chars)      |
 * | `ListOf(T)`   | `T[]`            | each element 16-bit-length-prefixed, concatenated |
 * | `AmpList(S)`  | objects of `S`   | each object as a serialised box, concatenated     |
 *
 * An argument made with `{ optional: true }` may be left out (`undefined`); it is then absent
 * from the box.
 *
 * Twisted's `Descriptor` (file descriptors passed over a UNIX socket with `SCM_RIGHTS`) has no
 * counterpart: Node cannot send or receive descriptors on a socket.
 */
import { AmpArgumentError, TooLong } from "../../errors.js";
import { MAX_VALUE_LENGTH, parseString, serializeBox, utf8, type AmpBox } from "./box.js";
import { DateTimeValue, DecimalValue, parsePythonFloat, pythonFloatRepr } from "./values.js";

/**
 * One argument type: encodes values of `T` to a box value and decodes them back. `O` records
 * (for the type system) whether the argument may be left out.
 */
export interface Argument<T, O extends boolean = boolean> {
  /** True when the argument may be absent from a box. */
  readonly optional: O;
  /**
   * True for a local argument (Twisted's `_LocalArgument`): a value the caller or responder passes
   * to this side's AMP that never goes on the wire (`StartTLS`'s certificate options).
   */
  readonly local?: boolean;
  /** Twisted's name for the type (`"Integer"`, `"ListOf(Unicode)"`), for error messages. */
  readonly typeName: string;
  /**
   * The wire bytes for `value`.
   * @throws AmpArgumentError when `value` is not of this type.
   */
  toBytes(value: T): Uint8Array;
  /**
   * The value for wire bytes.
   * @throws AmpArgumentError when the bytes are not a valid encoding.
   */
  fromBytes(bytes: Uint8Array): T;
}

/** A set of named arguments: a command's arguments or its response. Names are the wire keys. */
export type Schema = Readonly<Record<string, Argument<unknown, boolean>>>;

/** The JS value type of an argument type. */
export type ValueOf<A> = A extends Argument<infer T, boolean> ? T : never;

type RequiredKeys<S extends Schema> = { [K in keyof S]: S[K] extends Argument<unknown, true> ? never : K }[keyof S];
type OptionalKeys<S extends Schema> = { [K in keyof S]: S[K] extends Argument<unknown, true> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object a schema describes: required names with their values, optional ones possibly `undefined`. */
export type ObjectOf<S extends Schema> = Simplify<
  { [K in RequiredKeys<S>]: ValueOf<S[K]> } & { [K in OptionalKeys<S>]?: ValueOf<S[K]> | undefined }
>;

/** Options every argument type takes. */
export interface ArgumentOptions<O extends boolean> {
  /** The argument may be left out (default false). */
  optional?: O;
}

function make<T, O extends boolean>(
  typeName: string,
  opts: ArgumentOptions<O> | undefined,
  toBytes: (v: T) => Uint8Array,
  fromBytes: (b: Uint8Array) => T,
): Argument<T, O> {
  return { optional: (opts?.optional ?? false) as O, typeName, toBytes, fromBytes };
}

function ascii(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += globalThis.String.fromCharCode(c);
  return s;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** An integer of any sign, as decimal digits. Decoding accepts Python `int()`'s forms (`" +1_000 "`). */
export function Integer<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<number, O> {
  return make<number, O>(
    "Integer",
    opts,
    (v) => {
      if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new AmpArgumentError(`Integer needs a safe integer: got ${v}`);
      return utf8(v.toString());
    },
    (b) => {
      const s = ascii(b);
      if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(s)) throw new AmpArgumentError(`invalid literal for Integer: ${JSON.stringify(s)}`);
      const n = Number(s.trim().replace(/_/g, ""));
      if (!Number.isSafeInteger(n)) throw new AmpArgumentError(`Integer out of the safe range: ${s.trim()}`);
      return n;
    },
  );
}

/** Bytes, passed through unchanged. (Twisted's `String`; not text: see `Unicode`.) */
export function String<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<Uint8Array, O> {
  return make<Uint8Array, O>(
    "String",
    opts,
    (v) => {
      if (!(v instanceof Uint8Array)) throw new AmpArgumentError(`String needs bytes (Uint8Array): got ${typeof v}`);
      return v;
    },
    (b) => b,
  );
}

/** Text, as UTF-8. Decoding rejects invalid UTF-8, as Python's strict decoder does. */
export function Unicode<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<string, O> {
  return make<string, O>(
    "Unicode",
    opts,
    (v) => {
      if (typeof v !== "string") throw new AmpArgumentError(`Unicode needs a string: got ${typeof v}`);
      return utf8(v);
    },
    (b) => {
      try {
        return strictUtf8.decode(b);
      } catch {
        throw new AmpArgumentError(`Unicode value is not valid UTF-8: ${b.length} bytes`);
      }
    },
  );
}

/**
 * A filesystem path, as UTF-8 text (Twisted's `Path`). Twisted's value is a `FilePath`; reed's is
 * the path as a string, sent and received as it is: where Twisted's `FilePath` would make a
 * received relative path absolute against the receiving process's working directory, reed (whose
 * core has no filesystem) leaves it relative, so resolve it yourself if you need to. As in
 * Twisted, paths only mean something to processes sharing a filesystem (a subprocess, NFS).
 * Decoding rejects invalid UTF-8.
 * @example
 * const Open = command({ commandName: "Open", arguments: { file: Path() } });
 * amp.callRemote(Open, { file: "/var/log/syslog" });
 */
export function Path<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<string, O> {
  const text = Unicode(opts);
  return make<string, O>(
    "Path",
    opts,
    (v) => {
      if (typeof v !== "string") throw new AmpArgumentError(`Path needs a string path: got ${typeof v}`);
      return text.toBytes(v);
    },
    (b) => {
      try {
        return text.fromBytes(b);
      } catch {
        throw new AmpArgumentError(`Path value is not valid UTF-8: ${b.length} bytes`);
      }
    },
  );
}

const TRUE = utf8("True");
const FALSE = utf8("False");

/** `True` or `False`; any other bytes are a decoding error. */
export function Boolean<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<boolean, O> {
  return make<boolean, O>(
    "Boolean",
    opts,
    (v) => (v ? TRUE : FALSE),
    (b) => {
      const s = ascii(b);
      if (s === "True") return true;
      if (s === "False") return false;
      throw new AmpArgumentError(`Bad boolean value: ${JSON.stringify(s)}`);
    },
  );
}

/** A float, as Python's `repr` writes it (`1.0`, `0.1`, `1e+16`, `inf`, `nan`). */
export function Float<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<number, O> {
  return make<number, O>(
    "Float",
    opts,
    (v) => {
      if (typeof v !== "number") throw new AmpArgumentError(`Bad float value ${v as unknown as string}`);
      return utf8(pythonFloatRepr(v));
    },
    (b) => parsePythonFloat(ascii(b)),
  );
}

/** A decimal number, exactly (see `DecimalValue`), as Python's `str(Decimal)` writes it. */
export function Decimal<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<DecimalValue, O> {
  return make<DecimalValue, O>(
    "Decimal",
    opts,
    (v) => {
      if (!(v instanceof DecimalValue)) throw new AmpArgumentError("Decimal can only encode DecimalValue instances");
      return utf8(v.toString());
    },
    (b) => DecimalValue.fromString(ascii(b)),
  );
}

/** A timezone-aware date and time (see `DateTimeValue`), 32 chars on the wire. */
export function DateTime<O extends boolean = false>(opts?: ArgumentOptions<O>): Argument<DateTimeValue, O> {
  return make<DateTimeValue, O>(
    "DateTime",
    opts,
    (v) => {
      if (!(v instanceof DateTimeValue)) throw new AmpArgumentError("DateTime can only encode DateTimeValue instances");
      return utf8(v.toString());
    },
    (b) => DateTimeValue.fromString(ascii(b)),
  );
}

/**
 * A list of values of one (non-list) type: each element's bytes with a 16-bit length prefix,
 * concatenated. The whole list must fit in one value (65535 bytes).
 */
export function ListOf<T, O extends boolean = false>(element: Argument<T, boolean>, opts?: ArgumentOptions<O>): Argument<T[], O> {
  return make<T[], O>(
    `ListOf(${element.typeName})`,
    opts,
    (list) => {
      if (!Array.isArray(list)) throw new AmpArgumentError(`ListOf needs an array: got ${typeof list}`);
      const parts = list.map((x) => element.toBytes(x));
      let total = 0;
      for (const p of parts) {
        if (p.length > MAX_VALUE_LENGTH) throw new AmpArgumentError(`ListOf element too long: ${p.length} bytes, limit ${MAX_VALUE_LENGTH}`);
        total += 2 + p.length;
      }
      const out = new Uint8Array(total);
      let o = 0;
      for (const p of parts) {
        out[o] = p.length >>> 8;
        out[o + 1] = p.length & 0xff;
        out.set(p, o + 2);
        o += 2 + p.length;
      }
      return out;
    },
    (b) => {
      const out: T[] = [];
      let o = 0;
      while (o < b.length) {
        if (b.length - o < 2) throw new AmpArgumentError(`ListOf value truncated: ${b.length - o} bytes left over`);
        const len = (b[o]! << 8) | b[o + 1]!;
        if (b.length - o - 2 < len) throw new AmpArgumentError(`ListOf element truncated: ${len} bytes announced, ${b.length - o - 2} present`);
        out.push(element.fromBytes(b.subarray(o + 2, o + 2 + len)));
        o += 2 + len;
      }
      return out;
    },
  );
}

/**
 * A list of objects with a schema of their own: each object as a serialised AMP box (sorted
 * keys, empty-key terminator), concatenated.
 */
export function AmpList<S extends Schema, O extends boolean = false>(schema: S, opts?: ArgumentOptions<O>): Argument<ObjectOf<S>[], O> {
  return make<ObjectOf<S>[], O>(
    `AmpList({${Object.keys(schema).join(", ")}})`,
    opts,
    (list) => {
      if (!Array.isArray(list)) throw new AmpArgumentError(`AmpList needs an array: got ${typeof list}`);
      const parts = list.map((obj) => serializeBox(objectToBox(schema, obj as Readonly<Record<string, unknown>>, new Map())));
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
    (b) => {
      let boxes: AmpBox[];
      try {
        boxes = parseString(b);
      } catch (e) {
        throw new AmpArgumentError(`AmpList value is not a sequence of boxes: ${e instanceof Error ? e.message : `${e as string}`}`);
      }
      return boxes.map((bx) => boxToObject(schema, bx));
    },
  );
}

/**
 * Encodes an object into `out` by a schema (Twisted's `_objectsToStrings`): each present value
 * under its name; an optional argument that is `undefined`/`null` is left out, and so is every
 * local argument; names the schema does not list are ignored.
 * @throws AmpArgumentError for a missing required value or a value of the wrong type;
 *   TooLong when a value exceeds 65535 bytes.
 */
export function objectToBox(schema: Schema, obj: Readonly<Record<string, unknown>>, out: AmpBox): AmpBox {
  for (const name of Object.keys(schema)) {
    const arg = schema[name]!;
    if (arg.local === true) continue;
    const v = obj[name];
    if (v === undefined || v === null) {
      if (arg.optional) continue;
      throw new AmpArgumentError(`missing required value ${JSON.stringify(name)} (${arg.typeName})`);
    }
    const bytes = arg.toBytes(v);
    if (bytes.length > MAX_VALUE_LENGTH) throw new TooLong(false, true, bytes.length, name);
    out.set(name, bytes);
  }
  return out;
}

/**
 * Decodes an object from a box by a schema (Twisted's `_stringsToObjects`): each name the schema
 * lists (an absent optional one becomes `undefined`; local arguments are left out); other keys in
 * the box are ignored.
 * @throws AmpArgumentError for a missing required key or bytes that do not decode.
 */
export function boxToObject<S extends Schema>(schema: S, b: AmpBox): ObjectOf<S> {
  const obj: Record<string, unknown> = {};
  for (const name of Object.keys(schema)) {
    const arg = schema[name]!;
    if (arg.local === true) continue;
    const bytes = b.get(name);
    if (bytes === undefined) {
      if (arg.optional) {
        obj[name] = undefined;
        continue;
      }
      throw new AmpArgumentError(`missing required key ${JSON.stringify(name)} (${arg.typeName})`);
    }
    try {
      obj[name] = arg.fromBytes(bytes);
    } catch (e) {
      if (e instanceof AmpArgumentError) throw new AmpArgumentError(`${JSON.stringify(name)}: ${e.message.replace(/^Bad AMP argument: /, "")}`);
      throw e;
    }
  }
  return obj as ObjectOf<S>;
}


/**
 * A local argument (Twisted's `_LocalArgument`): always optional, never encoded into or decoded
 * from a box (it is left out of both), so its value only reaches this side's AMP. Used by
 * `StartTLS` for certificate options.
 */
export function LocalArgument<T>(typeName = "LocalArgument"): Argument<T, true> {
  const never = (): never => {
    throw new AmpArgumentError(`${typeName} is local: it never goes on the wire`);
  };
  return { optional: true, local: true, typeName, toBytes: never, fromBytes: never };
}
