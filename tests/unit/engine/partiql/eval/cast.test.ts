import { test } from "node:test";
import { check, fails } from "./helpers.ts";

test("CAST table", () => {
  const rows: [string, string][] = [
    ["CAST(1.5 AS INT)", "2"], ["CAST(0.5 AS INT)", "0"], ["CAST(-1.5 AS INT)", "-2"], ["CAST(`1.9e0` AS INT)", "2"],
    ["CAST(true AS INT)", "1"], ["CAST('0x0A' AS INT)", "10"], ["CAST('-0b10' AS INT)", "-2"], ["CAST(' 12 ' AS INT)", "12"],
    ["CAST(1 AS DECIMAL)", "1."], ["CAST('1.50' AS DECIMAL)", "1.50"], ["CAST(1 AS FLOAT)", "1e0"], ["CAST('nan' AS FLOAT)", "nan"],
    ["CAST(12 AS STRING)", '"12"'], ["CAST(1.0 AS STRING)", '"1.0"'], ["CAST(`abc` AS STRING)", '"abc"'], ["CAST('x' AS SYMBOL)", "x"],
    ["CAST('TRUE' AS BOOL)", "true"], ["CAST(0 AS BOOL)", "false"], ["CAST('2007-02-23T12:14Z' AS TIMESTAMP)", "2007-02-23T12:14Z"],
    ["CAST([1, 2] AS BAG)", "$bag::[1, 2]"], ["CAST(<<1>> AS LIST)", "[1]"],
    ["CAST(NULL AS INT)", "null"], ["CAST(MISSING AS INT)", "$missing::null"],
    // Floats from 2^53 up are cast by their exact value, not the shortest decimal that prints them.
    ["CAST(`-9223372036854775808e0` AS BIGINT)", "-9223372036854775808"], ["CAST(`9007199254740993e0` AS BIGINT)", "9007199254740992"],
    ["CAST(`4611686018427387904e0` AS BIGINT)", "4611686018427387904"], ["CAST(`-2.5e0` AS INT)", "-2"],
  ];
  for (const [s, want] of rows) check(s, want);
});

test("CAST failures: strict raises, permissive gives MISSING", () => {
  for (const s of ["CAST('hello' AS INT)", "CAST('2e10' AS INT)", "CAST([1] AS INT)", "CAST({} AS STRING)", "CAST(`2017T` AS INT)", "CAST('maybe' AS BOOL)"]) {
    fails(s, "strict", "TYPE_ERROR");
    check(s, "$missing::null", {}, ["permissive"]);
  }
  fails("CAST(NULL AS MISSING)", "permissive", "EVALUATION_ERROR");
  fails("CAST(`9223372036854775808e0` AS BIGINT)", "strict", "TYPE_ERROR");
});
