import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, ionEquals, ionHash, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { ion } from "../../../../engine/ion/value.ts";
import { arbIonValue, hex, oracleHash, oracleTrusts } from "./arbitrary.ts";

// The writer inserts container lengths when it copies the body out and keeps its symbol map
// across calls; these cover lengths of 2-3 VarUInt bytes, nesting of long containers, and
// values encoded after others with different symbols.

const arbBig: fc.Arbitrary<IonValue> = fc
  .array(fc.array(arbIonValue, { maxLength: 30 }).map((items) => ion.list(items)), { maxLength: 6 })
  .map((lists) => ({
    kind: "struct" as const,
    fields: lists.map((l, i) => [i % 2 ? `f${i}` : `\u00e9${i}`, l] as const),
    annotations: ["outer"],
  }));

test("property: long nested containers round trip through decodeBinary and ion-js", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(arbIonValue, arbBig), { minLength: 1, maxLength: 3 }), (vs) => {
      const bytes = encodeBinary(vs);
      const back = decodeBinary(bytes);
      assert.equal(back.length, vs.length);
      vs.forEach((v, i) => assert.ok(ionEquals(back[i], v), toText(v)));
      if (vs.length === 1 && oracleTrusts(vs[0])) assert.equal(oracleHash(bytes), hex(ionHash(vs[0])));
    }),
    { numRuns: 200 },
  );
});

test("a value encodes to the same bytes whatever was encoded before it", () => {
  fc.assert(
    fc.property(arbIonValue, arbBig, (a, b) => {
      const first = encodeBinary(a);
      encodeBinary(b);
      assert.deepEqual(encodeBinary(a), first);
    }),
    { numRuns: 200 },
  );
});

test("lengths needing two and three VarUInt bytes, and many symbols", () => {
  const struct = ion.struct(
    Array.from({ length: 5000 }, (_, i) => [`name${i}`, ion.string("x".repeat(i % 300))] as const),
  );
  const v = ion.list([struct, ion.string("y".repeat(20000)), { kind: "int", value: 7n, annotations: ["a", "b"] }]);
  const bytes = encodeBinary(v);
  assert.ok(ionEquals(decodeBinary(bytes)[0], v));
  const viaIonJs = ionjs.load(bytes);
  assert.ok(viaIonJs !== null);
  assert.equal(ionjs.dumpText(viaIonJs).length > 0, true);
  assert.equal(oracleHash(bytes), hex(ionHash(v)));
});
