// One statement, one deadline: an UPDATE or DELETE evaluates its WHERE once per document, and
// those evaluations share the statement's limits.maxStatementMillis rather than each getting it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError, limits } from "../../../../engine/index.ts";
import { withLedger } from "../../../helpers/ledger.ts";

test("UPDATE and DELETE share one time limit across the documents they evaluate", () =>
  withLedger(async (ledger) => {
    await ledger.execute(`INSERT INTO t << ${Array.from({ length: 40 }, (_, i) => `{'n': ${i}}`).join(", ")} >>`);
    await ledger.execute(`INSERT INTO u << ${Array.from({ length: 250 }, (_, i) => `{'m': ${i}}`).join(", ")} >>`);
    // Never true, and a few hundred milliseconds of work per document of t.
    const heavy = "EXISTS (SELECT 1 FROM u AS a, u AS b WHERE a.m * b.m = -1 - d.n)";
    const mutable = limits as { maxStatementMillis: number };
    const saved = mutable.maxStatementMillis;
    mutable.maxStatementMillis = 150;
    try {
      for (const statement of [`SELECT d.n FROM t AS d WHERE ${heavy}`, `DELETE FROM t AS d WHERE ${heavy}`, `UPDATE t AS d SET x = 1 WHERE ${heavy}`]) {
        await assert.rejects(ledger.execute(statement), (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxStatementMillis", statement);
      }
    } finally {
      mutable.maxStatementMillis = saved;
    }
    assert.deepEqual(await ledger.execute("SELECT VALUE COUNT(*) FROM t"), [40]);
  }, ["t", "u"]));

test("an UPDATE's assignments count against the statement's time limit too, not only its evaluations", () =>
  withLedger(async (ledger) => {
    await ledger.execute("INSERT INTO t ?", { n: 1 });
    // Each assignment copies the document's growing field list, and the clock was read only
    // inside evaluations, once per 4,096 units of work: 50,000 assignments ran 37 s against a
    // 30 s limit. With the deadline already past, 2,000 of them (fewer units than that) finished.
    // (limits.maxUpdateEdits now refuses more than 1,000, so 1,000 here.)
    const statement = `UPDATE t SET ${Array.from({ length: 1_000 }, (_, i) => `f${i} = 1`).join(", ")} WHERE n = 1`;
    const mutable = limits as { maxStatementMillis: number };
    const saved = mutable.maxStatementMillis;
    mutable.maxStatementMillis = -1;
    try {
      await assert.rejects(ledger.execute(statement), (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxStatementMillis");
    } finally {
      mutable.maxStatementMillis = saved;
    }
    assert.deepEqual(await ledger.execute("SELECT * FROM t"), [{ n: 1 }]);
  }, ["t"]));
