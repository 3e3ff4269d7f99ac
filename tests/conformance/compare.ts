/**
 * Result equality for the conformance suite.
 *
 * `strict` (the figure Quire reports; QUIRE.md: "decimal and timestamp precision significant"):
 *   - MISSING equals only MISSING; NULL never equals MISSING.
 *   - Scalars use Ion data-model equality (engine/ion/equals.ts): the type must match (1 ≠ 1.0 ≠
 *     1e0, 'a' string ≠ a symbol), decimals compare coefficient, exponent and sign (1.0 ≠ 1.00),
 *     timestamps compare precision, offset and fraction digits, floats by value with NaN = NaN and
 *     +0e0 ≠ -0e0, typed nulls compare their type (null ≠ null.int; the suite writes `null.int`
 *     where it means it, and plain `null` elsewhere), lobs by bytes.
 *   - Annotations must match in order (after the suite's `$bag`/`$missing`/`$ion` markers were
 *     consumed by the loader).
 *   - Lists and sexps in order; bags as multisets; structs as multisets of (name, value) fields,
 *     so order is ignored and repeated names are kept. A bag never equals a list.
 *
 * `lenient` (what partiql-lang-kotlin's conformance runner accepts; reported beside the strict
 * figure to show how many failures are only about representation): its `valueComparison` passes
 * when annotations match and either both values are null (any type: null = null.int), or the
 * PartiQL total-order comparator says 0 (numbers compare by value across int/decimal/float,
 * 1 = 1.0 = 1e0, and NaN = NaN; strings equal symbols with the same text; clob equals blob with the
 * same bytes; timestamps by point in time, whatever their precision), or the Ion values are equal.
 * MISSING still differs from NULL, collections keep their kind (bag vs list vs sexp) and the
 * multiset rules above.
 */
import { ionEquals } from "../../engine/ion/equals.ts";
import { toText } from "../../engine/ion/text.ts";
import type { IonTimestamp, IonValue } from "../../engine/ion/value.ts";
import type { PValue } from "../../engine/partiql/value.ts";

export type Equality = "strict" | "lenient";

function sameAnnotations(a?: readonly string[], b?: readonly string[]): boolean {
  const n = a ? a.length : 0;
  if (n !== (b ? b.length : 0)) return false;
  for (let i = 0; i < n; i++) if (a![i] !== b![i]) return false;
  return true;
}

function multisetEquals<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  const used = new Uint8Array(b.length);
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (!used[j] && eq(x, b[j])) {
        used[j] = 1;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

// ---- lenient numeric / temporal helpers ----------------------------------------------------

/** Exact rational n / d (d > 0) for an int or decimal, or null for a float. */
function exact(v: PValue): { n: bigint; d: bigint } | null {
  if (v.kind === "int") return { n: v.value, d: 1n };
  if (v.kind === "decimal") {
    const c = v.negative ? -v.coefficient : v.coefficient;
    return v.exponent >= 0 ? { n: c * 10n ** BigInt(v.exponent), d: 1n } : { n: c, d: 10n ** BigInt(-v.exponent) };
  }
  return null;
}

function numericEquals(a: PValue, b: PValue): boolean {
  const x = exact(a), y = exact(b);
  if (x && y) return x.n * y.d === y.n * x.d;
  const fa = a.kind === "float" ? a.value : null;
  const fb = b.kind === "float" ? b.value : null;
  if (fa !== null && fb !== null) return fa === fb || (fa !== fa && fb !== fb);
  // float vs exact: compare exactly when the float is finite (a float is a dyadic rational).
  const f = fa !== null ? fa : fb!;
  const e = (fa !== null ? y : x)!;
  if (!Number.isFinite(f)) return false;
  const r = floatToRational(f);
  return r.n * e.d === e.n * r.d;
}

function floatToRational(f: number): { n: bigint; d: bigint } {
  if (f === 0) return { n: 0n, d: 1n };
  let d = 1n;
  let x = f;
  while (!Number.isInteger(x)) {
    x *= 2;
    d *= 2n;
  }
  return { n: BigInt(x), d };
}

const isNumber = (v: PValue) => v.kind === "int" || v.kind === "decimal" || v.kind === "float";

/** The point in time as exact seconds since the epoch (n / d), for lenient timestamp equality. */
function instant(t: IonTimestamp): { n: bigint; d: bigint } {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day); // (Date.UTC would map years 0-99 to 19xx)
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  const ms = BigInt(d.getTime() - (t.offset ?? 0) * 60_000);
  const f = t.fraction;
  if (!f) return { n: ms, d: 1000n };
  const den = 10n ** BigInt(-f.exponent);
  return { n: ms * den + f.coefficient * 1000n, d: den * 1000n };
}

// ---- equality ------------------------------------------------------------------------------

function eq(a: PValue, b: PValue, lenient: boolean): boolean {
  if (a.kind === "missing" || b.kind === "missing") return a.kind === b.kind;
  if (!sameAnnotations(a.annotations, b.annotations)) return false;
  if (lenient) {
    if (a.kind === "null" && b.kind === "null") return true;
    if (isNumber(a) && isNumber(b)) return numericEquals(a, b);
    if ((a.kind === "string" || a.kind === "symbol") && (b.kind === "string" || b.kind === "symbol")) {
      const ta = a.kind === "string" ? a.value : a.text;
      const tb = b.kind === "string" ? b.value : b.text;
      return ta === tb;
    }
    if ((a.kind === "clob" || a.kind === "blob") && (b.kind === "clob" || b.kind === "blob")) {
      return ionEquals({ kind: "blob", bytes: a.bytes }, { kind: "blob", bytes: b.bytes });
    }
    if (a.kind === "timestamp" && b.kind === "timestamp") {
      const x = instant(a), y = instant(b);
      return x.n * y.d === y.n * x.d;
    }
  }
  switch (a.kind) {
    case "bag":
      return b.kind === "bag" && multisetEquals(a.items, b.items, (x, y) => eq(x, y, lenient));
    case "list":
    case "sexp": {
      if (b.kind !== a.kind) return false;
      const x = a.items, y = (b as typeof a).items;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!eq(x[i], y[i], lenient)) return false;
      return true;
    }
    case "struct":
      return b.kind === "struct" &&
        multisetEquals(a.fields, b.fields, (f, g) => f[0] === g[0] && eq(f[1], g[1], lenient));
    default:
      // Scalars: Ion data-model equality (annotations already equal).
      if (b.kind === "bag" || b.kind === "list" || b.kind === "sexp" || b.kind === "struct") return false;
      return ionEquals(a as IonValue, b as IonValue);
  }
}

/** True when `actual` is the result `expected` asks for, under the given equality (default strict). */
export function resultEquals(expected: PValue, actual: PValue, equality: Equality = "strict"): boolean {
  return eq(expected, actual, equality === "lenient");
}

// ---- display -------------------------------------------------------------------------------

/** PartiQL-flavoured Ion text of a value for failure reports (`<<…>>` for bags, MISSING). */
export function show(v: PValue, max = 400): string {
  const s = showInner(v);
  return s.length > max ? s.slice(0, max) + "…" : s;
}

function showInner(v: PValue): string {
  const ann = v.annotations && v.annotations.length > 0 ? v.annotations.map((a) => `${a}::`).join("") : "";
  switch (v.kind) {
    case "missing": return "MISSING";
    case "bag": return `<<${v.items.map(showInner).join(", ")}>>`;
    case "list": return `${ann}[${v.items.map(showInner).join(", ")}]`;
    case "sexp": return `${ann}(${v.items.map(showInner).join(" ")})`;
    case "struct": return `${ann}{${v.fields.map(([n, x]) => `${JSON.stringify(n)}: ${showInner(x)}`).join(", ")}}`;
    default: return scalarText(v as IonValue);
  }
}

/** Ion text of a scalar; never throws (a lone surrogate cannot be written as Ion). */
function scalarText(v: IonValue): string {
  try {
    return toText(v);
  } catch {
    return `<${v.kind}>`;
  }
}
