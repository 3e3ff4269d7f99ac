import { test } from "node:test";
import assert from "node:assert/strict";
import { bin, call, ion, v } from "./ast-builders.ts";
import { evaluate, globalsOf } from "../../../../../engine/partiql/eval/index.ts";
import { check, fails, pv, same, show } from "./helpers.ts";
import type { Expr } from "../../../../../engine/partiql/ast.ts";
import { LedgerError } from "../../../../../engine/errors.ts";

const ev = (e: Expr, mode: "strict" | "permissive" = "strict") => evaluate(e, globalsOf({}), { mode });

test("arithmetic typing table (hand-built ASTs)", () => {
  const rows: [string, "+" | "-" | "*" | "/" | "%", string, string][] = [
    ["1", "+", "2", "3"],
    ["9223372036854775807", "+", "1", "9223372036854775808"],
    ["1", "+", "1.0", "2.0"],
    ["1.5", "*", "2", "3.0"],
    ["1", "+", "1e0", "2e0"],
    ["1.0", "+", "1e0", "2e0"],
    ["7", "/", "2", "3"],
    ["-7", "/", "2", "-3"],
    ["1", "/", "-2", "0"],
    ["-10", "%", "6", "-4"],
    ["10", "%", "-7", "3"],
    ["3.0", "/", "2", "1.5"],
    ["4.0000", "/", "3.0", "1.3333333333333333333333333333333333333"],
    ["9223372036854775807.0", "+", "100.0", "9223372036854775907.0"],
    ["0.1", "+", "0.2", "0.3"],
    ["null", "+", "1", "null"],
    ["1", "*", "null", "null"],
    ["$missing::null", "+", "null", "$missing::null"],
  ];
  for (const [a, op, b, want] of rows) {
    const got = ev(bin(op, ion(pv(a).kind === "missing" ? "null" : a), ion(b)));
    const expected = pv(want);
    if (pv(a).kind === "missing") {
      const g2 = ev(bin(op, { kind: "lit", value: { kind: "missing" }, span: { start: 0, end: 0 } }, ion(b)));
      assert.ok(same(g2, expected), `${a} ${op} ${b}: got ${show(g2)}`);
      continue;
    }
    assert.ok(same(got, expected), `${a} ${op} ${b}: expected ${want}, got ${show(got)}`);
  }
});

test("arithmetic type errors: strict raises TYPE_ERROR, permissive gives MISSING", () => {
  const e = bin("+", ion("1"), ion('"a"'));
  assert.throws(() => ev(e), (x: unknown) => x instanceof LedgerError && x.code === "TYPE_ERROR");
  assert.equal(ev(e, "permissive").kind, "missing");
});

test("division by zero is an EVALUATION_ERROR in both modes", () => {
  for (const mode of ["strict", "permissive"] as const) {
    assert.throws(() => ev(bin("/", ion("1"), ion("0")), mode), (x: unknown) => x instanceof LedgerError && x.code === "EVALUATION_ERROR");
    assert.throws(() => ev(bin("%", ion("1.0"), ion("0.0")), mode), (x: unknown) => x instanceof LedgerError && x.code === "EVALUATION_ERROR");
  }
});

test("unknown variables and functions fail in both modes", () => {
  for (const mode of ["strict", "permissive"] as const) {
    assert.throws(() => ev(v("nope"), mode), (x: unknown) => x instanceof LedgerError && x.code === "VARIABLE_NOT_FOUND");
    assert.throws(() => ev(call("no_such_fn", ion("1")), mode), (x: unknown) => x instanceof LedgerError && x.code === "FUNCTION_NOT_FOUND");
  }
});

test("expression depth is bounded with LIMIT_EXCEEDED, not a stack overflow", () => {
  let e: Expr = ion("1");
  for (let i = 0; i < 5000; i++) e = bin("+", e, ion("1"));
  assert.throws(() => ev(e), (x: unknown) => x instanceof LedgerError && x.code === "LIMIT_EXCEEDED");
  let ok: Expr = ion("0");
  for (let i = 0; i < 200; i++) ok = bin("+", ok, ion("1"));
  assert.ok(same(ev(ok), pv("200")));
});

test("arithmetic and concatenation through the parser", () => {
  check("1 + 2 * 3", "7");
  check("-(1.50)", "-1.50");
  check("'a' || 'b' || `c`", '"abc"');
  check("'a' || NULL", "null");
  check("'a' || MISSING", "$missing::null");
  fails("'a' || 1", "strict", "TYPE_ERROR");
  check("'a' || 1", "$missing::null", {}, ["permissive"]);
});
