import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBinary, encodeBinary, ionHash, type IonValue } from "../../../../engine/ion/index.ts";
import { ion } from "../../../../engine/ion/value.ts";
import { buildBlockWithSource, transactionInfoSourceOfBlock } from "../../../../engine/ledger/block.ts";
import { BLOCK_SYMBOL_CATALOG, BLOCK_SYMBOLS, blockFromIon, blockToIon, encodeBlock } from "../../../../engine/ledger/block-codec.ts";
import { decodeBlockRecord } from "../../../../engine/ledger/block-decode.ts";
import { timestampFromEpochMillis } from "../../../../engine/ledger/clock.ts";
import type { Block } from "../../../../engine/ledger/types.ts";
import { arbText } from "../ion/arbitrary.ts";
import { arbStatement, arbWrite } from "./arbitrary.ts";

// decodeBlockRecord reads the journal's own layout in place; decodeBinary + blockFromIon is the
// reference it must agree with, and the path for everything it declines.

/** The reference decode, or undefined where it rejects the record. */
function reference(bytes: Uint8Array, previous?: Block): Block | undefined {
  try {
    const values = decodeBinary(bytes, BLOCK_SYMBOL_CATALOG);
    return values.length === 1 ? blockFromIon(values[0], previous) : undefined;
  } catch {
    return undefined;
  }
}

/** Same fields, same transactionInfo source, and the same objects shared as the reference shares them. */
function assertSameBlock(got: Block, want: Block, previous?: Block): void {
  assert.deepEqual({ ...got, transactionInfo: got.transactionInfo }, { ...want, transactionInfo: want.transactionInfo });
  assert.deepEqual(transactionInfoSourceOfBlock(got), transactionInfoSourceOfBlock(want));
  assert.ok(transactionInfoSourceOfBlock(got) !== undefined, "kept as its source");
  assert.equal(got.previousBlockHash === previous?.blockHash, want.previousBlockHash === previous?.blockHash);
  assert.equal(got.entriesHashList[0] === got.revisions[0]?.hash, want.entriesHashList[0] === want.revisions[0]?.hash);
  got.revisions.forEach((r, i) => {
    assert.equal(r.metadata.txTime === got.blockTimestamp, want.revisions[i].metadata.txTime === want.blockTimestamp);
  });
}

const arbBlockInput = fc.record({
  txId: arbText,
  sequenceNo: fc.oneof(fc.nat(1000), fc.constant(2 ** 40)),
  statements: fc.array(arbStatement, { maxLength: 3 }),
  writes: fc.array(arbWrite, { maxLength: 4 }),
  ms: fc.integer({ min: 0, max: 4102444800000 }),
  chained: fc.boolean(),
});

type BlockInputCase = typeof arbBlockInput extends fc.Arbitrary<infer T> ? T : never;

/** A block the committer would build and the bytes it would journal, and the block before it. */
function record(input: BlockInputCase) {
  const previous = buildWith({ ...input, sequenceNo: input.sequenceNo + 1, chained: false }).block;
  const { block, source } = buildWith(input, input.chained ? previous.blockHash : undefined);
  return { previous, block, bytes: encodeBlock(block, source) };
}

function buildWith(input: BlockInputCase, previousBlockHash?: Uint8Array) {
  return buildBlockWithSource({
    address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: input.sequenceNo },
    previousBlockHash: previousBlockHash ?? (input.sequenceNo === 0 ? new Uint8Array(0) : ionHash(ion.string(input.txId))),
    transactionId: input.txId,
    txTime: timestampFromEpochMillis(input.ms),
    statements: input.statements,
    writes: input.writes,
  });
}

test("property: every record the committer writes is read in place, as the reference reads it", () => {
  fc.assert(
    fc.property(arbBlockInput, (input) => {
      const { previous, block, bytes } = record(input);
      const prev = input.chained ? previous : undefined;
      const got = decodeBlockRecord(bytes, prev);
      assert.ok(got !== undefined, "the committer's layout is never declined");
      assertSameBlock(got, reference(bytes, prev)!, prev);
      assert.deepEqual(got.blockHash, block.blockHash);
    }),
    { numRuns: 300 },
  );
});

test("property: a damaged record is never read in place where the reference rejects it, nor read differently", () => {
  const arbDamage = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.nat(255) }),
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), byte: fc.constant(0) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.nat(255) }),
  );
  fc.assert(
    fc.property(arbBlockInput, arbDamage, (input, damage) => {
      const { bytes } = record(input);
      const at = damage.at % bytes.length;
      let damaged: Uint8Array;
      if (damage.kind === "cut") damaged = bytes.slice(0, at);
      else if (damage.kind === "insert") damaged = new Uint8Array([...bytes.subarray(0, at), damage.byte, ...bytes.subarray(at)]);
      else {
        damaged = bytes.slice();
        damaged[at] = damage.kind === "set" ? damage.byte : damaged[at] ^ (1 << damage.byte);
      }
      const got = decodeBlockRecord(damaged);
      if (got === undefined) return;
      const want = reference(damaged);
      assert.ok(want !== undefined, "read in place, yet the reference rejects it");
      assertSameBlock(got, want);
    }),
    { numRuns: 2000 },
  );
});

test("records in other layouts are declined and left to the reference", () => {
  const { block, source } = buildWith({
    txId: "tx", sequenceNo: 3, statements: [{ statement: "INSERT INTO cars ?", startMillis: 1_700_000_000_100, params: [] }],
    writes: [{ tableId: "t1", tableName: "cars", id: "d1", version: 0, data: ion.struct([["VIN", ion.string("1")]]), statements: [0] }],
    ms: 1_700_000_000_123, chained: false,
  });
  const canonical = encodeBlock(block, source);
  assert.ok(decodeBlockRecord(canonical) !== undefined);
  const asIon = blockToIon(block) as { fields: [string, IonValue][] } & IonValue;
  const cases: [string, Uint8Array][] = [
    // Records from before the block symbols were imported list every name locally.
    ["no import", encodeBinary(asIon)],
    ["fields in another order", encodeBinary(ion.struct([...asIon.fields].reverse()), BLOCK_SYMBOLS)],
    ["an annotated block", encodeBinary({ ...asIon, annotations: ["x"] }, BLOCK_SYMBOLS)],
    ["a second value", encodeBinary([asIon, ion.int(1)], BLOCK_SYMBOLS)],
  ];
  // A startTime the commit clock would not write (whole seconds): kept as a struct, not a source.
  const seconds = ion.struct(asIon.fields.map(([n, v]) => [n, n === "transactionInfo" ? withSecondStartTimes(v) : v]));
  cases.push(["a startTime in whole seconds", encodeBinary(seconds, BLOCK_SYMBOLS)]);
  for (const [what, bytes] of cases) {
    assert.equal(decodeBlockRecord(bytes), undefined, what);
  }
  // The reference still reads the ones that are blocks.
  assert.deepEqual(reference(cases[0][1])!.blockHash, block.blockHash);
  assert.deepEqual(reference(cases[4][1])!.blockHash, block.blockHash);
});

/** transactionInfo with every statement's startTime cut to whole seconds. */
function withSecondStartTimes(info: IonValue): IonValue {
  if (info.kind !== "struct") return info;
  return ion.struct(info.fields.map(([n, v]) => {
    if (n !== "statements" || v.kind !== "list") return [n, v];
    return [n, ion.list(v.items.map((s) => s.kind !== "struct" ? s : ion.struct(s.fields.map(([f, t]) => [f, f === "startTime" && t.kind === "timestamp" ? { ...t, fraction: null } : t]))))];
  }));
}

test("property: a journal's records in order, repeating strand, tables, statements and milliseconds, read as the reference reads them", () => {
  const arbJournal = fc.array(
    fc.record({
      ms: fc.constantFrom(1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002, 1_700_000_000_999),
      startMs: fc.constantFrom(1_700_000_000_000, 1_700_000_000_001),
      table: fc.constantFrom(["t1", "cars"], ["t2", "people"], ["t3", "caf\u00e9"]),
      statement: fc.constantFrom("INSERT INTO cars ?", "UPDATE cars SET x = 1", "DELETE FROM people"),
      fields: fc.constantFrom(["VIN", "Make"], ["VIN", "Owner"], ["n\u00e4me"]),
      docs: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 12 },
  );
  fc.assert(
    fc.property(arbJournal, (journal) => {
      let previous: Block | undefined;
      journal.forEach((r, seq) => {
        const writes = Array.from({ length: r.docs }, (_, i) => ({
          tableId: r.table[0],
          tableName: r.table[1],
          id: `doc${seq}x${i}`,
          version: 0,
          data: ion.struct(r.fields.map((f) => [f, ion.string(`${f}${seq}`)] as const)),
          statements: [0],
        }));
        const { block, source } = buildBlockWithSource({
          address: { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: seq },
          previousBlockHash: previous?.blockHash ?? new Uint8Array(0),
          transactionId: `tx${seq}`,
          txTime: timestampFromEpochMillis(r.ms),
          statements: [{ statement: r.statement, startMillis: r.startMs, params: [] }],
          writes,
        });
        const bytes = encodeBlock(block, source);
        const got = decodeBlockRecord(bytes, previous);
        assert.ok(got !== undefined);
        assertSameBlock(got, reference(bytes, previous)!, previous);
        previous = got;
      });
    }),
    { numRuns: 200 },
  );
});

test("a revision whose txTime or txId is not its block's keeps its own, as the reference keeps it", () => {
  const { block } = buildWith({
    txId: "tx", sequenceNo: 3, statements: [{ statement: "INSERT INTO cars ?", startMillis: 1_700_000_000_100, params: [] }],
    writes: [
      { tableId: "t1", tableName: "cars", id: "d1", version: 0, data: ion.struct([["VIN", ion.string("1")]]), statements: [0] },
      { tableId: "t1", tableName: "cars", id: "d2", version: 4, data: undefined, statements: [0] },
    ],
    ms: 1_700_000_000_123, chained: false,
  });
  const other = timestampFromEpochMillis(1_600_000_000_000);
  const revisions = block.revisions.map((r, i) => ({ ...r, metadata: { ...r.metadata, txTime: i === 0 ? other : r.metadata.txTime, txId: i === 1 ? "elsewhere" : r.metadata.txId } }));
  const bytes = encodeBinary(blockToIon({ ...block, transactionInfo: block.transactionInfo, revisions }), BLOCK_SYMBOLS);
  const got = decodeBlockRecord(bytes);
  assert.ok(got !== undefined, "the layout is Quire's; only the values differ");
  assertSameBlock(got, reference(bytes)!);
  assert.deepEqual(got.revisions.map((r) => [r.metadata.txTime === got.blockTimestamp, r.metadata.txId]), [[false, "tx"], [true, "elsewhere"]]);
});

test("a symbol table whose declared lengths end inside its imports is declined, as the reference rejects it", () => {
  // A block with no writes has no local symbols: E0 01 00 EA, EE 9C (wrapper, 28 bytes),
  // 81 83 ($ion_symbol_table), DE 98 (struct, 24 bytes: the imports field exactly), then the block.
  const { block, source } = buildBlockWithSource({
    address: { strandId: "S", sequenceNo: 0 }, previousBlockHash: new Uint8Array(0), transactionId: "t",
    txTime: timestampFromEpochMillis(0), statements: [], writes: [],
  });
  const bytes = encodeBlock(block, source);
  assert.deepEqual([...bytes.subarray(4, 10)], [0xee, 0x9c, 0x81, 0x83, 0xde, 0x98]);
  assert.ok(decodeBlockRecord(bytes) !== undefined);
  // Both lengths one byte short, so they agree with each other but cut the imports' last byte.
  const cut = bytes.slice();
  cut[5] = 0x9b;
  cut[9] = 0x97;
  assert.equal(reference(cut), undefined);
  assert.equal(decodeBlockRecord(cut), undefined);
});

test("hashes a reopened ledger read in place are handed out as arrays of their own, and changing them changes nothing kept", async () => {
  // The reader keeps 32-byte hashes as sha256 keeps digests (keepDigest: outside Bun, views of
  // shared slabs); what the ledger hands out must still be whole arrays an application may change.
  const { Ledger, verifyRevision } = await import("../../../../engine/index.ts");
  const { withTempDir } = await import("../../../helpers/tmp.ts");
  await withTempDir(async (dir) => {
    let ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await ledger.execute("INSERT INTO t ?", { i }))[0].documentId);
    await ledger.close();
    ledger = await Ledger.open(dir);
    try {
      const own = (h: Uint8Array) => h.byteOffset === 0 && h.buffer.byteLength === 32;
      const digest = await ledger.getDigest();
      for (const documentId of ids) {
        const [h] = await ledger.transaction((tx) => tx.history("t", documentId));
        const { revision, proof } = await ledger.getRevision({ blockAddress: h.blockAddress, documentId, digestTipAddress: digest.digestTipAddress });
        const { block } = await ledger.getBlock({ blockAddress: h.blockAddress, digestTipAddress: digest.digestTipAddress });
        for (const x of [revision.hash, h.hash, ...proof, block.blockHash, block.entriesHash, block.previousBlockHash, ...block.entriesHashList]) {
          if (x.length > 0) assert.ok(own(x), "a hash of its own");
        }
        assert.equal(verifyRevision(revision, proof, digest), true);
        revision.hash.fill(0);
        h.hash.fill(0);
        for (const p of proof) p.fill(0);
        block.blockHash.fill(0);
      }
      assert.equal((await ledger.verify()).ok, true);
      const again = await ledger.getRevision({ blockAddress: (await ledger.transaction((tx) => tx.history("t", ids[0])))[0].blockAddress, documentId: ids[0], digestTipAddress: digest.digestTipAddress });
      assert.equal(verifyRevision(again.revision, again.proof, digest), true);
    } finally {
      await ledger.close();
    }
  });
});
