import { test } from "node:test";
import assert from "node:assert/strict";
import { compileLike, matchLike } from "../../../../../engine/partiql/eval/like.ts";
import { check, fails } from "./helpers.ts";

test("LIKE table", () => {
  const rows: [string, string, string | undefined, boolean][] = [
    ["abc", "abc", undefined, true], ["abc", "a_c", undefined, true], ["abc", "a%", undefined, true],
    ["abc", "%c", undefined, true], ["abc", "%b%", undefined, true], ["abc", "ab", undefined, false],
    ["", "%", undefined, true], ["", "_", undefined, false], ["a", "%%%a%%", undefined, true],
    ["100%", "100[%", "[", true], ["1000", "100[%", "[", false], ["_", "[_", "[", true], ["x", "[_", "[", false],
    ["1_000_000%", "%[_0%0[__%_[%", "[", true], ["😁x", "_x", undefined, true],
  ];
  for (const [value, pattern, escape, want] of rows) {
    assert.equal(matchLike(compileLike(pattern, escape), value), want, `'${value}' LIKE '${pattern}'`);
  }
});

test("LIKE: pathological patterns stay fast (no backtracking blow-up)", () => {
  const value = "a".repeat(20_000) + "b";
  const pattern = "%a".repeat(200) + "%c";
  const t0 = Date.now();
  assert.equal(matchLike(compileLike(pattern, undefined), value), false);
  assert.equal(matchLike(compileLike("%" + "_".repeat(1000) + "%b", undefined), value), true);
  assert.ok(Date.now() - t0 < 3000, "took too long");
});

test("LIKE through the evaluator: NULL/MISSING, types and ESCAPE errors", () => {
  check("'abc' LIKE 'a%'", "true");
  check("'abc' NOT LIKE 'a%'", "false");
  check("NULL LIKE 'a'", "null");
  check("'a' LIKE 'a' ESCAPE MISSING", "$missing::null");
  check("NULL LIKE 'a' ESCAPE MISSING", "$missing::null");
  fails("123 LIKE 'a'", "strict", "TYPE_ERROR");
  check("123 LIKE 'a'", "$missing::null", {}, ["permissive"]);
  fails("'a' LIKE 'a' ESCAPE 'aa'", "permissive", "EVALUATION_ERROR");
  fails("'a' LIKE 'a[' ESCAPE '['", "strict", "EVALUATION_ERROR");
});
