/**
 * fast-check generators of the inputs a block is built from: documents, writes (inserts,
 * updates, deletes, documents touched by several statements) and statements with parameters.
 * Shared by the block tests (not a test itself).
 */
import fc from "fast-check";
import type { IonStruct } from "../../../../engine/ion/value.ts";
import { ion } from "../../../../engine/ion/value.ts";
import type { DocumentWrite, StatementRecord } from "../../../../engine/ledger/block.ts";
import { arbIonValue, arbText } from "../ion/arbitrary.ts";

export const arbData: fc.Arbitrary<IonStruct> = fc
  .array(fc.tuple(arbText, arbIonValue), { maxLength: 8 })
  .map((fields) => ion.struct(fields));

export const arbWrite: fc.Arbitrary<DocumentWrite> = fc.record({
  tableId: fc.oneof(arbText, fc.constantFrom("t1", "t2")),
  tableName: fc.oneof(arbText, fc.constantFrom("cars", "people")),
  id: arbText,
  version: fc.oneof(fc.nat(300), fc.constant(255), fc.constant(256), fc.constant(2 ** 32 + 5), fc.constant(Number.MAX_SAFE_INTEGER)),
  data: fc.option(arbData, { nil: undefined }),
  statements: fc.array(fc.nat(3), { maxLength: 3 }),
});

export const arbStatement: fc.Arbitrary<StatementRecord> = fc.record({
  statement: fc.oneof(arbText, fc.constantFrom("INSERT INTO cars ?", "DELETE FROM cars")),
  startMillis: fc.integer({ min: 0, max: 4102444800000 }),
  params: fc.array(arbIonValue, { maxLength: 3 }),
});
