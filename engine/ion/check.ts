/**
 * Checks that a value is a well-formed model value (value.ts) that Ion can store and read back
 * unchanged. Values the engine builds itself are well-formed by construction; this is for the
 * ones that come from outside already in model form — `ionLiteral(v)` and documents the
 * application got from the engine and hands back (which it may have changed) — before they are
 * hashed and journaled. A malformed one would be hashed as one thing and read back as another, or
 * journaled as bytes no reader accepts, which would make the ledger impossible to reopen.
 */
import { LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import { depthError, expansionError, MAX_DEPTH, MAX_NODES } from "./depth.ts";
import { timestampRangeError } from "./utc.ts";
import type { IonValue } from "./value.ts";

const ION_TYPES = new Set(["null", "bool", "int", "float", "decimal", "timestamp", "symbol", "string", "clob", "blob", "list", "sexp", "struct"]);

function wellFormedText(s: unknown): s is string {
  return typeof s === "string" && (s as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * What is wrong with a value and where: `keys` lead from the value to the bad part, innermost
 * first (each level adds its own on the way out, so a value that is fine costs no path work).
 */
export interface IonValueProblem {
  readonly kind: "type" | "depth" | "digits" | "size";
  readonly why: string;
  readonly keys: (string | number)[];
  /** For kind "size": the budget's limit and the bytes the value has at least. */
  readonly bytes?: { readonly limit: number; readonly atLeast: number };
}

function problem(kind: IonValueProblem["kind"], why: string, ...keys: (string | number)[]): IonValueProblem {
  return { kind, why, keys };
}

/** A value past its byte budget. */
function sizeProblem(budget: ByteBudget, ...keys: (string | number)[]): IonValueProblem {
  return { kind: "size", why: "", keys, bytes: { limit: budget.limit, atLeast: budget.limit - budget.left } };
}

/** The LedgerError for a problem found at `path` (the problem's keys already in it). */
export function problemError(p: IonValueProblem, path: string): LedgerError {
  if (p.kind === "depth") return depthError(path);
  if (p.kind === "size") return expansionError(path, p.bytes);
  if (p.kind === "digits") {
    return new LedgerError("LIMIT_EXCEEDED", `a number of about ${p.why} digits at ${path}; the limit is ${limits.maxNumberDigits}`, { limit: "maxNumberDigits", path });
  }
  return new LedgerError("TYPE_ERROR", `not a storable Ion value: ${p.why} at ${path}`, { path });
}

/**
 * A running lower bound on the Ion bytes of the values being checked, against `limit`: each value
 * counts one byte and its string or lob bytes (a value sharing subtrees counts them wherever they
 * appear), so checking stops once the value could not be stored.
 */
export interface ByteBudget {
  readonly limit: number;
  left: number;
}

/**
 * The first part of `v` that is not a storable model value, or undefined if all of it is. With a
 * budget, also a value whose bytes run past it (kind "size").
 */
export function ionValueProblem(v: unknown, budget?: ByteBudget): IonValueProblem | undefined {
  nodesLeft = MAX_NODES;
  storing = true;
  return check(v, 0, budget ?? { limit: Infinity, left: Infinity });
}

/**
 * ionValueProblem for a value to be read rather than stored: numbers of any size pass (parseText
 * reads a 3-million-digit int, and toText must write it back); everything else is checked alike.
 */
export function modelValueProblem(v: unknown): IonValueProblem | undefined {
  nodesLeft = MAX_NODES;
  storing = false;
  try {
    return check(v, 0, { limit: Infinity, left: Infinity });
  } finally {
    storing = true;
  }
}

/** Whether the check in progress holds numbers to limits.maxNumberDigits (values to be stored). */
let storing = true;

/**
 * Values the check in progress may still visit (limits.maxValueNodes), whatever its byte budget:
 * without one, a value sharing one subtree 2^40 times would be walked 2^40 times. A value past it
 * is a "size" problem without bytes, reported as LIMIT_EXCEEDED maxValueNodes.
 */
let nodesLeft = 0;

/** Every element, holes included (`every` skips a sparse array's holes). */
function allWellFormedTexts(a: readonly unknown[]): boolean {
  // A length no value can have (a Proxy's, say) is refused before it is walked.
  const n = a.length;
  if (!(n <= MAX_NODES)) return false;
  for (let i = 0; i < n; i++) if (!wellFormedText(a[i])) return false;
  return true;
}

function check(v: unknown, depth: number, budget: ByteBudget): IonValueProblem | undefined {
  if (depth > MAX_DEPTH) return problem("depth", "");
  if (--budget.left < 0) return sizeProblem(budget);
  if (--nodesLeft < 0) return { kind: "size", why: "", keys: [] };
  if (typeof v !== "object" || v === null) return problem("type", `${v === null ? "null" : typeof v} is not a model value object`);
  const o = v as Record<string, unknown>;
  if (o.annotations !== undefined) {
    if (!Array.isArray(o.annotations) || !allWellFormedTexts(o.annotations)) return problem("type", "annotations must be an array of strings");
  }
  switch (o.kind) {
    case "null":
      return ION_TYPES.has(o.of as string) ? undefined : problem("type", `null.${String(o.of)} is not an Ion type`);
    case "bool":
      return typeof o.value === "boolean" ? undefined : problem("type", "a bool's value must be true or false");
    case "int":
      if (typeof o.value !== "bigint") return problem("type", "an int's value must be a bigint");
      return storing ? digitsProblem(o.value) : undefined;
    case "float":
      return typeof o.value === "number" ? undefined : problem("type", "a float's value must be a number");
    case "decimal":
      if (typeof o.coefficient !== "bigint" || o.coefficient < 0n) return problem("type", "a decimal's coefficient must be a bigint ≥ 0 (the sign is `negative`)");
      if (!Number.isSafeInteger(o.exponent)) return problem("type", "a decimal's exponent must be an integer");
      if (typeof o.negative !== "boolean") return problem("type", "a decimal's negative must be true or false");
      return storing ? digitsProblem(o.coefficient) : undefined;
    case "timestamp": {
      // The model holds every field (timestampRangeError also serves inputs where the last two are
      // optional): one missing was stored as `second: undefined`, read as 0 by some code and NaN
      // by other (an index key).
      if (typeof o.second !== "number") return problem("type", "a timestamp's second must be a number");
      if (o.fraction === undefined) return problem("type", "a timestamp's fraction must be null or {coefficient, exponent}");
      const why = timestampRangeError(o as never);
      return why === undefined ? undefined : problem("type", `timestamp: ${why}`);
    }
    case "symbol":
      return o.text === null || wellFormedText(o.text) ? undefined : problem("type", "a symbol's text must be a string without lone surrogates, or null");
    case "string":
      if (!wellFormedText(o.value)) return problem("type", "a string's value must be a string without lone surrogates");
      // UTF-8 takes at least a byte per UTF-16 unit.
      return (budget.left -= o.value.length) < 0 ? sizeProblem(budget) : undefined;
    case "blob":
    case "clob":
      if (!(o.bytes instanceof Uint8Array)) return problem("type", `a ${o.kind}'s bytes must be a Uint8Array`);
      return (budget.left -= o.bytes.length) < 0 ? sizeProblem(budget) : undefined;
    case "list":
    case "sexp": {
      const items = o.items;
      if (!Array.isArray(items)) return problem("type", `a ${o.kind}'s items must be an array`);
      for (let i = 0; i < items.length; i++) {
        const p = check(items[i], depth + 1, budget);
        if (p !== undefined) {
          p.keys.push(i);
          return p;
        }
      }
      return undefined;
    }
    case "struct": {
      const fields = o.fields;
      if (!Array.isArray(fields)) return problem("type", "a struct's fields must be an array of [name, value] pairs");
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as unknown;
        if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== "string") return problem("type", "a field must be [name, value] with a string name", i, "fields");
        if (!wellFormedText(f[0])) return problem("type", "a field name contains a lone surrogate, which UTF-8 cannot encode", i, "fields");
        // The field's symbol id: at least a byte beside its value.
        if (--budget.left < 0) return sizeProblem(budget, f[0]);
        const p = check(f[1], depth + 1, budget);
        if (p !== undefined) {
          p.keys.push(f[0]);
          return p;
        }
      }
      return undefined;
    }
    default:
      return problem("type", `kind ${String(o.kind)} is not an Ion type`);
  }
}

/** Bits of |n|, rounded up to whole hex digits: linear time (the decimal string of a huge bigint is quadratic). */
export function magnitudeBits(n: bigint): number {
  return (n < 0n ? -n : n).toString(16).length * 4;
}

/** Integers longer than the number limit are refused, as they are in PartiQL literals. */
export function digitsProblem(n: bigint): IonValueProblem | undefined {
  if (n < 1_000_000_000_000_000n && n > -1_000_000_000_000_000n) return undefined;
  // From the bit length (rounded up to whole hex digits): never fewer digits than the number
  // has, at most two more.
  const atMost = Math.ceil(magnitudeBits(n) * Math.LOG10E * Math.LN2);
  if (atMost <= limits.maxNumberDigits) return undefined;
  // Near the limit the count is made exact (a decimal string of ~10k digits is cheap), so a
  // number of exactly maxNumberDigits digits is kept and one more is refused, as in a literal.
  const digits = atMost <= limits.maxNumberDigits + 2 ? (n < 0n ? -n : n).toString().length : atMost;
  return digits > limits.maxNumberDigits ? problem("digits", String(digits)) : undefined;
}
