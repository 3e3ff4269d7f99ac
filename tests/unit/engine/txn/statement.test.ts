/**
 * A statement is atomic inside its transaction: one that fails part-way leaves no write and no
 * statement record, and the transaction goes on from where it was (the application may catch
 * the error and commit the rest).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger, toJS } from "../../../../engine/index.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { withLedger } from "../../../helpers/ledger.ts";
import { rejectsWith } from "../../../helpers/assert.ts";

const failing: readonly { readonly what: string; readonly statement: string; readonly code: string }[] = [
  { what: "an UPDATE failing on its third row", statement: "UPDATE t SET z = 10 / y", code: "EVALUATION_ERROR" },
  { what: "an INSERT of a bag with a non-struct", statement: "INSERT INTO t << {'k': 9}, 5 >>", code: "TYPE_ERROR" },
  { what: "an UPDATE failing on its last row", statement: "UPDATE t SET z = 1 / (y - 1) WHERE k >= 1", code: "EVALUATION_ERROR" },
];

for (const { what, statement, code } of failing) {
  test(`${what} leaves nothing behind; the transaction's earlier statement commits`, () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("INSERT INTO t << {'k': 1, 'y': 2}, {'k': 2, 'y': 5}, {'k': 3, 'y': 0}, {'k': 4, 'y': 1} >>");
      const before = await ledger.getDigest();
      await ledger.transaction(async (tx) => {
        await tx.execute("UPDATE t SET w = 'kept' WHERE k = 4");
        await rejectsWith(tx.execute(statement), code);
        // Read-your-writes sees the state before the failed statement.
        const rows = await tx.execute("SELECT k, z, w FROM t ORDER BY k");
        assert.deepEqual(rows, [{ k: 1 }, { k: 2 }, { k: 3 }, { k: 4, w: "kept" }]);
      });
      const tip = (await ledger.getDigest()).digestTipAddress;
      assert.equal(tip.sequenceNo, before.digestTipAddress.sequenceNo + 1, "one block for the transaction");
      const { block } = await ledger.getBlock({ blockAddress: tip });
      assert.equal(block.revisions.length, 1);
      const info = toJS(block.transactionInfo) as { statements: { statement: string }[] };
      // Every statement that ran is journaled (QLDB records reads too), but not the failed one.
      assert.deepEqual(info.statements.map((s) => s.statement), ["UPDATE t SET w = 'kept' WHERE k = 4", "SELECT k, z, w FROM t ORDER BY k"]);
      assert.deepEqual(await ledger.execute("SELECT k, z, w FROM t ORDER BY k"), [{ k: 1 }, { k: 2 }, { k: 3 }, { k: 4, w: "kept" }]);
      assert.equal((await ledger.verify()).ok, true);
      await ledger.close();
    }));
}

test("a failed INSERT takes back the rows it had added before failing", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.transaction(async (tx) => {
      await tx.execute("INSERT INTO t VALUE {'a': 1}");
      await rejectsWith(tx.execute("INSERT INTO t << {'a': 2}, {'a': 3}, 'x' >>"), "TYPE_ERROR");
      assert.deepEqual(await tx.execute("SELECT a FROM t"), [{ a: 1 }]);
    });
    assert.deepEqual(await ledger.execute("SELECT a FROM t"), [{ a: 1 }]);
    await ledger.close();
  }));

test("a write of the application's own while a statement is still running is refused, not taken back with it", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t << {'k': 1, 'y': 2}, {'k': 2, 'y': 0} >>");
    await ledger.transaction(async (tx) => {
      const running = tx.execute("UPDATE t SET z = 10 / y"); // not awaited; fails on k = 2
      await rejectsWith(tx.insert("t", { k: 99 }), "INVALID_ARGUMENT");
      await rejectsWith(tx.createTable("audit"), "INVALID_ARGUMENT");
      await rejectsWith(running, "EVALUATION_ERROR");
      await tx.insert("t", { k: 99 }); // once it is over, writes go through
    });
    assert.deepEqual(await ledger.execute("SELECT VALUE k FROM t ORDER BY k"), [1, 2, 99]);
    await ledger.close();
  }));

test("a programmatic update or delete of a missing document journals no statement", () =>
  withLedger(async (ledger) => {
    await ledger.transaction(async (tx) => {
      await rejectsWith(tx.update("t", "no-such-id", { secret: "s3cr3t" }), "DOCUMENT_NOT_FOUND");
      await rejectsWith(tx.delete("t", "no-such-id-2"), "DOCUMENT_NOT_FOUND");
      await tx.insert("t", { ok: 1 });
    });
    const { block } = await ledger.getBlock({ blockAddress: (await ledger.getDigest()).digestTipAddress });
    const info = toJS(block.transactionInfo) as { statements: { statement: string }[] };
    assert.deepEqual(info.statements.map((s) => s.statement), ["INSERT INTO t ?"]);
  }, ["t"]));
