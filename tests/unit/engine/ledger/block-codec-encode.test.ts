import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, ionEquals, ionHash, type IonStruct, type IonValue } from "../../../../engine/ion/index.ts";
import { ion } from "../../../../engine/ion/value.ts";
import {
  buildBlock,
  buildBlockWithSource,
  revisionHash,
  sealBlock,
  transactionInfoOf,
  type DocumentWrite,
  type StatementRecord,
} from "../../../../engine/ledger/block.ts";
import { blockFromIon, blockToIon, encodeBlock } from "../../../../engine/ledger/block-codec.ts";
import { timestampFromEpochMillis } from "../../../../engine/ledger/clock.ts";
import { arbIonValue, arbText } from "../ion/arbitrary.ts";

// encodeBlock must produce exactly the bytes of encodeBinary(blockToIon(b)): the journal's
// format and every hash a reader recomputes depend on it.

const arbData: fc.Arbitrary<IonStruct> = fc
  .array(fc.tuple(arbText, arbIonValue), { maxLength: 8 })
  .map((fields) => ion.struct(fields));

const arbWrite: fc.Arbitrary<DocumentWrite> = fc.record({
  tableId: fc.oneof(arbText, fc.constantFrom("t1", "t2")),
  tableName: fc.oneof(arbText, fc.constantFrom("cars", "people")),
  id: arbText,
  version: fc.oneof(fc.nat(300), fc.constant(255), fc.constant(256), fc.constant(2 ** 32 + 5), fc.constant(Number.MAX_SAFE_INTEGER)),
  data: fc.option(arbData, { nil: undefined }),
  statements: fc.array(fc.nat(3), { maxLength: 3 }),
});

const arbStatement: fc.Arbitrary<StatementRecord> = fc.record({
  statement: fc.oneof(arbText, fc.constantFrom("INSERT INTO cars ?", "DELETE FROM cars")),
  startMillis: fc.integer({ min: 0, max: 4102444800000 }),
  params: fc.array(arbIonValue, { maxLength: 3 }),
});

test("property: encodeBlock equals encodeBinary(blockToIon) byte for byte, and decodes back", () => {
  fc.assert(
    fc.property(
      arbText,
      fc.oneof(fc.nat(1000), fc.constant(2 ** 40)),
      fc.array(arbStatement, { maxLength: 3 }),
      fc.array(arbWrite, { maxLength: 4 }),
      fc.integer({ min: 0, max: 4102444800000 }),
      fc.boolean(),
      (txId, seq, statements, writes, ms, first) => {
        const { block: b, source } = buildBlockWithSource({
          address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: seq },
          previousBlockHash: first ? new Uint8Array(0) : ionHash(ion.string(txId)),
          transactionId: txId,
          txTime: timestampFromEpochMillis(ms),
          statements,
          writes,
        });
        // The commit path encodes from the source before anything reads the (lazy) struct.
        encodeBinary(ion.struct([["yy" + txId, ion.int(1)]]));
        const fromSource = encodeBlock(b, source);
        assert.ok(ionEquals(b.transactionInfo, transactionInfoOf(statements, writes)));
        assert.equal(b.transactionInfo, b.transactionInfo, "the struct is made once");
        // buildBlock hashes from field hashes and caches: it must agree with ionHash.
        assert.deepEqual(b.entriesHashList[1], ionHash(b.transactionInfo));
        assert.deepEqual(b, sealBlock(b));
        for (const r of b.revisions) assert.deepEqual(r.hash, revisionHash(r.metadata, r.data));
        // An unrelated encoding first, so the writer's remembered symbols differ between calls.
        encodeBinary(ion.struct([["zz" + txId, ion.int(1)]]));
        const expected = encodeBinary(blockToIon(b));
        const got = encodeBlock(b);
        assert.deepEqual(got, expected);
        assert.deepEqual(fromSource, expected);
        const back = decodeBinary(got);
        assert.equal(back.length, 1);
        assert.ok(ionEquals(back[0], blockToIon(b)));
        assert.deepEqual(blockFromIon(back[0] as IonValue).blockHash, b.blockHash);
        assert.equal(ionjs.load(got)?.get("transactionId")?.stringValue(), txId);
      },
    ),
    { numRuns: 300 },
  );
});

test("encodeBlock of a one-insert block", () => {
  const car = ion.struct([["VIN", ion.string("1N4AL11D75C109151")], ["Year", ion.int(2012)]]);
  const b = buildBlock({
    address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: 7 },
    previousBlockHash: ionHash(ion.string("x")),
    transactionId: "tx",
    txTime: timestampFromEpochMillis(1_700_000_000_123),
    statements: [{ statement: "INSERT INTO cars ?", startMillis: 1_700_000_000_100, params: [car] }],
    writes: [{ tableId: "t1", tableName: "cars", id: "d1", version: 0, data: car, statements: [0] }],
  });
  for (let i = 0; i < 3; i++) assert.deepEqual(encodeBlock(b), encodeBinary(blockToIon(b)));
});

test("encodeBlock stays byte-identical after the writer's symbol map is cleared", () => {
  const car = ion.struct([["VIN", ion.string("1N4AL11D75C109151")]]);
  const b = buildBlock({
    address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: 1 },
    previousBlockHash: new Uint8Array(0),
    transactionId: "tx",
    txTime: timestampFromEpochMillis(1_700_000_000_123),
    statements: [{ statement: "INSERT INTO cars ?", startMillis: 1_700_000_000_100, params: [car] }],
    writes: [{ tableId: "t1", tableName: "cars", id: "d1", version: 3, data: car, statements: [0] }],
  });
  const expected = encodeBinary(blockToIon(b));
  for (let round = 0; round < 3; round++) {
    // More distinct names than the writer remembers: its next call clears the map.
    encodeBinary(ion.struct(Array.from({ length: 5000 }, (_, i) => [`n${round}_${i}`, ion.int(i)] as const)));
    assert.deepEqual(encodeBlock(b), expected);
    assert.deepEqual(encodeBlock(b), expected);
    encodeBinary(ion.struct([["version", ion.int(1)], ["zz", ion.int(2)]]));
    assert.deepEqual(encodeBlock(b), expected);
  }
});
