import { test } from "node:test";
import assert from "node:assert/strict";
import { resultEquals, show } from "./compare.ts";
import { toPValue } from "./suite.ts";
import { parseText } from "../../engine/ion/text.ts";
import type { PValue } from "../../engine/partiql/value.ts";

/** A PValue from suite-style Ion text ($bag / $missing / $ion markers). */
const v = (text: string): PValue => toPValue(parseText(text)[0]);
const strict = (a: string, b: string) => resultEquals(v(a), v(b), "strict");
const lenient = (a: string, b: string) => resultEquals(v(a), v(b), "lenient");

test("bags are multisets, lists are ordered, a bag is not a list", () => {
  assert.ok(strict("$bag::[1, 2, 2]", "$bag::[2, 1, 2]"));
  assert.ok(!strict("$bag::[1, 2, 2]", "$bag::[1, 1, 2]"));
  assert.ok(!strict("$bag::[1, 2]", "$bag::[1, 2, 2]"));
  assert.ok(strict("[1, 2]", "[1, 2]"));
  assert.ok(!strict("[1, 2]", "[2, 1]"));
  assert.ok(!strict("$bag::[1, 2]", "[1, 2]"));
  assert.ok(!strict("[1]", "(1)"));
  assert.ok(strict("$bag::[{a: $bag::[1, 2]}, {b: 1}]", "$bag::[{b: 1}, {a: $bag::[2, 1]}]"));
});

test("structs are unordered multisets of fields; duplicates count", () => {
  assert.ok(strict("{a: 1, b: 2}", "{b: 2, a: 1}"));
  assert.ok(strict("{a: 1, a: 2}", "{a: 2, a: 1}"));
  assert.ok(!strict("{a: 1, a: 2}", "{a: 1}"));
  assert.ok(!strict("{a: 1, a: 1}", "{a: 1, a: 2}"));
  assert.ok(!strict("{a: 1}", "{'A': 1}"));
});

test("MISSING differs from NULL, in both equalities", () => {
  assert.ok(strict("$missing::null", "$missing::null"));
  assert.ok(!strict("$missing::null", "null"));
  assert.ok(!lenient("$missing::null", "null"));
  assert.ok(!lenient("{a: null}", "{a: $missing::null}"));
  assert.ok(!strict("{}", "{a: $missing::null}"));
});

test("strict: Ion types, decimal and timestamp precision, typed nulls and annotations are significant", () => {
  assert.ok(!strict("1", "1.0"));
  assert.ok(!strict("1.0", "1.00"));
  assert.ok(!strict("1", "1e0"));
  assert.ok(strict("1.00", "1.00"));
  assert.ok(!strict("-0.", "0."));
  assert.ok(!strict('"a"', "a"));
  assert.ok(!strict("null", "null.int"));
  assert.ok(strict("null.int", "$ion::null.int"));
  assert.ok(!strict("2000T", "2000-01-01T"));
  assert.ok(!strict("2000-01-01T00:00Z", "2000-01-01T01:00+01:00"));
  assert.ok(!strict("2000-01-01T00:00:00Z", "2000-01-01T00:00:00.0Z"));
  assert.ok(!strict("a::1", "1"));
  assert.ok(!strict("{{\"a\"}}", "{{YQ==}}"));
  assert.ok(strict("9223372036854775808", "9223372036854775808"));
});

test("floats: nan equals nan, infinities by sign, +0 and -0 differ strictly", () => {
  assert.ok(strict("nan", "nan"));
  assert.ok(strict("+inf", "+inf"));
  assert.ok(!strict("+inf", "-inf"));
  assert.ok(!strict("0e0", "-0e0"));
  assert.ok(lenient("0e0", "-0e0"));
});

test("lenient (partiql-lang-kotlin runner): numbers by value, text across string/symbol, nulls of any type, instants", () => {
  assert.ok(lenient("1", "1.0"));
  assert.ok(lenient("1.0", "1.00"));
  assert.ok(lenient("1", "1e0"));
  assert.ok(lenient("0.5", "5e-1"));
  assert.ok(!lenient("0.1", "1e-1")); // 0.1 has no exact binary64 value
  assert.ok(!lenient("1", "2"));
  assert.ok(!lenient("nan", "1"));
  assert.ok(lenient('"a"', "a"));
  assert.ok(lenient("null", "null.int"));
  assert.ok(lenient("2000T", "2000-01-01T00:00Z"));
  assert.ok(lenient("2000-01-01T00:00Z", "2000-01-01T01:00+01:00"));
  assert.ok(lenient("2000-01-01T00:00:00.5Z", "2000-01-01T00:00:00.500Z"));
  assert.ok(!lenient("2000-01-01T00:00:00.5Z", "2000-01-01T00:00:00.501Z"));
  assert.ok(lenient("0001-01-01", "0001-01-01T00:00Z"));
  assert.ok(lenient("{{\"a\"}}", "{{YQ==}}"));
  assert.ok(lenient("$bag::[{a: 1.0}, 2]", "$bag::[2e0, {a: 1}]"));
  assert.ok(!lenient("a::1", "1"));
  assert.ok(!lenient("$bag::[1]", "[1]"));
  assert.ok(!lenient("true", "1"));
});

test("show renders bags, MISSING and Ion scalars", () => {
  assert.equal(show(v("$bag::[1, $missing::null, {a: 1.0, b: 2000T}]")), '<<1, MISSING, {"a": 1.0, "b": 2000T}>>');
  assert.equal(show(v("x::[a]")), "x::[a]");
});
