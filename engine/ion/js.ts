/**
 * Conversion between JavaScript values (what applications pass as statement parameters and get
 * back as rows) and the lossless Ion value model.
 *
 * fromJS rules (anything else is TYPE_ERROR naming the path, e.g. `$.owner.addresses[2]`):
 * - integral `number` -> int, but only a safe integer (|x| <= 2^53-1); `-0` -> float -0e0
 *   (an int cannot be negative zero). Non-integral, NaN and ±Infinity -> float.
 * - `bigint` -> int. `string` -> string (a lone surrogate is TYPE_ERROR: UTF-8 cannot hold it).
 * - `boolean` -> bool; `null` -> null.
 * - `undefined`: TYPE_ERROR at top level and in arrays; a struct field holding it is omitted
 *   (the usual meaning of an optional property).
 * - `Uint8Array` -> blob (copied, since values are immutable).
 * - arrays -> list of their items (indices 0 to length - 1). Named properties of an array are
 *   not items and are not kept, as JSON.stringify does: a RegExp match stores its matched texts
 *   (its `index`, `input` and `groups` go). Not refused, because finding them costs a pass that
 *   makes every index a string: Object.keys tripled converting a 100-item array under Bun
 *   (3.3 -> 9.5 µs) and a 100,000-item one went 15 -> 68 ms.
 * - plain objects (prototype Object.prototype or null) -> struct of their own enumerable
 *   string keys in property order; symbol keys are ignored. A `__proto__` own key is an
 *   ordinary field; prototypes are never read or written.
 * - ion-js `Decimal` -> decimal, ion-js `Timestamp` -> timestamp (both exact).
 * - `Temporal.Instant` -> second-precision timestamp at offset Z; `Temporal.ZonedDateTime` ->
 *   the same at its offset (TYPE_ERROR if the offset is not whole minutes). The fraction is
 *   3 digits (milliseconds, kept even when .000) when the sub-millisecond part is zero, else
 *   9 digits (nanoseconds), so ordinary millisecond clocks produce QLDB-looking `...35.291Z`.
 *   `Temporal.PlainDate` -> day precision; `Temporal.PlainDateTime` -> second precision with
 *   unknown offset (`-00:00`, Ion's "local time, offset unknown"). Dates in another calendar
 *   are read in ISO (the same day). A value outside Ion's years 0001-9999, as written or in UTC,
 *   is TYPE_ERROR.
 * - An existing IonValue is embedded only when wrapped with `ionLiteral(v)`, or when the engine
 *   itself handed it out (a document read from the ledger, or any value inside one; see
 *   `handOut`). Either way it is checked and copied, never trusted. Duck-typing on a
 *   `kind` key would misread user objects that happen to have one, so it is never done: an
 *   unwrapped `{kind: "int", value: 1n}` of the application's own is just a struct.
 * - `Date` is TYPE_ERROR (it drops precision and offset; convert to Temporal first); functions,
 *   symbols, Map, Set, class instances, other typed arrays, `arguments` objects: TYPE_ERROR.
 *   Cycles: TYPE_ERROR.
 *   Nesting deeper than limits.maxValueDepth: LIMIT_EXCEEDED.
 *
 * toJS rules: any null -> null; bool; int -> number when safe, else bigint; float -> number;
 * decimal -> ion-js Decimal; timestamp -> ion-js Timestamp (exact: precision, offset and
 * fraction digits survive, which no Temporal type can carry; but one in the last millisecond of
 * year 9999 UTC with a sub-millisecond fraction is TYPE_ERROR, since ion-js rounds it through a
 * Date into year 10000, and so is one whose fraction has more than about 300 digits, which
 * ion-js's check of its instant overflows to NaN as a JS number: such values are read with
 * executeIon); string and symbol -> string;
 * blob and clob -> Uint8Array (copied); list and sexp -> array; struct -> plain object
 * (repeated names: the first wins, as in getField; `__proto__` becomes an own property).
 * Annotations are dropped. fromJS(toJS(v)) is therefore exact only for values without symbols,
 * sexps, clobs, annotations, repeated field names, typed nulls (`null.int` comes back `null`)
 * or floats with integral values (`1e0` comes back the int `1`, and one beyond 2^53 is refused
 * as an int that may have lost digits); wrap with ionLiteral to keep those, or pass the engine's
 * own values back unchanged (documents read from the ledger are embedded as they are).
 */
import { Decimal, Timestamp } from "ion-js";
import { describeThrown, LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import { MAX_DEPTH, MAX_NODES, depthError, expansionError } from "./depth.ts";
import type { IonField, IonTimestamp, IonValue } from "./value.ts";
import { type ByteBudget, digitsProblem, ionValueProblem, type IonValueProblem, modelValueProblem, problemError } from "./check.ts";
import { copyBytes, copyValue } from "./copy.ts";
import { timestampRangeError } from "./utc.ts";

/** Marks an IonValue to be embedded as-is by fromJS (see the file header for why a wrapper). */
export class IonLiteral {
  constructor(readonly value: IonValue) {}
}

/** Wraps a model value so fromJS embeds it unchanged. */
export function ionLiteral(v: IonValue): IonLiteral {
  return new IonLiteral(v);
}

/**
 * Values the engine itself handed out (documents read from a ledger). fromJS embeds these
 * unchanged, so `tx.update(t, id, await tx.get(t, id))` keeps the document exact. Membership, not
 * duck-typing: a user object can only carry the mark if the engine put it there.
 *
 * The mark is a private field stamped onto the object (a base class whose constructor returns
 * its argument), not a WeakSet: V8's weak tables hold at most 2^24 entries and abort the process
 * past that ("invalid table size"), which one `SELECT *` over a few million documents reached
 * under Deno. A private field lives on the object and goes when it goes. It is invisible to
 * the application (no key, not copied by spread or structuredClone) and a Proxy never has it.
 */
class Stamp {
  constructor(o: object) {
    return o as Stamp;
  }
}

class HandedOutMark extends Stamp {
  #handedOut = true;

  static add(o: object): void {
    if (#handedOut in o) return;
    // A frozen or sealed object cannot take a private field; the engine hands out fresh copies,
    // so this is a fallback that never grows with the data.
    if (!Object.isExtensible(o)) frozenHandedOut.add(o);
    else new HandedOutMark(o);
  }

  static has(o: object): boolean {
    return #handedOut in o || frozenHandedOut.has(o);
  }
}

const frozenHandedOut = new WeakSet<object>();

/** Registers a value the engine hands to applications (see `HandedOutMark`). */
export function handOut<T extends IonValue>(v: T): T {
  HandedOutMark.add(v);
  return v;
}

/**
 * A copy of a stored value, handed out: the caller may change it, and passing it back stores it
 * exactly. Every value inside it is handed out too, so a field's value taken from a row read
 * (`row.fields[0][1]`, a decimal say) is embedded as what it is, not converted as a plain object
 * into a struct with fields `kind`, `coefficient`…
 */
export function handOutCopy<T extends IonValue>(v: T): T {
  return copyValue(v, registerHandedOut);
}

const registerHandedOut = (v: IonValue): void => {
  HandedOutMark.add(v);
};

/**
 * A value that arrives already in model form (ionLiteral, or a document the engine handed out,
 * which the application may have changed since): checked, not trusted, and copied before it is
 * embedded, since the application still holds it and may change it after it is stored.
 */
function checked(v: unknown, path: Path): IonValue {
  checkModelValue(v, path, { ...budget });
  // The copy reads the value a second time, and a getter or Proxy in it may answer differently
  // than it did to the check: the copy, which holds plain data of the engine's own, is what is
  // checked for good and stored.
  const copy = copyValue(v as IonValue);
  checkModelValue(copy, path, budget);
  return copy;
}

/**
 * Refuses what is not a model value Ion can hold (check.ts), with the LedgerError for its first
 * problem at its path from `$`: for values handed to the exported helpers, which a caller may have
 * built by hand (ion/index.ts).
 */
export function requireModelValue(v: unknown): void {
  throwProblem(modelValueProblem(v), "$");
}

function checkModelValue(v: unknown, path: Path, budget: ByteBudget): void {
  throwProblem(ionValueProblem(v, budget), path);
}

/** Throws the LedgerError for `p` (if any), at its path below `path`. */
function throwProblem(p: IonValueProblem | undefined, path: Path): void {
  if (p === undefined) return;
  let at = path;
  for (let i = p.keys.length - 1; i >= 0; i--) at = { parent: at, key: p.keys[i] };
  throw problemError(p, pathText(at));
}

/** A timestamp made from an application's object (`what`), refused unless Ion can store it unchanged. */
function storable(ts: IonTimestamp, what: string, path: Path): IonTimestamp {
  const why = timestampRangeError(ts);
  if (why !== undefined) throw typeError(pathText(path), `${what} cannot be an Ion timestamp: ${why}`);
  return ts;
}

/** A bigint (an int's value or a decimal's coefficient) within limits.maxNumberDigits. */
function checkDigits(n: bigint, path: Path): void {
  const p = digitsProblem(n);
  if (p !== undefined) throw problemError(p, pathText(path));
}

function typeError(path: string, message: string): LedgerError {
  return new LedgerError("TYPE_ERROR", `${message} at ${path}`, { path });
}

function tag(x: object): string {
  return Object.prototype.toString.call(x);
}

/**
 * True for a function's `arguments` object, which passes for a plain object (its prototype is
 * Object.prototype) yet stands for a list. It has its own Symbol.iterator, which a plain object
 * almost never has, so the tag is read only then. Used by fromJS and by the typed client's codec.
 */
export function isArgumentsObject(x: object): boolean {
  return Symbol.iterator in x && tag(x) === "[object Arguments]";
}

/** Fractional seconds for a nanosecond count, per the 3-or-9-digit rule in the header. */
function fractionOf(nanos: number): { coefficient: bigint; exponent: number } {
  return nanos % 1_000_000 === 0
    ? { coefficient: BigInt(nanos / 1_000_000), exponent: -3 }
    : { coefficient: BigInt(nanos), exponent: -9 };
}

interface TemporalFields {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  millisecond: number; microsecond: number; nanosecond: number;
}

function temporalTimestamp(p: TemporalFields, offset: number | null): IonTimestamp {
  return {
    kind: "timestamp", precision: "second", offset,
    year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second,
    fraction: fractionOf(p.millisecond * 1_000_000 + p.microsecond * 1000 + p.nanosecond),
  };
}

/** The timestamp of a Temporal value (tag `t`), or undefined for a Temporal type with none. */
function temporalValue(t: string, o: object, path: Path): IonTimestamp | undefined {
  // Fields are read in the ISO calendar: a date in another calendar (`[u-ca=hebrew]`) is the same
  // day, but its `year` (5779) is not the Gregorian year an Ion timestamp holds.
  const iso = (x: object): TemporalFields => {
    const c = x as TemporalFields & { calendarId?: string; withCalendar?(id: string): TemporalFields };
    return c.calendarId !== undefined && c.calendarId !== "iso8601" && c.withCalendar ? c.withCalendar("iso8601") : c;
  };
  if (t === "[object Temporal.Instant]") {
    const zdt = (o as { toZonedDateTimeISO(tz: string): TemporalFields }).toZonedDateTimeISO("UTC");
    return temporalTimestamp(zdt, 0);
  }
  if (t === "[object Temporal.ZonedDateTime]") {
    const z = o as TemporalFields & { offsetNanoseconds: number };
    if (z.offsetNanoseconds % 60e9 !== 0) throw typeError(pathText(path), "time zone offset is not a whole number of minutes");
    return temporalTimestamp(iso(z), z.offsetNanoseconds / 60e9);
  }
  if (t === "[object Temporal.PlainDateTime]") return temporalTimestamp(iso(o), null);
  if (t === "[object Temporal.PlainDate]") {
    const d = iso(o);
    return {
      kind: "timestamp", precision: "day", offset: null, year: d.year, month: d.month, day: d.day,
      hour: 0, minute: 0, second: 0, fraction: null,
    };
  }
  return undefined;
}

/** Timestamp from an ion-js Timestamp, reading its local fields (shared with the ion-js reader). */
export function fromIonJsTimestamp(ts: Timestamp): IonTimestamp {
  const t = ts as unknown as {
    getPrecision(): number; getLocalOffset(): number; getSecondsDecimal(): Decimal;
    _year: number; _month: number | null; _day: number | null; _hour: number | null; _minutes: number | null;
  };
  const precision = (["year", "year", "month", "day", "minute", "second"] as const)[t.getPrecision()];
  const off = t.getLocalOffset();
  const timeful = precision === "minute" || precision === "second";
  let second = 0;
  let fraction: { coefficient: bigint; exponent: number } | null = null;
  if (precision === "second") {
    const sd = t.getSecondsDecimal();
    const c = BigInt(sd.getCoefficient());
    const e = sd.getExponent();
    if (e >= 0) second = Number(c * 10n ** BigInt(e));
    else {
      const scale = 10n ** BigInt(-e);
      second = Number(c / scale);
      fraction = { coefficient: c % scale, exponent: e };
    }
  }
  return {
    kind: "timestamp", precision, offset: !timeful || Object.is(off, -0) ? null : off,
    year: t._year, month: t._month ?? 1, day: t._day ?? 1,
    hour: timeful ? t._hour ?? 0 : 0, minute: timeful ? t._minutes ?? 0 : 0, second, fraction,
  };
}

/**
 * Where a value sits, for error details; made a string (`$.owner.addresses[2]`) only when an
 * error needs it. Building it eagerly (a regex test and a concatenation per field): fromJS of a
 * six-field document 240 ns → 205 ns.
 */
type Path = string | { readonly parent: Path; readonly key: string | number };

function pathText(p: Path): string {
  if (typeof p === "string") return p;
  const parent = pathText(p.parent);
  const k = p.key;
  if (typeof k === "number") return `${parent}[${k}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${parent}.${k}` : `${parent}[${JSON.stringify(k)}]`;
}

/**
 * The containers being converted, outermost first, for cycle detection: an array, not a Set, since
 * nesting is shallow (and capped at limits.maxValueDepth) and a Set per fromJS call was garbage on
 * every commit.
 */
type Ancestors = object[];

/**
 * The conversion in progress counts a lower bound on the Ion bytes it makes (see ByteBudget) and
 * stops past the largest storable value: cycle detection looks only at ancestors, so an object
 * referenced twice is converted twice, and 24 levels of `o = {a: o, b: o}` would make 2^25 values.
 */
let budget: ByteBudget = { limit: 0, left: 0 };

/**
 * Field names the conversion in progress has charged, once it has seen FREE_FIELDS fields. Each
 * distinct name is written once (in the local symbol table) whatever the number of fields that
 * use it, so its length is charged on its first use only; before that each field costs a byte,
 * its symbol id. Charging the names of every struct would cost each commit a Set lookup per field;
 * charging none let a struct of 4 million distinct names (f0, f1, …) pass the budget at a byte
 * each, and be refused only by the encode of its ~55 MB, after 14-20 s.
 */
let names: Set<string> | undefined;
let fieldsLeftFree = 0;
const FREE_FIELDS = 4096;

/** Charges field name `key` (see `names`). */
function chargeName(key: string, path: Path): void {
  if (fieldsLeftFree > 0) {
    fieldsLeftFree--;
    return;
  }
  names ??= new Set();
  if (names.has(key)) return;
  names.add(key);
  if ((budget.left -= key.length) < 0) throw overBudget({ parent: path, key });
}

function spend(bytes: number, path: Path): void {
  if ((budget.left -= bytes) < 0) throw overBudget(path);
}

function overBudget(path: Path): LedgerError {
  return expansionError(pathText(path), { limit: budget.limit, atLeast: budget.limit - budget.left });
}

function convert(x: unknown, path: Path, depth: number, ancestors: Ancestors): IonValue {
  if (depth > MAX_DEPTH) throw depthError(pathText(path));
  if (--budget.left < 0) throw overBudget(path);
  switch (typeof x) {
    case "number":
      if (Number.isInteger(x)) {
        if (Object.is(x, -0)) return { kind: "float", value: -0 };
        if (!Number.isSafeInteger(x)) {
          throw typeError(pathText(path), `integer ${x} is beyond 2^53-1 and may already have lost digits; pass a bigint`);
        }
        return { kind: "int", value: BigInt(x) };
      }
      return { kind: "float", value: x };
    case "bigint":
      checkDigits(x, path);
      return { kind: "int", value: x };
    case "string":
      if (!(x as string & { isWellFormed(): boolean }).isWellFormed()) {
        throw typeError(pathText(path), "string contains a lone surrogate, which UTF-8 cannot encode");
      }
      spend(x.length, path);
      return { kind: "string", value: x };
    case "boolean": return { kind: "bool", value: x };
    case "undefined": throw typeError(pathText(path), "undefined is not an Ion value");
    case "function": throw typeError(pathText(path), "a function is not an Ion value");
    case "symbol": throw typeError(pathText(path), "a JS symbol is not an Ion value");
  }
  if (x === null) return { kind: "null", of: "null" };
  const o = x as object;
  // Plain objects first (documents are made of them): no instanceof chain, no toString tag.
  if (Object.getPrototypeOf(o) === Object.prototype) {
    if (HandedOutMark.has(o)) return checked(o, path);
    // An arguments object's prototype is Object.prototype too, and it would become a struct with
    // fields "0", "1", …: a list silently made something else.
    if (isArgumentsObject(o)) {
      throw typeError(pathText(path), "an arguments object is not convertible to Ion; pass an array (Array.from(arguments))");
    }
    return convertObject(o, path, depth, ancestors);
  }
  if (o instanceof IonLiteral) return checked(o.value, path);
  if (HandedOutMark.has(o)) return checked(o, path);
  if (o instanceof Uint8Array && tag(o) === "[object Uint8Array]") {
    // `new Uint8Array(o)` copies through the internal slots: `o.slice()` would call a subclass's
    // own slice, and Buffer's returns a view of the same memory, so the stored blob would change
    // whenever the application reused its buffer.
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(o);
    } catch {
      throw typeError(pathText(path), "a Uint8Array whose ArrayBuffer is detached has no bytes to store");
    }
    spend(bytes.length, path);
    return { kind: "blob", bytes };
  }
  if (o instanceof Decimal) {
    const c = BigInt(o.getCoefficient());
    // ion-js takes any number as an exponent; NaN, Infinity or 0.5 would be journaled as bytes
    // no reader accepts (or that read back as another value).
    const exponent = o.getExponent();
    if (!Number.isSafeInteger(exponent)) throw typeError(pathText(path), `a Decimal's exponent ${exponent} is not an integer`);
    checkDigits(c, path);
    return { kind: "decimal", coefficient: c < 0n ? -c : c, exponent, negative: o.isNegative() };
  }
  if (o instanceof Timestamp) return storable(fromIonJsTimestamp(o), "a Timestamp", path);
  if (o instanceof Date) {
    throw typeError(pathText(path), "Date is not accepted (it loses precision and offset); use Temporal.Instant or an ion-js Timestamp");
  }
  const t = tag(o);
  if (t.startsWith("[object Temporal.")) {
    const ts = temporalValue(t, o, path);
    if (ts !== undefined) return storable(ts, t.slice(8, -1), path);
  }
  if (ancestors.includes(o)) throw typeError(pathText(path), "cyclic reference");
  if (Array.isArray(o)) {
    // Every item takes at least a byte of Ion, so a longer array cannot be a storable value; the
    // check also keeps a Proxy that reports length 2^32-1 from being walked item by item.
    const n = o.length;
    if (n > limits.maxDocumentBytes) {
      throw new LedgerError("LIMIT_EXCEEDED", `an array of ${n} items at ${pathText(path)} exceeds limits.maxDocumentBytes`, { limit: "maxDocumentBytes", path: pathText(path) });
    }
    ancestors.push(o);
    const items: IonValue[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = convert(o[i], { parent: path, key: i }, depth + 1, ancestors);
    ancestors.pop();
    return { kind: "list", items };
  }
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto && proto.constructor && proto.constructor.name) || t;
    throw typeError(pathText(path), `${name} is not convertible to Ion (only plain objects, arrays and the documented types are)`);
  }
  return convertObject(o, path, depth, ancestors);
}

function convertObject(o: object, path: Path, depth: number, ancestors: Ancestors): IonValue {
  if (ancestors.includes(o)) throw typeError(pathText(path), "cyclic reference");
  ancestors.push(o);
  const fields: IonField[] = [];
  for (const key of Object.keys(o)) {
    const value = (o as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (!key.isWellFormed()) throw typeError(pathText({ parent: path, key }), "field name contains a lone surrogate");
    // The field's symbol id: at least a byte beside its value.
    if (--budget.left < 0) throw overBudget({ parent: path, key });
    chargeName(key, path);
    fields.push([key, convertField(value, path, key, depth + 1, ancestors)]);
  }
  ancestors.pop();
  return { kind: "struct", fields };
}

/**
 * A field's value: strings and numbers directly, so the field's path is made only for a value
 * that needs it (a container, or an error).
 */
function convertField(x: unknown, parent: Path, key: string, depth: number, ancestors: Ancestors): IonValue {
  if (typeof x === "string" && depth <= MAX_DEPTH) {
    if ((x as string & { isWellFormed(): boolean }).isWellFormed()) {
      if ((budget.left -= 1 + x.length) < 0) throw overBudget({ parent, key });
      return { kind: "string", value: x };
    }
  } else if (typeof x === "number" && depth <= MAX_DEPTH && Number.isSafeInteger(x) && !Object.is(x, -0)) {
    if (--budget.left < 0) throw overBudget({ parent, key });
    return { kind: "int", value: BigInt(x) };
  }
  return convert(x, { parent, key }, depth, ancestors);
}

/**
 * Converts a JS value to an Ion value by the rules in the file header. `path` names the value
 * in error details. Throws TYPE_ERROR (with the path) or LIMIT_EXCEEDED.
 */
export function fromJS(x: unknown, path = "$"): IonValue {
  // Saved and restored: an application getter may itself call into the engine.
  const outer = budget, outerNames = names, outerFree = fieldsLeftFree;
  const limit = Math.max(limits.maxDocumentBytes, limits.maxParameterBytes);
  budget = { limit, left: limit };
  names = undefined;
  fieldsLeftFree = FREE_FIELDS;
  try {
    return convert(x, path, 1, []);
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    // The application's own objects threw while being read: a getter, a revoked Proxy, an
    // object posing as a Temporal value. The value cannot be stored; the cause says why.
    throw new LedgerError("TYPE_ERROR", `the value at ${path} could not be read: ${describeThrown(e)}`, { path }, e);
  } finally {
    budget = outer;
    names = outerNames;
    fieldsLeftFree = outerFree;
  }
}

function toIonJsTimestamp(t: IonTimestamp): Timestamp {
  try {
    return newIonJsTimestamp(t);
  } catch (e) {
    // ion-js rounds sub-millisecond fractions through a Date: 9999-12-31T23:59:59.9999995Z
    // becomes year 10000, which its own constructor then refuses with a plain Error. A fraction
    // of more than about 300 digits overflows its JS number on the way ("Year NaN").
    const two = (n: number) => String(n).padStart(2, "0");
    const at = `${String(t.year).padStart(4, "0")}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}`;
    const digits = t.fraction === null ? 0 : -t.fraction.exponent;
    const why = digits > 300 ? `its fraction of ${digits} digits overflows ion-js` : (e as Error)?.message;
    throw new LedgerError("TYPE_ERROR", `the timestamp at ${at} has no ion-js Timestamp (${why}); read it with executeIon`);
  }
}

function newIonJsTimestamp(t: IonTimestamp): Timestamp {
  // ion-js's unknown offset is -0; a known offset of -0 (never stored: copy.ts) is 0.
  const off = t.offset === null ? -0 : t.offset || 0;
  switch (t.precision) {
    case "year": return new Timestamp(off, t.year);
    case "month": return new Timestamp(off, t.year, t.month);
    case "day": return new Timestamp(off, t.year, t.month, t.day);
    case "minute": return new Timestamp(off, t.year, t.month, t.day, t.hour, t.minute);
  }
  const f = t.fraction;
  const seconds = f && f.exponent < 0
    ? new Decimal(BigInt(t.second) * 10n ** BigInt(-f.exponent) + f.coefficient, f.exponent)
    : new Decimal(BigInt(t.second), 0);
  return new Timestamp(off, t.year, t.month, t.day, t.hour, t.minute, seconds);
}

/** Values the conversion in progress may still make (limits.maxValueNodes); it calls no user code, so it never nests. */
let backLeft = 0;

function back(v: IonValue, depth: number): unknown {
  if (depth > MAX_DEPTH) throw depthError();
  if (--backLeft < 0) throw expansionError();
  switch (v.kind) {
    case "null": return null;
    case "bool": return v.value;
    case "int": {
      const n = Number(v.value);
      return Number.isSafeInteger(n) ? n : v.value;
    }
    case "float": return v.value;
    case "decimal": return new Decimal(v.coefficient, v.exponent, v.negative);
    case "timestamp": return toIonJsTimestamp(v);
    case "string": return v.value;
    case "symbol": return v.text;
    case "blob":
    case "clob": return copyBytes(v.bytes);
    case "list":
    case "sexp": return v.items.map((item) => back(item, depth + 1));
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const [name, value] of v.fields) {
        // The first of repeated names wins. An own property is never undefined here (back()
        // returns no undefined), so only a name already read as defined (own, or inherited
        // such as "toString") needs the hasOwnProperty call.
        if (out[name] !== undefined && Object.prototype.hasOwnProperty.call(out, name)) continue;
        // Assignment makes the same writable, enumerable, configurable own property as
        // defineProperty, since Object.prototype has no setter and no read-only property but
        // __proto__, whose setter would change the prototype: that one name is defined. A
        // defineProperty per field cost toJS of a 7-field document 0.92 µs under Bun and 3.2 µs
        // under Deno, against 0.25 and 0.39 µs assigning (2026-12-05).
        if (name === "__proto__") {
          Object.defineProperty(out, name, { value: back(value, depth + 1), enumerable: true, writable: true, configurable: true });
        } else out[name] = back(value, depth + 1);
      }
      return out;
    }
  }
}

/** Converts an Ion value to plain JS by the rules in the file header (annotations dropped). */
export function toJS(v: IonValue): unknown {
  if (v === null || typeof v !== "object") throw new LedgerError("TYPE_ERROR", "toJS takes an Ion value");
  backLeft = MAX_NODES;
  return back(v, 1);
}
