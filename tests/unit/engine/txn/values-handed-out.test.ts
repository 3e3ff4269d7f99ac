/**
 * What a transaction hands out is the caller's to change: documents read through tx.get, scan,
 * findBy, lookupIds and the index lookups are copies, and a value stored through ionLiteral (or
 * passed back after a read) is copied in. Before, these were the store's own objects, so a
 * caller changing one through `any` changed committed data in memory: later reads, indexes and
 * getRevision (whose proof then failed) saw the change until the ledger was reopened.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ionLiteral, Ledger, verifyRevision } from "../../../../engine/index.ts";
import { ion, type IonStruct } from "../../../../engine/ion/value.ts";
import { indexKey } from "../../../../engine/catalog/index-key.ts";
import { withLedger } from "../../../helpers/ledger.ts";

type Tx = Parameters<Parameters<Ledger["transaction"]>[0]>[0];

/** [how the document is read, the read returning the stored document(s)]. */
const reads: [string, (tx: Tx, id: string) => Promise<IonStruct[]>][] = [
  ["get", async (tx, id) => [(await tx.get("t", id))!]],
  ["scan", async (tx) => (await tx.scan("t")).map((r) => r.data)],
  ["findBy (indexed)", async (tx) => (await tx.findBy("t", "k", 1)).map((r) => r.data)],
  ["findBy (unindexed)", async (tx) => (await tx.findBy("t", "owner", "alice")).map((r) => r.data)],
  ["lookupIds", async (tx, id) => (await tx.lookupIds("t", [id])).map((r) => r.data)],
  ["lookup", async (tx) => (await tx.lookup("t", "k", [indexKey(ion.int(1))])).map((r) => r.data)],
  ["executeIon", async (tx) => (await tx.executeIon("SELECT * FROM t")) as IonStruct[]],
  ["executeIon (point)", async (tx) => (await tx.executeIon("SELECT * FROM t WHERE k = 1")) as IonStruct[]],
];

/** Changes a document in place the way an application could through `any`. */
function tamper(doc: IonStruct): void {
  const fields = doc.fields as [string, unknown][];
  fields[0][1] = ion.int(2);
  fields[1] = ["owner", ion.string("mallory")];
  fields.push(["extra", ion.bool(true)]);
}

async function expectUnchanged(ledger: Ledger, id: string): Promise<void> {
  assert.deepEqual(await ledger.execute("SELECT * FROM t"), [{ k: 1, owner: "alice" }]);
  assert.deepEqual(await ledger.execute("SELECT * FROM t WHERE k = 1"), [{ k: 1, owner: "alice" }], "the index still finds it");
  assert.deepEqual(await ledger.execute("SELECT * FROM t WHERE k = 2"), []);
  const blockAddress = { strandId: ledger.strandId, sequenceNo: (await ledger.getDigest()).digestTipAddress.sequenceNo };
  const digest = await ledger.getDigest();
  const rows = await ledger.execute("SELECT m.blockAddress.sequenceNo AS s FROM _ql_committed_t AS m WHERE m.metadata.id = ?", id) as { s: number }[];
  const { revision, proof } = await ledger.getRevision({ blockAddress: { ...blockAddress, sequenceNo: rows[0].s }, documentId: id });
  assert.equal(verifyRevision(revision, proof, digest), true, "the revision still verifies");
}

for (const [name, read] of reads) {
  test(`a document read with ${name} can be changed without changing the ledger`, () =>
    withLedger(async (ledger) => {
      await ledger.execute("CREATE INDEX ON t (k)");
      const id = await ledger.transaction((tx) => tx.insert("t", { k: 1, owner: "alice" }));
      const docs = await ledger.transaction(async (tx) => {
        const got = await read(tx, id);
        assert.equal(got.length, 1);
        for (const d of got) tamper(d);
        // Within the transaction too: the next read is the stored document again.
        assert.deepEqual((await tx.execute("SELECT * FROM t")), [{ k: 1, owner: "alice" }]);
        return got;
      });
      assert.equal(docs.length, 1);
      await expectUnchanged(ledger, id);
    }, ["t"]));
}

test("a value stored through ionLiteral, or passed back after a read, is copied in", () =>
  withLedger(async (ledger) => {
    await ledger.execute("CREATE INDEX ON t (k)");
    const literal = ion.struct([["k", ion.int(1)], ["owner", ion.string("alice")]]);
    const id = await ledger.transaction((tx) => tx.insert("t", ionLiteral(literal)));
    tamper(literal);
    await expectUnchanged(ledger, id);
    // A read document passed back is stored exactly, and is still the caller's afterwards.
    const doc = await ledger.transaction(async (tx) => {
      const d = (await tx.get("t", id))!;
      await tx.update("t", id, d);
      return d;
    });
    tamper(doc);
    assert.deepEqual(await ledger.execute("SELECT * FROM t"), [{ k: 1, owner: "alice" }]);
    assert.equal((await ledger.verify()).ok, true);
  }, ["t"]));

test("committed views, table history and catalog reads are copies: an aborted transaction that changes them leaves no trace", () =>
  withLedger(async (ledger) => {
    // publicRevision shared the store's data, hash and metadata, and tables()/resolveTable() the
    // catalog's own definitions: changing one (through `any`) and aborting changed later reads.
    await ledger.execute("CREATE INDEX ON t (k)");
    const id = await ledger.transaction((tx) => tx.insert("t", { k: 1, owner: "alice" }));
    const tx = ledger.begin();
    const revisions = [...await tx.tableHistory("t"), ...await tx.scanCommitted("t"), ...await tx.committedAmong("t", [id])];
    assert.equal(revisions.length, 3);
    for (const r of revisions) {
      tamper(r.data!);
      r.hash[0] ^= 1;
      (r.metadata as { version: number }).version = 7;
    }
    for (const def of [...await tx.tables(), (await tx.resolveTable("t"))!]) {
      const d = def as unknown as { name: string; status: string; indexes: unknown[] };
      d.name = "renamed";
      d.status = "INACTIVE";
      d.indexes.length = 0;
    }
    tx.abort();
    await expectUnchanged(ledger, id);
    assert.deepEqual(await ledger.execute("SELECT VALUE x.name FROM information_schema.user_tables AS x"), ["t"]);
    assert.equal((await ledger.execute("SELECT VALUE x.indexes FROM information_schema.user_tables AS x"))[0].length, 1);
    assert.deepEqual(await ledger.execute("SELECT h.metadata.version FROM history(t) AS h"), [{ version: 0 }]);
  }, ["t"]));
