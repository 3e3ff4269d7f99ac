// The composing functions build a hash from the hashes of parts (block building uses them so
// repeated parts are hashed once); each must equal what ionHash computes for the whole value.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ionFieldHash,
  ionFieldHashOfBlob,
  ionFieldHashOfSerialized,
  ionFieldHashOfString,
  ionFieldHashOfStruct,
  ionFieldHashOfStructList,
  ionHash,
  ionHashSerialization,
  ionStructHash,
} from "../../../../engine/ion/hash.ts";
import { ion, type IonField, type IonStruct } from "../../../../engine/ion/value.ts";
import { arbIonValue, arbText, hex } from "./arbitrary.ts";

const arbFields: fc.Arbitrary<IonField[]> = fc.array(fc.tuple(arbText, arbIonValue), { maxLength: 6 });
const fieldHashes = (fields: readonly IonField[]) => fields.map(([n, v]) => ionFieldHash(n, v));

test("property: each composing function equals ionHash of the value it stands for", () => {
  fc.assert(
    fc.property(arbText, arbText, fc.uint8Array({ maxLength: 80 }), arbFields, fc.array(arbFields, { maxLength: 4 }), (name, text, bytes, fields, list) => {
      const struct: IonStruct = ion.struct(fields);
      const wrap = (v: Parameters<typeof ionFieldHash>[1]) => hex(ionHash(ion.struct([[name, v]])));
      // A struct of one field hashes its field hash: the field hash is what each function returns.
      const one = (h: Uint8Array) => hex(ionStructHash([h]));
      assert.equal(one(ionFieldHashOfString(name, text)), wrap(ion.string(text)));
      assert.equal(one(ionFieldHashOfBlob(name, bytes)), wrap(ion.blob(bytes)));
      assert.equal(one(ionFieldHashOfStruct(name, fieldHashes(fields))), wrap(struct));
      assert.equal(one(ionFieldHashOfSerialized(name, ionHashSerialization(struct))), wrap(struct));
      assert.equal(one(ionFieldHashOfStructList(name, list.map(fieldHashes))), wrap(ion.list(list.map((f) => ion.struct(f)))));
      assert.equal(hex(ionStructHash(fieldHashes(fields))), hex(ionHash(struct)));
    }),
    { numRuns: 300 },
  );
});
