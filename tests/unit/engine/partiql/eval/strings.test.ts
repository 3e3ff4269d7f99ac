// String functions count code points in place (functions/string.ts), and no string operation
// may make a string past limits.maxStringLength: a few kilobytes of statement once asked the
// runtime for gigabytes and took the process down.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { limits } from "../../../../../engine/limits.ts";
import { isLedgerError } from "../../../../../engine/errors.ts";
import { pv, run, same, show } from "./helpers.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";

// Strings of ASCII, BMP letters, astral characters (surrogate pairs) and lone surrogates.
const piece = fc.constantFrom("a", "b", " ", "é", "ß", "\u{1F600}", "\u{10437}", "\uD800", "\uDC00", "x y");
const text = fc.array(piece, { maxLength: 12 }).map((xs) => xs.join(""));
const s = (v: string): PValue => ({ kind: "string", value: v });

/** The reference: SQL's code point semantics over Array.from, as the functions were written before. */
const cps = (v: string) => Array.from(v);
function refSubstring(v: string, start: number, length?: number): string {
  const chars = cps(v);
  const from = Math.max(start, 1);
  const to = length === undefined ? chars.length + 1 : Math.min(start + length, chars.length + 1);
  return to <= from ? "" : chars.slice(from - 1, to - 1).join("");
}
function refTrim(v: string, remove: string[], spec: string): string {
  const t = cps(v), set = new Set(remove);
  let i = 0, j = t.length;
  if (spec !== "trailing") while (i < j && set.has(t[i])) i++;
  if (spec !== "leading") while (j > i && set.has(t[j - 1])) j--;
  return t.slice(i, j).join("");
}
const one = (statement: string, params: PValue[]) => {
  const r = run(`SELECT VALUE ${statement} FROM <<0>>`, {}, "strict", params) as { items: readonly PValue[] };
  return r.items[0];
};

test("SUBSTRING, TRIM, CHAR_LENGTH and POSITION count code points as Array.from does, lone surrogates included", () => {
  fc.assert(
    fc.property(text, fc.integer({ min: -3, max: 15 }), fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }), text, fc.constantFrom("both", "leading", "trailing"), (v, start, length, other, spec) => {
      const sub = length === undefined ? one("SUBSTRING(?, ?)", [s(v), pv(String(start))]) : one("SUBSTRING(?, ?, ?)", [s(v), pv(String(start)), pv(String(length))]);
      assert.ok(same(sub, s(refSubstring(v, start, length))), `SUBSTRING(${JSON.stringify(v)}, ${start}, ${length}) = ${show(sub)}`);
      assert.ok(same(one("CHAR_LENGTH(?)", [s(v)]), pv(String(cps(v).length))));
      const remove = other === "" ? " " : other;
      const trimmed = one(`TRIM(${spec} ? FROM ?)`, [s(remove), s(v)]);
      assert.ok(same(trimmed, s(refTrim(v, cps(remove), spec))), `TRIM(${spec} ${JSON.stringify(remove)} FROM ${JSON.stringify(v)}) = ${show(trimmed)}`);
      const at = v.indexOf(other);
      const want = other === "" ? 1 : at < 0 ? 0 : cps(v.slice(0, at)).length + 1;
      assert.ok(same(one("POSITION(? IN ?)", [s(other), s(v)]), pv(String(want))));
    }),
    { numRuns: 2_000 },
  );
});

test("a string operation that would pass limits.maxStringLength is LIMIT_EXCEEDED, at once, in both modes", () => {
  const half = "a".repeat(limits.maxStringLength / 2);
  const cases: [string, PValue[]][] = [
    // TEXT_REPLACE of a 30,000-character string into itself: 900 million characters.
    [`CHAR_LENGTH(TEXT_REPLACE(?, 'a', ?))`, [s("a".repeat(30_000)), s("a".repeat(30_000))]],
    [`TEXT_REPLACE(?, '', ?)`, [s("a".repeat(5_000)), s("b".repeat(5_000))]],
    [`? || ? || 'x'`, [s(half), s(half)]],
    [`OVERLAY(? PLACING ? FROM 2 FOR 0)`, [s(half), s(half + "xy")]],
    [`UPPER(?)`, [s("ß".repeat(limits.maxStringLength / 2 + 1))]],
    // CAST AS CHAR(n) pads to n characters: a gigabyte for CHAR(1000000000).
    [`CAST('a' AS CHAR(1000000000))`, []],
  ];
  for (const mode of ["strict", "permissive"] as const) {
    for (const [expr, params] of cases) {
      const t0 = performance.now();
      assert.throws(() => run(`SELECT VALUE ${expr} FROM <<0>>`, {}, mode, params), (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxStringLength", `${expr} [${mode}]`);
      assert.ok(performance.now() - t0 < 5_000, `${expr} took ${performance.now() - t0} ms`);
    }
  }
  // 27 doublings of 8 characters by LET: a gigabyte, refused as it grows.
  const lets = Array.from({ length: 27 }, (_, i) => `x${i} || x${i} AS x${i + 1}`).join(", ");
  assert.throws(() => run(`SELECT VALUE CHAR_LENGTH(x27) FROM <<'abcdefgh'>> AS x0 LET ${lets}`), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
  // CHAR(n) and VARCHAR(n) cut and pad by code points.
  assert.ok(same(one("CAST(? AS VARCHAR(2))", [s("\u{1F600}a\u{1F600}")]), s("\u{1F600}a")));
  assert.ok(same(one("CAST(? AS CHAR(3))", [s("\u{1F600}")]), s("\u{1F600}  ")));
  // Up to the limit is fine.
  assert.ok(same(one("CHAR_LENGTH(? || ?)", [s(half), s(half)]), pv(String(limits.maxStringLength))));
});
