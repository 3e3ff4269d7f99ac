/**
 * Parse errors (positions, caret snippets, several errors per run) and hostile input: deep
 * nesting and huge statements fail with LIMIT_EXCEEDED quickly, and random input only ever
 * produces PARSE_ERROR or LIMIT_EXCEEDED, never another exception or a hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "../../../../../engine/partiql/parser/index.ts";
import { LedgerError, isLedgerError } from "../../../../../engine/errors.ts";
import { limits } from "../../../../../engine/limits.ts";

interface ErrorDetails {
  line: number;
  column: number;
  snippet: string;
  errors: { message: string; line: number; column: number; span: { start: number; end: number } }[];
}

function parseError(text: string): { message: string; details: ErrorDetails } {
  try {
    parse(text);
  } catch (e) {
    assert.ok(isLedgerError(e, "PARSE_ERROR"), `expected PARSE_ERROR for ${JSON.stringify(text)}, got ${e}`);
    return { message: e.message, details: e.details as unknown as ErrorDetails };
  }
  assert.fail(`expected ${JSON.stringify(text)} not to parse`);
}

function limitError(text: string): LedgerError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(isLedgerError(e, "LIMIT_EXCEEDED"), `expected LIMIT_EXCEEDED, got ${e}`);
    return e;
  }
  assert.fail("expected LIMIT_EXCEEDED");
}

test("an error names line and column and shows the line with a caret", () => {
  const { message, details } = parseError("SELECT a,\n       b +\nFROM t");
  assert.match(message, /line 3, column 1/);
  assert.equal(details.line, 3);
  assert.equal(details.column, 1);
  assert.equal(details.snippet, "FROM t\n^");
  assert.match(details.errors[0].message, /expected an expression but found keyword FROM/);

  const e2 = parseError("SELECT * FROM t WHERE a = = 1");
  assert.equal(e2.details.column, 27);
  assert.equal(e2.details.snippet, "SELECT * FROM t WHERE a = = 1\n                          ^");
  assert.deepEqual(e2.details.errors[0].span, { start: 26, end: 27 });
});

test("the caret keeps tabs so it lines up; long lines are cut to a window", () => {
  const { details } = parseError("\tSELECT #");
  assert.equal(details.snippet, "\tSELECT #\n\t       ^");
  const long = "SELECT " + "a + ".repeat(100) + "* FROM t";
  const d = parseError(long).details;
  const [line, caret] = d.snippet.split("\n");
  assert.ok(line.length < 140);
  assert.equal(line[caret.length - 1], "*");
});

test("several errors are reported at once", () => {
  const { message, details } = parseError("SELECT f(1,,2), g(,), [1 2] FROM t WHERE");
  assert.ok(details.errors.length >= 4, JSON.stringify(details.errors));
  assert.match(message, /\(and \d+ more errors?\)/);
  const columns = details.errors.map((e) => e.column);
  // `f(1,,2)` at the second comma, `g(,)` at each empty argument, `[1 2]` at 2, WHERE's missing condition
  assert.deepEqual(columns, [12, 19, 20, 26, 41]);
  // errors in different clauses
  const e2 = parseError("SELECT a + FROM t WHERE b = ORDER BY c");
  assert.equal(e2.details.errors.length, 2);
  assert.deepEqual(e2.details.errors.map((e) => e.column), [12, 29]);
});

test("error count is capped", () => {
  const { details } = parseError("[" + ",".repeat(1000) + "]");
  assert.ok(details.errors.length <= 10);
  assert.ok(details.errors.length >= 5);
});

test("lexical errors: unknown character, unterminated string, identifier, comment, Ion literal", () => {
  assert.match(parseError("SELECT # FROM t").message, /unexpected character "#" at line 1, column 8/);
  assert.match(parseError("SELECT 'abc FROM t").message, /unterminated string at line 1, column 8/);
  assert.match(parseError('SELECT "abc FROM t').message, /unterminated quoted identifier/);
  assert.match(parseError("SELECT a /* FROM t").message, /unterminated comment/);
  assert.match(parseError("SELECT `{a: 1 FROM t").message, /unterminated Ion literal .* at line 1, column 8/);
  assert.match(parseError("`{a:}`").message, /invalid Ion literal/);
  assert.match(parseError("`1 2`").message, /exactly one value/);
  assert.match(parseError("``").message, /empty Ion literal/);
  assert.match(parseError("1e").message, /exponent/);
  assert.match(parseError("12abc").message, /invalid number/);
  assert.match(parseError("@ 1").message, /'@' must be followed by an identifier/);
});

test("syntax errors: missing pieces, reserved words, trailing input", () => {
  assert.match(parseError("SELECT a FROM").message, /expected an expression but found end of input/);
  assert.match(parseError("CASE WHEN a THEN b").message, /expected END/);
  assert.match(parseError("CAST(a AS WIDGET)").message, /expected a type name/);
  assert.match(parseError("x IS 5").message, /NULL, MISSING or a type name/);
  assert.match(parseError("SELECT * FROM t t2 t3").message, /unexpected identifier t3 after the end of the statement/);
  assert.match(parseError("SELECT 1; SELECT 2").message, /only one statement/);
  assert.match(parseError("CREATE TABLE select").message, /expected a table name but found keyword SELECT/);
  assert.match(parseError("UPDATE t WHERE a = 1").message, /expected SET, REMOVE or INSERT INTO/);
  assert.match(parseError("INSERT INTO t").message, /expected VALUE or an expression/);
  assert.match(parseError("EXTRACT(fortnight FROM x)").message, /date\/time part/);
  assert.match(parseError("").message, /expected an expression but found end of input at line 1, column 1/);
  assert.match(parseError("x IS INTERVAL DAY").message, /INTERVAL types are not supported/);
  // CAST(x AS INTERVAL …) parses (into call("cast_interval", …)).
  assert.match(parseError("CAST(x AS INTERVAL)").message, /YEAR, MONTH, DAY, HOUR, MINUTE or SECOND/);
});

test("deep nesting is LIMIT_EXCEEDED, fast, never a stack overflow", () => {
  const t0 = performance.now();
  for (const text of [
    "(".repeat(10_000) + "1" + ")".repeat(10_000),
    "[".repeat(100_000),
    "<<".repeat(100_000),
    "{'a':".repeat(100_000),
    "NOT ".repeat(100_000) + "x",
    "- ".repeat(100_000) + "1",
    "EXPLAIN ".repeat(100_000) + "1",
    "SELECT VALUE ".repeat(10_000) + "1",
    "CASE WHEN ".repeat(10_000),
    "f(".repeat(100_000),
    "a" + "[b".repeat(100_000),
    "TABLE ".repeat(100_000) + "t",
    // Flat chains build left-deep trees: each operator is a level for every later walk.
    Array.from({ length: 50_000 }, (_, i) => `a = ${i}`).join(" OR "),
    Array(50_000).fill("1").join(" + "),
    Array(50_000).fill("'a'").join(" || "),
    "x" + " IS NULL".repeat(50_000),
    // Chains inside parentheses inside chains: each is under the limit, their tree is not.
    Array.from({ length: 10 }).reduce<string>((e) => "(" + e + " OR a".repeat(450) + ")", "a"),
    Array.from({ length: 60 }).reduce<string>((e) => "(" + e + " + 1".repeat(400) + ")", "1"),
  ]) {
    const e = limitError(text);
    assert.equal(e.details.limit, "maxExpressionDepth");
  }
  assert.ok(performance.now() - t0 < 3000, "nesting checks should be fast");
  // Ion literals nest under the Ion limit instead.
  assert.equal(limitError("`" + "[".repeat(100_000) + "`").details.limit, "maxValueDepth");
});

test("nesting just under the limit parses", () => {
  const n = limits.maxExpressionDepth - 2;
  for (const text of [
    "(".repeat(n) + "1" + ")".repeat(n),
    "[".repeat(n) + "]".repeat(n),
    "f(".repeat(n) + "1" + ")".repeat(n),
    "{'a':".repeat(n) + "1" + "}".repeat(n),
    "SELECT VALUE ".repeat(n) + "1",
    Array.from({ length: n }, (_, i) => `a = ${i}`).join(" OR "),
    Array(n).fill("1").join(" + "),
  ]) {
    assert.equal(parse(text).kind, "query");
  }
});

test("statement length: a 1 MB statement parses; beyond the limit is LIMIT_EXCEEDED", () => {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < 1_000_000; i++) {
    const p = `{'id': ${i}, 'name': 'n${i}'}`;
    parts.push(p);
    len += p.length + 2;
  }
  const text = "INSERT INTO t << " + parts.join(", ") + " >>";
  assert.ok(text.length >= 1_000_000 && text.length <= limits.maxStatementLength);
  const t0 = performance.now();
  const s = parse(text);
  assert.ok(s.kind === "insert" && s.source?.kind === "bag" && s.source.items.length === parts.length);
  assert.ok(performance.now() - t0 < 3000);
  const e = limitError("x".repeat(limits.maxStatementLength + 1));
  assert.equal(e.details.limit, "maxStatementLength");
});

test("number literals beyond maxNumberDigits are LIMIT_EXCEEDED", () => {
  assert.equal(limitError("1".repeat(limits.maxNumberDigits + 1)).details.limit, "maxNumberDigits");
});

function onlyLedgerErrors(text: string): void {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof LedgerError) || (e.code !== "PARSE_ERROR" && e.code !== "LIMIT_EXCEEDED")) {
      throw new Error(`unexpected ${e instanceof LedgerError ? e.code : e} for ${JSON.stringify(text)}`);
    }
    if (e.code === "PARSE_ERROR") {
      const d = e.details as unknown as ErrorDetails;
      assert.ok(d.errors.length >= 1 && d.errors.length <= 10);
      assert.match(e.message, /line \d+, column \d+/);
    }
  }
}

test("fuzz: random text only ever gives PARSE_ERROR or LIMIT_EXCEEDED", () => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), onlyLedgerErrors), { numRuns: 1500 });
});

const TOKENS = [
  "SELECT", "VALUE", "FROM", "WHERE", "GROUP", "BY", "AS", "AT", "ORDER", "LIMIT", "OFFSET", "UNION", "OUTER", "ALL",
  "DISTINCT", "PIVOT", "UNPIVOT", "JOIN", "LEFT", "CROSS", "ON", "AND", "OR", "NOT", "IN", "IS", "NULL", "MISSING",
  "LIKE", "ESCAPE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "INT", "EXISTS", "TRIM", "BOTH",
  "EXTRACT", "YEAR", "SUBSTRING", "FOR", "POSITION", "OVERLAY", "PLACING", "DATE_ADD", "count", "INSERT", "INTO",
  "UPDATE", "SET", "REMOVE", "DELETE", "CREATE", "TABLE", "INDEX", "DROP", "EXPLAIN", "VALUES", "TIME", "INTERVAL",
  "(", ")", "[", "]", "{", "}", "<<", ">>", ",", ".", ":", ";", "*", "+", "-", "/", "%", "||", "=", "<>", "<", ">=",
  "?", "@x", "a", "b", '"Q"', "'s'", "1", "2.5", "1e3", "`{a:1}`", "`", "'", '"', "--c\n", "/*", "*/",
];

test("fuzz: token soup only ever gives an AST, PARSE_ERROR or LIMIT_EXCEEDED", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (toks) => onlyLedgerErrors(toks.join(" "))),
    { numRuns: 3000 },
  );
});

test("QLDB's WITH options take only the values QLDB allows", () => {
  assert.match(parseError("DROP INDEX \"x\" ON t WITH (purge = false)").message, /purge can only be true/);
  assert.match(parseError("DROP INDEX \"x\" ON t WITH (aws_tags = true)").message, /expected purge/);
  assert.match(parseError("CREATE TABLE t WITH (aws_tags = `{'a': 1}`)").message, /aws_tags must be an Ion struct of texts/);
  assert.match(parseError("CREATE TABLE t WITH (aws_tags = ?)").message, /aws_tags takes a literal value/);
  assert.match(parseError("CREATE TABLE t WITH (aws_tags = `{}`").message, /expected '\)'/);
});
