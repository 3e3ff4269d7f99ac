/**
 * Equality and ordering.
 *
 * - `eqValues`: PartiQL value equality for `=`, IN, CASE, DISTINCT, GROUP BY and set operators.
 *   Numbers compare by value across int/decimal/float (1 = 1.0 = 1e0); strings and symbols by
 *   text; timestamps by instant; lists and sexps in order; bags as multisets; structs as multisets
 *   of (name, value) fields. Inside containers NULL equals NULL and MISSING equals MISSING.
 *   Values of different types are not equal (no error).
 * - `compareForLt`: the ordering `<`, `<=`, … use; only numbers, text, timestamps, bools and
 *   lobs are comparable with their own kind; anything else is a type error.
 * - `totalOrder`: PartiQL's total order for ORDER BY and for sorting containers:
 *   absent < bool < number < date < time < timestamp < text < lob < list < sexp < struct < bag.
 *   For ORDER BY (`orderByCompare`), NULL and MISSING inside lists, sexps, structs and bags take
 *   the place the ORDER BY item gives NULLs: `[null]` sorts after every other list under the
 *   default ASC NULLS LAST, and first under DESC (NULLS FIRST), as the conformance suite expects.
 */
import type { IonFloat } from "../../ion/value.ts";
import type { PValue } from "../value.ts";
import { decCompare, decFromInt, decFromNumber } from "./decimal.ts";
import { typeError } from "./errors.ts";
import { compareTemporal, isTemporal, temporalGroupKey, temporalOrderKey } from "./temporal.ts";
import { compareInstants } from "./timestamp.ts";
import { isNumeric, isText, textOf, typeName } from "./values.ts";
import { expansionError, MAX_NODES } from "../../ion/depth.ts";
import { tick } from "./deadline.ts";

/**
 * Steps one top-level eqValues, totalOrder or groupKey may still take (limits.maxValueNodes).
 * Query values share subtrees (`LET [x, x] AS y` doubles x without copying), so walking one can
 * take 2^n steps: GROUP BY over 26 doublings took 40 s and 9.7 GB. Each exported function resets
 * it and recurses through an internal twin that does not.
 */
let left = 0;

function step(): void {
  if (--left < 0) throw expansionError();
  tick(1); // a long comparison or group key counts against the statement's time (deadline.ts)
}

type Num = Extract<PValue, { kind: "int" | "decimal" | "float" }>;

/** Numeric comparison across int/decimal/float; NaN sorts below everything and equals itself. */
export function compareNumbers(a: Num, b: Num): number {
  if (a.kind === "int" && b.kind === "int") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === "float" || b.kind === "float") {
    if (a.kind === "float" && b.kind === "float") return compareFloats(a, b);
    const f = (a.kind === "float" ? a : b) as IonFloat;
    if (!Number.isFinite(f.value)) {
      const r = Number.isNaN(f.value) ? -1 : f.value > 0 ? 1 : -1;
      return a.kind === "float" ? r : -r;
    }
  }
  const da = a.kind === "decimal" ? a : a.kind === "int" ? decFromInt(a.value) : decFromNumber(a.value);
  const db = b.kind === "decimal" ? b : b.kind === "int" ? decFromInt(b.value) : decFromNumber(b.value);
  return decCompare(da, db);
}

function compareFloats(a: IonFloat, b: IonFloat): number {
  const x = a.value, y = b.value;
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares strings by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Value equality (see file header). Absent values equal only their own kind. */
export function eqValues(a: PValue, b: PValue): boolean {
  left = MAX_NODES;
  return eq(a, b);
}

function eq(a: PValue, b: PValue): boolean {
  step();
  if ((a.kind === "struct" && isTemporal(a)) || (b.kind === "struct" && isTemporal(b))) return compareTemporal(a, b) === 0;
  if (isNumeric(a)) return isNumeric(b) && compareNumbers(a as Num, b as Num) === 0;
  if (isText(a)) return isText(b) && textOf(a) === textOf(b);
  switch (a.kind) {
    case "null": return b.kind === "null";
    case "missing": return b.kind === "missing";
    case "bool": return b.kind === "bool" && a.value === b.value;
    case "timestamp": return b.kind === "timestamp" && compareInstants(a, b) === 0;
    case "clob":
    case "blob": return (b.kind === "clob" || b.kind === "blob") && compareBytes(a.bytes, b.bytes) === 0;
    case "list":
    case "sexp": {
      if (b.kind !== a.kind || a.items.length !== b.items.length) return false;
      for (let i = 0; i < a.items.length; i++) if (!eq(a.items[i], b.items[i])) return false;
      return true;
    }
    case "bag": return b.kind === "bag" && multisetEq(a.items, b.items, eq);
    case "struct": {
      if (b.kind !== "struct" || a.fields.length !== b.fields.length) return false;
      return multisetEq(a.fields, b.fields, (x, y) => x[0] === y[0] && eq(x[1], y[1]));
    }
  }
  return false;
}

function multisetEq<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  const used = new Uint8Array(b.length);
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (!used[j] && eq(x, b[j])) { used[j] = 1; continue outer; }
    }
    return false;
  }
  return true;
}

/**
 * Ordering for `<` and friends on two non-absent values: a negative, zero or positive number.
 * Throws TYPE_ERROR for values that are not comparable.
 */
export function compareForLt(a: PValue, b: PValue): number {
  if ((a.kind === "struct" && isTemporal(a)) || (b.kind === "struct" && isTemporal(b))) {
    const c = compareTemporal(a, b);
    if (c === undefined) throw typeError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
    return c;
  }
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(a as Num, b as Num);
  if (isText(a) && isText(b)) return compareText(textOf(a), textOf(b));
  if (a.kind === "timestamp" && b.kind === "timestamp") return compareInstants(a, b);
  if (a.kind === "bool" && b.kind === "bool") return a.value === b.value ? 0 : a.value ? 1 : -1;
  if ((a.kind === "blob" || a.kind === "clob") && (b.kind === "blob" || b.kind === "clob")) return compareBytes(a.bytes, b.bytes);
  throw typeError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

function rank(v: PValue): number {
  if (v.kind === "struct" && isTemporal(v)) return 3;
  switch (v.kind) {
    case "null":
    case "missing": return nullRank;
    case "bool": return 1;
    case "int":
    case "decimal":
    case "float": return 2;
    case "timestamp": return 3;
    case "string":
    case "symbol": return 4;
    case "clob":
    case "blob": return 5;
    case "list": return 6;
    case "sexp": return 7;
    case "struct": return 8;
    case "bag": return 9;
  }
}

/** Rank of NULL and MISSING in `order`: lowest, or past every other type (orderByCompare). */
const NULLS_LOW = 0;
const NULLS_HIGH = 10;
let nullRank = NULLS_LOW;

/** PartiQL's total order (see file header). */
export function totalOrder(a: PValue, b: PValue): number {
  left = MAX_NODES;
  nullRank = NULLS_LOW;
  return order(a, b);
}

/**
 * The total order with NULL and MISSING nested in containers ranked past every other type
 * (`nestedNullsHigh`) or before them: an ORDER BY item gives nested nulls the place it gives
 * top-level ones (file header). Top-level nulls are the caller's to place.
 */
export function orderByCompare(a: PValue, b: PValue, nestedNullsHigh: boolean): number {
  left = MAX_NODES;
  nullRank = nestedNullsHigh ? NULLS_HIGH : NULLS_LOW;
  return order(a, b);
}

function order(a: PValue, b: PValue): number {
  step();
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case NULLS_LOW:
    case NULLS_HIGH: return 0;
    case 3: {
      const x = temporalOrderKey(a) ?? [0, 0n], y = temporalOrderKey(b) ?? [0, 0n];
      if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
      if (x[1] !== y[1]) return x[1] < y[1] ? -1 : 1;
      // The same nanosecond: Ion timestamps may still differ below it, so they compare exactly,
      // and after SQL values of that nanosecond. Comparing an Ion timestamp with a SQL one by the
      // nanosecond alone, but two Ion timestamps exactly, was not transitive (a < b, yet both
      // equal to a TIMESTAMP between them), and a sort could return them out of order.
      const ia = a.kind === "timestamp", ib = b.kind === "timestamp";
      if (ia && ib) return compareForLt(a, b);
      return ia === ib ? 0 : ia ? 1 : -1;
    }
    case 1: case 2: case 4: case 5: return compareForLt(a, b);
    case 6: case 7: {
      const x = (a as { items: readonly PValue[] }).items, y = (b as { items: readonly PValue[] }).items;
      return compareSeq(x, y);
    }
    case 8: {
      const key = (f: readonly [string, PValue], g: readonly [string, PValue]) => compareText(f[0], g[0]) || order(f[1], g[1]);
      const x = [...(a as { fields: readonly (readonly [string, PValue])[] }).fields].sort(key);
      const y = [...(b as { fields: readonly (readonly [string, PValue])[] }).fields].sort(key);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = key(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
    }
    default: {
      const x = [...(a as { items: readonly PValue[] }).items].sort(order);
      const y = [...(b as { items: readonly PValue[] }).items].sort(order);
      return compareSeq(x, y);
    }
  }
}

function compareSeq(x: readonly PValue[], y: readonly PValue[]): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = order(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

/**
 * A hashable key that is equal for values `eqValues` deems equal (numbers normalised, structs and
 * bags sorted), for DISTINCT, GROUP BY and set operators without quadratic scans.
 */
export function groupKey(v: PValue): string {
  left = MAX_NODES;
  return keyOf(v);
}

function keyOf(v: PValue): string {
  step();
  if (v.kind === "struct" && isTemporal(v)) return "@" + temporalGroupKey(v);
  switch (v.kind) {
    case "null": return "n";
    case "missing": return "m";
    case "bool": return v.value ? "T" : "F";
    // Normalised like decimals and floats: 1, 1.0 and 1e0 are `=`, so one group (DISTINCT, UNION).
    case "int": return "#" + normNumber(decFromInt(v.value));
    case "float": {
      if (Number.isNaN(v.value)) return "#nan";
      if (!Number.isFinite(v.value)) return v.value > 0 ? "#inf" : "#-inf";
      return "#" + normNumber(decFromNumber(v.value));
    }
    case "decimal": return "#" + normNumber(v);
    case "string":
    case "symbol": return "s" + JSON.stringify(textOf(v));
    case "timestamp": return "@" + temporalGroupKey(v);
    case "clob":
    case "blob": return "b" + Array.from(v.bytes).join(",");
    case "list": return "[" + v.items.map(keyOf).join(",") + "]";
    case "sexp": return "(" + v.items.map(keyOf).join(",") + ")";
    case "bag": return "<<" + v.items.map(keyOf).sort().join(",") + ">>";
    case "struct": return "{" + v.fields.map((f) => JSON.stringify(f[0]) + ":" + keyOf(f[1])).sort().join(",") + "}";
  }
}

/** Canonical text of a decimal value: coefficient without trailing zeros and exponent. */
function normNumber(d: { coefficient: bigint; exponent: number; negative: boolean }): string {
  let c = d.coefficient, e = d.exponent;
  if (c === 0n) return "0";
  while (c % 10n === 0n) { c /= 10n; e++; }
  return (d.negative ? "-" : "") + c.toString() + "e" + e;
}
