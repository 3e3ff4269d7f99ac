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
    ["0.1e0", "0.1000000000000000055511151231257827021181583404541015625"],
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
