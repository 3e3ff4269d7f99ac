// The catalog a snapshot sees: the store keeps one list per run of snapshots without a catalog
// change, so transactions of different ages, asked in any order, must each still get their own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger, toJS, type Transaction, verifyRevision } from "../../../../engine/index.ts";
import { storeOf } from "../../../../engine/api/ledger.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

/** "name:STATUS" for every table the transaction sees, sorted. */
async function catalogOf(tx: Transaction): Promise<string[]> {
  return (await tx.tables()).map((t) => `${t.name}:${t.status}`).sort();
}

test("transactions begun between catalog changes each see the catalog of their snapshot", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  // Each step commits, then a transaction is begun on the result and the catalog it must see recorded.
  const steps: [string, (tx: Transaction) => Promise<unknown>, string[]][] = [
    ["create cars", (tx) => tx.createTable("cars"), ["cars:ACTIVE"]],
    ["insert a car", (tx) => tx.insert("cars", { VIN: "1" }), ["cars:ACTIVE"]],
    ["insert another", (tx) => tx.insert("cars", { VIN: "2" }), ["cars:ACTIVE"]],
    ["create trucks", (tx) => tx.createTable("trucks"), ["cars:ACTIVE", "trucks:ACTIVE"]],
    ["insert a truck", (tx) => tx.insert("trucks", { VIN: "3" }), ["cars:ACTIVE", "trucks:ACTIVE"]],
    ["drop cars", (tx) => tx.dropTable("cars"), ["cars:INACTIVE", "trucks:ACTIVE"]],
    ["insert a truck again", (tx) => tx.insert("trucks", { VIN: "4" }), ["cars:INACTIVE", "trucks:ACTIVE"]],
  ];
  const open: [string, Transaction, string[]][] = [["empty", ledger.begin(), []]];
  for (const [what, op, expected] of steps) {
    await ledger.transaction(op);
    open.push([what, ledger.begin(), expected]);
  }
  // Newest first, then oldest first, then alternating ends: every order the cache could be
  // asked in, with transactions of the same catalog run next to each other and apart.
  const order = [...open].reverse().concat(open, open.flatMap((_, i) => [open[i], open[open.length - 1 - i]]));
  for (const [what, tx, expected] of order) {
    assert.deepEqual(await catalogOf(tx), expected, `a transaction begun after "${what}"`);
  }
  for (const [, tx] of open) tx.abort();
  await ledger.close();
});

test("replaced revisions are packed once no running snapshot reads them, and read back exactly: history, getRevision, a later CREATE INDEX", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE cars");
    const [{ documentId: id }] = await ledger.execute("INSERT INTO cars ?", { VIN: "1", Owner: "owner 0", n: 0 });
    const early = ledger.begin();
    for (let i = 1; i <= 200; i++) await ledger.execute("UPDATE cars SET Owner = ?, n = ? WHERE VIN = '1'", `owner ${i}`, i);
    type Kept = { packed: boolean };
    const kept = () => storeOf(ledger).docs.get(id)!.revisions as unknown as Kept[];
    // The early transaction reads version 0 as current: it stays a struct while it runs.
    assert.equal(kept()[0].packed, false);
    assert.deepEqual(toJS((await early.get("cars", id))!), { VIN: "1", Owner: "owner 0", n: 0 });
    early.abort();
    await ledger.execute("UPDATE cars SET n = 201 WHERE VIN = '1'");
    // Every replaced revision but the last batch (64) is packed now; the current one never is.
    const packed = kept().filter((r) => r.packed).length;
    assert.ok(packed >= 201 - 63 && packed <= 201, `${packed} packed`);
    assert.equal(kept()[201].packed, false);
    const history = await ledger.transaction((tx) => tx.history("cars", id));
    assert.deepEqual(history.map((r) => toJS(r.data!)), [
      ...Array.from({ length: 201 }, (_, i) => ({ VIN: "1", Owner: `owner ${i}`, n: i })),
      { VIN: "1", Owner: "owner 200", n: 201 },
    ]);
    const digest = await ledger.getDigest();
    const { revision, proof } = await ledger.getRevision({ blockAddress: history[3].blockAddress, documentId: id });
    assert.deepEqual(toJS(revision.data!), { VIN: "1", Owner: "owner 3", n: 3 });
    assert.equal(verifyRevision(revision, proof, digest), true);
    // An index made now holds the keys of packed revisions too (read back to build it).
    await ledger.execute("CREATE INDEX ON cars (Owner)");
    assert.deepEqual(await ledger.execute("SELECT VALUE n FROM cars WHERE Owner = 'owner 200'"), [201]);
    assert.deepEqual(await ledger.execute("SELECT VALUE n FROM cars WHERE Owner = 'owner 5'"), []);
    assert.equal((await ledger.execute("SELECT * FROM history(cars) AS h WHERE h.data.Owner = 'owner 5'")).length, 1);
  } finally {
    await ledger.close();
  }
});

test("packed revisions read back exactly across arena chunks, small ones and ones above a quarter chunk", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE t");
    // ~250 bytes each: 1,200 of them fill several 64 KiB chunks.
    const small = (i: number) => ({ k: "small", i, words: Array.from({ length: 20 }, (_, j) => `w${i}-${j}`) });
    // ~20 KB of short values (not long strings, so packing pays): above a quarter chunk.
    const big = (i: number) => ({ k: "big", i, xs: Array.from({ length: 5000 }, (_, j) => 100_000 + i * 10_000 + j) });
    const [{ documentId: s }] = await ledger.execute("INSERT INTO t ?", small(0));
    const [{ documentId: b }] = await ledger.execute("INSERT INTO t ?", big(0));
    for (let i = 1; i < 1200; i++) {
      await ledger.transaction(async (tx) => {
        await tx.update("t", s, small(i));
        if (i < 100) await tx.update("t", b, big(i));
      });
    }
    type Kept = { packed: boolean };
    const packed = (id: string) => (storeOf(ledger).docs.get(id)!.revisions as unknown as Kept[]).filter((r) => r.packed).length;
    assert.ok(packed(s) > 1100 && packed(b) > 30, `${packed(s)} and ${packed(b)} packed`);
    const history = async (id: string) => (await ledger.transaction((tx) => tx.history("t", id))).map((r) => toJS(r.data!));
    assert.deepEqual(await history(s), Array.from({ length: 1200 }, (_, i) => small(i)));
    assert.deepEqual(await history(b), Array.from({ length: 100 }, (_, i) => big(i)));
  } finally {
    await ledger.close();
  }
});
