import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { check, fails } from "./helpers.ts";
import { eqValues, groupKey } from "../../../../../engine/partiql/eval/compare.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { arbIonValue } from "../../ion/arbitrary.ts";

test("NULL / MISSING propagation table", () => {
  const rows: [string, string][] = [
    ["NULL = 1", "null"], ["MISSING = 1", "$missing::null"], ["MISSING = NULL", "null"], ["NULL = MISSING", "null"],
    ["NULL < 1", "null"], ["MISSING < 1", "$missing::null"],
    ["NOT NULL", "null"], ["NOT MISSING", "null"],
    ["true AND NULL", "null"], ["false AND NULL", "false"], ["missing AND true", "null"], ["false AND missing", "false"],
    ["true OR NULL", "true"], ["false OR NULL", "null"], ["missing OR true", "true"], ["missing OR null", "null"],
    ["NULL IS NULL", "true"], ["MISSING IS NULL", "true"], ["MISSING IS MISSING", "true"], ["NULL IS MISSING", "false"],
    ["`null.int` IS NULL", "true"], ["1 IS NOT NULL", "true"],
    ["1 IN [1, 2]", "true"], ["3 IN [1, 2]", "false"], ["3 IN [1, NULL]", "null"], ["NULL IN [1]", "null"], ["1 IN [NULL, 1]", "true"],
    ["2 BETWEEN 1 AND 3", "true"], ["NULL BETWEEN 1 AND 3", "null"], ["4 NOT BETWEEN 1 AND 3", "true"],
    ["COALESCE(NULL, MISSING, 3)", "3"], ["COALESCE(NULL, NULL)", "null"],
    ["NULLIF(1, 1)", "null"], ["NULLIF(1, 2)", "1"], ["NULLIF(MISSING, 1)", "$missing::null"], ["NULLIF(1.0, 1)", "null"],
  ];
  for (const [s, want] of rows) check(s, want);
});

test("equality across numeric types and containers", () => {
  const rows: [string, string][] = [
    ["1 = 1.0", "true"], ["1 = 1e0", "true"], ["1 = 1e1", "false"], ["`a` = 'a'", "true"], ["'A' = 'a'", "false"],
    ["[1, 2e0, NULL, MISSING] = [1.0, 2, NULL, MISSING]", "true"],
    ["{'a': 1, 'a': 10.0, 'b': 2e0} = {'b': 2, 'a': 10, 'a': 1.0}", "true"],
    ["<<1, 2, 2>> = <<2, 1, 2>>", "true"], ["<<1, 2>> = <<2, 2>>", "false"], ["[1, 2] = [2, 1]", "false"],
    ["1 = 'a'", "false"], ["`2017T` = `2017-01-01T00:00Z`", "true"],
    ["1 < 2e0", "true"], ["'a' < 'b'", "true"], ["`2017T` < `2018T`", "true"], ["false < true", "true"],
  ];
  for (const [s, want] of rows) check(s, want);
  fails("1 < 'a'", "strict", "TYPE_ERROR");
  check("1 < 'a'", "$missing::null", {}, ["permissive"]);
});

test("ORDER BY uses PartiQL's total order with NULLS defaults", () => {
  check("SELECT VALUE x FROM [3, 'a', NULL, true, 1.5, `2000T`, [1], {'a': 1}, <<>>] AS x ORDER BY x",
    "[true, 1.5, 3, 2000T, \"a\", [1], {a: 1}, $bag::[], null]");
  check("SELECT VALUE x FROM [3, NULL, 1] AS x ORDER BY x DESC", "[null, 3, 1]");
  check("SELECT VALUE x FROM [3, NULL, 1] AS x ORDER BY x ASC NULLS FIRST", "[null, 1, 3]");
  check("SELECT VALUE x FROM [3, NULL, 1] AS x ORDER BY x DESC NULLS LAST", "[3, 1, null]");
});

test("DISTINCT, GROUP BY and UNION group the numbers `=` calls equal, whatever their type", () => {
  check("SELECT DISTINCT VALUE x FROM [1, 1.0, 1e0, 10, 1.0e1, `1d1`, -0, 0.0, -0e0] x", "$bag::[1, 10, 0]");
  check("SELECT k, COUNT(*) AS n FROM [1, 1.00, 2, `2e0`] x GROUP BY x AS k", "$bag::[{k: 1, n: 2}, {k: 2, n: 2}]");
  check("<<1, [2.0]>> UNION <<1e0, [2]>>", "$bag::[1, [2.0]]");
  check("<<1, 1.0>> INTERSECT <<1e0>>", "$bag::[1]");
});

test("property: values eqValues calls equal have one groupKey (what grouping and hash joins rely on)", () => {
  // Numbers are drawn so that equal values of different types are common.
  const arbNumber = fc.oneof(
    fc.integer({ min: -3, max: 3 }).map((n): PValue => ({ kind: "int", value: BigInt(n) })),
    fc.tuple(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -2, max: 1 })).map(([c, e]): PValue => ({ kind: "decimal", coefficient: BigInt(Math.abs(c)), exponent: e, negative: c < 0 })),
    fc.constantFrom(-1, 0, -0, 0.5, 1, 2, 3, 10).map((f): PValue => ({ kind: "float", value: f })),
  );
  const arbValue: fc.Arbitrary<PValue> = fc.letrec<{ v: PValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      arbNumber,
      arbIonValue as fc.Arbitrary<PValue>,
      fc.array(tie("v"), { maxLength: 3 }).map((items): PValue => ({ kind: "list", items })),
      fc.array(tie("v"), { maxLength: 3 }).map((items): PValue => ({ kind: "bag", items })),
      fc.array(fc.tuple(fc.constantFrom("a", "b"), tie("v")), { maxLength: 3 }).map((fields): PValue => ({ kind: "struct", fields })),
    ),
  })).v;
  fc.assert(
    fc.property(arbValue, arbValue, (a, b) => {
      if (eqValues(a, b)) assert.equal(groupKey(a), groupKey(b));
      assert.equal(groupKey(a), groupKey(a));
    }),
    { numRuns: 3000 },
  );
  // Pairs that are equal by construction: the same numbers spelled in other types, inside containers too.
  fc.assert(
    fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 3 }), (n, zeros) => {
      const asInt: PValue = { kind: "int", value: BigInt(n) };
      const asDec: PValue = { kind: "decimal", coefficient: BigInt(Math.abs(n)) * 10n ** BigInt(zeros), exponent: -zeros, negative: n < 0 };
      const asFloat: PValue = { kind: "float", value: n };
      for (const [x, y] of [[asInt, asDec], [asInt, asFloat], [asDec, asFloat]] as const) {
        assert.ok(eqValues(x, y));
        assert.equal(groupKey(x), groupKey(y));
        assert.equal(groupKey({ kind: "list", items: [x] }), groupKey({ kind: "list", items: [y] }));
      }
    }),
  );
});

test("ORDER BY of Ion timestamps finer than a nanosecond beside a SQL TIMESTAMP: one order whatever the input order", () => {
  const a = "`2021-01-01T00:00:00.0000000001Z`", b = "`2021-01-01T00:00:00.0000000002Z`", c = "TIMESTAMP '2021-01-01 00:00:00'";
  const want = "[$timestamp::{year: 2021, month: 1, day: 1, hour: 0, minute: 0, second: 0.0, offset: null}, 2021-01-01T00:00:00.0000000001Z, 2021-01-01T00:00:00.0000000002Z]";
  for (const bag of [[b, c, a], [a, c, b], [b, a, c], [c, b, a], [a, b, c], [c, a, b]]) {
    check(`SELECT VALUE x FROM << ${bag.join(", ")} >> AS x ORDER BY x`, want);
  }
});
