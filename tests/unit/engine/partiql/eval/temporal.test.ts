/** SQL DATE / TIME / TIMESTAMP / INTERVAL values (engine/partiql/eval/temporal.ts), data-driven. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseText, toText } from "../../../../../engine/ion/text.ts";
import type { IonValue } from "../../../../../engine/ion/value.ts";
import { check, fails, pv, run } from "./helpers.ts";

/** Ion text of a result, normalised through the Ion reader so expectations can be written freely. */
const norm = (text: string) => toText(parseText(text)[0] as IonValue);

function expectIon(statement: string, expected: string): void {
  for (const mode of ["strict", "permissive"] as const) {
    const got = run(statement, {}, mode);
    assert.equal(got.kind === "missing" ? "MISSING" : toText(got as IonValue), norm(expected), `${statement} [${mode}]`);
  }
}

test("literals build annotated structs with the qualifier's fields", () => {
  const rows: [string, string][] = [
    ["DATE '2025-01-31'", "$date::{year: 2025, month: 1, day: 31}"],
    ["TIME '01:01:01.1'", "$time::{hour: 1, minute: 1, second: 1.1, offset: null}"],
    ["TIME '08:15:45+02:00'", "$time::{hour: 6, minute: 15, second: 45.0, offset: null}"],
    ["TIME WITH TIME ZONE '01:01:01.1-08:00'", "$time::{hour: 1, minute: 1, second: 1.1, offset: -480}"],
    ["TIMESTAMP '2025-01-01 00:00:00'", "$timestamp::{year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0.0, offset: null}"],
    ["TIMESTAMP WITH TIME ZONE '2025-01-01 01:01:01.1+05:00'",
      "$timestamp::{year: 2025, month: 1, day: 1, hour: 1, minute: 1, second: 1.1, offset: 300}"],
    ["INTERVAL '5' YEAR", "$interval_ym::{sign: \"+\", years: 5}"],
    ["INTERVAL '-1-6' YEAR TO MONTH", "$interval_ym::{sign: \"-\", years: 1, months: 6}"],
    ["INTERVAL '100' MONTH(3)", "$interval_ym::{sign: \"+\", years: 8, months: 4}"],
    ["INTERVAL '45.123' SECOND", "$interval_dt::{sign: \"+\", seconds: 45, nanos: 123000000}"],
    ["INTERVAL '123.456789' SECOND(3,6)", "$interval_dt::{sign: \"+\", minutes: 2, seconds: 3, nanos: 456789000}"],
    ["INTERVAL '0 0:0:0' DAY TO SECOND", "$interval_dt::{sign: \"+\", days: 0, hours: 0, minutes: 0, seconds: 0}"],
    ["INTERVAL '1 2:30' DAY TO MINUTE", "$interval_dt::{sign: \"+\", days: 1, hours: 2, minutes: 30}"],
  ];
  for (const [s, want] of rows) expectIon(s, want);
});

test("arithmetic on datetimes and intervals", () => {
  const dt = (d: number, h: number, m: number, s: number, n: number, sign = "+") =>
    `$interval_dt::{sign: "${sign}", days: ${d}, hours: ${h}, minutes: ${m}, seconds: ${s}, nanos: ${n}}`;
  const rows: [string, string][] = [
    ["DATE '2025-01-01' - INTERVAL '1' DAY", "$date::{year: 2024, month: 12, day: 31}"],
    ["DATE '2025-01-31' + INTERVAL '1' MONTH", "$date::{year: 2025, month: 2, day: 28}"],
    ["INTERVAL '1-1' YEAR TO MONTH + DATE '2025-01-01'", "$date::{year: 2026, month: 2, day: 1}"],
    ["TIME '01:01:01.1' - INTERVAL '25:25:14.2' HOUR TO SECOND", "$time::{hour: 23, minute: 35, second: 46.9, offset: null}"],
    ["TIME WITH TIME ZONE '01:01:01.1+05:00' + INTERVAL '1' HOUR", "$time::{hour: 2, minute: 1, second: 1.1, offset: 300}"],
    ["TIMESTAMP '2025-01-01 01:01:01.1' - INTERVAL '25:25:14.2' HOUR TO SECOND",
      "$timestamp::{year: 2024, month: 12, day: 30, hour: 23, minute: 35, second: 46.9, offset: null}"],
    ["INTERVAL '1' YEAR - INTERVAL '1-1' YEAR TO MONTH", "$interval_ym::{sign: \"-\", years: 0, months: 1}"],
    ["INTERVAL '1' DAY - INTERVAL '1.1' SECOND", dt(0, 23, 59, 58, 900000000)],
    ["TIME '10:30:00' - TIME '14:45:30'", dt(0, 4, 15, 30, 0, "-")],
    ["TIME '10:30:00+05:00' - TIME '10:30:00-03:00'", dt(0, 8, 0, 0, 0, "-")],
    ["DATE '2025-01-14' - TIMESTAMP '2025-01-15 12:30:45'", dt(1, 12, 30, 45, 0, "-")],
    ["INTERVAL '7' MONTH * 2", "$interval_ym::{sign: \"+\", years: 1, months: 2}"],
    ["-2 * INTERVAL '3' YEAR", "$interval_ym::{sign: \"-\", years: 6, months: 0}"],
    ["INTERVAL '10.5' SECOND * 2.1", dt(0, 0, 0, 22, 50000000)],
    ["INTERVAL '2 4:5:10.5' DAY TO SECOND / 3", dt(0, 17, 21, 43, 500000000)],
    ["INTERVAL '3' YEAR / 2.25e-1", "$interval_ym::{sign: \"+\", years: 13, months: 4}"],
    ["INTERVAL '2' DAY / 2.25e-1", dt(8, 21, 19, 59, 999999000)],
    ["ABS(INTERVAL '-1 2' DAY TO HOUR)", "$interval_dt::{sign: \"+\", days: 1, hours: 2}"],
    ["-INTERVAL '5' YEAR", "$interval_ym::{sign: \"-\", years: 5}"],
    ["CAST(INTERVAL '25' HOUR AS INTERVAL DAY TO HOUR)", dt(1, 1, 0, 0, 0)],
    ["CAST(INTERVAL '1.123456789' SECOND AS INTERVAL SECOND(3, 3))", dt(0, 0, 0, 1, 123000000)],
    ["date_add(year, 1, TIMESTAMP '2024-01-01 00:00:00+00:00')",
      "$timestamp::{year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0.0, offset: null}"],
  ];
  for (const [s, want] of rows) expectIon(s, want);
});

test("comparisons, DATE_DIFF, EXTRACT and IS on temporal values", () => {
  const rows: [string, string][] = [
    ["TIME '10:00:00+01:00' = TIME '09:00:00+00:00'", "true"],
    ["TIME '10:30:00' = TIME '10:30:00+05:00'", "false"],
    ["TIME '10:30:00.123' > TIME '10:30:00.122'", "true"],
    ["DATE '2023-05-15' = TIMESTAMP '2023-05-15 00:00:00'", "true"],
    ["DATE '2023-05-16' > TIMESTAMP '2023-05-15 23:59:59+00:00'", "true"],
    ["DATE '2001-01-02' > `2001-01-01T`", "true"],
    ["INTERVAL '1' YEAR = INTERVAL '12' MONTH", "true"],
    ["INTERVAL '1' DAY < INTERVAL '25' HOUR", "true"],
    ["date_diff(hour, TIME '08:15:45', TIME '08:15:45+02:00')", "-2"],
    ["date_diff(day, DATE '2025-01-20', DATE '2025-01-15')", "-5"],
    ["EXTRACT(MINUTE FROM TIME '10:30:00')", "30"],
    ["TIME '10:30:00' IS TIME", "true"],
    ["DATE '2020-01-01' IS DATE", "true"],
    ["TIMESTAMP '2020-01-01 00:00:00' IS TIMESTAMP", "true"],
    ["INTERVAL '3' YEAR * NULL", "null"],
  ];
  for (const [s, want] of rows) check(s, want);
  assert.equal(run("INTERVAL '3' YEAR / MISSING").kind, "missing");
});

test("temporal errors", () => {
  const rows: [string, "strict" | "permissive", string][] = [
    ["INTERVAL '3' YEAR * 50", "strict", "EVALUATION_ERROR"],
    ["INTERVAL '3' YEAR * 50", "permissive", "EVALUATION_ERROR"],
    ["INTERVAL '2' DAY / 0.02", "strict", "EVALUATION_ERROR"],
    ["INTERVAL '2' DAY / 0", "permissive", "EVALUATION_ERROR"],
    ["INTERVAL '100' YEAR", "strict", "EVALUATION_ERROR"],
    ["INTERVAL '1-12' YEAR TO MONTH", "strict", "EVALUATION_ERROR"],
    ["TIME '25:00:00'", "strict", "EVALUATION_ERROR"],
    ["DATE '2025-02-30'", "strict", "EVALUATION_ERROR"],
    ["TIME '01:01:01.1' + INTERVAL '1' YEAR", "strict", "TYPE_ERROR"],
    ["INTERVAL '1' YEAR + INTERVAL '1' DAY", "strict", "TYPE_ERROR"],
    ["TIME '10:00:00' < DATE '2020-01-01'", "strict", "TYPE_ERROR"],
    ["date_diff(hour, TIME '10:30:00', DATE '2025-01-15')", "strict", "TYPE_ERROR"],
  ];
  for (const [s, mode, code] of rows) fails(s, mode, code);
  assert.equal(run("TIME '01:01:01.1' + INTERVAL '1' YEAR", {}, "permissive").kind, "missing");
});

test("a hand-written temporal struct with a field out of range is TYPE_ERROR, and a negative interval precision EVALUATION_ERROR", () => {
  // They reached BigInt(NaN) or 10n ** -5n, whose RangeError came out as LIMIT_EXCEEDED
  // "a value grew beyond what the runtime can hold".
  const year = "1" + "0".repeat(400);
  const rows: [string, string][] = [
    ["TIME '01:00:00' - `$time::{hour: 1, minute: 2, second: nan, offset: null}`", "TYPE_ERROR"],
    ["TIME '01:00:00' < `$time::{hour: 1, minute: 2, second: +inf, offset: null}`", "TYPE_ERROR"],
    [`\`$date::{year: ${year}, month: 1, day: 1}\` < DATE '2020-01-01'`, "TYPE_ERROR"],
    [`\`$date::{year: ${year}, month: 1, day: 1}\` = DATE '2020-01-01'`, "TYPE_ERROR"],
    [`\`$date::{year: ${year}, month: 1, day: 1}\` + INTERVAL '1' DAY`, "TYPE_ERROR"],
    [`\`$timestamp::{year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0, offset: ${year}}\` < DATE '2020-01-01'`, "TYPE_ERROR"],
    ["`$timestamp::{year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0, offset: 1440}` < DATE '2020-01-01'", "TYPE_ERROR"],
    ["cast_interval(INTERVAL '1' DAY, 'DAY', 'DAY', -5)", "EVALUATION_ERROR"],
    ["cast_interval(INTERVAL '1' DAY, 'DAY', 'SECOND', 2, -5)", "EVALUATION_ERROR"],
  ];
  for (const [s, code] of rows) fails(s, "strict", code);
  // Within range, the same forms still evaluate.
  assert.equal(run("`$timestamp::{year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0, offset: 1439}` < DATE '2020-01-01'").kind, "bool");
});

test("GROUP BY keys match SELECT expressions by structure, names and aliases", () => {
  const env = { t: pv("$bag::[{a: 1, b: 2, n: \"1\"}, {a: 3, b: 5, n: \"2\"}]") };
  const rows: [string, string][] = [
    ["SELECT T.a, MAX(b) FROM t T GROUP BY a ORDER BY a DESC", "[{a: 3, _1: 5}, {a: 1, _1: 2}]"],
    ["SELECT t.A, MAX(T.b) FROM t T GROUP BY T.a ORDER BY T.a", "[{A: 1, _1: 2}, {A: 3, _1: 5}]"],
    ["SELECT n FROM t GROUP BY CAST(n AS INT)", "$bag::[{n: 1}, {n: 2}]"],
    ["SELECT a AS x, COUNT(*) AS c FROM t GROUP BY x ORDER BY x", "[{x: 1, c: 1}, {x: 3, c: 1}]"],
  ];
  for (const [s, want] of rows) check(s, want, env);
  // Permissive mode: an attribute some rows lack is MISSING, not an undefined variable.
  check("SELECT COUNT(zz) AS c FROM t", "$bag::[{c: 0}]", env, ["permissive"]);
  fails("SELECT COUNT(zz) AS c FROM t", "strict", "VARIABLE_NOT_FOUND", env);
  check("exists({a: 1})", "true");
});
