/**
 * A transaction's methods answer arguments of the wrong type with INVALID_ARGUMENT, and never run
 * the application's code (toString, getters) to describe them; several were runtime TypeErrors
 * ("keys is not iterable", "fn is not a function") or rethrew the argument's own toString error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError, Ledger } from "../../../../engine/index.ts";
import { withLedger } from "../../../helpers/ledger.ts";
import { statementScope } from "../../../../engine/txn/transaction.ts";

type Tx = Parameters<Parameters<Ledger["transaction"]>[0]>[0];

const hostile = { toString(): string { throw new Error("toString ran"); } };
const wrong: unknown[] = [undefined, null, 1, {}, Symbol("s"), () => 1, hostile];

/** [call, and the wrong values tried in the place of `w` if not `wrong`]. */
const calls: [string, (tx: Tx, w: never) => Promise<unknown>, unknown[]?][] = [
  ["lookup(t, k, w)", (tx, w) => tx.lookup("t", "k", w)],
  ["lookup(t, w, [])", (tx, w) => tx.lookup("t", w, [])],
  ["lookupRange(t, k, w)", (tx, w) => tx.lookupRange("t", "k", w)],
  ["lookupOrdered(t, k, false, w)", (tx, w) => tx.lookupOrdered("t", "k", false, w), [undefined, null, {}, hostile, -1, 1.5, NaN, "1"]],
  ["lookupOrdered(t, k, w, 1)", (tx, w) => tx.lookupOrdered("t", "k", w, 1)],
  ["committedAmong(t, w)", (tx, w) => tx.committedAmong("t", w)],
  ["tableHistory(w)", (tx, w) => tx.tableHistory(w)],
  ["findBy(t, w, 1)", (tx, w) => tx.findBy("t", w, 1)],
  ["withStatement(w, [], fn)", (tx, w) => statementScope.run(tx, w, [], async () => 1)],
  ["withStatement(s, w, fn)", (tx, w) => statementScope.run(tx, "SELECT 1", w, async () => 1)],
  ["withStatement(s, [], w)", (tx, w) => statementScope.run(tx, "SELECT 1", [], w), [undefined, null, 1, {}, Symbol("s"), hostile]],
  ["update(t, w, {})", (tx, w) => tx.update("t", w, {})],
  ["history(w, id)", (tx, w) => tx.history(w, "id")],
  ["createTable(w)", (tx, w) => tx.createTable(w)],
];

test("wrong argument types are INVALID_ARGUMENT", () =>
  withLedger(async (ledger) => {
    await ledger.execute("CREATE INDEX ON t (k)");
    for (const [name, call, values] of calls) {
      for (const w of values ?? wrong) {
        const tx = ledger.begin();
        try {
          await call(tx, w as never);
          assert.fail(`${name} with ${typeof w} succeeded`);
        } catch (e) {
          assert.ok(isLedgerError(e, "INVALID_ARGUMENT") || isLedgerError(e, "TABLE_NOT_FOUND"), `${name} with ${typeof w}: ${e}`);
        } finally {
          tx.abort();
        }
      }
    }
  }, ["t"]));
