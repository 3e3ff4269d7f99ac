/**
 * Ion data-model equivalence, the relation Ion Hash respects: equal values hash equal.
 *
 * Exact, not numeric: type, decimal exponent, timestamp precision/offset/fraction digits and
 * annotations (in order) all count; `1` != `1.0` != `1e0`. Floats compare by bits modulo NaN
 * payloads: NaN equals NaN, +0e0 differs from -0e0. Struct fields compare as a multiset of
 * (name, value) pairs, so order is ignored but repeated names are not collapsed. A missing
 * `annotations` and an empty one are the same.
 */
import { MAX_DEPTH, MAX_NODES, depthError, expansionError } from "./depth.ts";
import type { IonField, IonValue } from "./value.ts";

function sameAnnotations(a?: readonly string[], b?: readonly string[]): boolean {
  const n = a ? a.length : 0;
  if (n !== (b ? b.length : 0)) return false;
  for (let i = 0; i < n; i++) if (a![i] !== b![i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The marks of b's claimed fields, one array per nesting depth, cleared and reused: only one
 * struct per depth is being matched at a time. A fresh Uint8Array per struct made ionEquals of 8
 * million nodes take 7.7 s under Deno (typed arrays are slow to allocate in V8); 0.24 s reused.
 * Structs wider than CLAIMED_POOLED get their own array, so the pool stays small.
 */
const claimed: Uint8Array[] = [];
const CLAIMED_POOLED = 256;

function claimedAt(depth: number, n: number): Uint8Array {
  if (n > CLAIMED_POOLED) return new Uint8Array(n);
  const c = claimed[depth];
  if (c === undefined) return claimed[depth] = new Uint8Array(CLAIMED_POOLED);
  c.fill(0, 0, n);
  return c;
}

function sameFields(a: readonly IonField[], b: readonly IonField[], depth: number): boolean {
  if (a.length !== b.length) return false;
  // Multiset match: each field of `a` claims one unclaimed equal field of `b`. Quadratic only
  // within a group of equal names; distinct names fail fast on the string compare.
  const used = claimedAt(depth, b.length);
  outer: for (const [name, value] of a) {
    for (let j = 0; j < b.length; j++) {
      if (used[j] || b[j][0] !== name) continue;
      if (eq(value, b[j][1], depth + 1)) {
        used[j] = 1;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

/**
 * Comparisons ionEquals may still make (limits.maxValueNodes): values that repeat a subtree are
 * compared once per place it appears (40 doublings ran for minutes), and a struct's fields with
 * one repeated name are matched pairwise. Reset by ionEquals.
 */
let left = 0;

function eq(a: IonValue, b: IonValue, depth: number): boolean {
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  if (a.kind !== b.kind || !sameAnnotations(a.annotations, b.annotations)) return false;
  switch (a.kind) {
    case "null": return a.of === (b as typeof a).of;
    case "bool":
    case "int":
    case "string": return a.value === (b as typeof a).value;
    case "float": {
      const x = a.value, y = (b as typeof a).value;
      if (x !== x) return y !== y;
      return x === y && (x !== 0 || 1 / x === 1 / y);
    }
    case "decimal": {
      const o = b as typeof a;
      return a.coefficient === o.coefficient && a.exponent === o.exponent && a.negative === o.negative;
    }
    case "timestamp": {
      const o = b as typeof a;
      if (a.precision !== o.precision || a.offset !== o.offset || a.year !== o.year) return false;
      if (a.month !== o.month || a.day !== o.day || a.hour !== o.hour || a.minute !== o.minute) return false;
      if (a.second !== o.second) return false;
      const f = a.fraction, g = o.fraction;
      if (f === null || g === null) return f === g;
      return f.coefficient === g.coefficient && f.exponent === g.exponent;
    }
    case "symbol": return a.text === (b as typeof a).text;
    case "clob":
    case "blob": return sameBytes(a.bytes, (b as typeof a).bytes);
    case "list":
    case "sexp": {
      const x = a.items, y = (b as typeof a).items;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!eq(x[i], y[i], depth + 1)) return false;
      return true;
    }
    case "struct": return sameFields(a.fields, (b as typeof a).fields, depth);
  }
}

/**
 * True when `a` and `b` are the same Ion value (exact data-model equivalence, see file header).
 * LIMIT_EXCEEDED past limits.maxValueNodes comparisons (shared subtrees count wherever they appear).
 */
export function ionEquals(a: IonValue, b: IonValue): boolean {
  left = MAX_NODES;
  return eq(a, b, 1);
}
