/**
 * String functions, on Unicode code points: UPPER, LOWER, TRIM, SUBSTRING, CHAR_LENGTH /
 * CHARACTER_LENGTH, OCTET_LENGTH, BIT_LENGTH, POSITION, OVERLAY, TEXT_REPLACE.
 */
import type { PValue } from "../../value.ts";
import { evalError, typeError } from "../errors.ts";
import { int, str, textOf } from "../values.ts";
import { type FnDef, argTypes } from "./types.ts";

const cps = (s: string) => Array.from(s);
const text = (v: PValue) => textOf(v);
const utf8 = new TextEncoder();

function toIndex(v: PValue): number {
  const n = (v as { value: bigint }).value;
  const cap = 1n << 40n;
  return Number(n > cap ? cap : n < -cap ? -cap : n);
}

/** SQL SUBSTRING on code points: 1-based start (may be <= 0), optional non-negative length. */
export function substring(s: string, start: number, length?: number): string {
  const chars = cps(s);
  if (length !== undefined && length < 0) throw evalError(`SUBSTRING length must not be negative, got ${length}`);
  const from = Math.max(start, 1);
  const to = length === undefined ? chars.length + 1 : Math.min(start + length, chars.length + 1);
  if (to <= from) return "";
  return chars.slice(from - 1, to - 1).join("");
}

const TRIM_SPECS = new Set(["leading", "trailing", "both"]);

function trim(args: PValue[]): PValue {
  // Normalised forms: [s], [spec, s], [chars, s], [spec, chars, s].
  let spec = "both";
  let rest = args;
  const a0 = args[0];
  if (args.length > 1 && a0.kind === "symbol" && TRIM_SPECS.has((a0.text ?? "").toLowerCase())) {
    spec = (a0.text ?? "").toLowerCase();
    rest = args.slice(1);
  }
  for (const a of rest) {
    if (a.kind === "missing") return a;
  }
  for (const a of rest) {
    if (a.kind === "null") return a;
    if (a.kind !== "string" && a.kind !== "symbol") throw typeError(`TRIM needs strings`);
  }
  const target = cps(text(rest[rest.length - 1]));
  const remove = new Set(rest.length > 1 ? cps(text(rest[0])) : [" "]);
  let i = 0, j = target.length;
  if (spec !== "trailing") while (i < j && remove.has(target[i])) i++;
  if (spec !== "leading") while (j > i && remove.has(target[j - 1])) j--;
  return str(target.slice(i, j).join(""));
}

function position(needle: string, hay: string): number {
  if (needle === "") return 1;
  const at = hay.indexOf(needle);
  if (at < 0) return 0;
  return cps(hay.slice(0, at)).length + 1;
}

export const stringFunctions: Record<string, FnDef> = {
  upper: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => str(text(s).toUpperCase()) },
  lower: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => str(text(s).toLowerCase()) },
  char_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(cps(text(s)).length) },
  character_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(cps(text(s)).length) },
  octet_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(utf8.encode(text(s)).length) },
  bit_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(utf8.encode(text(s)).length * 8) },
  substring: {
    min: 2, max: 3, check: argTypes("text", "int", "int"),
    impl: ([s, start, len]) => str(substring(text(s), toIndex(start), len === undefined ? undefined : toIndex(len))),
  },
  trim: { min: 1, max: 3, propagate: false, impl: (args) => trim(args) },
  position: { min: 2, max: 2, check: argTypes("text", "text"), impl: ([n, h]) => int(position(text(n), text(h))) },
  overlay: {
    min: 3, max: 4, check: argTypes("text", "text", "int", "int"),
    impl: ([s, r, start, len]) => {
      const src = text(s), rep = text(r);
      const from = toIndex(start);
      const n = len === undefined ? cps(rep).length : toIndex(len);
      if (from < 1) throw evalError(`OVERLAY position must be at least 1, got ${from}`);
      if (n < 0) throw evalError(`OVERLAY length must not be negative, got ${n}`);
      return str(substring(src, 1, from - 1) + rep + substring(src, from + n));
    },
  },
  text_replace: {
    min: 3, max: 3, check: argTypes("text", "text", "text"),
    impl: ([s, from, to]) => {
      const f = text(from);
      // An empty search string matches between every two characters and at both ends.
      if (f === "") return str(text(to) + cps(text(s)).map((c) => c + text(to)).join(""));
      return str(text(s).split(f).join(text(to)));
    },
  },
};
