/**
 * `BY id` lookups (QLDB's recommended access path) read only the named documents: the same
 * rows as a scan, and conflicts only with writers of those documents.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ion, ionLiteral, Ledger } from "../../../../engine/index.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { rejectsWith } from "../../../helpers/assert.ts";

async function ledgerWithCars(dir: string): Promise<{ ledger: Ledger; ids: string[] }> {
  const ledger = await Ledger.open(dir);
  await ledger.execute("CREATE TABLE cars");
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await ledger.execute("INSERT INTO cars ?", { n: i }))[0].documentId);
  return { ledger, ids };
}

test("BY id lookups plan as an id read and return what a scan returns", () =>
  withTempDir(async (dir) => {
    const { ledger, ids } = await ledgerWithCars(dir);
    const cases: { statement: string; params: unknown[]; expected: number[]; keys: number }[] = [
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", params: [ids[1]], expected: [1], keys: 1 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY PID WHERE pid = ?", params: [ids[1]], expected: [1], keys: 1 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE ? = pid AND c.n >= 1", params: [ids[2]], expected: [2], keys: 1 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE pid IN (?, ?, ?) ORDER BY c.n", params: [ids[3], ids[0], ids[3]], expected: [0, 3], keys: 3 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", params: ["0000000000000000000000"], expected: [], keys: 1 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", params: [5], expected: [], keys: 0 },
      { statement: "SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ? AND c.n = 99", params: [ids[1]], expected: [], keys: 1 },
    ];
    for (const { statement, params, expected, keys } of cases) {
      assert.deepEqual(await ledger.execute(statement, ...params), expected, statement);
      assert.deepEqual(await ledger.execute(`EXPLAIN ${statement}`, ...params), [{ table: "cars", access: "ids", keys }], statement);
      // The same query without the plan (OR defeats it) gives the same rows.
      const scanned = statement.replace("WHERE", "WHERE (1 = 2 OR TRUE) AND");
      assert.deepEqual(await ledger.execute(scanned, ...params), expected, scanned);
    }
    await ledger.execute("UPDATE cars AS c BY pid SET c.n = 10 WHERE pid = ?", ids[0]);
    await ledger.execute("DELETE FROM cars AS c BY pid WHERE pid = ?", ids[3]);
    assert.deepEqual(await ledger.execute("SELECT VALUE c.n FROM cars AS c ORDER BY c.n"), [1, 2, 10]);
    await ledger.close();
  }));

test("transactions updating different documents by id do not conflict; the same document does", () =>
  withTempDir(async (dir) => {
    const { ledger, ids } = await ledgerWithCars(dir);
    const bump = (id: string) => async (tx: Parameters<Parameters<Ledger["transaction"]>[0]>[0]) => {
      const [n] = await tx.execute("SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", id);
      await tx.execute("UPDATE cars AS c BY pid SET c.n = ? WHERE pid = ?", n + 1, id);
    };
    // Interleave by hand: both read, then both commit.
    const a = await ledger.transaction(async (txA) => {
      await bump(ids[0])(txA);
      await ledger.transaction(bump(ids[1]), { retries: 0 }); // commits first, another document
      return "a";
    }, { retries: 0 });
    assert.equal(a, "a");
    await rejectsWith(
      ledger.transaction(async (txA) => {
        await bump(ids[2])(txA);
        await ledger.transaction(bump(ids[2]), { retries: 0 }); // the same document: A must conflict
      }, { retries: 0 }),
      "OCC_CONFLICT",
    );
    assert.deepEqual(await ledger.execute("SELECT VALUE c.n FROM cars AS c ORDER BY c.n"), [1, 2, 3, 3]);
    await ledger.close();
  }));

test("the committed view by metadata.id reads just those documents", () =>
  withTempDir(async (dir) => {
    const { ledger, ids } = await ledgerWithCars(dir);
    await ledger.execute("UPDATE cars AS c BY pid SET c.n = 7 WHERE pid = ?", ids[2]);
    const cases: { statement: string; params: unknown[]; expected: unknown[]; keys: number }[] = [
      { statement: "SELECT VALUE c.data.n FROM _ql_committed_cars AS c WHERE c.metadata.id = ?", params: [ids[2]], expected: [7], keys: 1 },
      { statement: "SELECT VALUE c.metadata.version FROM _ql_committed_cars AS c WHERE c.METADATA.ID = ?", params: [ids[2]], expected: [1], keys: 1 },
      { statement: "SELECT VALUE c.data.n FROM _ql_committed_cars AS c WHERE c.metadata.id IN (?, ?) ORDER BY c.data.n", params: [ids[0], ids[1]], expected: [0, 1], keys: 2 },
      { statement: "SELECT VALUE c.data.n FROM _ql_committed_cars AS c WHERE c.metadata.id = ?", params: ["nope"], expected: [], keys: 1 },
    ];
    for (const { statement, params, expected, keys } of cases) {
      assert.deepEqual(await ledger.execute(statement, ...params), expected, statement);
      assert.deepEqual(await ledger.execute(`EXPLAIN ${statement}`, ...params), [{ table: "cars", access: "ids", keys }], statement);
      const scanned = statement.replace("WHERE", "WHERE (1 = 2 OR TRUE) AND");
      assert.deepEqual(await ledger.execute(scanned, ...params), expected, scanned);
    }
    // A committed-view read by id conflicts only with writers of that document.
    await ledger.transaction(async (tx) => {
      await tx.execute("SELECT * FROM _ql_committed_cars AS c WHERE c.metadata.id = ?", ids[0]);
      await ledger.execute("UPDATE cars AS c BY pid SET c.n = 100 WHERE pid = ?", ids[1]);
      await tx.execute("UPDATE cars AS c BY pid SET c.n = 50 WHERE pid = ?", ids[0]);
    }, { retries: 0 });
    await ledger.close();
  }));

test("a symbol with an id's text finds it (= holds between them); a LET differing only in case is not taken for BY", () =>
  withTempDir(async (dir) => {
    const { ledger, ids } = await ledgerWithCars(dir);
    const sym = ionLiteral(ion.symbol(ids[1]));
    assert.deepEqual(await ledger.execute("SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", sym), [1]);
    assert.deepEqual(await ledger.execute("SELECT VALUE c.data.n FROM _ql_committed_cars AS c WHERE c.metadata.id = ?", sym), [1]);
    await ledger.execute("UPDATE cars AS c BY pid SET c.n = 11 WHERE pid = ?", sym);
    assert.deepEqual(await ledger.execute("SELECT VALUE c.n FROM cars AS c BY pid WHERE pid = ?", ids[1]), [11]);
    // `Pid` is the LET (an exact match wins), not the BY variable `pid`: every row matches.
    const shadowed = "SELECT VALUE c.n FROM cars AS c BY pid LET 'zzz' AS Pid WHERE Pid = 'zzz' ORDER BY c.n";
    assert.deepEqual(await ledger.execute(shadowed), [0, 2, 3, 11]);
    assert.deepEqual(await ledger.execute(`EXPLAIN ${shadowed}`), [{ table: "cars", access: "scan" }]);
    await ledger.close();
  }));
