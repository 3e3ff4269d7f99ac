import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, getField, ionEquals, ionHash, type IonList, type IonStruct, type IonValue, parseText } from "../../../../engine/ion/index.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { ion } from "../../../../engine/ion/value.ts";
import {
  buildBlock,
  buildBlockWithSource,
  revisionHash,
  sealBlock,
  transactionInfoFromSource,
  transactionInfoOf,
  transactionInfoSourceOf,
  transactionInfoSourceOfBlock,
} from "../../../../engine/ledger/block.ts";
import { BLOCK_SYMBOL_CATALOG, BLOCK_SYMBOLS, blockFromIon, blockToIon, documentTables, encodeBlock } from "../../../../engine/ledger/block-codec.ts";
import { timestampFromEpochMillis } from "../../../../engine/ledger/clock.ts";
import { arbText } from "../ion/arbitrary.ts";
import { arbStatement, arbWrite } from "./arbitrary.ts";

// encodeBlock must produce exactly the bytes of encodeBinary(blockToIon(b), BLOCK_SYMBOLS): the journal's
// format and every hash a reader recomputes depend on it.

/** What encodeBlock must equal: the generic writer on the block's struct, importing the block symbols. */
const generic = (b: Parameters<typeof blockToIon>[0]) => encodeBinary(blockToIon(b), BLOCK_SYMBOLS);

/** ion-js, reading with the journal's shared table in its catalog. */
function ionjsCatalog(): ionjs.Catalog {
  const catalog = new ionjs.Catalog();
  catalog.add(new ionjs.SharedSymbolTable(BLOCK_SYMBOLS.name, BLOCK_SYMBOLS.version, [...BLOCK_SYMBOLS.symbols]));
  return catalog;
}

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
        // sealBlock returns a plain object; the built block is a class with a lazy transactionInfo.
        assert.deepEqual({ ...b, transactionInfo: b.transactionInfo }, sealBlock(b));
        for (const r of b.revisions) assert.deepEqual(r.hash, revisionHash(r.metadata, r.data));
        // An unrelated encoding first, so the writer's remembered symbols differ between calls.
        encodeBinary(ion.struct([["zz" + txId, ion.int(1)]]));
        const expected = generic(b);
        const got = encodeBlock(b);
        assert.deepEqual(got, expected);
        assert.deepEqual(fromSource, expected);
        const back = decodeBinary(got, BLOCK_SYMBOL_CATALOG);
        assert.equal(back.length, 1);
        assert.ok(ionEquals(back[0], blockToIon(b)));
        assert.deepEqual(blockFromIon(back[0] as IonValue).blockHash, b.blockHash);
        const viaIonJs = ionjs.load(ionjs.makeReader(got, ionjsCatalog()));
        assert.equal(viaIonJs?.get("transactionId")?.stringValue(), txId);
        // (Not the whole value: ion-js's DOM is not exact for every value arbIonValue makes.)
        assert.deepEqual(new Uint8Array(viaIonJs!.get("blockHash")!.uInt8ArrayValue()!), b.blockHash);
        assert.equal(viaIonJs?.get("revisions")?.elements().length, b.revisions.length);
        b.revisions.forEach((r, i) => assert.equal(viaIonJs?.get("revisions", i, "metadata", "id")?.stringValue(), r.metadata.id));
      },
    ),
    { numRuns: 300 },
  );
});

/** A block of one `INSERT INTO cars ?` of `car` as document d1. */
function oneInsertBlock(car: IonStruct, at: { sequenceNo: number; previousBlockHash: Uint8Array; version: number }) {
  return buildBlock({
    address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: at.sequenceNo },
    previousBlockHash: at.previousBlockHash,
    transactionId: "tx",
    txTime: timestampFromEpochMillis(1_700_000_000_123),
    statements: [{ statement: "INSERT INTO cars ?", startMillis: 1_700_000_000_100, params: [car] }],
    writes: [{ tableId: "t1", tableName: "cars", id: "d1", version: at.version, data: car, statements: [0] }],
  });
}

test("encodeBlock of a one-insert block", () => {
  const car = ion.struct([["VIN", ion.string("1N4AL11D75C109151")], ["Year", ion.int(2012)]]);
  const b = oneInsertBlock(car, { sequenceNo: 7, previousBlockHash: ionHash(ion.string("x")), version: 0 });
  for (let i = 0; i < 3; i++) assert.deepEqual(encodeBlock(b), generic(b));
});

test("encodeBlock stays byte-identical after the writer's symbol map is cleared", () => {
  const car = ion.struct([["VIN", ion.string("1N4AL11D75C109151")]]);
  const b = oneInsertBlock(car, { sequenceNo: 1, previousBlockHash: new Uint8Array(0), version: 3 });
  const expected = generic(b);
  for (let round = 0; round < 3; round++) {
    // More distinct names than the writer remembers: its next call clears the map.
    encodeBinary(ion.struct(Array.from({ length: 5000 }, (_, i) => [`n${round}_${i}`, ion.int(i)] as const)));
    assert.deepEqual(encodeBlock(b), expected);
    assert.deepEqual(encodeBlock(b), expected);
    encodeBinary(ion.struct([["version", ion.int(1)], ["zz", ion.int(2)]]));
    assert.deepEqual(encodeBlock(b), expected);
  }
});

test("a journal record imports the block symbols: its local table holds only what varies", () => {
  const car = ion.struct([["VIN", ion.string("1N4AL11D75C109151")], ["id", ion.int(1)], ["Year", ion.int(2012)]]);
  const b = oneInsertBlock(car, { sequenceNo: 7, previousBlockHash: ionHash(ion.string("x")), version: 0 });
  const bytes = encodeBlock(b);
  const text = ionjs.dumpText(ionjs.load(ionjs.makeReader(bytes, ionjsCatalog())));
  assert.ok(text.includes("VIN"));
  // Without the catalog, the imported names cannot be read.
  assert.throws(() => decodeBinary(bytes), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
  // The local symbols: VIN, Year, and the document id; `id` is the shared table's.
  const locals = localSymbols(bytes);
  assert.deepEqual(locals, ["d1", "VIN", "Year"]);
});

/** End offset of the symbol-table value that follows the version marker. */
function symbolTableEnd(bytes: Uint8Array): number {
  let p = 4;
  let len = bytes[p] & 0x0f;
  p++;
  if (len === 14) {
    len = 0;
    for (;;) {
      const x = bytes[p++];
      len = len * 128 + (x & 0x7f);
      if (x & 0x80) break;
    }
  }
  return p + len;
}

/** The `symbols` list of a stream's local symbol table (the struct under its annotation). */
function localSymbols(bytes: Uint8Array): string[] {
  const wrapper = bytes.subarray(4, symbolTableEnd(bytes));
  // Annotation wrapper: type byte (and VarUInt length), annot_length 0x81, the SID, then the struct.
  let p = 1;
  if ((wrapper[0] & 0x0f) === 14) while (!(wrapper[p++] & 0x80));
  p += 2;
  const struct = new Uint8Array([0xe0, 1, 0, 0xea, ...wrapper.subarray(p)]);
  const v = ionjs.load(struct);
  return v!.get("symbols")!.elements().map((e) => e.stringValue()!);
}

// ---- a decoded block keeps its transactionInfo as a source -------------------------------------

test("property: a decoded block's transactionInfo, rebuilt from its source, is exactly the decoded struct", () => {
  fc.assert(
    fc.property(
      arbText,
      fc.array(arbStatement, { maxLength: 3 }),
      fc.array(arbWrite, { maxLength: 4 }),
      fc.integer({ min: 0, max: 4102444800000 }),
      (txId, statements, writes, ms) => {
        const b = buildBlock({
          address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: 3 },
          previousBlockHash: ionHash(ion.string(txId)),
          transactionId: txId,
          txTime: timestampFromEpochMillis(ms),
          statements,
          writes,
        });
        const decoded = decodeBinary(encodeBlock(b), BLOCK_SYMBOL_CATALOG)[0] as IonStruct;
        const info = getField(decoded, "transactionInfo") as IonStruct;
        const source = transactionInfoSourceOf(info);
        assert.ok(source !== undefined, "every block Quire writes has one");
        assert.ok(ionEquals(transactionInfoFromSource(source), info));
        const compact = blockFromIon(decoded);
        const exact = blockFromIon(decoded, undefined, true);
        assert.notEqual(transactionInfoSourceOfBlock(compact), undefined);
        assert.equal(transactionInfoSourceOfBlock(exact), undefined);
        assert.ok(ionEquals(compact.transactionInfo, exact.transactionInfo));
        assert.deepEqual(ionHash(compact.transactionInfo), b.entriesHashList[1]);
        assert.deepEqual(documentTables(compact), documentTables(exact));
        assert.ok(ionEquals(blockToIon(compact), blockToIon(exact)));
      },
    ),
    { numRuns: 200 },
  );
});

test("a transactionInfo that its source would not rebuild exactly keeps its struct", () => {
  const b = oneInsertBlock(ion.struct([["VIN", ion.string("1")]]), { sequenceNo: 1, previousBlockHash: new Uint8Array(0), version: 0 });
  const info = b.transactionInfo;
  assert.notEqual(transactionInfoSourceOf(info), undefined);
  const [statements, documents] = info.fields;
  const stmt = (statements[1] as IonList).items[0] as IonStruct;
  const doc = (documents[1] as IonStruct).fields[0];
  const entry = doc[1] as IonStruct;
  const variants: [string, IonStruct][] = [
    ["fields in another order", ion.struct([documents, statements])],
    ["an extra field", ion.struct([statements, documents, ["x", ion.int(1)]])],
    ["an annotation", { ...info, annotations: ["a"] }],
    ["an annotated statements list", ion.struct([[statements[0], { ...statements[1], annotations: ["a"] }], documents])],
    ["startTime at second precision", ion.struct([[statements[0], ion.list([ion.struct([stmt.fields[0], ["startTime", parseText("2023-11-14T22:13:20Z")[0]], stmt.fields[2]])])], documents])],
    ["startTime with an unknown offset", ion.struct([[statements[0], ion.list([ion.struct([stmt.fields[0], ["startTime", parseText("2023-11-14T22:13:20.100-00:00")[0]], stmt.fields[2]])])], documents])],
    ["a symbol for a string", ion.struct([[statements[0], ion.list([ion.struct([["statement", ion.symbol("INSERT INTO cars ?")], stmt.fields[1], stmt.fields[2]])])], documents])],
    ["a negative statement index", ion.struct([statements, ["documents", ion.struct([[doc[0], ion.struct([entry.fields[0], entry.fields[1], ["statements", ion.list([ion.int(-1)])]])]])]])],
    ["a float statement index", ion.struct([statements, ["documents", ion.struct([[doc[0], ion.struct([entry.fields[0], entry.fields[1], ["statements", ion.list([ion.float(0)])]])]])]])],
  ];
  for (const [what, v] of variants) assert.equal(transactionInfoSourceOf(v), undefined, what);
});

test("a reopened ledger's blocks read the same as before the reopen", async () => {
  const { withTempDir } = await import("../../../helpers/tmp.ts");
  const { Ledger } = await import("../../../../engine/index.ts");
  await withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE cars");
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await ledger.transaction((tx) => tx.insert("cars", { VIN: `V${i}`, n: i })));
    await ledger.transaction(async (tx) => {
      await tx.update("cars", ids[0], { VIN: "V0", n: 10 });
      await tx.delete("cars", ids[1]);
    });
    await ledger.execute("UPDATE cars SET n = 5 WHERE VIN = 'V2'");
    const digest = await ledger.getDigest();
    const before = [];
    for (let s = 0; s <= digest.digestTipAddress.sequenceNo; s++) before.push(await ledger.getBlock({ blockAddress: { strandId: digest.digestTipAddress.strandId, sequenceNo: s }, digestTipAddress: digest.digestTipAddress }));
    await ledger.close();
    const again = await Ledger.open(dir);
    try {
      for (const [s, { block, proof }] of before.entries()) {
        const now = await again.getBlock({ blockAddress: block.blockAddress, digestTipAddress: digest.digestTipAddress });
        assert.ok(ionEquals(blockToIon(now.block), blockToIon(block)), `block ${s}`);
        assert.deepEqual(now.proof, proof);
      }
      assert.equal((await again.verify()).ok, true);
    } finally {
      await again.close();
    }
  });
});
