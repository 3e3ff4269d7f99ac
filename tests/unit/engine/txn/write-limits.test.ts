/**
 * A transaction's writes are held to what one block may take as they are made, not only at
 * commit: their Ion bytes (at least) to limits.maxBlockBytes, their values to
 * limits.maxValueNodes. A statement that makes every document the whole table, run twice over a
 * few hundred documents, built 16 million values before the commit refused the block, and Deno
 * ran out of memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { blockToIon, isLedgerError, Ledger, limits, parseText, toText, verifyBlock } from "../../../../engine/index.ts";
import { blockFromIon } from "../../../../engine/ledger/block-codec.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { withLedger } from "../../../helpers/ledger.ts";

const SLOW = { timeout: 120_000 };

test("documents past maxValueNodes in one transaction are LIMIT_EXCEEDED at the write that passes it, and nothing is journaled", SLOW, () =>
  withLedger(async (ledger) => {
    const tip = (await ledger.getDigest()).digestTipAddress.sequenceNo;
    const third = Math.ceil(limits.maxValueNodes / 3) + 1;
    let inserted = 0;
    await assert.rejects(
      ledger.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) {
          await tx.insert("t", { a: Array.from({ length: third }, (_, k) => k & 63) });
          inserted++;
        }
      }),
      (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxValueNodes",
    );
    assert.equal(inserted, 2);
    assert.equal((await ledger.getDigest()).digestTipAddress.sequenceNo, tip);
  }, ["t"]));

test("documents past maxBlockBytes are refused as they are written; taking writes back makes room again", SLOW, () =>
  withLedger(async (ledger) => {
    const big = (c: string) => ({ s: c.repeat(6 * 1024 * 1024) });
    const fit = Math.floor(limits.maxBlockBytes / (6 * 1024 * 1024)); // 10 documents of 6 MB
    await ledger.transaction(async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < fit; i++) ids.push(await tx.insert("t", big(String.fromCharCode(97 + i))));
      await assert.rejects(tx.insert("t", big("z")), (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxBlockBytes");
      // A failed statement leaves the sums as they were, and a delete gives its bytes back.
      await assert.rejects(tx.execute("INSERT INTO t ?", big("y")), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
      await tx.delete("t", ids[0]);
      await tx.execute("UPDATE t SET s = 'short' WHERE s LIKE 'b%'");
      await tx.insert("t", big("z"));
      await tx.insert("t", big("y"));
    });
    const rows = await ledger.execute("SELECT VALUE SUBSTRING(x.s, 1, 1) FROM t AS x");
    assert.deepEqual([...rows].sort(), ["c", "d", "e", "f", "g", "h", "i", "j", "s", "y", "z"]);
    assert.equal((await ledger.verify()).ok, true);
  }, ["t"]));

test("UPDATE t SET k = (SELECT * FROM t), run twice, is LIMIT_EXCEEDED in seconds, not out of memory", SLOW, () =>
  withLedger(async (ledger) => {
    await ledger.execute("INSERT INTO t ?", Array.from({ length: 210 }, (_, i) => ({ k: i })));
    await ledger.execute("UPDATE t SET k = (SELECT * FROM t)");
    const tip = (await ledger.getDigest()).digestTipAddress.sequenceNo;
    await assert.rejects(ledger.execute("UPDATE t SET k = (SELECT * FROM t)"), (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxValueNodes");
    assert.equal((await ledger.getDigest()).digestTipAddress.sequenceNo, tip);
    assert.equal((await ledger.verify()).ok, true);
  }, ["t"]));

test("a DDL call refused at the block limit leaves no statement: the transaction commits as if it was never made", SLOW, () =>
  withLedger(async (ledger) => {
    const { toJS } = await import("../../../../engine/index.ts");
    await ledger.transaction(async (tx) => {
      // Fill the block to within fewer bytes than a catalog document takes.
      let left = limits.maxBlockBytes - 10;
      const ids: string[] = [];
      while (left > 3) {
        const n = Math.min(8_000_000, left - 3);
        ids.push(await tx.insert("t", { s: "x".repeat(n) }));
        left -= n + 3;
      }
      const refused = (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED");
      await assert.rejects(tx.createIndex("t", "f"), refused);
      await assert.rejects(tx.createTable("u"), refused);
      await assert.rejects(tx.dropTable("t"), refused);
      await tx.delete("t", ids[0]); // room again; the application goes on and commits
    });
    const { block } = await ledger.getBlock({ blockAddress: (await ledger.getDigest()).digestTipAddress });
    const statements = (toJS(block.transactionInfo) as { statements: { statement: string }[] }).statements.map((s) => s.statement);
    assert.deepEqual(statements.filter((s) => !s.startsWith("INSERT")), ["DELETE FROM t BY id WHERE id = ?"]);
    assert.deepEqual(await ledger.execute("SELECT VALUE x.indexes FROM information_schema.user_tables AS x WHERE x.name = 't'"), [[]]);
  }, ["t"]));

// From a review of the limits: table definitions counted toward maxDocumentsPerTransaction, so
// CREATE TABLE then 10,000 inserts was refused at the last one, while the same writes in the
// other order committed.
test("table definitions do not count toward maxDocumentsPerTransaction, in either order", SLOW, () =>
  withTempDir(async (dir) => {
    const l = await Ledger.open(dir);
    const max = limits.maxDocumentsPerTransaction;
    await l.transaction(async (tx) => {
      await tx.createTable("u");
      await tx.createIndex("u", "k");
      for (let i = 0; i < max; i++) await tx.insert("u", { k: i });
    });
    await l.transaction(async (tx) => {
      await tx.createTable("v");
      for (let i = 0; i < max; i++) await tx.insert("v", { k: i });
      await assert.rejects(tx.insert("v", { k: -1 }), (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED"));
    });
    assert.deepEqual(await l.execute("SELECT COUNT(*) AS n FROM u"), [{ n: max }]);
    assert.deepEqual(await l.execute("SELECT COUNT(*) AS n FROM v"), [{ n: max }]);
    await l.close();
  }));

test("a document as deep as a block can hold commits and round-trips as evidence; one level more is LIMIT_EXCEEDED at the write", () =>
  withTempDir(async (dir) => {
    /** A document of `levels` nested values: the struct, then lists, then an int. */
    const nested = (levels: number) => {
      let v: unknown = 1;
      for (let i = 0; i < levels - 2; i++) v = [v];
      return { a: v };
    };
    // A block holds each document three levels down (block, revisions, revision).
    const deepest = limits.maxValueDepth - 3;
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    for (const levels of [deepest + 1, limits.maxValueDepth]) {
      let wrote = false;
      await assert.rejects(
        ledger.transaction(async (tx) => {
          await tx.insert("t", nested(levels));
          wrote = true;
        }),
        (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxValueDepth" && e.details.max === deepest,
        String(levels),
      );
      assert.equal(wrote, false, "refused at the insert, not at commit");
    }
    // The same through PartiQL: an UPDATE that makes a document one level too deep.
    const id = await ledger.transaction((tx) => tx.insert("t", nested(deepest)));
    await assert.rejects(
      ledger.execute("UPDATE t AS x BY xid SET x.b = [x.a] WHERE xid = ?", id),
      (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.max === deepest,
    );
    const { digestTipAddress: tip, digest } = await ledger.getDigest();
    const { block, proof } = await ledger.getBlock({ blockAddress: tip, digestTipAddress: tip });
    // A third party reads the block from its Ion text: within maxValueDepth, so readable.
    const text = toText(blockToIon(block));
    assert.equal(verifyBlock(blockFromIon(parseText(text)[0]), proof, digest), true);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
    const reopened = await Ledger.open(dir);
    assert.equal((await reopened.verify()).ok, true);
    await reopened.close();
  }));
