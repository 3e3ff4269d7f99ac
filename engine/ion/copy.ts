/**
 * Deep copies of Ion values, for handing stored values to callers who may change them.
 *
 * The ledger's read APIs (getRevision, getBlock, executeIon, a transaction's get, scan, findBy,
 * lookups, history and committed views) return copies, and values that arrive in model form
 * (ionLiteral, a document passed back) are copied in, so that nothing a caller does to a value,
 * before or after it is stored, can change the ledger's state, its hashes or its digest tree.
 * Copying is O(size of the value); freezing the stored values instead was measured at 6-11 µs
 * per 6-field document under Bun (Object.freeze on an array is slow in JSC) against ~0.5 µs
 * for a copy.
 */
import { depthError, expansionError, MAX_DEPTH, MAX_NODES } from "./depth.ts";
import type { IonField, IonValue } from "./value.ts";

/**
 * Values the copy in progress may still make (limits.maxValueNodes). A copy may call application
 * code (a value fromJS copies before trusting it can hold getters), which may start a copy of its
 * own: copyValue saves and restores this and `registerCopy`.
 */
let left = 0;
/** Called with each value the copy in progress makes (copyValue's `register`). */
let registerCopy: ((v: IonValue) => void) | undefined;

/**
 * A copy of `v` that shares no object or byte array with it. Depth is bounded (limits.maxValueDepth)
 * by every producer of stored values; a value that shares subtrees is expanded, up to
 * limits.maxValueNodes values (LIMIT_EXCEEDED beyond).
 */
export function copyValue<T extends IonValue>(v: T, register?: (v: IonValue) => void): T {
  const outerLeft = left, outerRegister = registerCopy;
  left = MAX_NODES;
  registerCopy = register;
  try {
    return copy(v, 1) as T;
  } finally {
    left = outerLeft;
    registerCopy = outerRegister;
  }
}

/**
 * copyValue for one of several values that share `budget` (value nodes still allowed): a verifier
 * copying a block's revisions, whose total must stay within limits.maxValueNodes as a block's own
 * documents do, rather than each revision getting the whole allowance again.
 */
export function copyValueWithin<T extends IonValue>(v: T, budget: { left: number }): T {
  const outerLeft = left, outerRegister = registerCopy;
  left = budget.left;
  registerCopy = undefined;
  try {
    return copy(v, 1) as T;
  } finally {
    budget.left = left;
    left = outerLeft;
    registerCopy = outerRegister;
  }
}

/**
 * A copy of a blob's or clob's bytes: always a plain Uint8Array of its own. `bytes.slice()` would
 * call a subclass's own slice, and Buffer's returns a view of the same memory, so a value copied
 * in from an application's Buffer would change whenever the application reused it. Anything but a
 * Uint8Array is refused rather than converted (`new Uint8Array([300])` would silently be [44]).
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("a lob's bytes must be a Uint8Array");
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Each element of `a` through `each`; a length past the values the copy may still make is LIMIT_EXCEEDED. */
function copyArray<T, U>(a: readonly T[], each: (x: T) => U): U[] {
  const n = a.length;
  if (!(n <= left)) throw expansionError();
  const out: U[] = [];
  for (let i = 0; i < n; i++) out.push(each(a[i]));
  return out;
}

function copy(v: IonValue, depth: number): IonValue {
  // Stored values are within the depth limit already; a value copied in before it is checked
  // (fromJS's `checked`: a getter may answer the copy differently than the check) may not be.
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  // Index loops, not map or spread: an array subclass's own map could hand back objects the
  // application keeps, and the copy must share none.
  const annotations = v.annotations === undefined ? undefined : copyArray(v.annotations, (a) => a);
  // Every part read once, `kind` included, and the copy built from what was read: a getter whose
  // `kind` answered "int" to the switch and "struct" to a spread kept the caller's live fields
  // array in the copy, which the checks and the hash then read apart (a forged value verified).
  const kind = v.kind;
  let out: IonValue;
  switch (kind) {
    case "struct":
      out = { kind, fields: copyArray(v.fields, (f): IonField => [f[0], copy(f[1], depth + 1)]) };
      break;
    case "list":
    case "sexp":
      out = { kind, items: copyArray(v.items, (item) => copy(item, depth + 1)) };
      break;
    case "blob":
    case "clob":
      out = { kind, bytes: copyBytes(v.bytes) };
      break;
    case "timestamp": {
      const f = v.fraction;
      out = {
        kind,
        precision: v.precision,
        // -0 is offset 0 (Z): the encoders and ionEquals read it so, but ion-js, which toJS
        // hands timestamps to, takes -0 for the unknown offset (-00:00), so a stored -0 read
        // back as -00:00 until a reopen brought Z from the journal.
        offset: v.offset === 0 ? 0 : v.offset,
        year: v.year,
        month: v.month,
        day: v.day,
        hour: v.hour,
        minute: v.minute,
        second: v.second,
        // Null (or missing, which the check that follows refuses) as it was.
        fraction: f === null || f === undefined ? f : { coefficient: f.coefficient, exponent: f.exponent },
      };
      break;
    }
    case "decimal":
      out = { kind, coefficient: v.coefficient, exponent: v.exponent, negative: v.negative };
      break;
    case "null":
      out = { kind, of: v.of };
      break;
    case "symbol":
      out = { kind, text: v.text };
      break;
    case "bool":
    case "int":
    case "float":
    case "string":
      out = { kind, value: v.value } as IonValue;
      break;
    default:
      // Not a model value: the copy says so, and the check that follows refuses it.
      out = { kind } as unknown as IonValue;
  }
  if (annotations !== undefined) (out as { annotations?: readonly string[] }).annotations = annotations;
  if (registerCopy !== undefined) registerCopy(out);
  return out;
}
