/**
 * An index created earlier in the same transaction is not built until its block is published:
 * lookups through it must still see every row (as a scan), never silently find nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger } from "../../../../engine/index.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

const queries: readonly { readonly statement: string; readonly expected: readonly unknown[] }[] = [
  { statement: "SELECT k FROM t WHERE k = 1", expected: [{ k: 1 }] },
  { statement: "SELECT k FROM t WHERE k IN (1, 3)", expected: [{ k: 1 }, { k: 3 }] },
  { statement: "SELECT k FROM t WHERE k > 1 ORDER BY k", expected: [{ k: 2 }, { k: 3 }] },
  { statement: "SELECT k FROM t WHERE k BETWEEN 2 AND 3 ORDER BY k", expected: [{ k: 2 }, { k: 3 }] },
  { statement: "SELECT k FROM t ORDER BY k DESC LIMIT 2", expected: [{ k: 3 }, { k: 2 }] },
];

for (const { statement, expected } of queries) {
  test(`after CREATE INDEX in the same transaction: ${statement}`, () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("INSERT INTO t << {'k': 1}, {'k': 2}, {'k': 3} >>");
      const rows = await ledger.transaction(async (tx) => {
        await tx.execute("CREATE INDEX ON t (k)");
        return tx.execute(statement);
      });
      assert.deepEqual(rows, expected);
      // And once the index is published, through it.
      assert.deepEqual(await ledger.execute(statement), expected);
      await ledger.close();
    }));
}

test("an UPDATE through an index created in the same transaction changes its rows", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t << {'k': 1}, {'k': 2} >>");
    await ledger.transaction(async (tx) => {
      await tx.execute("CREATE INDEX ON t (k)");
      const changed = await tx.execute("UPDATE t SET v = 'z' WHERE k = 2");
      assert.equal(changed.length, 1);
    });
    assert.deepEqual(await ledger.execute("SELECT k, v FROM t WHERE k = 2"), [{ k: 2, v: "z" }]);
    await ledger.close();
  }));
