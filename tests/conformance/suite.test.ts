import { test } from "node:test";
import assert from "node:assert/strict";
import { expandText, selectTierA, type SuiteCase, type TierALine, toPValue } from "./suite.ts";
import { parseText } from "../../engine/ion/text.ts";
import type { PValue } from "../../engine/partiql/value.ts";

const SUITE = `
envs::{ top: 1 }
outer::[
  { name: "uses top env", statement: "top", assert: { result: EvaluationSuccess, evalMode: EvalModeCoerce, output: 1 } },
  envs::{ t: $bag::[{a: 1}, {a: 1.0}] },
  inner::[
    { name: "nested sees outer env", statement: "SELECT VALUE x.a FROM t AS x",
      assert: { result: EvaluationSuccess, evalMode: [EvalModeCoerce, EvalModeError], output: $bag::[1, 1.0] } },
    { name: "own env replaces", statement: "u", env: { u: $missing::null },
      assert: [
        { result: EvaluationSuccess, evalMode: EvalModeCoerce, output: $missing::null },
        { result: EvaluationFail, evalMode: EvalModeError },
      ] },
  ],
  equiv_class::{ id: same, statements: ["1 + 1", "2"] },
  { name: "equiv", statement: same,
    assert: { result: EvaluationSuccess, evalMode: [EvalModeCoerce, EvalModeError], output: 2 } },
  { name: "dup", statement: "'a'", assert: { result: EvaluationSuccess, evalMode: EvalModeError, output: "a" } },
  { name: "dup", statement: "'b'", assert: { result: EvaluationSuccess, evalMode: EvalModeError, output: "b" } },
]
{ name: "top-level test", statement: "{'a': 1, 'a': 2}",
  assert: { result: EvaluationSuccess, evalMode: EvalModeError, output: {a: 1, a: $ion::2, b: ann::null.int} } }
`;

const cases = expandText(SUITE, "core", "x.ion");
const find = (ns: string, name: string, mode: string) =>
  cases.filter((c) => c.namespace === ns && c.name === name && c.mode === mode);

test("expands (test, assertion, mode) into cases, in file order", () => {
  assert.deepEqual(cases.map((c) => [c.namespace, c.name, c.mode, c.result]), [
    ["outer", "uses top env", "EvalModeCoerce", "EvaluationSuccess"],
    ["outer/inner", "nested sees outer env", "EvalModeCoerce", "EvaluationSuccess"],
    ["outer/inner", "nested sees outer env", "EvalModeError", "EvaluationSuccess"],
    ["outer/inner", "own env replaces", "EvalModeCoerce", "EvaluationSuccess"],
    ["outer/inner", "own env replaces", "EvalModeError", "EvaluationFail"],
    ["outer", "equiv", "EvalModeCoerce", "EvaluationSuccess"],
    ["outer", "equiv", "EvalModeError", "EvaluationSuccess"],
    ["outer", "dup", "EvalModeError", "EvaluationSuccess"],
    ["outer", "dup", "EvalModeError", "EvaluationSuccess"],
    ["", "top-level test", "EvalModeError", "EvaluationSuccess"],
  ]);
  assert.ok(cases.every((c) => c.root === "core" && c.file === "x.ion"));
});

test("envs apply to following tests in the namespace and nested ones; a test's env replaces", () => {
  const envNames = (c: SuiteCase) => c.env?.fields.map((f) => f[0]);
  assert.deepEqual(envNames(find("outer", "uses top env", "EvalModeCoerce")[0]), ["top"]);
  const nested = find("outer/inner", "nested sees outer env", "EvalModeError")[0];
  assert.deepEqual(envNames(nested), ["t"]);
  const t = nested.env!.fields[0][1];
  assert.equal(t.kind, "bag");
  const own = find("outer/inner", "own env replaces", "EvalModeCoerce")[0];
  assert.deepEqual(own.env, { kind: "struct", fields: [["u", { kind: "missing" }]] });
  assert.deepEqual(envNames(find("", "top-level test", "EvalModeError")[0]), ["top"]);
});

test("an equiv_class statement runs every statement of the class", () => {
  const [c] = find("outer", "equiv", "EvalModeCoerce");
  assert.deepEqual(c.statements, ["1 + 1", "2"]);
  assert.equal(c.equivClass, "same");
});

test("repeated names get occurrences in order", () => {
  const d = find("outer", "dup", "EvalModeError");
  assert.deepEqual(d.map((c) => [c.occurrence, c.statements[0]]), [[0, "'a'"], [1, "'b'"]]);
});

test("expected values: $bag, $missing, $ion markers; precision, typed nulls, annotations, duplicate fields kept", () => {
  const bagCase = find("outer/inner", "nested sees outer env", "EvalModeCoerce")[0];
  assert.deepEqual(bagCase.expected, {
    kind: "bag",
    items: [{ kind: "int", value: 1n }, { kind: "decimal", coefficient: 10n, exponent: -1, negative: false }],
  });
  assert.deepEqual(find("outer/inner", "own env replaces", "EvalModeCoerce")[0].expected, { kind: "missing" });
  assert.equal(find("outer/inner", "own env replaces", "EvalModeError")[0].expected, undefined);
  assert.deepEqual(find("", "top-level test", "EvalModeError")[0].expected, {
    kind: "struct",
    fields: [
      ["a", { kind: "int", value: 1n }],
      ["a", { kind: "int", value: 2n }],
      ["b", { kind: "null", of: "int", annotations: ["ann"] }],
    ],
  });
});

test("toPValue converts nested markers and keeps other Ion exactly", () => {
  const [v] = parseText(
    "[$bag::[$missing::null, $ion::sym], 2000-01-01T00:00:00.000+01:00, -0.00, 1e0, a::$bag::[], (x)]",
  );
  const p = toPValue(v) as Extract<PValue, { kind: "list" }>;
  assert.deepEqual(p.items[0], { kind: "bag", items: [{ kind: "missing" }, { kind: "symbol", text: "sym" }] });
  const ts = p.items[1];
  assert.equal(ts.kind, "timestamp");
  if (ts.kind === "timestamp") {
    assert.equal(ts.offset, 60);
    assert.deepEqual(ts.fraction, { coefficient: 0n, exponent: -3 });
  }
  assert.deepEqual(p.items[2], { kind: "decimal", coefficient: 0n, exponent: -2, negative: true });
  assert.deepEqual(p.items[3], { kind: "float", value: 1 });
  // $bag only marks a bag when it is the sole annotation.
  assert.deepEqual(p.items[4], { kind: "list", items: [], annotations: ["a", "$bag"] });
  assert.deepEqual(p.items[5], { kind: "sexp", items: [{ kind: "symbol", text: "x" }] });
});

test("tier-a lines match cases by key; repeated keys by order; mismatches reported", () => {
  const line = (name: string, mode: string, result = "EvaluationSuccess", namespace = "outer"): TierALine =>
    ({ root: "core", file: "x.ion", namespace, name, mode, result, group: "g" }) as TierALine;
  const { cases: sel, report } = selectTierA([
    line("dup", "EvalModeError"),
    line("dup", "EvalModeError"),
    line("dup", "EvalModeError"),
    line("equiv", "EvalModeCoerce", "EvaluationFail"),
    line("nope", "EvalModeCoerce"),
    line("own env replaces", "EvalModeError", "EvaluationFail", "outer/inner"),
  ], cases);
  assert.deepEqual(sel.map((c) => [c.name, c.statements[0], c.group]), [
    ["dup", "'a'", "g"],
    ["dup", "'b'", "g"],
    ["own env replaces", "u", "g"],
  ]);
  assert.deepEqual(report.unmatched.map((u) => [u.line.name, u.reason]), [
    ["dup", "only 2 case(s) with this key"],
    ["equiv", "result EvaluationFail but the case asserts EvaluationSuccess"],
    ["nope", "no such case"],
  ]);
  assert.deepEqual(report.repeatedKeys, [{ key: "core|x.ion|outer|dup|EvalModeError", count: 2 }]);
});

test("malformed suites are rejected", () => {
  assert.throws(() => expandText(`{ name: "x", statement: "1" }`, "core", "y.ion"), /no assert/);
  assert.throws(() => expandText(`{ name: "x", statement: nope, assert: { result: EvaluationFail, evalMode: EvalModeError } }`, "core", "y.ion"), /unknown equiv_class/);
  assert.throws(() => expandText(`[ ]`, "core", "y.ion"), /unannotated list/);
  assert.throws(() => expandText(`{ name: "x", statement: "1", assert: { result: EvaluationSuccess, evalMode: EvalModeError } }`, "core", "y.ion"), /without output/);
});
