// `x IN (…)` over a long list of constants is hashed (engine/partiql/eval/in-set.ts): its answer
// must be exactly inItems' over the whole list, for every value, in both modes, row after row.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { inItems } from "../../../../../engine/partiql/eval/expr.ts";
import { parse } from "../../../../../engine/partiql/parser/index.ts";
import type { QueryStatement } from "../../../../../engine/partiql/ast.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { pv, run, same, show } from "./helpers.ts";

// Values `=` relates across types (1 = 1.0 = 1e0, string = symbol), ones it never does, NaN,
// typed and plain nulls, MISSING, containers and a $date struct (which take the slow path).
const POOL = [
  "1", "1.0", "1.00", "1e0", "2", "-0.0", "0", "0e0", "nan", "+inf", "-inf", "12345678901234567890123",
  '"a"', "a", '"A"', '""', "true", "false", "2020T", "2020-01-01T00:00Z", "2020-01-01T00:00:00.000Z",
  "{{aGk=}}", '{{"hi"}}', "null", "null.int", "$missing::null", "[1]", "$bag::[1]", "{a: 1}",
  "$date::{year: 2020, month: 1, day: 1}",
].map(pv);

const value = fc.constantFrom(...POOL);

function answers(rows: readonly PValue[], items: readonly PValue[], mode: "strict" | "permissive"): PValue[] {
  const list = items.map(() => "?").join(", ");
  const r = run(`SELECT x IN (${list}) AS r FROM ? AS x`, {}, mode, [...items, { kind: "bag", items: [...rows] }]);
  assert.equal(r.kind, "bag");
  // Rows come back in the bag's order here (one source, no ORDER BY needed for a single scan).
  return (r as { readonly items: readonly PValue[] }).items.map((row) => {
    const f = (row as { readonly fields: readonly (readonly [string, PValue])[] }).fields.find(([k]) => k === "r");
    return f === undefined ? { kind: "missing" } : f[1];
  });
}

test("a hashed IN answers as inItems over the whole list, for every row", () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 8, maxLength: 24 }), fc.array(value, { minLength: 1, maxLength: 12 }), fc.boolean(), (items, rows, permissive) => {
      const got = answers(rows, items, permissive ? "permissive" : "strict");
      rows.forEach((v, i) => {
        const want = inItems(v, items);
        assert.ok(same(got[i], want), `${show(v)} IN (${items.map(show).join(", ")}): got ${show(got[i])}, want ${show(want)}`);
      });
    }),
    { numRuns: 400 },
  );
});

test("a hashed IN with literals, NOT IN, and a statement run again with other parameters", () => {
  const lits = "(1, 2, 3, 4, 5, 6, 7, 'x', `y`, 8.0)";
  const q = (x: string) => run(`SELECT VALUE ${x} IN ${lits} FROM <<0>>`);
  assert.ok(same(q("8"), pv("$bag::[true]")));
  assert.ok(same(q("'y'"), pv("$bag::[true]")));
  assert.ok(same(q("9"), pv("$bag::[false]")));
  assert.ok(same(run(`SELECT VALUE 9 NOT IN ${lits} FROM <<0>>`), pv("$bag::[true]")));
  assert.ok(same(run(`SELECT VALUE 9 NOT IN (1, 2, 3, 4, 5, 6, 7, 8, NULL) FROM <<0>>`), pv("$bag::[null]")));
  // The same parsed statement with two parameter lists: the second must not see the first's set.
  const stmt = parse("SELECT VALUE ? IN (?, ?, ?, ?, ?, ?, ?, ?) FROM <<0>>") as QueryStatement;
  const ps = (v: number, base: number) => [v, ...Array.from({ length: 8 }, (_, i) => base + i)].map((n) => pv(String(n)));
  assert.ok(same(run(stmt, {}, "strict", ps(3, 0)), pv("$bag::[true]")));
  assert.ok(same(run(stmt, {}, "strict", ps(3, 100)), pv("$bag::[false]")));
  assert.ok(same(run(stmt, {}, "strict", ps(103, 100)), pv("$bag::[true]")));
});

test("a hashed IN over 50,000 parameters and 20,000 rows answers in well under the time limit", () => {
  const n = 50_000;
  const items = Array.from({ length: n }, (_, i) => pv(`"id${i}"`));
  const rows = Array.from({ length: 20_000 }, (_, i) => pv(`"id${i * 5}"`));
  const got = answers(rows, items, "strict");
  assert.equal(got.filter((r) => r.kind === "bool" && r.value).length, 10_000);
});
