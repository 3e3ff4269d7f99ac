import { test } from "node:test";
import assert from "node:assert/strict";
import { LedgerError } from "../../engine/errors.ts";
import type { Statement } from "../../engine/partiql/ast.ts";
import type { PValue } from "../../engine/partiql/value.ts";
import { type Engine, runCase, stubEngine } from "./harness.ts";
import { loadTierA, type SuiteCase } from "./suite.ts";

const base: SuiteCase = {
  root: "core", file: "f.ion", namespace: "n", name: "t", mode: "EvalModeCoerce",
  result: "EvaluationSuccess", statements: ["x"], env: null, occurrence: 0,
  expected: { kind: "int", value: 1n },
};

/** An engine whose evaluate returns (or throws) what `behave` says for the statement text. */
function engineOf(behave: (text: string, mode: string) => PValue): Engine {
  return {
    name: "fake",
    parse(text: string): Statement {
      if (text === "unparsable") throw new LedgerError("PARSE_ERROR", "bad");
      if (text === "ddl") return { kind: "create_table", span: { start: 0, end: 3 }, table: { name: "t", caseSensitive: false, span: { start: 0, end: 1 } } };
      const span = { start: 0, end: text.length };
      return { kind: "query", span, query: { kind: "lit", span, value: { kind: "string", value: text } } };
    },
    evaluate(stmt, _globals, { mode }) {
      const q = stmt.query;
      return behave(q.kind === "lit" && q.value.kind === "string" ? q.value.value : "", mode);
    },
    globalsOf: (b) => b,
  };
}

const one: PValue = { kind: "int", value: 1n };
const oneDec: PValue = { kind: "decimal", coefficient: 10n, exponent: -1, negative: false };

test("success cases pass on an equal value, fail on a different one or an error", () => {
  const e = engineOf((t) => {
    if (t === "x") return one;
    if (t === "dec") return oneDec;
    if (t === "err") throw new LedgerError("TYPE_ERROR", "nope");
    throw new TypeError("boom");
  });
  assert.equal(runCase(e, base).status, "pass");
  const dec = runCase(e, { ...base, statements: ["dec"] });
  assert.deepEqual([dec.status, dec.lenientPass, dec.category, dec.detail], ["fail", true, "wrong result (representation only)", "1.0"]);
  assert.deepEqual([runCase(e, { ...base, statements: ["err"] }).category], ["eval error TYPE_ERROR"]);
  const crash = runCase(e, { ...base, statements: ["other"] });
  assert.deepEqual([crash.status, crash.category, crash.detail], ["crash", "crash in eval: TypeError", "boom"]);
  assert.equal(runCase(e, { ...base, statements: ["unparsable"] }).category, "parse error PARSE_ERROR");
  assert.equal(runCase(e, { ...base, statements: ["ddl"] }).category, "not a query");
});

test("fail cases pass on a LedgerError from parse or eval, not on a value or a crash", () => {
  const fail: SuiteCase = { ...base, result: "EvaluationFail", expected: undefined };
  const e = engineOf((t) => {
    if (t === "err") throw new LedgerError("EVALUATION_ERROR", "x");
    if (t === "crash") throw new RangeError("x");
    return one;
  });
  assert.equal(runCase(e, { ...fail, statements: ["err"] }).status, "pass");
  assert.equal(runCase(e, { ...fail, statements: ["unparsable"] }).status, "pass");
  assert.equal(runCase(e, { ...fail, statements: ["x"] }).category, "expected an error, got a value");
  assert.equal(runCase(e, { ...fail, statements: ["crash"] }).status, "crash");
});

test("modes map to strict / permissive; every equivalent statement must pass", () => {
  const e = engineOf((t, mode) => t === "bad" ? oneDec : mode === "strict" ? one : oneDec);
  assert.equal(runCase(e, { ...base, mode: "EvalModeError" }).status, "pass");
  assert.equal(runCase(e, { ...base, mode: "EvalModeCoerce" }).status, "fail");
  const eq = runCase(e, { ...base, mode: "EvalModeError", statements: ["x", "bad", "x"] });
  assert.deepEqual([eq.status, eq.statement], ["fail", "bad"]);
});

test("the whole suite runs through the stub: exactly the EvaluationFail cases pass, nothing crashes", () => {
  const { cases, report } = loadTierA();
  assert.equal(report.unmatched.length, 0);
  assert.equal(cases.length, 7903);
  let passed = 0, crashed = 0;
  for (const c of cases) {
    const r = runCase(stubEngine, c);
    if (r.status === "pass") passed++;
    if (r.status === "crash") crashed++;
  }
  assert.equal(passed, cases.filter((c) => c.result === "EvaluationFail").length);
  assert.equal(crashed, 0);
});
