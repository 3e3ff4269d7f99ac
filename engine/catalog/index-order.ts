/**
 * Ordering of index keys (catalog/index-key.ts) for range lookups: within a class of values PartiQL
 * can compare with `<` — numbers (int, decimal, float together), text (string and symbol, by code
 * point), timestamps (by instant), booleans — keys sort exactly as the values do. Keys of other
 * classes (NULL, MISSING, NaN, lobs, containers) are not ordered.
 *
 * A range read is a class and two optional bounds. Values of *another* class are not in the
 * range, but a scan would still evaluate `<` on them (a type error in strict mode); range lookups
 * therefore also return the documents holding such values, so the evaluator meets them exactly as
 * a scan would. That includes the unordered lobs and containers (`[1] > 5` is a type error too),
 * but not NULL and MISSING, which `<` meets without an error in either mode (NULL, MISSING): no
 * statement's result can depend on them being visited. NaN is a number that the evaluator orders
 * below every other one, -inf included (partiql/eval/compare.ts), so a number range without a
 * lower bound holds it (`f < 5`, `f <= -inf`) and one with a lower bound does not; a range of
 * another class meets it as a type error, like any other number.
 */
export type KeyClass = "n" | "s" | "t" | "b";

export interface KeyRange {
  readonly cls: KeyClass;
  readonly low?: string;
  readonly lowInclusive: boolean;
  readonly high?: string;
  readonly highInclusive: boolean;
}

/** Classes in PartiQL's total order (bool < number < timestamp < text). */
export const CLASS_ORDER: readonly KeyClass[] = ["b", "n", "t", "s"];

/** The comparable class of a key, or undefined for keys `<` cannot order. */
export function keyClass(key: string): KeyClass | undefined {
  switch (key.charCodeAt(0)) {
    case 110: return key === "nnan" ? undefined : "n"; // n
    case 115: return "s";
    case 116: return "t";
    case 98: return "b";
    default: return undefined;
  }
}

/** Orders two keys of the same class. */
export function compareKeys(a: string, b: string): number {
  switch (a.charCodeAt(0)) {
    case 110: return compareNumberKeys(a, b);
    case 115: return compareCodePoints(a, b, 1);
    case 116: return compareTimestampKeys(a, b);
    default: return a < b ? -1 : a > b ? 1 : 0; // "b0" < "b1"
  }
}

/** True when `key` (of any class) lies within `range`. */
export function inRange(key: string, range: KeyRange): boolean {
  if (keyClass(key) !== range.cls) return false;
  if (range.low !== undefined) {
    const c = compareKeys(key, range.low);
    if (c < 0 || (c === 0 && !range.lowInclusive)) return false;
  }
  if (range.high !== undefined) {
    const c = compareKeys(key, range.high);
    if (c > 0 || (c === 0 && !range.highInclusive)) return false;
  }
  return true;
}

/** Keys (catalog/index-key.ts) of NULL (every typed null) and MISSING: see the file header. */
const RANGE_NEUTRAL_KEYS: ReadonlySet<string> = new Set(["z", "m"]);

/** The key of NaN (catalog/index-key.ts). */
const NAN_KEY = "nnan";

/** True when a range lookup must return a document with this key (see the file header). */
export function rangeMustVisit(key: string, range: KeyRange): boolean {
  if (key === NAN_KEY) return range.cls !== "n" || range.low === undefined;
  const cls = keyClass(key);
  if (cls === undefined) return !RANGE_NEUTRAL_KEYS.has(key);
  return cls !== range.cls || inRange(key, range);
}

/**
 * True when a lookup by this key alone may miss documents PartiQL's `=` matches: a timestamp
 * equals the SQL DATE and TIMESTAMP values of its instant, which documents hold as structs and
 * which are keyed as containers (index-key.ts). A range from the key to itself visits those
 * (rangeMustVisit); the planner and the point-query fast path read such a key that way.
 */
export function keyMissesEqualStructs(key: string): boolean {
  return keyClass(key) === "t";
}

function compareCodePoints(a: string, b: string, from: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = from; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

interface NumberParts {
  /** -1, 0, 1; ±2 for ±infinity. */
  readonly sign: number;
  readonly digits: string;
  /** Position of the most significant digit: value = 0.digits × 10^adjusted. */
  readonly adjusted: number;
}

function numberParts(key: string): NumberParts {
  if (key === "n0") return { sign: 0, digits: "", adjusted: 0 };
  if (key === "n+inf") return { sign: 2, digits: "", adjusted: 0 };
  if (key === "n-inf") return { sign: -2, digits: "", adjusted: 0 };
  const negative = key.charCodeAt(1) === 45; // "-"
  const e = key.lastIndexOf("e");
  const digits = key.slice(negative ? 2 : 1, e);
  return { sign: negative ? -1 : 1, digits, adjusted: digits.length + Number(key.slice(e + 1)) };
}

function compareNumberKeys(a: string, b: string): number {
  if (a === b) return 0;
  const x = numberParts(a), y = numberParts(b);
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0 || Math.abs(x.sign) === 2) return 0;
  // Same sign: compare magnitudes (digits carry no leading or trailing zeros).
  let m = x.adjusted !== y.adjusted ? (x.adjusted < y.adjusted ? -1 : 1) : x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0;
  if (x.sign < 0) m = -m;
  return m;
}

function compareTimestampKeys(a: string, b: string): number {
  // "t<seconds>.<fraction digits without trailing zeros>"
  const da = a.indexOf("."), db = b.indexOf(".");
  const sa = Number(a.slice(1, da)), sb = Number(b.slice(1, db));
  if (sa !== sb) return sa < sb ? -1 : 1;
  const fa = a.slice(da + 1), fb = b.slice(db + 1);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/**
 * The orderable keys of one index, sorted lazily: inserts are appended, and the array is
 * re-sorted only when a range is next read (bulk loads would otherwise pay a splice per key).
 */
export class SortedKeys {
  private sorted: string[] = [];
  private pending: string[] = [];

  add(key: string): void {
    if (keyClass(key) !== undefined) this.pending.push(key);
  }

  /** Every key of one class, ascending. */
  all(cls: KeyClass): string[] {
    return this.range({ cls, lowInclusive: true, highInclusive: true });
  }

  /** Keys within `range`, in order. */
  range(range: KeyRange): string[] {
    this.settle();
    const keys = this.sorted;
    const order = (k: string) => (keyClass(k) === range.cls ? 0 : k < range.cls ? -1 : 1);
    // First key of the class at or after the low bound.
    let lo = 0, hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = keys[mid];
      const o = order(k);
      const before = o < 0 || (o === 0 && range.low !== undefined &&
        (compareKeys(k, range.low) < 0 || (!range.lowInclusive && compareKeys(k, range.low) === 0)));
      if (before) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < keys.length && inRange(keys[i], range); i++) out.push(keys[i]);
    return out;
  }

  /** Sorts the pending keys and merges them in: O(n + p log p), not a full re-sort. */
  private settle(): void {
    if (this.pending.length === 0) return;
    const order = (a: string, b: string) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : compareKeys(a, b));
    const fresh = this.pending.sort(order);
    const old = this.sorted;
    const merged: string[] = [];
    let i = 0, j = 0;
    const push = (k: string) => {
      // Keys are canonical, so an equal value is an identical string: keep one.
      if (merged.length === 0 || merged[merged.length - 1] !== k) merged.push(k);
    };
    while (i < old.length && j < fresh.length) push(order(old[i], fresh[j]) <= 0 ? old[i++] : fresh[j++]);
    while (i < old.length) push(old[i++]);
    while (j < fresh.length) push(fresh[j++]);
    this.sorted = merged;
    this.pending = [];
  }
}
