/**
 * Value mapping between the application's declared types and Ion, driven by the schema's
 * `TypeDescriptor`s (client/schema.ts).
 *
 * `toIon` checks a value at run time before anything is journaled: a value of the wrong type
 * is a `LedgerError("TYPE_ERROR", "… at cars.Owners[2].Name", { path })`; fields the schema does
 * not declare are rejected; an `Int` must be a safe integer; an enum value must be one of its
 * values; an optional field may be absent (or `undefined`) but is `null` only when declared
 * `T | null`. Decimals stay exact (ion-js `Decimal`), `Temporal.Instant` becomes a UTC timestamp,
 * `Temporal.PlainDate` a day-precision timestamp.
 *
 * `fromIon` maps back: timestamps to `Temporal.Instant` / `Temporal.PlainDate`, decimals to
 * ion-js `Decimal`, ints to `number` (int/float fields) or `bigint` (bigint fields). A stored
 * value the declared type cannot hold unchanged is a TYPE_ERROR naming where it is (documents
 * written through PartiQL are not checked against the schema): a null in a field not declared
 * `T | null`, a missing required field, an int beyond 2^53 or a fraction in an `Int`, a time of
 * day in a `PlainDate`, digits past the nanosecond in an `Instant`, and in a `number` an int or
 * decimal whose nearest double prints as another number (0.1 is kept; 2^53 + 1 is not).
 *
 * @example
 * ```ts
 * import { fromIonDocument, int, toIonDocument } from "./client/index.ts";
 * import { schema } from "./examples/cars/generated/client.ts";
 * const fields = schema.cars.fields;
 * const doc = toIonDocument({ VIN: "1", Manufacturer: "Tesla", Model: "Model S", Year: int(2012), Owner: "Maria Garcia" }, fields, "cars");
 * const car = fromIonDocument(doc, fields, "cars"); // { VIN: "1", Manufacturer: "Tesla", …, Year: 2012, … }
 * toIonDocument({ VIN: 1 }, fields, "cars"); // throws TYPE_ERROR "… at cars.VIN"
 * ```
 */
import { Decimal } from "ion-js";
import { fromJS, isArgumentsObject, LedgerError, limits, type IonField, type IonStruct, type IonTimestamp, type IonValue } from "../engine/index.ts";
import type { FieldDescriptor, TypeDescriptor } from "./schema.ts";
import { isInstant, isPlainDate, Temporal } from "./temporal.ts";

function typeError(path: string, message: string): LedgerError {
  return new LedgerError("TYPE_ERROR", `${message} at ${path}`, { path });
}

/** `a.b` for identifier-like names, `a["odd name"]` otherwise. */
export function childPath(path: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") {
    const tag = Object.prototype.toString.call(x).slice(8, -1);
    if ((tag === "Temporal.Instant" && !isInstant(x)) || (tag === "Temporal.PlainDate" && !isPlainDate(x))) {
      return `an object tagged ${tag} that is not one`;
    }
    return tag === "Object" ? "an object" : `a ${x instanceof Decimal ? "Decimal" : tag}`;
  }
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + "…" : x)}`;
  return `${typeof x} ${String(x)}`;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  if (proto === null) return true;
  // An arguments object has Object.prototype too, and would be stored as fields "0", "1", …
  return proto === Object.prototype && !isArgumentsObject(x);
}

function expected(path: string, what: string, x: unknown): LedgerError {
  return typeError(path, `expected ${what}, got ${describe(x)}`);
}

/**
 * A lower bound on the Ion bytes the conversion in progress has made (a byte per value, a string's
 * length), against limits.maxDocumentBytes: an array holding the same array n times is n² values
 * (two 8,192-slot arrays made 67 million, 7 GB), refused here before the engine would refuse it.
 */
let left = 0;

function spend(bytes: number, path: string): void {
  if ((left -= bytes) < 0) {
    throw new LedgerError("LIMIT_EXCEEDED", `the value at ${path} is more than ${limits.maxDocumentBytes} bytes of Ion (shared parts count wherever they appear)`, {
      limit: "maxDocumentBytes",
      max: limits.maxDocumentBytes,
      path,
    });
  }
}

/** Checks `value` against `d` and converts it to Ion; throws TYPE_ERROR naming `path`. */
export function toIon(value: unknown, d: TypeDescriptor, path: string): IonValue {
  left = limits.maxDocumentBytes;
  return readingAppObjects(path, () => convert(value, d, path));
}

/**
 * Runs a conversion of the application's values: anything they throw while being read (a getter,
 * a Proxy trap) becomes the TYPE_ERROR the engine's fromJS gives for the same input, and deep
 * nesting that outruns the stack a LIMIT_EXCEEDED.
 */
function readingAppObjects<T>(path: string, convertIt: () => T): T {
  try {
    return convertIt();
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new LedgerError("LIMIT_EXCEEDED", `value nested too deeply to convert at ${path}`, { limit: "stack", path }, e);
    }
    throw new LedgerError("TYPE_ERROR", `the value could not be read (${(e as Error)?.message ?? String(e)}) at ${path}`, { path }, e);
  }
}

function convert(value: unknown, d: TypeDescriptor, path: string): IonValue {
  spend(1, path);
  switch (d.kind) {
    case "nullable":
      return value === null ? { kind: "null", of: "null" } : convert(value, d.of, path);
    case "string":
      if (typeof value !== "string") throw expected(path, "a string", value);
      if (!value.isWellFormed()) throw typeError(path, "string contains a lone surrogate");
      spend(value.length, path);
      return { kind: "string", value };
    case "enum":
      if (typeof value !== "string" || !d.values.includes(value)) {
        throw expected(path, `one of ${d.values.map((v) => JSON.stringify(v)).join(", ")}`, value);
      }
      return { kind: "string", value };
    case "bool":
      if (typeof value !== "boolean") throw expected(path, "a boolean", value);
      return { kind: "bool", value };
    case "float":
      if (typeof value !== "number") throw expected(path, "a number", value);
      return { kind: "float", value };
    case "int":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) throw expected(path, "a safe integer (Int)", value);
      return { kind: "int", value: BigInt(value) };
    case "bigint":
      if (typeof value !== "bigint") throw expected(path, "a bigint", value);
      return { kind: "int", value };
    case "decimal":
      if (!(value instanceof Decimal)) throw expected(path, "an ion-js Decimal", value);
      return fromJS(value, path);
    case "instant":
      if (!isInstant(value)) throw expected(path, "a Temporal.Instant", value);
      return fromJS(value, path);
    case "date":
      if (!isPlainDate(value)) throw expected(path, "a Temporal.PlainDate", value);
      return fromJS(value, path);
    case "blob":
      if (!(value instanceof Uint8Array)) throw expected(path, "a Uint8Array", value);
      spend(value.length, path);
      return { kind: "blob", bytes: value.slice() };
    case "list": {
      if (!Array.isArray(value)) throw expected(path, "an array", value);
      // A loop, not map: map skips the holes of a sparse array, which would reach the engine unchecked.
      const items: IonValue[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) items[i] = convert(value[i], d.of, `${path}[${i}]`);
      return { kind: "list", items };
    }
    case "record": {
      if (!isPlainObject(value)) throw expected(path, "an object", value);
      const fields: IonField[] = [];
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (v === undefined) continue;
        if (!key.isWellFormed()) throw typeError(childPath(path, key), "key contains a lone surrogate");
        fields.push([key, convert(v, d.of, childPath(path, key))]);
      }
      return { kind: "struct", fields };
    }
    case "struct":
      return structOf(value, d.fields, path);
  }
}

/** Checks an object against declared fields (unknown fields rejected, required ones present). */
export function toIonStruct(value: unknown, fields: Readonly<Record<string, FieldDescriptor>>, path: string): IonStruct {
  left = limits.maxDocumentBytes;
  return readingAppObjects(path, () => structOf(value, fields, path));
}

function structOf(value: unknown, fields: Readonly<Record<string, FieldDescriptor>>, path: string): IonStruct {
  if (!isPlainObject(value)) throw expected(path, "an object", value);
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) throw typeError(childPath(path, key), "unknown field");
  }
  const out: IonField[] = [];
  for (const [name, f] of Object.entries(fields)) {
    const v = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
    const sub = childPath(path, name);
    if (v === undefined) {
      if (!f.optional) throw typeError(sub, "required field is missing");
      continue;
    }
    out.push([name, convert(v, f.type, sub)]);
  }
  return { kind: "struct", fields: out };
}

/** A whole document for a table: `toIonStruct` with the table name as the path root. */
export function toIonDocument(value: unknown, fields: Readonly<Record<string, FieldDescriptor>>, table: string): IonStruct {
  return toIonStruct(value, fields, table);
}

function timestampNanos(t: IonTimestamp): bigint {
  const local = Temporal.PlainDateTime.from({
    year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second,
  });
  let ns = local.toZonedDateTime("UTC").epochNanoseconds - BigInt(t.offset ?? 0) * 60_000_000_000n;
  if (t.fraction !== null) {
    const e = t.fraction.exponent;
    ns += e >= -9 ? t.fraction.coefficient * 10n ** BigInt(9 + e) : t.fraction.coefficient / 10n ** BigInt(-9 - e);
  }
  return ns;
}

/** A timestamp as a Temporal.Instant (exact to the nanosecond). */
export function instantOf(t: IonTimestamp): Temporal.Instant {
  return Temporal.Instant.fromEpochNanoseconds(timestampNanos(t));
}

/**
 * Where a read is, made text only for an error: a string per field would be a regex test and a
 * concatenation for every field of every row read, to name a place that is almost never wrong.
 */
type ReadPath = string | { readonly parent: ReadPath; readonly key: string | number };

function readPathText(p: ReadPath): string {
  if (typeof p === "string") return p;
  const parent = readPathText(p.parent);
  return typeof p.key === "number" ? `${parent}[${p.key}]` : childPath(parent, p.key);
}

function mismatch(v: IonValue, d: TypeDescriptor, at: ReadPath, why = `stored ${v.kind} does not fit the declared ${d.kind}`): LedgerError {
  const path = readPathText(at);
  return new LedgerError("TYPE_ERROR", `${why} at ${path}`, { path, stored: v.kind, declared: d.kind });
}

/** An Ion int as a `number`, refused when the number would not be exactly that int. */
function exactNumber(v: { readonly value: bigint }, d: TypeDescriptor, path: ReadPath): number {
  const n = Number(v.value);
  if (!Number.isSafeInteger(n)) throw mismatch(v as IonValue, d, path, `stored int ${v.value} is beyond a number's exact range (declare bigint)`);
  return n;
}

/** A decimal as a number `coefficient × 10^exponent` with a sign, trailing zeros not counted. */
interface Numeral {
  readonly negative: boolean;
  readonly coefficient: bigint;
  readonly exponent: number;
}

function decimalText(v: Numeral): string {
  return new Decimal(v.coefficient, v.exponent, v.negative).toString();
}

/** Whether two numerals are the same number (1.50 and 1.5 are; -0 and 0 are). */
function sameNumber(a: Numeral, b: Numeral): boolean {
  const norm = (x: Numeral): Numeral => {
    if (x.coefficient === 0n) return { negative: false, coefficient: 0n, exponent: 0 };
    let c = x.coefficient;
    let e = x.exponent;
    while (c % 10n === 0n) {
      c /= 10n;
      e++;
    }
    return { negative: x.negative, coefficient: c, exponent: e };
  };
  const x = norm(a);
  const y = norm(b);
  return x.negative === y.negative && x.coefficient === y.coefficient && x.exponent === y.exponent;
}

/** The numeral a finite double prints as (its shortest round-trip form, e.g. "1e+21", "1.5e-7"). */
function numeralOf(n: number): Numeral {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n))!;
  const frac = m[3] ?? "";
  return { negative: m[1] === "-", coefficient: BigInt(m[2] + frac), exponent: Number(m[4] ?? 0) - frac.length };
}

/**
 * A stored int or decimal as a `number`, only when the double reads back as that same number:
 * 0.1 (the double printed as 0.1) is kept, as JSON keeps it; 2^53 + 1 (read as 2^53) and
 * 0.10000000000000000000001 (read as 0.1) would be other numbers, and are refused.
 */
function nearestNumber(v: IonValue & Numeral, d: TypeDescriptor, path: ReadPath): number {
  const n = Number(`${v.negative ? "-" : ""}${v.coefficient}e${v.exponent}`);
  if (!Number.isFinite(n) || !sameNumber(v, numeralOf(n))) {
    throw mismatch(v, d, path, `stored ${v.kind} ${decimalText(v)} is not exactly a number (declare ${v.kind === "int" ? "bigint" : "Decimal"})`);
  }
  return n;
}

/** A decimal that is a whole number as that integer; a fraction or a safe-range overflow refused. */
function decimalInt(v: IonValue & Numeral, d: TypeDescriptor, path: ReadPath): number {
  let c = v.coefficient;
  if (c !== 0n) {
    // Past 10^20 the value is beyond the safe range whatever the coefficient: 10^e is not worth making.
    if (v.exponent > 20) c = 1n << 64n;
    else if (v.exponent > 0) c *= 10n ** BigInt(v.exponent);
    else if (v.exponent < 0) {
      // A fraction's divisor longer than the coefficient cannot divide it.
      const divisor = -v.exponent > c.toString().length ? undefined : 10n ** BigInt(-v.exponent);
      if (divisor === undefined || c % divisor !== 0n) throw mismatch(v, d, path, `stored decimal ${decimalText(v)} is not an integer`);
      c /= divisor;
    }
  }
  const n = Number(v.negative ? -c : c);
  if (!Number.isSafeInteger(n)) throw mismatch(v, d, path, `stored decimal ${decimalText(v)} is beyond a number's exact range (declare bigint)`);
  return n;
}

/**
 * A timestamp as a Temporal.Instant, refused when its fraction has digits past the nanosecond
 * (an Instant's precision), which the conversion would drop.
 */
function exactInstant(v: IonTimestamp, d: TypeDescriptor, path: ReadPath): Temporal.Instant {
  const f = v.fraction;
  if (f !== null && f.exponent < -9 && f.coefficient !== 0n) {
    const cut = -9 - f.exponent;
    if (cut > f.coefficient.toString().length || f.coefficient % 10n ** BigInt(cut) !== 0n) {
      throw mismatch(v, d, path, "stored timestamp is more precise than the nanosecond, which a Temporal.Instant would drop");
    }
  }
  return instantOf(v);
}

/** An Ion struct may repeat a name; an object holds one value for it, and keeping either would drop the other. */
function repeated(v: IonValue, d: TypeDescriptor, path: ReadPath, name: string): LedgerError {
  return mismatch(v, d, { parent: path, key: name }, "stored struct holds this field more than once, which an object cannot");
}

/**
 * Converts a stored Ion value back to the declared TypeScript type, refusing (TYPE_ERROR naming
 * `path`) what the type cannot hold without a silent change: a null where the type has none, an
 * int beyond 2^53 as a number, a fraction as an Int, a time of day as a PlainDate.
 */
export function fromIon(v: IonValue, d: TypeDescriptor, path: ReadPath = "value"): unknown {
  if (v.kind === "null") {
    if (d.kind === "nullable") return null;
    throw mismatch(v, d, path, `stored null does not fit the declared ${d.kind} (declare it T | null)`);
  }
  switch (d.kind) {
    case "nullable": return fromIon(v, d.of, path);
    case "string":
      if (v.kind === "string") return v.value;
      if (v.kind === "symbol" && v.text !== null) return v.text;
      throw mismatch(v, d, path);
    case "enum": {
      const text = v.kind === "string" ? v.value : v.kind === "symbol" ? v.text : null;
      if (text === null) throw mismatch(v, d, path);
      // The row type promises one of the values; a switch over them would fall through.
      if (!d.values.includes(text)) {
        throw mismatch(v, d, path, `stored ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text)} is not one of ${d.values.map((x) => JSON.stringify(x)).join(", ")}`);
      }
      return text;
    }
    case "bool":
      if (v.kind === "bool") return v.value;
      throw mismatch(v, d, path);
    case "int":
      if (v.kind === "int") return exactNumber(v, d, path);
      if (v.kind === "decimal") return decimalInt(v, d, path);
      if (v.kind !== "float") throw mismatch(v, d, path);
      if (!Number.isSafeInteger(v.value)) throw mismatch(v, d, path, `stored float ${v.value} is not a safe integer`);
      return v.value;
    case "float":
      if (v.kind === "float") return v.value;
      if (v.kind === "int") return nearestNumber({ ...v, negative: v.value < 0n, coefficient: v.value < 0n ? -v.value : v.value, exponent: 0 }, d, path);
      if (v.kind === "decimal") return nearestNumber(v, d, path);
      throw mismatch(v, d, path);
    case "bigint":
      if (v.kind === "int") return v.value;
      throw mismatch(v, d, path);
    case "decimal":
      if (v.kind === "decimal") return new Decimal(v.coefficient, v.exponent, v.negative);
      if (v.kind === "int") return new Decimal(v.value < 0n ? -v.value : v.value, 0, v.value < 0n);
      throw mismatch(v, d, path);
    case "instant":
      if (v.kind === "timestamp") return exactInstant(v, d, path);
      throw mismatch(v, d, path);
    case "date":
      if (v.kind !== "timestamp") throw mismatch(v, d, path);
      if (v.precision !== "year" && v.precision !== "month" && v.precision !== "day") {
        throw mismatch(v, d, path, "stored timestamp has a time of day, which a PlainDate would drop (declare Temporal.Instant)");
      }
      return Temporal.PlainDate.from({ year: v.year, month: v.month, day: v.day });
    case "blob":
      if (v.kind === "blob" || v.kind === "clob") return v.bytes.slice();
      throw mismatch(v, d, path);
    case "list":
      if (v.kind === "list" || v.kind === "sexp") return v.items.map((item, i) => fromIon(item, d.of, { parent: path, key: i }));
      throw mismatch(v, d, path);
    case "record": {
      if (v.kind !== "struct") throw mismatch(v, d, path);
      const out: Record<string, unknown> = {};
      for (const [name, value] of v.fields) {
        if (Object.prototype.hasOwnProperty.call(out, name)) throw repeated(v, d, path, name);
        Object.defineProperty(out, name, { value: fromIon(value, d.of, { parent: path, key: name }), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case "struct":
      if (v.kind !== "struct") throw mismatch(v, d, path);
      return fromIonStruct(v, d.fields, path);
  }
}

/**
 * A struct's declared fields as a plain object (undeclared fields are not returned). A required
 * field that is absent is a TYPE_ERROR naming it: the row type promises it.
 */
export function fromIonStruct(v: IonStruct, fields: Readonly<Record<string, FieldDescriptor>>, path: ReadPath = "value"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of v.fields) {
    const f = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (f === undefined) continue;
    if (Object.prototype.hasOwnProperty.call(out, name)) throw repeated(v, { kind: "struct", fields }, path, name);
    out[name] = fromIon(value, f.type, { parent: path, key: name });
  }
  for (const [name, f] of Object.entries(fields)) {
    if (!f.optional && !Object.prototype.hasOwnProperty.call(out, name)) {
      const at = childPath(readPathText(path), name);
      throw new LedgerError("TYPE_ERROR", `stored document has no ${name}, which is required at ${at}`, { path: at });
    }
  }
  return out;
}

/** A stored document as the declared row type (alias of `fromIonStruct`). */
export const fromIonDocument = fromIonStruct;
