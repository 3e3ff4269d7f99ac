// Commit timestamps: exact UTC fields at millisecond precision, and shared (frozen) objects for
// the two most recent milliseconds, which block building recognises by identity.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { epochMillisOf, timestampFromEpochMillis } from "../../../../engine/ledger/clock.ts";
import { toText } from "../../../../engine/ion/index.ts";

test("property: a timestamp made from epoch milliseconds reads back as the same instant and text", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253402300799999 }), (ms) => {
      const t = timestampFromEpochMillis(ms);
      assert.equal(epochMillisOf(t), ms);
      assert.equal(toText(t), new Date(ms).toISOString());
      assert.ok(Object.isFrozen(t) && Object.isFrozen(t.fraction));
    }),
  );
});

test("the last two milliseconds asked for get their objects again, alternating or not", () => {
  const a = timestampFromEpochMillis(1_700_000_000_001);
  const b = timestampFromEpochMillis(1_700_000_000_002);
  for (let i = 0; i < 3; i++) {
    assert.equal(timestampFromEpochMillis(1_700_000_000_001), a);
    assert.equal(timestampFromEpochMillis(1_700_000_000_002), b);
  }
  timestampFromEpochMillis(1_700_000_000_003);
  timestampFromEpochMillis(1_700_000_000_004);
  const again = timestampFromEpochMillis(1_700_000_000_001);
  assert.notEqual(again, a, "an older one is made afresh");
  assert.equal(toText(again), toText(a));
});

test("clock timestamps share one frozen fraction per millisecond of the second (no object or bigint of their own)", () => {
  const a = timestampFromEpochMillis(Date.UTC(2025, 0, 15, 10, 30, 45, 291));
  const b = timestampFromEpochMillis(Date.UTC(2031, 6, 2, 1, 2, 3, 291));
  const c = timestampFromEpochMillis(Date.UTC(2031, 6, 2, 1, 2, 3, 0));
  assert.equal(a.fraction, b.fraction);
  assert.deepEqual(a.fraction, { coefficient: 291n, exponent: -3 });
  assert.deepEqual(c.fraction, { coefficient: 0n, exponent: -3 });
  assert.ok(Object.isFrozen(a.fraction));
});
