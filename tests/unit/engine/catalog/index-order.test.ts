import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { indexKey } from "../../../../engine/catalog/index-key.ts";
import { compareKeys, inRange, keyClass, SortedKeys } from "../../../../engine/catalog/index-order.ts";
import { parseText } from "../../../../engine/ion/text.ts";
import { compareForLt } from "../../../../engine/partiql/eval/compare.ts";

const key = (t: string) => indexKey(parseText(t)[0]);
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

test("keys of numbers, text and timestamps order exactly as PartiQL's < orders the values", () => {
  const groups = [
    ["-1e3", "-2.5", "-1", "-0.001", "0", "1e-9", "0.1", "0.1e0", "1", "1.5", "2", "10", "1e2", "123456789012345678901234567890", "+inf", "-inf"],
    ['"a"', '"ab"', '"b"', '"B"', '""', '"\u00e9"', '"\ud83d\ude00"', '"\uffff"', "sym"],
    ["2019-06-05T20:53:35.291Z", "2019-06-05T20:53:35.3Z", "2019-06-05T20:53:35Z", "2019-06-05T22:53:35.291+02:00", "1969-12-31T23:59:59.999Z", "0001-01-01T", "2020T"],
  ];
  for (const g of groups) {
    for (const a of g) {
      for (const b of g) {
        const expected = sign(compareForLt(parseText(a)[0], parseText(b)[0]));
        assert.equal(sign(compareKeys(key(a), key(b))), expected, `${a} vs ${b}`);
      }
    }
  }
});

test("a sorted key set returns exactly the keys in a range, in order", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: -60, max: 60 }), fc.integer({ min: -60, max: 60 }), fc.boolean(), fc.boolean(), (ns, lo, hi, li, hiIn) => {
    const keys = new SortedKeys();
    for (const n of ns) keys.add(key(String(n)));
    keys.add(key('"text"'));
    const range = { cls: "n" as const, low: key(String(lo)), lowInclusive: li, high: key(String(hi)), highInclusive: hiIn };
    const got = keys.range(range);
    const want = [...new Set(ns)].sort((a, b) => a - b).filter((n) => (li ? n >= lo : n > lo) && (hiIn ? n <= hi : n < hi)).map((n) => key(String(n)));
    assert.deepEqual(got, want);
    for (const k of got) assert.ok(inRange(k, range));
  }));
  assert.equal(keyClass(key("null")), undefined);
  assert.equal(keyClass(key("nan")), undefined);
});
