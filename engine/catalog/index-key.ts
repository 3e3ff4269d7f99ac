/**
 * Index keys: one string per class of values that PartiQL's `=` considers equal, so an index
 * lookup finds exactly what a scan with `WHERE f = v` would (`1`, `1.0`, `1e0` are one key;
 * `'abc'` and the symbol `abc` are one key; timestamps are equal when they are the same instant).
 *
 * Containers get a key of their exact Ion hash: the planner never uses an index for a container
 * key (PartiQL compares their elements recursively), but the key still records the document.
 * NULL and MISSING get keys too, so `IS NULL` could use them later; `=` never matches them.
 */
import { ionHash } from "../ion/hash.ts";
import { epochSeconds, withoutTrailingZeros } from "../ion/utc.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";

const MISSING_KEY = "m";

/** True for values whose key is exactly PartiQL equality (scalars other than null). */
export function isIndexableKey(v: IonValue): boolean {
  switch (v.kind) {
    case "bool": case "int": case "float": case "decimal": case "timestamp":
    case "symbol": case "string": case "clob": case "blob":
      return true;
    default:
      return false;
  }
}

/** The index key of a field value; `undefined` is a missing field. */
export function indexKey(v: IonValue | undefined): string {
  if (v === undefined) return MISSING_KEY;
  switch (v.kind) {
    case "null": return "z";
    case "bool": return v.value ? "b1" : "b0";
    case "int": return numberKey(v.value < 0n, v.value < 0n ? -v.value : v.value, 0);
    case "decimal": return numberKey(v.negative, v.coefficient, v.exponent);
    case "float": return floatKey(v.value);
    case "string": return "s" + v.value;
    case "symbol": return v.text === null ? "y" : "s" + v.text;
    case "timestamp": return timestampKey(v);
    case "blob": case "clob": return "l" + hex(v.bytes);
    default: return "h" + hex(ionHash(v));
  }
}

/** Canonical exact decimal: sign, digits without trailing zeros, exponent. Zero is "n0". */
function numberKey(negative: boolean, coefficient: bigint, exponent: number): string {
  if (coefficient === 0n) return "n0";
  let digits = coefficient.toString();
  let e = exponent;
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) {
    end--;
    e++;
  }
  digits = digits.slice(0, end);
  return `n${negative ? "-" : ""}${digits}e${e}`;
}

/**
 * A finite float is keyed as the decimal of its shortest round-trip text (`String(x)`), which is
 * how PartiQL compares a float with an int or decimal (Java's BigDecimal.valueOf(double); the
 * evaluator does the same), so `0.1e0 = 0.1` finds each other through an index.
 */
function floatKey(x: number): string {
  if (Number.isNaN(x)) return "nnan";
  if (x === Infinity) return "n+inf";
  if (x === -Infinity) return "n-inf";
  if (x === 0) return "n0";
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const fraction = m[3] ?? "";
  const coefficient = BigInt(m[2] + fraction);
  const exponent = Number(m[4] ?? 0) - fraction.length;
  return numberKey(m[1] === "-", coefficient, exponent);
}

/** The instant, exactly: UTC epoch seconds and the fraction without trailing zeros. */
function timestampKey(t: IonTimestamp): string {
  const seconds = epochSeconds(t.year, t.month, t.day, t.hour, t.minute, t.second, t.offset);
  let frac = "";
  if (t.fraction !== null && t.fraction.coefficient !== 0n) {
    frac = withoutTrailingZeros(t.fraction.coefficient.toString().padStart(-t.fraction.exponent, "0"));
  }
  return `t${seconds}.${frac}`;
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}

/**
 * The keys a document has in an index on `field`: the key of every top-level field whose name
 * matches `field` ignoring case (PartiQL's unquoted `d.vin` reaches a field named `VIN`), or the
 * missing key when there is none. Lookups thus find a superset of the documents a scan would
 * match, and the query's own predicate filters it exactly.
 */
export function indexKeysOf(data: IonStruct, field: string): string[] {
  const lower = field.toLowerCase();
  const keys: string[] = [];
  for (const [name, value] of data.fields) {
    if (name === field || name.toLowerCase() === lower) keys.push(indexKey(value));
  }
  if (keys.length === 0) keys.push(MISSING_KEY);
  return keys;
}
