/**
 * An index changes how rows are found, never which: every statement gives the same rows, and
 * changes the same documents, on a table with an index on the field it filters by as on a table
 * without one. Values chosen where index keys and PartiQL's comparisons part ways: NaN (which the
 * evaluator orders below every number), infinities, and SQL DATE and TIMESTAMP values, which equal
 * the Ion timestamps of their instant.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Ledger } from "../../../../engine/index.ts";
import { withLedger } from "../../../helpers/ledger.ts";

interface Case {
  readonly name: string;
  /** Each document's value of f, as PartiQL; undefined leaves f out. */
  readonly values: readonly (string | undefined)[];
  readonly predicates: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: "numbers with NaN and infinities",
    values: ["`nan`", "1", "`-inf`", "`+inf`", "2.5", "`0e0`", "`-1e0`", "NULL", undefined, "`nan`"],
    predicates: [
      "x.f < 5", "x.f <= `-inf`", "x.f < `-inf`", "x.f > `-inf`", "x.f >= 1", "x.f > 1", "x.f <= 0",
      "x.f BETWEEN `-inf` AND 5", "x.f = `nan`", "x.f IN (`nan`, 1)", "x.f = 1", "x.f = `+inf`", "x.f < `+inf`",
    ],
  },
  {
    name: "timestamps with SQL DATE and TIMESTAMP values",
    values: [
      "DATE '2020-01-01'", "`2020T`", "`2020-01-01T00:00Z`", "`2020-01-01T00:00+01:00`", "TIMESTAMP '2020-01-01 00:00:00'",
      "`2021T`", "`2020-01-01T00:00:00.0000000001Z`", "DATE '2021-01-01'", "NULL", undefined,
    ],
    predicates: [
      "x.f = `2020T`", "x.f = `2020-01-01T00:00:00.000Z`", "x.f IN (`2020T`, `2021T`)", "x.f IN (`2021T`)",
      "x.f < `2020-06-01T`", "x.f >= `2020-01-01T00:00:00.0000000001Z`", "x.f = `2020-01-01T00:00:00.0000000001Z`",
      "x.f > `2019-12-31T23:30Z`", "x.f <= `2020T`",
    ],
  },
];

async function load(ledger: Ledger, table: string, values: Case["values"], indexed: boolean): Promise<void> {
  await ledger.execute(`CREATE TABLE ${table}`);
  if (indexed) await ledger.execute(`CREATE INDEX ON ${table} (f)`);
  for (const [id, v] of values.entries()) {
    await ledger.execute(`INSERT INTO ${table} VALUE {'id': ${id}${v === undefined ? "" : `, 'f': ${v}`}}`);
  }
}

for (const c of CASES) {
  test(`${c.name}: each statement finds and changes the same documents with an index as without`, () =>
    withLedger(async (ledger) => {
      await load(ledger, "ix", c.values, true);
      await load(ledger, "plain", c.values, false);
      const ids = async (table: string, where: string) =>
        (await ledger.execute(`SELECT VALUE x.id FROM ${table} AS x WHERE ${where}`)).sort((a, b) => a - b);
      for (const p of c.predicates) {
        const want = await ids("plain", p);
        assert.deepEqual(await ids("ix", p), want, `SELECT … WHERE ${p}`);
        for (const table of ["ix", "plain"]) await ledger.execute(`UPDATE ${table} AS x SET x.hit = 1 WHERE ${p}`);
        assert.deepEqual(await ids("ix", "x.hit = 1"), want, `UPDATE … WHERE ${p}`);
        for (const table of ["ix", "plain"]) await ledger.execute(`UPDATE ${table} AS x REMOVE x.hit`);
      }
      // DELETE last, one predicate at a time, comparing what is left.
      for (const p of c.predicates) {
        for (const table of ["ix", "plain"]) await ledger.execute(`DELETE FROM ${table} AS x WHERE ${p}`);
        assert.deepEqual(await ids("ix", "TRUE"), await ids("plain", "TRUE"), `DELETE … WHERE ${p}`);
      }
    }));
}

test("property: any numbers, timestamps or a mix, any comparison with a constant: the same rows, or the same error, with an index as without", () => {
  const numbers = ["`nan`", "`-inf`", "`+inf`", "0", "1", "-1", "2.50", "`1e0`", "`-0e0`", "NULL"];
  const times = ["`2020T`", "`2020-01-01T00:00Z`", "`2020-01-01T01:00+01:00`", "DATE '2020-01-01'", "DATE '2019-12-31'", "`2020-01-01T00:00:00.5Z`", "NULL"];
  // Mixed classes: `<` between them is a type error in a scan, which a range read must meet too.
  const mixed = ["`nan`", "1", "`2020T`", "DATE '2020-01-01'", "'a'", "true", "[1]", "NULL"];
  const valuesOf = (pool: string[]) => fc.record({ pool: fc.constant(pool), values: fc.array(fc.option(fc.constantFrom(...pool), { nil: undefined }), { maxLength: 8 }) });
  const value = fc.oneof(valuesOf(numbers), valuesOf(times), valuesOf(mixed));
  return fc.assert(
    fc.asyncProperty(value, fc.constantFrom("<", "<=", ">", ">=", "="), fc.nat(), fc.nat(), async ({ pool, values }, op, i, j) => {
      const constant = pool[i % pool.length], other = pool[j % pool.length];
      if (constant === "NULL" || constant.startsWith("DATE")) return; // not looked up by an index
      await withLedger(async (ledger) => {
        await load(ledger, "ix", values, true);
        await load(ledger, "plain", values, false);
        for (const where of [`x.f ${op} ${constant}`, `x.f IN (${constant}, ${other})`, `x.f BETWEEN ${constant} AND ${other}`]) {
          const outcome = async (table: string) => {
            try {
              return (await ledger.execute(`SELECT VALUE x.id FROM ${table} AS x WHERE ${where}`)).sort((a, b) => a - b);
            } catch (e) {
              return (e as { code?: string }).code ?? String(e);
            }
          };
          assert.deepEqual(await outcome("ix"), await outcome("plain"), where);
        }
      });
    }),
    { numRuns: 40 },
  );
});

test("a point query with a timestamp parameter finds SQL DATE and TIMESTAMP values too, on the fast path as on the general one", () =>
  withLedger(async (ledger) => {
    const { ionLiteral, parseText } = await import("../../../../engine/index.ts");
    const values = ["DATE '2020-01-01'", "`2020T`", "TIMESTAMP '2020-01-01 00:00:00'", "'text'", "`2021T`"];
    await load(ledger, "ix", values, true);
    await load(ledger, "plain", values, false);
    for (const table of ["ix", "plain"]) {
      // A text value first, so the statement keeps a point plan (autoPointQuery) for the next ones.
      assert.deepEqual((await ledger.execute(`SELECT * FROM ${table} WHERE f = ?`, "text")).map((r) => r.id), [3]);
    }
    for (const t of ["2020T", "2020-01-01T00:00:00.000Z", "2021T"]) {
      const param = ionLiteral(parseText(t)[0]);
      const ids = async (table: string) => (await ledger.execute(`SELECT * FROM ${table} WHERE f = ?`, param)).map((r) => r.id).sort();
      assert.deepEqual(await ids("ix"), await ids("plain"), t);
      const inTx = await ledger.transaction(async (tx) => (await tx.execute("SELECT * FROM ix WHERE f = ?", param)).map((r) => r.id).sort());
      assert.deepEqual(inTx, await ids("plain"), `${t} in a transaction`);
    }
  }));
