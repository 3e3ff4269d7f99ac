import { test } from "node:test";
import assert from "node:assert/strict";
import { Decimal } from "ion-js";
import { ion, isLedgerError, type IonValue } from "../../../engine/index.ts";
import { compileCommitted, compileCount, compileDelete, compileFindMany, compileHistory, compileInsert, compileUpdate, escapeLike, type QueryArgs } from "../../../client/partiql.ts";
import { carsTable } from "./fixtures.ts";

const s = ion.string;
const i = ion.int;

const cases: { name: string; args: QueryArgs; text: string; params: IonValue[] }[] = [
  { name: "no args", args: {}, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i`, params: [] },
  { name: "equals shorthand", args: { where: { VIN: "1" } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" = ?`, params: [s("1")] },
  {
    name: "several fields AND",
    args: { where: { VIN: "1", Year: 2012 } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" = ? AND d."Year" = ?`,
    params: [s("1"), i(2012)],
  },
  { name: "id", args: { where: { id: "abc" } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE i = ?`, params: [s("abc")] },
  {
    name: "range ops",
    args: { where: { Year: { gte: 2000, lt: 2020 } } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Year" >= ? AND d."Year" < ?`,
    params: [i(2000), i(2020)],
  },
  {
    name: "lte gt",
    args: { where: { Year: { lte: 5, gt: 1 } } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Year" <= ? AND d."Year" > ?`,
    params: [i(5), i(1)],
  },
  { name: "equals/not", args: { where: { Owner: { equals: "a", not: "b" } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Owner" = ? AND d."Owner" <> ?`, params: [s("a"), s("b")] },
  { name: "null equals", args: { where: { Price: null } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Price" IS NULL`, params: [] },
  { name: "not null", args: { where: { Price: { not: null } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Price" IS NOT NULL`, params: [] },
  { name: "in", args: { where: { VIN: { in: ["1", "2"] } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" IN (?, ?)`, params: [s("1"), s("2")] },
  { name: "in empty", args: { where: { VIN: { in: [] } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE FALSE`, params: [] },
  { name: "notIn", args: { where: { VIN: { notIn: ["1"] } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE NOT (d."VIN" IN (?))`, params: [s("1")] },
  { name: "notIn empty", args: { where: { VIN: { notIn: [] } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE TRUE`, params: [] },
  {
    name: "contains escapes",
    args: { where: { Owner: { contains: "50%_a\\b" } } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Owner" LIKE ? ESCAPE '\\'`,
    params: [s("%50\\%\\_a\\\\b%")],
  },
  { name: "startsWith", args: { where: { Owner: { startsWith: "Ma" } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Owner" LIKE ? ESCAPE '\\'`, params: [s("Ma%")] },
  { name: "endsWith", args: { where: { Owner: { endsWith: "ia" } } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Owner" LIKE ? ESCAPE '\\'`, params: [s("%ia")] },
  {
    name: "OR with AND inside",
    args: { where: { OR: [{ VIN: "1" }, { VIN: "2", Year: 3 }] } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE (d."VIN" = ? OR (d."VIN" = ? AND d."Year" = ?))`,
    params: [s("1"), s("2"), i(3)],
  },
  { name: "OR empty", args: { where: { OR: [] } }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE FALSE`, params: [] },
  {
    name: "AND array + NOT",
    args: { where: { AND: [{ VIN: "1" }, { Year: 2 }], NOT: { Owner: "x" } } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" = ? AND d."Year" = ? AND NOT (d."Owner" = ?)`,
    params: [s("1"), i(2), s("x")],
  },
  {
    name: "decimal stays exact",
    args: { where: { Price: { gt: new Decimal("10.50") } } },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."Price" > ?`,
    params: [{ kind: "decimal", coefficient: 1050n, exponent: -2, negative: false }],
  },
  {
    name: "orderBy, take, skip",
    args: { orderBy: [{ Year: "desc" }, { id: "asc" }], take: 10, skip: 20 },
    text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i ORDER BY d."Year" DESC, i ASC LIMIT ? OFFSET ?`,
    params: [i(10), i(20)],
  },
  {
    name: "select",
    args: { select: { VIN: true, Year: true }, where: { Owner: "a" } },
    text: `SELECT {'VIN': d."VIN", 'Year': d."Year"} AS doc, i AS id FROM "cars" AS d BY i WHERE d."Owner" = ?`,
    params: [s("a")],
  },
  { name: "undefined entries ignored", args: { where: { VIN: undefined }, take: undefined }, text: `SELECT d AS doc, i AS id FROM "cars" AS d BY i`, params: [] },
];

for (const c of cases) {
  test(`compileFindMany: ${c.name}`, () => {
    const st = compileFindMany(carsTable, c.args);
    assert.equal(st.text, c.text);
    assert.deepEqual(st.params, c.params);
  });
}

const rejects: { name: string; args: QueryArgs; code: string; path?: string }[] = [
  { name: "unknown field", args: { where: { Vin: "1" } }, code: "TYPE_ERROR", path: "cars.Vin" },
  { name: "string for int", args: { where: { Year: "2012" } }, code: "TYPE_ERROR", path: "cars.Year" },
  { name: "non-integer for int", args: { where: { Year: { gt: 1.5 } } }, code: "TYPE_ERROR", path: "cars.Year.gt" },
  { name: "contains on int", args: { where: { Year: { contains: "1" } } }, code: "TYPE_ERROR", path: "cars.Year.contains" },
  { name: "unknown operator", args: { where: { VIN: { like: "1" } } }, code: "TYPE_ERROR", path: "cars.VIN.like" },
  { name: "in element", args: { where: { VIN: { in: ["1", 2] } } }, code: "TYPE_ERROR", path: "cars.VIN.in[1]" },
  // Filters that would add no condition, and so match (update, delete) every row.
  { name: "empty operator object", args: { where: { VIN: {} } }, code: "INVALID_ARGUMENT", path: "cars.VIN" },
  { name: "empty operator object on id", args: { where: { id: {} } }, code: "INVALID_ARGUMENT", path: "cars.id" },
  { name: "undefined equals on id", args: { where: { id: { equals: undefined } } }, code: "TYPE_ERROR", path: "cars.id.equals" },
  { name: "undefined operator among defined ones", args: { where: { Year: { gte: 2010, lt: undefined } } }, code: "TYPE_ERROR", path: "cars.Year.lt" },
  ...["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte", "contains", "startsWith", "endsWith"].map((op) => ({
    name: `undefined ${op}`, args: { where: { Owner: { [op]: undefined } } }, code: "TYPE_ERROR", path: `cars.Owner.${op}`,
  })),
  { name: "undefined operator nested in OR", args: { where: { OR: [{ VIN: "1" }, { VIN: { equals: undefined } }] } }, code: "TYPE_ERROR", path: "cars.OR[1].VIN.equals" },
  { name: "AND: []", args: { where: { AND: [] } }, code: "INVALID_ARGUMENT", path: "cars.AND" },
  { name: "NOT: []", args: { where: { NOT: [] } }, code: "INVALID_ARGUMENT", path: "cars.NOT" },
  { name: "AND: {}", args: { where: { AND: {} } }, code: "INVALID_ARGUMENT", path: "cars.AND" },
  { name: "NOT: {}", args: { where: { NOT: {} } }, code: "INVALID_ARGUMENT", path: "cars.NOT" },
  { name: "AND: [{}]", args: { where: { AND: [{ VIN: "1" }, {}] } }, code: "INVALID_ARGUMENT", path: "cars.AND[1]" },
  { name: "OR: [{}]", args: { where: { OR: [{ VIN: "1" }, {}] } }, code: "INVALID_ARGUMENT", path: "cars.OR[1]" },
  { name: "NOT: [{}]", args: { where: { NOT: [{}] } }, code: "INVALID_ARGUMENT", path: "cars.NOT[0]" },
  { name: "OR element of undefined fields", args: { where: { OR: [{ VIN: undefined }] } }, code: "INVALID_ARGUMENT", path: "cars.OR[0]" },
  { name: "bad take", args: { take: -1 }, code: "INVALID_ARGUMENT" },
  { name: "bad orderBy", args: { orderBy: { Year: "up" } }, code: "INVALID_ARGUMENT" },
  { name: "orderBy unknown", args: { orderBy: { Yaer: "asc" } }, code: "TYPE_ERROR" },
  { name: "select unknown", args: { select: { Yaer: true } }, code: "TYPE_ERROR" },
];
for (const c of rejects) {
  test(`compileFindMany rejects: ${c.name}`, () => {
    assert.throws(() => compileFindMany(carsTable, c.args), (e) => {
      assert.ok(isLedgerError(e), String(e));
      assert.equal(e.code, c.code);
      if (c.path) assert.equal(e.details.path, c.path);
      return true;
    });
  });
}

test("other statements", () => {
  assert.deepEqual(compileCount(carsTable, { VIN: "1" }), { text: `SELECT COUNT(*) AS n FROM "cars" AS d BY i WHERE d."VIN" = ?`, params: [s("1")] });
  const doc = ion.struct([["VIN", s("1")]]);
  assert.deepEqual(compileInsert(carsTable, doc), { text: `INSERT INTO "cars" ?`, params: [doc] });
  assert.deepEqual(compileUpdate(carsTable, "id1", [["Owner", s("b")], ["Year", i(1)]]), {
    text: `UPDATE "cars" AS d BY i SET d."Owner" = ?, d."Year" = ? WHERE i = ?`,
    params: [s("b"), i(1), s("id1")],
  });
  assert.deepEqual(compileDelete(carsTable, "id1"), { text: `DELETE FROM "cars" AS d BY i WHERE i = ?`, params: [s("id1")] });
  assert.deepEqual(compileCommitted(carsTable, { where: { id: "x", VIN: "1" } }), {
    text: `SELECT * FROM "_ql_committed_cars" AS c WHERE c.metadata.id = ? AND c.data."VIN" = ?`,
    params: [s("x"), s("1")],
  });
  assert.deepEqual(compileHistory(carsTable, { ids: ["x"], where: { Owner: "o" } }), {
    text: `SELECT * FROM history("cars") AS h WHERE h.data IS NOT MISSING AND h.data."Owner" = ? AND h.metadata.id = ?`,
    params: [s("o"), s("x")],
  });
  const t = { kind: "string", value: "t" } as const;
  assert.equal(compileHistory(carsTable, { bounds: [t, t] }).text, `SELECT * FROM history("cars", ?, ?) AS h`);
});

test("escapeLike", () => {
  assert.equal(escapeLike("a%b_c\\d"), "a\\%b\\_c\\\\d");
  assert.equal(escapeLike("plain"), "plain");
});

test("injection text stays a parameter", () => {
  const evil = "'; DROP TABLE cars --";
  const st = compileFindMany(carsTable, { where: { VIN: evil, Owner: { contains: evil } } });
  assert.ok(!st.text.includes("DROP"));
  assert.deepEqual(st.params[0], s(evil));
});
