import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeBinary } from "../../../../engine/ion/binary.ts";
import { encodedSizeUpperBound } from "../../../../engine/ion/size.ts";
import { arbIonValue } from "./arbitrary.ts";

test("encodedSizeUpperBound is never below the real encoded size", () => {
  fc.assert(fc.property(arbIonValue, (v) => {
    assert.ok(encodedSizeUpperBound(v) >= encodeBinary(v).length - 4);
  }), { numRuns: 500 });
});
