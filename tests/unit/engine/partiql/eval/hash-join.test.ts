// Hash joins (engine/partiql/eval/equi-join.ts): which joins qualify, and that a hashed join gives
// exactly the nested loop's rows, in the same order, or the same error.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "../../../../../engine/partiql/parser/index.ts";
import type { FromSource, QueryStatement, Select } from "../../../../../engine/partiql/ast.ts";
import { equiJoinOf } from "../../../../../engine/partiql/eval/equi-join.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { isLedgerError } from "../../../../../engine/errors.ts";
import { pv, run, same, show } from "./helpers.ts";

/** The join of `SELECT … FROM <join> …`. */
function joinOf(statement: string): FromSource & { kind: "join" } {
  const q = (parse(statement) as QueryStatement).query as Select;
  assert.equal(q.from?.kind, "join", statement);
  return q.from as FromSource & { kind: "join" };
}

const analysed = (statement: string, leftVars: string[], rightVars: string[]) => {
  const join = joinOf(statement);
  return equiJoinOf(join, (side) => (side === join.left ? leftVars : rightVars));
};

test("which joins hash: an equality between one side's expression and the other's", () => {
  const yes = [
    "SELECT * FROM cars c JOIN owners o ON c.owner = o.id",
    "SELECT * FROM cars c JOIN owners o ON o.id = c.owner",
    "SELECT * FROM cars c LEFT JOIN owners o ON UPPER(c.owner) = o.id",
    "SELECT * FROM cars c INNER JOIN owners o ON c.owner = o.id AND o.active = true AND c.year > 2000",
    "SELECT * FROM cars C JOIN owners O ON c.owner = o.ID",
    "SELECT * FROM cars c JOIN owners o ON c.owner[0] = o.ids[1]",
  ];
  for (const s of yes) assert.notEqual(analysed(s, ["c"], ["o"]), undefined, s);
  assert.equal(analysed(yes[3], ["c"], ["o"])?.more, true);
  assert.equal(analysed(yes[0], ["c"], ["o"])?.more, false);
  const no = [
    "SELECT * FROM cars c CROSS JOIN owners o",
    "SELECT * FROM cars c RIGHT JOIN owners o ON c.owner = o.id",
    "SELECT * FROM cars c FULL JOIN owners o ON c.owner = o.id",
    "SELECT * FROM cars c JOIN owners o ON c.owner = o.id OR false",
    "SELECT * FROM cars c JOIN owners o ON o.active AND c.owner = o.id",
    "SELECT * FROM cars c JOIN owners o ON c.owner < o.id",
    "SELECT * FROM cars c JOIN owners o ON c.owner = c.seller",
    "SELECT * FROM cars c JOIN owners o ON c.owner || o.x = o.id",
    "SELECT * FROM cars c JOIN owners o ON owner = o.id",
    "SELECT * FROM cars c JOIN owners o ON c.owner = (SELECT VALUE x FROM o.ids x)",
    "SELECT * FROM cars c JOIN c.owners o ON c.owner = o.id",
    "SELECT * FROM cars c JOIN @owners o ON c.owner = o.id",
    "SELECT * FROM cars c JOIN owners o ON 1 = o.id",
    'SELECT * FROM cars c JOIN owners o ON "C".owner = o.id',
  ];
  for (const s of no) assert.equal(analysed(s, ["c"], ["o"]), undefined, s);
});

type Outcome = { rows: readonly PValue[] } | { error: string };

function outcome(statement: string, env: Record<string, PValue>, mode: "strict" | "permissive"): Outcome {
  try {
    const v = run(statement, env, mode);
    assert.equal(v.kind, "bag");
    return { rows: (v as { items: readonly PValue[] }).items };
  } catch (e) {
    if (!isLedgerError(e)) throw e;
    return { error: e.code };
  }
}

// Ion text: `x` is a symbol and "x" a string (equal in PartiQL), 1e0 a float.
// Also containers, which the hash join leaves to the nested loop.
const arbKey = fc.constantFrom("1", "1.0", "1e0", "2", "2.50", '"x"', "x", "null", "null.int", "[1]", "[1.0]", "{a: 1}", "2024T", "ABSENT");
const arbRow = fc.tuple(arbKey, fc.integer({ min: 0, max: 3 })).map(([k, v]) => (k === "ABSENT" ? `{v: ${v}}` : `{k: ${k}, v: ${v}}`));
const arbTable = fc.array(arbRow, { maxLength: 7 }).map((rows) => pv(`$bag::[${rows.join(", ")}]`));

test("property: a hashed join gives the nested loop's rows in the nested loop's order, or its error", () => {
  const queries = [
    "SELECT a.v AS av, b.v AS bv FROM a JOIN b ON a.k = b.k",
    "SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON b.k = a.k",
    "SELECT a.v AS av, b.v AS bv FROM a JOIN b ON a.k = b.k AND b.v > 1",
    "SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON a.k = b.k AND a.v < b.v",
    "SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON a.k = b.k AND 1 / (b.v - 2) > 0",
    "SELECT a.v AS av, x.v AS xv, b.v AS bv FROM a JOIN b AS x ON a.k = x.k JOIN b ON b.v = x.v",
    "SELECT a.v AS av, x.v AS xv, b.v AS bv FROM a LEFT JOIN b AS x ON a.k = x.k AND x.v > 0 LEFT JOIN b ON b.k = x.k AND true",
  ];
  fc.assert(
    fc.property(arbTable, arbTable, fc.constantFrom(...queries), fc.constantFrom("strict" as const, "permissive" as const), (a, b, query, mode) => {
      // `… OR false` is true exactly when ON is, and is not hashed: the nested loop's answer.
      const nested = query.replace(/ ON (.*?)( (?:LEFT |INNER )?JOIN |$)/g, " ON ($1) OR false$2");
      assert.notEqual(nested, query);
      const env = { a, b };
      const got = outcome(query, env, mode);
      const want = outcome(nested, env, mode);
      if ("error" in want || "error" in got) {
        assert.deepEqual(got, want, `${query} [${mode}]`);
        return;
      }
      assert.ok(same({ kind: "list", items: got.rows }, { kind: "list", items: want.rows }), `${query} [${mode}]\n got  ${show({ kind: "list", items: got.rows })}\n want ${show({ kind: "list", items: want.rows })}`);
    }),
    { numRuns: 600 },
  );
});

test("keys the hash join cannot take leave the join to the nested loop, with its result", () => {
  // A malformed $date struct: its group key fails, where `=` against NULL never looks at it.
  const date: PValue = { kind: "struct", annotations: ["$date"], fields: [["year", pv('"x"')], ["month", pv("1")], ["day", pv("1")]] };
  const a: PValue = { kind: "bag", items: [{ kind: "struct", fields: [["k", date], ["v", pv("1")]] }] };
  for (const right of ["$bag::[{k: null, v: 2}]", "$bag::[{k: 5, v: 2}]"]) {
    for (const mode of ["strict", "permissive"] as const) {
      const env = { a, b: pv(right) };
      const hashed = outcome("SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON a.k = b.k", env, mode);
      const nested = outcome("SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON (a.k = b.k) OR false", env, mode);
      assert.deepEqual(hashed, nested, `${right} [${mode}]`);
    }
  }
});

test("a hashed join matches 1, 1.0 and 1e0, and never a NULL or MISSING key", () => {
  const env = {
    a: pv('$bag::[{k: 1, v: "a1"}, {k: null, v: "anull"}, {v: "amissing"}, {k: "x", v: "ax"}]'),
    b: pv('$bag::[{k: 1.0, v: "b1"}, {k: 1e0, v: "b1e0"}, {k: null, v: "bnull"}, {v: "bmissing"}, {k: x, v: "bx"}]'),
  };
  const rows = outcome("SELECT a.v AS av, b.v AS bv FROM a LEFT JOIN b ON a.k = b.k", env, "permissive");
  assert.ok("rows" in rows);
  assert.ok(same({ kind: "list", items: rows.rows }, pv(`[
    {av: "a1", bv: "b1"}, {av: "a1", bv: "b1e0"}, {av: "anull"}, {av: "amissing"}, {av: "ax", bv: "bx"}
  ]`)), show({ kind: "list", items: rows.rows }));
});
