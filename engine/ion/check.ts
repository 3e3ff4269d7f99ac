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
import { depthError, MAX_DEPTH } from "./depth.ts";
import { timestampRangeError } from "./utc.ts";
import type { IonValue } from "./value.ts";

const ION_TYPES = new Set(["null", "bool", "int", "float", "decimal", "timestamp", "symbol", "string", "clob", "blob", "list", "sexp", "struct"]);

function wellFormedText(s: unknown): s is string {
  return typeof s === "string" && (s as string & { isWellFormed(): boolean }).isWellFormed();
}

function bad(path: string, why: string): LedgerError {
  return new LedgerError("TYPE_ERROR", `not a storable Ion value: ${why} at ${path}`, { path });
}

/** Throws TYPE_ERROR naming the first part of `v` (at `path`) that is not a storable model value. */
export function checkIonValue(v: unknown, path: string): asserts v is IonValue {
  check(v, path, 0);
}

function check(v: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw depthError(path);
  if (typeof v !== "object" || v === null) throw bad(path, `${v === null ? "null" : typeof v} is not a model value object`);
  const o = v as Record<string, unknown>;
  if (o.annotations !== undefined) {
    if (!Array.isArray(o.annotations) || !o.annotations.every(wellFormedText)) throw bad(path, "annotations must be an array of strings");
  }
  switch (o.kind) {
    case "null":
      if (!ION_TYPES.has(o.of as string)) throw bad(path, `null.${String(o.of)} is not an Ion type`);
      return;
    case "bool":
      if (typeof o.value !== "boolean") throw bad(path, "a bool's value must be true or false");
      return;
    case "int":
      if (typeof o.value !== "bigint") throw bad(path, "an int's value must be a bigint");
      checkDigits(o.value, path);
      return;
    case "float":
      if (typeof o.value !== "number") throw bad(path, "a float's value must be a number");
      return;
    case "decimal":
      if (typeof o.coefficient !== "bigint" || o.coefficient < 0n) throw bad(path, "a decimal's coefficient must be a bigint ≥ 0 (the sign is `negative`)");
      if (!Number.isSafeInteger(o.exponent)) throw bad(path, "a decimal's exponent must be an integer");
      if (typeof o.negative !== "boolean") throw bad(path, "a decimal's negative must be true or false");
      checkDigits(o.coefficient, path);
      return;
    case "timestamp": {
      const why = timestampRangeError(o as never);
      if (why !== undefined) throw bad(path, `timestamp: ${why}`);
      return;
    }
    case "symbol":
      if (o.text !== null && !wellFormedText(o.text)) throw bad(path, "a symbol's text must be a string without lone surrogates, or null");
      return;
    case "string":
      if (!wellFormedText(o.value)) throw bad(path, "a string's value must be a string without lone surrogates");
      return;
    case "blob":
    case "clob":
      if (!(o.bytes instanceof Uint8Array)) throw bad(path, `a ${o.kind}'s bytes must be a Uint8Array`);
      return;
    case "list":
    case "sexp": {
      const items = o.items;
      if (!Array.isArray(items)) throw bad(path, `a ${o.kind}'s items must be an array`);
      for (let i = 0; i < items.length; i++) check(items[i], `${path}[${i}]`, depth + 1);
      return;
    }
    case "struct": {
      const fields = o.fields;
      if (!Array.isArray(fields)) throw bad(path, "a struct's fields must be an array of [name, value] pairs");
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as unknown;
        if (!Array.isArray(f) || f.length !== 2 || !wellFormedText(f[0])) throw bad(`${path}.fields[${i}]`, "a field must be [name, value] with a string name");
        check(f[1], `${path}.${f[0]}`, depth + 1);
      }
      return;
    }
    default:
      throw bad(path, `kind ${String(o.kind)} is not an Ion type`);
  }
}

/**
 * Integers longer than the number limit are refused, as they are in PartiQL literals: digits are
 * estimated from the hex length (linear time; the decimal string of a huge bigint is quadratic).
 */
export function checkDigits(n: bigint, path: string): void {
  if (n < 1_000_000_000_000_000n && n > -1_000_000_000_000_000n) return;
  const digits = Math.ceil((n < 0n ? -n : n).toString(16).length * 4 * Math.LOG10E * Math.LN2);
  if (digits > limits.maxNumberDigits + 1) {
    throw new LedgerError("LIMIT_EXCEEDED", `a number of about ${digits} digits at ${path}; the limit is ${limits.maxNumberDigits}`, { limit: "maxNumberDigits", path });
  }
}
