import { test } from "node:test";
import assert from "node:assert/strict";
import { indexKey, isIndexableKey } from "../../../../engine/catalog/index-key.ts";
import { parseText } from "../../../../engine/ion/text.ts";

const key = (text: string) => indexKey(parseText(text)[0]);

test("values PartiQL's = calls equal share a key", () => {
  const same: string[][] = [
    ["1", "1.0", "1.000", "1e0", "10e-1", "1d0"],
    ["0", "0.0", "-0.0", "0e0", "-0e0", "0d5"],
    ["-2.5", "-25e-1", "-2.50"],
    ["0.1e0", "0.1", "1e-1"],
    ["1e21", "1000000000000000000000", "1e21"],
    ["-2.5e-7", "-0.00000025"],
    ['"abc"', "abc", "'abc'"],
    ["2019-06-05T20:53:35.291Z", "2019-06-05T22:53:35.291+02:00", "2019-06-05T20:53:35.2910Z"],
    ["2019-06-05T00:00Z", "2019-06-05T00:00:00Z", "2019-06-05T00:00:00.000Z"],
    ["true"],
    ["{{aGk=}}", '{{"hi"}}'],
  ];
  for (const group of same) {
    for (const t of group) assert.equal(key(t), key(group[0]), `${t} ~ ${group[0]}`);
  }
});

test("values PartiQL's = calls different have different keys", () => {
  const distinct = ["1", "2", "1.1", "0.1", "-1", '"1"', "true", "false", "null", "2019-06-05T20:53:35.291Z", "2019-06-05T20:53:35.292Z", "0001-01-01T", "nan", "+inf", "-inf", "[1]", "{a:1}"];
  assert.equal(new Set(distinct.map(key)).size, distinct.length);
  assert.equal(indexKey(undefined), indexKey(undefined));
  assert.notEqual(indexKey(undefined), key("null"));
});

test("only scalars are indexable lookup keys", () => {
  assert.equal(isIndexableKey(parseText("1")[0]), true);
  assert.equal(isIndexableKey(parseText("[1]")[0]), false);
  assert.equal(isIndexableKey(parseText("null")[0]), false);
});

test("property: two scalars share a key exactly when the evaluator's = says they are equal", async () => {
  const { eqValues } = await import("../../../../engine/partiql/eval/compare.ts");
  const fc = (await import("fast-check")).default;
  const scalar = fc.oneof(
    fc.integer({ min: -3, max: 3 }).map((n) => String(n)),
    fc.tuple(fc.integer({ min: -30, max: 30 }), fc.integer({ min: 0, max: 3 })).map(([c, e]) => (e === 0 ? `${c}.` : `${c}d-${e}`)),
    fc.double({ noNaN: true, min: -4, max: 4 }).map((x) => x.toExponential()),
    fc.constantFrom("0.5e0", "0.1e0", "0.1", "1e0", "-0e0", "nan", "+inf", '"a"', "a", '"b"', "true", "false",
      "2019-06-05T20:53:35.291Z", "2019-06-05T22:53:35.291+02:00", "2019-06-05T20:53:35.29100Z", "2019-06-05T20:53:36Z"),
  );
  fc.assert(fc.property(scalar, scalar, (a, b) => {
    const x = parseText(a)[0], y = parseText(b)[0];
    assert.equal(indexKey(x) === indexKey(y), eqValues(x, y), `${a} vs ${b}`);
  }), { numRuns: 2000 });
});
