/**
 * String functions, on Unicode code points: UPPER, LOWER, TRIM, SUBSTRING, CHAR_LENGTH /
 * CHARACTER_LENGTH, OCTET_LENGTH, BIT_LENGTH, POSITION, OVERLAY, TEXT_REPLACE.
 */
import type { PValue } from "../../value.ts";
import { evalError, typeError } from "../errors.ts";
import { checkStringLength, codePointCount, codePointIndex, codePointWidth, int, str, textOf } from "../values.ts";
import { type FnDef, argTypes } from "./types.ts";

const text = (v: PValue) => textOf(v);
const utf8 = new TextEncoder();

function toIndex(v: PValue): number {
  const n = (v as { value: bigint }).value;
  const cap = 1n << 40n;
  return Number(n > cap ? cap : n < -cap ? -cap : n);
}

/**
 * SQL SUBSTRING on code points: 1-based start (may be <= 0), optional non-negative length.
 * Code points are counted in place (an array of them cost 16 bytes and a string per character of
 * what may be a 16-million-character value).
 */
export function substring(s: string, start: number, length?: number): string {
  if (length !== undefined && length < 0) throw evalError(`SUBSTRING length must not be negative, got ${length}`);
  const from = Math.max(start, 1);
  if (length !== undefined && start + length <= from) return "";
  const begin = codePointIndex(s, from - 1);
  const end = length === undefined ? s.length : codePointIndex(s, start + length - from, begin);
  return s.slice(begin, end);
}

/** The code point of `s` that ends at UTF-16 index `j` (exclusive), as a string. */
function codePointBefore(s: string, j: number): string {
  const lo = s.charCodeAt(j - 1);
  const width = j >= 2 && (lo & 0xfc00) === 0xdc00 && (s.charCodeAt(j - 2) & 0xfc00) === 0xd800 ? 2 : 1;
  return s.slice(j - width, j);
}

/** The code point of `s` that starts at UTF-16 index `i`, as a string. */
function codePointAt(s: string, i: number): string {
  return s.slice(i, i + codePointWidth(s, i));
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
  const target = text(rest[rest.length - 1]);
  const remove = new Set(rest.length > 1 ? Array.from(text(rest[0])) : [" "]);
  let i = 0, j = target.length;
  if (spec !== "trailing") {
    for (let c = i < j ? codePointAt(target, i) : ""; i < j && remove.has(c); c = i < j ? codePointAt(target, i) : "") i += c.length;
  }
  if (spec !== "leading") {
    for (let c = j > i ? codePointBefore(target, j) : ""; j > i && remove.has(c); c = j > i ? codePointBefore(target, j) : "") j -= c.length;
  }
  return str(target.slice(i, j));
}

function position(needle: string, hay: string): number {
  if (needle === "") return 1;
  const at = hay.indexOf(needle);
  if (at < 0) return 0;
  return codePointCount(hay, 0, at) + 1;
}

export const stringFunctions: Record<string, FnDef> = {
  // Case mapping can lengthen a string (ß -> SS), at most threefold: checked once made.
  upper: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => checkedStr(text(s).toUpperCase(), "UPPER") },
  lower: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => checkedStr(text(s).toLowerCase(), "LOWER") },
  char_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(codePointCount(text(s))) },
  character_length: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => int(codePointCount(text(s))) },
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
      const n = len === undefined ? codePointCount(rep) : toIndex(len);
      if (from < 1) throw evalError(`OVERLAY position must be at least 1, got ${from}`);
      if (n < 0) throw evalError(`OVERLAY length must not be negative, got ${n}`);
      const head = substring(src, 1, from - 1), tail = substring(src, from + n);
      checkStringLength(head.length + rep.length + tail.length, "OVERLAY");
      return str(head + rep + tail);
    },
  },
  text_replace: {
    min: 3, max: 3, check: argTypes("text", "text", "text"),
    impl: ([s, from, to]) => {
      const f = text(from), src = text(s), t = text(to);
      // An empty search string matches between every two characters and at both ends.
      if (f === "") {
        checkStringLength(src.length + t.length * (codePointCount(src) + 1), "TEXT_REPLACE");
        return str(t + Array.from(src, (c) => c + t).join(""));
      }
      // The result's length from the number of matches, before it is built: replacing each
      // character of a long string by that string again squares its length.
      let matches = 0;
      for (let at = src.indexOf(f); at >= 0; at = src.indexOf(f, at + f.length)) matches++;
      checkStringLength(src.length + matches * (t.length - f.length), "TEXT_REPLACE");
      return str(src.split(f).join(t));
    },
  },
};

function checkedStr(s: string, what: string): PValue {
  checkStringLength(s.length, what);
  return str(s);
}
