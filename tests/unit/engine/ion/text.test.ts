import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ionEquals, parseText, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { arbIonValue } from "./arbitrary.ts";

test("property: parseText(toText(v)) is v", () => {
  fc.assert(
    fc.property(arbIonValue, (v) => {
      const back = parseText(toText(v));
      assert.equal(back.length, 1);
      assert.ok(ionEquals(back[0], v), toText(v));
    }),
    { numRuns: 400 },
  );
});

test("toText is exact and canonical for each type", () => {
  const cases: [string, string][] = [
    ["1.0", "1.0"], ["-0.", "-0."], ["1d5", "1d5"], ["0.00", "0.00"], ["-0d-3", "-0.000"], ["1.5d-20", "15d-21"],
    ["1e0", "1e0"], ["-0e0", "-0e0"], ["nan", "nan"], ["+inf", "+inf"], ["-inf", "-inf"], ["1.5e-7", "1.5e-7"],
    ["2019T", "2019T"], ["2019-06T", "2019-06T"], ["2019-06-05T", "2019-06-05"],
    ["2019-06-05T20:53-00:00", "2019-06-05T20:53-00:00"], ["2019-06-05T20:53:35.2910+05:30", "2019-06-05T20:53:35.2910+05:30"],
    ["2019-06-05T20:53:35Z", "2019-06-05T20:53:35Z"], ["2019-06-05T20:53:35.000-08:00", "2019-06-05T20:53:35.000-08:00"],
    ["'a b'", "'a b'"], ["'null'", "'null'"], ["'$1'", "'$1'"], ["abc", "abc"], ["''", "''"],
    ['"a\\"b\\\\c\\n\\x00"', '"a\\"b\\\\c\\n\\x00"'], ["{{aGk=}}", "{{aGk=}}"], ['{{"a\\x00"}}', '{{"a\\x00"}}'],
    ["a::'b c'::1", "a::'b c'::1"], ["null.timestamp", "null.timestamp"], ["null", "null"],
    ["(a '+' 1)", "(a '+' 1)"], ["{a:1,a:2}", "{a: 1, a: 2}"], ["[1,[2]]", "[1, [2]]"],
  ];
  for (const [input, expected] of cases) assert.equal(toText(parseText(input)[0]), expected, input);
});

test("timestamps with sub-millisecond fractions read exactly, up to the last instant of year 9999", () => {
  // ion-js rounds the fraction to milliseconds when it checks the UTC year, which refused these.
  const exact: [string, bigint, number][] = [
    ["9999-12-31T23:59:59.9995Z", 9995n, -4],
    ["9999-12-31T22:59:59.9999999-01:00", 9999999n, -7],
    ["2007-02-23T12:14:33.0791234-08:00", 791234n, -7],
    ["2007-02-23T12:14:33.0000-00:00", 0n, -4],
  ];
  for (const [text, coefficient, exponent] of exact) {
    const [v] = parseText(text);
    assert.ok(v.kind === "timestamp", text);
    assert.deepEqual(v.fraction, { coefficient, exponent }, text);
    assert.equal(toText(v), text);
    assert.equal(v.year, Number(text.slice(0, 4)), text);
  }
  assert.equal(toText(parseText("[2007-02-23T12:14:33.00012Z, 1]")[0]), "[2007-02-23T12:14:33.00012Z, 1]");
  // Still refused: beyond 9999 or before 0001 in UTC, and fields out of range.
  for (const bad of ["9999-12-31T23:59:59.9995-00:01", "0001-01-01T00:00:00.00001+00:01", "2007-02-30T12:14:33.0001Z", "2007-02-23T12:14:60.0001Z"]) {
    assert.throws(() => parseText(bad), (e) => isLedgerError(e, "ION_PARSE_ERROR"), bad);
  }
});

test("parseText: multiple top-level values and errors", () => {
  assert.equal(parseText("1 2 3").length, 3);
  assert.throws(() => parseText("{a:"), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
  assert.throws(() => parseText("[1,,2]"), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
});

test("a decimal exponent beyond ±(2^53 - 1) is ION_PARSE_ERROR, never rounded to another number", () => {
  for (const ok of ["1d9007199254740991", "1d-9007199254740991", "-0d9007199254740991"]) {
    const [v] = parseText(ok);
    assert.equal(v.kind === "decimal" && String(v.exponent), ok.slice(ok.indexOf("d") + 1));
  }
  // Written beyond the range but brought back into it by the fraction's digits: ion-js rounded the
  // written exponent first, so 1.55d9007199254740993 read as 155d9007199254740990.
  const [near] = parseText("1.55d9007199254740992");
  assert.equal(near.kind === "decimal" && near.exponent, 9007199254740990);
  assert.equal(near.kind === "decimal" && near.coefficient, 155n);
  for (const bad of ["1d9007199254740992", "1d9007199254740993", "1d-9007199254740993", "1d100000000000000000001", "[1, {a: 2d99999999999999999}]", "1.0d9007199254740993", "-0.5d-9007199254740991"]) {
    assert.throws(() => parseText(bad), (e) => isLedgerError(e, "ION_PARSE_ERROR") && /exponent out of range/.test(e.message), bad);
  }
});

test("deep nesting in text is LIMIT_EXCEEDED, not RangeError", () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  assert.throws(() => parseText(deep), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
  const ok = "[".repeat(1000) + "]".repeat(1000);
  assert.equal(parseText(ok).length, 1);
  assert.throws(() => parseText("[".repeat(1001) + "]".repeat(1001)), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
  // brackets inside strings, symbols and comments do not count
  assert.equal(parseText('["' + "[".repeat(2000) + '"]').length, 1);
  let v: IonValue = { kind: "null", of: "null" };
  for (let i = 0; i < 5000; i++) v = { kind: "sexp", items: [v] };
  assert.throws(() => toText(v), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
});

test("lone surrogates: ION_PARSE_ERROR in text, TYPE_ERROR when writing a model value", () => {
  assert.throws(() => parseText('"\\ud800"'), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
  assert.throws(() => toText({ kind: "string", value: "\ud800" }), (e) => isLedgerError(e, "TYPE_ERROR"));
  assert.throws(() => toText({ kind: "symbol", text: "\udc00" }), (e) => isLedgerError(e, "TYPE_ERROR"));
  assert.equal(parseText('"\\U0001F600"')[0].kind, "string");
});

test("multi-MB string round-trips through text", () => {
  const v: IonValue = { kind: "string", value: "ab\"\\\n😀".repeat(400_000) };
  assert.ok(ionEquals(parseText(toText(v))[0], v));
});

test("parseText: a float no binary64 holds (it would read as infinite or zero) is ION_PARSE_ERROR; rounding is not", () => {
  // ion-js read 1e400 as +inf and 1e-400 as 0: {"b": 1e400} imported from JSON was stored as +inf.
  for (const t of ["1e400", "-1e400", "[1, 1e400]", "{a: 1e-400}", "-2e-324", "9.9e308"]) {
    assert.throws(() => parseText(t), (e) => isLedgerError(e, "ION_PARSE_ERROR") && /float/.test((e as Error).message), t);
  }
  const floats: [string, number][] = [["+inf", Infinity], ["-inf", -Infinity], ["0e0", 0], ["-0e0", -0], ["0.000e5", 0], ["5e-324", 5e-324], ["3e-324", 5e-324], ["1.7976931348623157e308", Number.MAX_VALUE], ["1.5e300", 1.5e300]];
  for (const [t, x] of floats) {
    const [v] = parseText(t);
    assert.ok(v.kind === "float" && Object.is(v.value, x), t);
  }
  assert.ok(Number.isNaN((parseText("nan")[0] as { value: number }).value));
  // A decimal holds what a float cannot.
  assert.deepEqual(parseText("1d400"), [{ kind: "decimal", coefficient: 1n, exponent: 400, negative: false }]);
});
