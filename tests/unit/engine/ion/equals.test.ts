import { test } from "node:test";
import assert from "node:assert/strict";
import { ionEquals, parseText } from "../../../../engine/ion/index.ts";

const eq = (a: string, b: string) => ionEquals(parseText(a)[0], parseText(b)[0]);

test("ionEquals: exact data-model equivalence", () => {
  assert.ok(eq("{a:1,b:[x,2.0]}", "{b:[x,2.0],a:1}"));
  assert.ok(eq("{a:1,a:2}", "{a:2,a:1}"));
  assert.ok(!eq("{a:1,a:1}", "{a:1,a:2}"));
  assert.ok(!eq("{a:1}", "{a:1,a:1}"));
  assert.ok(!eq("1", "1.0") && !eq("1.0", "1.00") && !eq("1", "1e0"));
  assert.ok(eq("nan", "nan") && !eq("0e0", "-0e0") && !eq("0.", "-0."));
  assert.ok(!eq("a", '"a"') && !eq("[1]", "(1)") && !eq("{{}}", '{{""}}'));
  assert.ok(!eq("a::1", "1") && !eq("a::b::1", "b::a::1") && eq("a::1", "a::1"));
  assert.ok(!eq("null", "null.int") && eq("null.int", "null.int"));
  assert.ok(!eq("2019-06-05T20:53Z", "2019-06-05T21:53+01:00"));
  assert.ok(!eq("2019-06-05T20:53:35Z", "2019-06-05T20:53:35.0Z"));
  assert.ok(!eq("2019-06-05T20:53Z", "2019-06-05T20:53-00:00"));
  assert.ok(eq("2019-06-05T20:53:35.10Z", "2019-06-05T20:53:35.10+00:00"));
});
