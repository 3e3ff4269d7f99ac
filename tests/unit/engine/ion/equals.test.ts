import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ion, ionEquals, ionHash, type IonValue, parseText } from "../../../../engine/ion/index.ts";
import { arbIonValue } from "./arbitrary.ts";

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

test("property: a struct equals any reordering of its fields, and differs once one value changes (past the in-place and bucketed paths)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom("a", "b", "A", "é"), arbIonValue), { maxLength: 60 }),
      fc.integer(),
      (fields, seed) => {
        const struct = ion.struct(fields);
        // A seeded shuffle: structs inside lists inside structs are shuffled by the same rule.
        const shuffled = (v: IonValue, s: number): IonValue => {
          if (v.kind === "list") return { ...v, items: v.items.map((x, i) => shuffled(x, s + i)) };
          if (v.kind !== "struct") return v;
          const f = v.fields.map(([n, x], i): [string, IonValue] => [n, shuffled(x, s + i)]);
          for (let i = f.length - 1; i > 0; i--) {
            const j = Math.abs((s * 31 + i * 17) % (i + 1));
            [f[i], f[j]] = [f[j], f[i]];
          }
          return { ...v, fields: f };
        };
        const other = shuffled(struct, seed);
        assert.equal(ionEquals(struct, other), true);
        assert.equal(ionEquals(other, struct), true);
        // Oracle: equal Ion values hash equal; a changed one hashes differently.
        if (fields.length > 0) {
          const changed = ion.struct([...fields.slice(1), [fields[0][0], ion.list([fields[0][1]])]]);
          assert.equal(ionEquals(changed, other), false);
          assert.notEqual(Buffer.from(ionHash(changed)).toString("hex"), Buffer.from(ionHash(struct)).toString("hex"));
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("ionEquals: 4,200 fields of one name in reverse order are equal, at once (pairwise, that was 8.8 million comparisons)", () => {
  const fields: [string, IonValue][] = Array.from({ length: 4200 }, (_, i) => ["x", ion.int(i)]);
  const t0 = performance.now();
  assert.equal(ionEquals(ion.struct(fields), ion.struct([...fields].reverse())), true);
  assert.equal(ionEquals(ion.struct(fields), ion.struct([...fields.slice(1).reverse(), ["x", ion.int(-1)]])), false);
  // Identical values under one name: each claims the first unclaimed one.
  const same: [string, IonValue][] = Array.from({ length: 100_000 }, () => ["x", ion.string("v")]);
  assert.equal(ionEquals(ion.struct(same), ion.struct([...same.slice(1), ["y", ion.string("v")]])), false);
  assert.equal(ionEquals(ion.struct(same), ion.struct(same.slice())), true);
  assert.ok(performance.now() - t0 < 5_000);
});
