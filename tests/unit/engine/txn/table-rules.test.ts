/**
 * Journals edited with every checksum and hash recomputed, so that only the rules of
 * txn/table-rules.ts can tell: open refuses each with JOURNAL_CORRUPT naming the record, and
 * the checks behind ledger.verify() report each. Cases from a review of hostile journal replay.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError, Ledger } from "../../../../engine/index.ts";
import { verifyBlocks } from "../../../../engine/api/ledger.ts";
import { ion, type IonStruct } from "../../../../engine/ion/value.ts";
import { blockFromIon } from "../../../../engine/ledger/block-codec.ts";
import { editJournal, firstSegment, getPath, readBlocks, setPath, withField } from "../../../helpers/journal-edit.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

let clock = Date.UTC(2026, 0, 1);
const testClock = () => (clock += 1000);

/**
 * Blocks: 0 CREATE TABLE a, 1 CREATE TABLE b, 2 CREATE INDEX ON a (k), 3 INSERT a {k: 1},
 * 4 INSERT a {k: 2}, 5 INSERT b {x}, 6 UPDATE a (k = 1), 7 DELETE a (k = 2).
 */
async function smallLedger(dir: string): Promise<{ a1: string }> {
  const l = await Ledger.open(dir, { clock: testClock });
  await l.execute("CREATE TABLE a");
  await l.execute("CREATE TABLE b");
  await l.execute("CREATE INDEX ON a (k)");
  const [{ documentId: a1 }] = await l.execute("INSERT INTO a ?", { k: 1, name: "one" });
  await l.execute("INSERT INTO a ?", { k: 2, name: "two" });
  await l.execute("INSERT INTO b ?", { x: "bee" });
  await l.execute("UPDATE a SET name = 'uno' WHERE k = 1");
  await l.execute("DELETE FROM a WHERE k = 2");
  await l.close();
  return { a1 };
}

const idOf = (b: IonStruct) => (getPath(b, ["revisions", 0, "metadata", "id"]) as { value: string }).value;
const setDefTableId = (b: IonStruct, tableId: string) =>
  setPath(b, ["revisions", 0, "data"], withField(getPath(b, ["revisions", 0, "data"]) as IonStruct, "tableId", ion.string(tableId))) as IonStruct;

const cases: readonly [string, (blocks: IonStruct[], ids: { a1: string }) => IonStruct[], RegExp][] = [
  // The next insert into a threw inside the commit path after its write: never settled, and
  // the ledger could not be opened again.
  ["a table definition naming the system table", (bs) => bs.map((b, i) => (i === 0 || i === 2 ? setDefTableId(b, "information_schema.user_tables") : b)), /defines table information_schema/],
  // DELETE FROM b deleted a's documents.
  ["a table definition naming another table's id", (bs) => bs.map((b, i) => (i === 1 ? setDefTableId(b, idOf(bs[0])) : b)), /defines table/],
  ["a document moved to another table", (bs, { a1 }) =>
    bs.map((b, i) =>
      i === 3
        ? setPath(b, ["transactionInfo", "documents"], ion.struct([[a1, ion.struct([["tableName", ion.string("b")], ["tableId", ion.string(idOf(bs[1]))], ["statements", ion.list([ion.int(0)])]])]])) as IonStruct
        : b
    ), /moves from table/],
  ["a document in a table no definition names", (bs, { a1 }) =>
    bs.map((b, i) =>
      i === 3
        ? setPath(b, ["transactionInfo", "documents"], ion.struct([[a1, ion.struct([["tableName", ion.string("a")], ["tableId", ion.string("0000000000000000000000")], ["statements", ion.list([ion.int(0)])]])]])) as IonStruct
        : b
    ), /which no table definition names/],
  ["two active tables named alike", (bs) =>
    bs.map((b, i) => (i === 1 ? setPath(b, ["revisions", 0, "data"], withField(getPath(b, ["revisions", 0, "data"]) as IonStruct, "name", ion.string("a"))) as IonStruct : b)), /two active tables are named a/],
  // Every later statement failed: the document's chain was the catalog's.
  ["a user document continuing a table definition's versions", (bs) =>
    bs.map((b, i) => (i === 3 ? setPath(setPath(b, ["revisions", 0, "metadata", "id"], ion.string(idOf(bs[0]))), ["revisions", 0, "metadata", "version"], ion.int(2)) as IonStruct : b)).map((b, i) =>
      i === 3
        ? setPath(b, ["transactionInfo", "documents"], ion.struct([[idOf(bs[0]), (getPath(b, ["transactionInfo", "documents"]) as IonStruct).fields[0][1]]])) as IonStruct
        : b
    ), /moves from table/],
  // The current value had no proof: getRevision of the block returned the other one.
  ["two revisions of one document in one block", (bs) =>
    bs.map((b, i) => {
      if (i !== 6) return b;
      const r = getPath(b, ["revisions", 0]);
      return setPath(b, ["revisions"], ion.list([r, setPath(r, ["metadata", "version"], ion.int(2))])) as IonStruct;
    }), /two revisions in one block/],
  ["a catalog document that is no table definition", (bs) =>
    bs.map((b, i) => (i === 1 ? setPath(b, ["revisions", 0, "data"], withField(getPath(b, ["revisions", 0, "data"]) as IonStruct, "status", ion.string("LIVE"))) as IonStruct : b)), /not a table definition/],
  // Not checked before: a reader of transactionInfo was told the wrong table.
  ["a documents entry naming another table", (bs) =>
    bs.map((b, i) => {
      if (i !== 5) return b;
      const [[id, entry]] = (getPath(b, ["transactionInfo", "documents"]) as IonStruct).fields;
      return setPath(b, ["transactionInfo", "documents"], ion.struct([[id, withField(entry as IonStruct, "tableName", ion.string("a"))]])) as IonStruct;
    }), /listed in table a, but table \S+ is named b/],
  ["a table renamed by a later definition", (bs) =>
    bs.map((b, i) => (i === 2 ? setPath(b, ["revisions", 0, "data"], withField(getPath(b, ["revisions", 0, "data"]) as IonStruct, "name", ion.string("z"))) as IonStruct : b)), /renamed from a to z/],
  ["an annotated document", (bs) =>
    bs.map((b, i) => (i === 5 ? setPath(b, ["revisions", 0, "data"], { ...(getPath(b, ["revisions", 0, "data"]) as IonStruct), annotations: ["evil"] }) as IonStruct : b)), /data has annotations/],
];

for (const [what, edit, why] of cases) {
  test(`open refuses ${what}, naming the record, and verify's checks report it`, () =>
    withTempDir(async (dir) => {
      const ids = await smallLedger(dir);
      editJournal(dir, (bs) => edit(bs, ids));
      await assert.rejects(Ledger.open(dir, { clock: testClock }), (e: unknown) => {
        assert.ok(isLedgerError(e, "JOURNAL_CORRUPT"), String(e));
        assert.match(e.message, why);
        assert.equal(e.details.file, "journal-000001.qj");
        assert.equal(typeof e.details.offset, "number");
        return true;
      });
      let blocks;
      try {
        blocks = readBlocks(firstSegment(dir)).map((v) => blockFromIon(v, undefined, true));
      } catch {
        return; // refused already when decoded, as verify() then reports
      }
      const report = verifyBlocks(blocks, blocks[0].blockAddress.strandId);
      assert.equal(report.ok, false, what);
      assert.match(report.problem!.message, why);
    }));
}

test("the journal a ledger writes keeps the rules: table created, written and dropped in one transaction", () =>
  withTempDir(async (dir) => {
    const l = await Ledger.open(dir, { clock: testClock });
    await l.transaction(async (tx) => {
      await tx.createTable("t");
      await tx.insert("t", { a: 1 });
      await tx.dropTable("t");
    });
    await l.transaction(async (tx) => {
      await tx.createTable("t");
      await tx.insert("t", { a: 2 });
    });
    // The document's revision comes before the definition's in this block.
    await l.transaction(async (tx) => {
      await tx.insert("t", { a: 3 });
      await tx.dropTable("t");
    });
    assert.equal((await l.verify()).ok, true);
    await l.close();
    const again = await Ledger.open(dir, { clock: testClock });
    assert.equal((await again.verify()).ok, true);
    await again.close();
  }));
