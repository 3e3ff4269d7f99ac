import { test } from "node:test";
import { check, fails } from "./helpers.ts";

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
