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
 * million nodes take 7.7 s under Deno (typed arrays are slow to allocate in V8); 0.22 s reused.
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

/** Past this many fields out of place, a struct's fields are matched through buckets (sameFields). */
const BUCKET_AFTER = 16;

function sameFields(a: readonly IonField[], b: readonly IonField[], depth: number): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Multiset match: each field of `a` claims one unclaimed equal field of `b`. Equality is an
  // equivalence, so claiming greedily never blocks a match. Fields usually come in the same
  // order, so each first tries the field at its own position.
  const used = claimedAt(depth, n);
  let outOfPlace: number[] | undefined;
  for (let i = 0; i < n; i++) {
    if (b[i][0] === a[i][0] && eq(a[i][1], b[i][1], depth + 1)) used[i] = 1;
    else (outOfPlace ??= []).push(i);
  }
  if (outOfPlace === undefined) return true;
  // The b fields still unclaimed are exactly those at the out-of-place positions.
  if (outOfPlace.length <= BUCKET_AFTER) {
    outer: for (const i of outOfPlace) {
      const [name, value] = a[i];
      for (const j of outOfPlace) {
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
  // Many: compared pairwise, n fields of one name took n²/2 comparisons (4,200 of them, 16 KB,
  // passed the node budget). Bucketed by name and shapeHash, each meets only its likely equals.
  const buckets = new Map<string, { readonly at: number[]; next: number }>();
  for (const j of outOfPlace) {
    const key = `${shapeHash(b[j][1], depth + 1)}:${b[j][0]}`;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, { at: [j], next: 0 });
    else bucket.at.push(j);
  }
  for (const i of outOfPlace) {
    const bucket = buckets.get(`${shapeHash(a[i][1], depth + 1)}:${a[i][0]}`);
    if (bucket === undefined) return false;
    const at = bucket.at;
    while (bucket.next < at.length && used[at[bucket.next]]) bucket.next++;
    let k = bucket.next;
    for (; k < at.length; k++) if (!used[at[k]] && eq(a[i][1], b[at[k]][1], depth + 1)) break;
    if (k === at.length) return false;
    used[at[k]] = 1;
  }
  return true;
}

/** A 32-bit mix of `h` and `x` (x an int32). */
function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193) ^ (h >>> 15);
}

function textHash(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

/** The low 32 bits of a bigint (equal bigints, equal bits). */
function low32(n: bigint): number {
  return Number(BigInt.asIntN(32, n));
}

/**
 * A 32-bit hash equal for any two values eq finds equal (the converse need not hold): it reads
 * what eq compares, in eq's order, and a struct's fields commutatively. Counted against the same
 * budget as eq.
 */
function shapeHash(v: IonValue, depth: number): number {
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  let h = textHash(v.kind);
  const ann = v.annotations;
  if (ann !== undefined) for (let i = 0; i < ann.length; i++) h = mix(h, textHash(ann[i]));
  switch (v.kind) {
    case "null": return mix(h, textHash(v.of));
    case "bool": return mix(h, v.value ? 1 : 2);
    case "int": return mix(h, low32(v.value));
    // NaN equals NaN; +0 and -0 may share a hash, since they only need to differ in eq.
    case "float": return mix(h, v.value !== v.value ? 0x7ff8 : textHash(String(v.value)));
    case "decimal": return mix(mix(mix(h, low32(v.coefficient)), v.exponent | 0), v.negative ? 1 : 0);
    case "timestamp": {
      h = mix(mix(mix(h, textHash(v.precision)), v.offset === null ? -1 : v.offset), v.year);
      h = mix(mix(mix(mix(mix(h, v.month | 0), v.day | 0), v.hour | 0), v.minute | 0), v.second | 0);
      return v.fraction === null ? h : mix(mix(h, low32(v.fraction.coefficient)), v.fraction.exponent | 0);
    }
    case "symbol": return mix(h, v.text === null ? -1 : textHash(v.text));
    case "string": return mix(h, textHash(v.value));
    case "clob":
    case "blob": {
      h = mix(h, v.bytes.length);
      for (let i = 0; i < v.bytes.length; i++) h = mix(h, v.bytes[i]);
      return h;
    }
    case "list":
    case "sexp": {
      for (const item of v.items) h = mix(h, shapeHash(item, depth + 1));
      return h;
    }
    case "struct": {
      let sum = 0;
      for (const [name, value] of v.fields) sum = (sum + mix(textHash(name), shapeHash(value, depth + 1))) | 0;
      return mix(h, sum);
    }
  }
}

/**
 * Comparisons and shape hashes ionEquals may still make (limits.maxValueNodes): values that
 * repeat a subtree are compared once per place it appears (40 doublings ran for minutes). Reset
 * by ionEquals.
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
