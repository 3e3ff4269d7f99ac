/** Small constructors and predicates over PartiQL values used throughout the evaluator. */
import type { IonBool, IonInt, IonNull, IonString } from "../../ion/value.ts";
import type { PBag, PList, PStruct, PValue } from "../value.ts";
import { LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";

export const NULL: IonNull = Object.freeze({ kind: "null", of: "null" }) as IonNull;
export const TRUE: IonBool = Object.freeze({ kind: "bool", value: true }) as IonBool;
export const FALSE: IonBool = Object.freeze({ kind: "bool", value: false }) as IonBool;

export const bool = (b: boolean): IonBool => (b ? TRUE : FALSE);
export const int = (v: bigint | number): IonInt => ({ kind: "int", value: BigInt(v) });
export const str = (value: string): IonString => ({ kind: "string", value });
export const list = (items: readonly PValue[]): PList => ({ kind: "list", items });
export const bagOf = (items: readonly PValue[]): PBag => ({ kind: "bag", items });
export const struct = (fields: readonly (readonly [string, PValue])[]): PStruct => ({ kind: "struct", fields });

export function isNumeric(v: PValue): boolean {
  return v.kind === "int" || v.kind === "decimal" || v.kind === "float";
}
export function isText(v: PValue): v is Extract<PValue, { kind: "string" | "symbol" }> {
  return v.kind === "string" || v.kind === "symbol";
}
/** The text of a string or symbol (a symbol with unknown text reads as ""). */
export function textOf(v: PValue): string {
  return v.kind === "string" ? v.value : v.kind === "symbol" ? (v.text ?? "") : "";
}
export function isCollection(v: PValue): v is PList | PBag | Extract<PValue, { kind: "sexp" }> {
  return v.kind === "list" || v.kind === "bag" || v.kind === "sexp";
}
export function isNull(v: PValue): boolean {
  return v.kind === "null";
}
export function isMissing(v: PValue): boolean {
  return v.kind === "missing";
}

/** Human-readable type name for error messages. */
export function typeName(v: PValue): string {
  return v.kind === "null" ? (v.of === "null" ? "null" : `null.${v.of}`) : v.kind;
}

/** The struct's first field named `name` (exact, or case-insensitive preferring exact). */
export function fieldOf(s: PStruct, name: string, caseSensitive: boolean): PValue | undefined {
  let loose: PValue | undefined;
  const lower = caseSensitive ? "" : name.toLowerCase();
  for (const [k, v] of s.fields) {
    if (k === name) return v;
    if (!caseSensitive && loose === undefined && k.toLowerCase() === lower) loose = v;
  }
  return loose;
}

/** Code points of a string (for SQL's character semantics). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/**
 * Throws LIMIT_EXCEEDED if a string of `length` UTF-16 units, about to be made by `what`, would
 * pass limits.maxStringLength. Checked before the string is built, from its inputs' lengths.
 */
export function checkStringLength(length: number, what: string): void {
  if (length > limits.maxStringLength) {
    throw new LedgerError("LIMIT_EXCEEDED", `${what} would make a string of ${length} characters; the limit is ${limits.maxStringLength}`, {
      limit: "maxStringLength",
      max: limits.maxStringLength,
    });
  }
}

/** UTF-16 units of the code point at index `i` of `s`: 2 for a surrogate pair ending before `end`, else 1. */
export function codePointWidth(s: string, i: number, end = s.length): number {
  return (s.charCodeAt(i) & 0xfc00) === 0xd800 && i + 1 < end && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
}

/** Code points in `s` (surrogate pairs count once), without an array of them. */
export function codePointCount(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = from; i < to; i += codePointWidth(s, i, to)) n++;
  return n;
}

/** The UTF-16 index where code point number `cp` (0-based, counted from `from`) of `s` starts; s.length past the end. */
export function codePointIndex(s: string, cp: number, from = 0): number {
  let i = from;
  for (let n = 0; n < cp && i < s.length; n++) i += codePointWidth(s, i);
  return i;
}
