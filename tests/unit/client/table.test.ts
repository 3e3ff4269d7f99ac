import { test } from "node:test";
import assert from "node:assert/strict";
import { Decimal } from "ion-js";
import { isLedgerError } from "../../../engine/index.ts";
import { int, Temporal, unset, type Statement, type TableDescriptor } from "../../../client/index.ts";
import { openClient, openClientOf, type Car } from "./fixtures.ts";

const car = (VIN: string, Year: number, Owner = "Maria Garcia"): Car => ({
  VIN, Manufacturer: "Tesla", Model: "Model S", Year: int(Year), Owner,
});

async function seeded() {
  const c = await openClient();
  await c.db.cars.insertMany([car("1", 2012), car("2", 2015, "Richard Roe"), car("3", 2018, "Maria Lopez"), car("4", 2020, "50%_off")]);
  return c;
}

test("connect creates tables and indexes once; reopen keeps them", async () => {
  const seen: Statement[] = [];
  const c = await openClient({ onStatement: (s) => seen.push(s) });
  try {
    assert.deepEqual(seen.map((s) => s.text), [
      "SELECT * FROM information_schema.user_tables",
      `CREATE TABLE "cars"`,
      `CREATE INDEX ON "cars" ("VIN")`,
      `CREATE TABLE "registrations"`,
      `CREATE INDEX ON "registrations" ("Plate")`,
    ]);
  } finally {
    await c.db.$close();
  }
  const { createClient } = await import("../../../client/index.ts");
  const { schema } = await import("./fixtures.ts");
  const again: Statement[] = [];
  const db = await createClient(c.dir, schema, { onStatement: (s) => again.push(s) });
  assert.equal(again.length, 1);
  await db.$close();
  await c.close();
});

test("insert / findUnique / findFirst / findMany / count", async () => {
  const { db, close } = await seeded();
  try {
    const inserted = await db.cars.insert({ ...car("5", 2021), Price: new Decimal("100.10"), RegisteredAt: Temporal.Instant.from("2021-01-01T00:00:00Z") });
    assert.equal(typeof inserted.id, "string");
    assert.equal(inserted.Price!.toString(), "100.10");
    const byId = await db.cars.findUnique({ where: { id: inserted.id } });
    assert.equal(byId!.VIN, "5");
    assert.equal(byId!.Price!.toString(), "100.10");
    assert.equal(String(byId!.RegisteredAt), "2021-01-01T00:00:00Z");
    assert.equal((await db.cars.findUnique({ where: { VIN: "2" } }))!.Owner, "Richard Roe");
    assert.equal(await db.cars.findUnique({ where: { VIN: "nope" } }), null);
    assert.throws(() => db.cars.findUnique.toPartiQL({ where: { Owner: "x" } }), (e) => isLedgerError(e, "INVALID_ARGUMENT"));

    const ordered = await db.cars.findMany({ where: { Year: { gte: 2015 } }, orderBy: { Year: "desc" } });
    assert.deepEqual(ordered.map((r) => r.VIN), ["5", "4", "3", "2"]);
    const page = await db.cars.findMany({ orderBy: { Year: "asc" }, take: 2, skip: 1 });
    assert.deepEqual(page.map((r) => r.VIN), ["2", "3"]);
    const maria = await db.cars.findMany({ where: { Owner: { startsWith: "Maria" } }, orderBy: { VIN: "asc" } });
    assert.deepEqual(maria.map((r) => r.VIN), ["1", "3", "5"]);
    const pct = await db.cars.findMany({ where: { Owner: { contains: "%_" } } });
    assert.deepEqual(pct.map((r) => r.VIN), ["4"]);
    assert.deepEqual((await db.cars.findMany({ where: { Owner: { endsWith: "Roe" } } })).map((r) => r.VIN), ["2"]);
    const sel = await db.cars.findMany({ where: { VIN: "1" }, select: { Owner: true } });
    assert.deepEqual(Object.keys(sel[0]).sort(), ["Owner", "id"]);
    const first = await db.cars.findFirst({ orderBy: { Year: "desc" } });
    assert.equal(first!.VIN, "5");
    assert.equal(await db.cars.findFirst({ where: { VIN: "x" } }), null);
    assert.equal(await db.cars.count(), 5);
    assert.equal(await db.cars.count({ where: { OR: [{ VIN: "1" }, { Year: { gt: 2019 } }] } }), 3);
    assert.equal(await db.cars.count({ where: { NOT: { Owner: { startsWith: "Maria" } } } }), 2);
    assert.equal(await db.cars.count({ where: { Price: null } }), 4);
    assert.equal(await db.cars.count({ where: { Price: { not: null } } }), 1);
    assert.equal(await db.cars.count({ where: { VIN: { in: ["1", "2", "9"] } } }), 2);
    assert.equal(await db.cars.count({ where: { VIN: { notIn: ["1", "2"] } } }), 3);
    assert.equal(await db.cars.count({ where: { Price: { gte: new Decimal("100.1") } } }), 1);
    assert.deepEqual(db.cars.count.toPartiQL({ where: { VIN: "1" } }).text, `SELECT COUNT(*) AS n FROM "cars" AS d BY i WHERE d."VIN" = ?`);
  } finally {
    await close();
  }
});

test("insert rejects bad input before journaling", async () => {
  const { db, close } = await seeded();
  try {
    const tip = (await db.$digest()).digestTipAddress.sequenceNo;
    await assert.rejects(db.cars.insert({ ...car("9", 2000), Year: "2000" } as unknown as Car), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === "cars.Year");
    await assert.rejects(db.cars.insertMany([car("9", 2000), { ...car("10", 1), Extra: 1 } as unknown as Car]), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === "cars[1].Extra");
    assert.equal((await db.$digest()).digestTipAddress.sequenceNo, tip);
    assert.equal(await db.cars.count(), 4);
  } finally {
    await close();
  }
});

test("update / updateMany / upsert / delete / deleteMany", async () => {
  const seen: Statement[] = [];
  const { db, close } = await openClient({ onStatement: (s) => seen.push(s) });
  try {
    await db.cars.insertMany([car("1", 2012), car("2", 2015), car("3", 2018)]);
    seen.length = 0;
    const updated = await db.cars.update({ where: { VIN: "1" }, data: { Owner: "Richard Roe", Price: new Decimal("1.50") } });
    assert.equal(updated.Owner, "Richard Roe");
    assert.equal(updated.Year, 2012);
    assert.deepEqual(seen.map((s) => s.text), [
      `SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" = ?`,
      `UPDATE "cars" AS d BY i SET d."Owner" = ?, d."Price" = ? WHERE i = ?`,
    ]);
    assert.equal((await db.cars.findUnique({ where: { id: updated.id } }))!.Price!.toString(), "1.50");
    await assert.rejects(db.cars.update({ where: { VIN: "nope" }, data: { Owner: "x" } }), (e) => isLedgerError(e, "DOCUMENT_NOT_FOUND"));
    await assert.rejects(db.cars.update({ where: { Owner: "Maria Garcia" }, data: { Owner: "x" } }), (e) => isLedgerError(e, "DOCUMENT_NOT_FOUND"));
    await assert.rejects(db.cars.update({ where: { VIN: "1" }, data: { Year: 1.5 as Car["Year"] } }), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === "cars.Year");
    await assert.rejects(db.cars.update({ where: { VIN: "1" }, data: { id: "x" } as never }), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === "cars.id");

    assert.deepEqual(await db.cars.updateMany({ where: { Owner: "Maria Garcia" }, data: { Owner: "Dealer" } }), { count: 2 });
    assert.equal(await db.cars.count({ where: { Owner: "Dealer" } }), 2);

    const created = await db.cars.upsert({ where: { VIN: "7" }, create: car("7", 2022), update: { Owner: "no" } });
    assert.equal(created.Owner, "Maria Garcia");
    const upd = await db.cars.upsert({ where: { VIN: "7" }, create: car("7", 2022), update: { Owner: "Yes" } });
    assert.equal(upd.Owner, "Yes");
    assert.equal(upd.id, created.id);

    const gone = await db.cars.delete({ where: { VIN: "7" } });
    assert.equal(gone.id, created.id);
    assert.equal(await db.cars.findUnique({ where: { id: created.id } }), null);
    await assert.rejects(db.cars.delete({ where: { VIN: "7" } }), (e) => isLedgerError(e, "DOCUMENT_NOT_FOUND"));
    assert.deepEqual(await db.cars.deleteMany({ where: { Owner: "Dealer" } }), { count: 2 });
    assert.equal(await db.cars.count(), 1);
  } finally {
    await close();
  }
});

test("committed view, history, asOf, verify", async () => {
  const { db, close } = await openClient();
  try {
    const a = await db.cars.insert(car("1", 2012));
    const b = await db.cars.insert(car("2", 2014));
    await new Promise((r) => setTimeout(r, 5));
    const between = Temporal.Now.instant();
    await new Promise((r) => setTimeout(r, 5));
    await db.cars.update({ where: { id: a.id }, data: { Owner: "Richard Roe" } });
    await db.cars.delete({ where: { id: b.id } });

    const committed = await db.cars.committed.findMany({ where: { VIN: "1" } });
    assert.equal(committed.length, 1);
    assert.equal(committed[0].data.Owner, "Richard Roe");
    assert.equal(committed[0].metadata.version, 1);
    assert.equal(committed[0].metadata.id, a.id);
    assert.equal(Object.prototype.toString.call(committed[0].metadata.txTime), "[object Temporal.Instant]");
    assert.equal(committed[0].hash.length, 32);
    assert.equal((await db.cars.committed.findUnique({ where: { id: a.id } }))!.data.VIN, "1");
    assert.equal(await db.cars.committed.findUnique({ where: { id: b.id } }), null);

    const hist = [];
    for await (const r of db.cars.history({ id: a.id })) hist.push(r);
    assert.deepEqual(hist.map((r) => [r.version, r.data?.Owner]), [[0, "Maria Garcia"], [1, "Richard Roe"]]);
    const hb = [];
    for await (const r of db.cars.history({ where: { VIN: "2" } })) hb.push(r);
    assert.deepEqual(hb.map((r) => [r.id, r.version, r.data === undefined]), [[b.id, 0, false], [b.id, 1, true]]);
    const all = [];
    for await (const r of db.cars.history()) all.push(r);
    assert.equal(all.length, 4);
    const early = [];
    for await (const r of db.cars.history({ to: between })) early.push(r);
    assert.equal(early.length, 2);
    const late = [];
    for await (const r of db.cars.history({ from: between })) late.push(r);
    // QLDB's window semantics: revisions active at `from` (the two v0s) count too.
    assert.equal(late.length, 4);

    const then = await db.cars.asOf(between);
    assert.deepEqual(then.map((r) => [r.VIN, r.Owner]).sort(), [["1", "Maria Garcia"], ["2", "Maria Garcia"]]);
    assert.deepEqual((await db.cars.asOf(between, { where: { VIN: "2" } })).map((r) => r.id), [b.id]);
    assert.deepEqual((await db.cars.asOf(Temporal.Now.instant())).map((r) => r.Owner), ["Richard Roe"]);
    assert.deepEqual(await db.cars.asOf(Temporal.Now.instant(), { where: { Owner: "Maria Garcia" } }), []);

    const v = await db.cars.verify(a.id);
    assert.equal(v.verified, true);
    assert.equal(v.documentId, a.id);
    assert.match(v.digest, /^[0-9a-f]{64}$/);
    assert.ok(v.proofLength > 0);
    assert.deepEqual(v.digestTipAddress, (await db.$digest()).digestTipAddress);
    assert.equal((await db.cars.verify(b.id)).verified, true);
    await assert.rejects(db.cars.verify("nope"), (e) => isLedgerError(e, "DOCUMENT_NOT_FOUND"));
  } finally {
    await close();
  }
});

test("$transaction: commits together, rolls back on error, retries on conflict", async () => {
  const { db, close } = await openClient();
  try {
    await db.$transaction(async (tx) => {
      await tx.cars.insert(car("1", 2012));
      await tx.cars.insert(car("2", 2013));
    });
    assert.equal(await db.cars.count(), 2);
    await assert.rejects(db.$transaction(async (tx) => {
      await tx.cars.insert(car("3", 2014));
      throw new Error("boom");
    }), /boom/);
    assert.equal(await db.cars.count(), 2);

    // Two transactions read-modify-write the same row concurrently: one conflicts and re-runs.
    let runs = 0;
    const bump = () => db.$transaction(async (tx) => {
      runs++;
      const c = await tx.cars.findUnique({ where: { VIN: "1" } });
      await new Promise((r) => setTimeout(r, 10));
      await tx.cars.update({ where: { id: c!.id }, data: { Year: int(c!.Year + 1) } });
    });
    await Promise.all([bump(), bump()]);
    assert.ok(runs >= 3, `runs=${runs}`);
    assert.equal((await db.cars.findUnique({ where: { VIN: "1" } }))!.Year, 2014);
  } finally {
    await close();
  }
});

test("$partiql: interpolations are parameters; injection stays data", async () => {
  const seen: Statement[] = [];
  const { db, close } = await openClient({ onStatement: (s) => seen.push(s) });
  try {
    await db.cars.insert(car("1", 2012));
    const evil = "'; DROP TABLE cars --";
    assert.deepEqual(await db.$partiql`SELECT * FROM cars WHERE VIN = ${evil}`, []);
    assert.deepEqual(db.$partiql.toPartiQL`SELECT * FROM cars WHERE VIN = ${evil}`, {
      text: "SELECT * FROM cars WHERE VIN = ?",
      params: [{ kind: "string", value: evil }],
    });
    await db.cars.insert(car(evil, 2000));
    const rows = await db.$partiql`SELECT VIN FROM cars WHERE VIN = ${evil}` as { VIN: string }[];
    assert.deepEqual(rows, [{ VIN: evil }]);
    assert.equal(await db.cars.count(), 2);
    assert.ok(seen.every((s) => !s.text.includes("DROP")));
    const one = await db.$partiql`SELECT COUNT(*) AS n FROM cars WHERE Year >= ${2010}` as { n: number }[];
    assert.equal(one[0].n, 1);
    await db.$transaction(async (tx) => {
      assert.equal((await tx.$partiql`SELECT * FROM cars WHERE VIN = ${"1"}`).length, 1);
    });
  } finally {
    await close();
  }
});

test("$digest and $ledger", async () => {
  const { db, close } = await openClient();
  try {
    const d = await db.$digest();
    assert.match(d.digest, /^[0-9a-f]{64}$/);
    assert.equal(d.digestTipAddress.strandId, db.$ledger.strandId);
    assert.equal((await db.$ledger.verify()).ok, true);
  } finally {
    await close();
  }
});

test("wrong JavaScript arguments are INVALID_ARGUMENT, never a TypeError", async () => {
  const { db, close } = await seeded();
  const invalid = (e: unknown) => isLedgerError(e, "INVALID_ARGUMENT");
  try {
    const calls: [string, () => Promise<unknown>][] = [
      ["findMany(null)", () => db.cars.findMany(null as never)],
      ["findMany(5)", () => db.cars.findMany(5 as never)],
      ["findFirst([])", () => db.cars.findFirst([] as never)],
      ["findUnique(null)", () => db.cars.findUnique(null as never)],
      ["count(null)", () => db.cars.count(null as never)],
      ["committed.findMany(null)", () => db.cars.committed.findMany(null as never)],
      ["committed.findUnique(null)", () => db.cars.committed.findUnique(null as never)],
      ["update(null)", () => db.cars.update(null as never)],
      ["updateMany('x')", () => db.cars.updateMany("x" as never)],
      ["upsert(null)", () => db.cars.upsert(null as never)],
      ["delete(null)", () => db.cars.delete(null as never)],
      ["deleteMany(null)", () => db.cars.deleteMany(null as never)],
      ["asOf(now, null)", () => db.cars.asOf(Temporal.Now.instant(), null as never)],
      ["history(null)", async () => { for await (const _ of db.cars.history(null as never)); }],
      ["history({id: 5})", async () => { for await (const _ of db.cars.history({ id: 5 as never })); }],
      ["findMany({select: {}})", () => db.cars.findMany({ select: {} })],
      ["$transaction(null)", () => db.$transaction(null as never)],
      ["$partiql called as a function", () => (db.$partiql as unknown as (s: string) => Promise<unknown>)("SELECT * FROM cars")],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), invalid, name);
    // A where nested beyond the engine's expression depth is refused before the stack overflows.
    let deep: Record<string, unknown> = { VIN: "1" };
    for (let i = 0; i < 5000; i++) deep = { AND: [deep] };
    await assert.rejects(db.cars.findMany({ where: deep as never }), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
    assert.throws(() => db.cars.findMany.toPartiQL(null as never), invalid);
    // Selecting only the id is how to ask for ids alone.
    assert.deepEqual(Object.keys((await db.cars.findMany({ select: { id: true }, take: 1 }))[0]), ["id"]);
    assert.equal((await db.cars.deleteMany({ where: { VIN: "4" } })).count, 1);
  } finally {
    await close();
  }
});

test("update with unset removes an optional field; a required one cannot be unset", async () => {
  const { db, close } = await seeded();
  try {
    const priced = await db.cars.update({ where: { VIN: "1" }, data: { Price: new Decimal("10.5"), RegisteredAt: Temporal.Instant.from("2020-01-01T00:00:00Z") } });
    assert.equal(priced.Price!.toString(), "10.5");
    const removed = await db.cars.update({ where: { VIN: "1" }, data: { Price: unset, Owner: "New Owner" } });
    assert.equal("Price" in removed, false);
    assert.equal(removed.Owner, "New Owner");
    const read = (await db.cars.findUnique({ where: { VIN: "1" } }))!;
    assert.equal("Price" in read, false);
    assert.equal(String(read.RegisteredAt), "2020-01-01T00:00:00Z");
    // Only REMOVE, and unsetting a field that is already absent, both work.
    await db.cars.update({ where: { VIN: "1" }, data: { RegisteredAt: unset } });
    await db.cars.update({ where: { VIN: "1" }, data: { RegisteredAt: unset } });
    assert.equal("RegisteredAt" in (await db.cars.findUnique({ where: { VIN: "1" } }))!, false);
    const versions: number[] = [];
    for await (const rev of db.cars.history({ id: read.id })) versions.push(rev.version);
    assert.deepEqual(versions, [0, 1, 2, 3]);
    await assert.rejects(
      db.cars.update({ where: { VIN: "1" }, data: { Owner: unset as never } }),
      (e) => isLedgerError(e, "TYPE_ERROR") && /required field cannot be unset at cars\.Owner/.test(e.message),
    );
    await assert.rejects(db.cars.insert({ ...car("9", 2020), Price: unset as never }), (e) => isLedgerError(e, "TYPE_ERROR"));
  } finally {
    await close();
  }
});

test("a filter's `in` list longer than a call can spread (150,000 values) runs, answered by hashing", async () => {
  const { db, close } = await seeded();
  try {
    const vins = Array.from({ length: 150_000 }, (_, i) => String(i + 3));
    const rows = await db.cars.findMany({ where: { VIN: { in: vins } }, orderBy: { VIN: "asc" } });
    assert.deepEqual(rows.map((r) => r.VIN), ["3", "4"]);
    assert.equal(await db.cars.count({ where: { VIN: { notIn: vins } } }), 2);
  } finally {
    await close();
  }
});

/**
 * A document may hold a field of any name. Ones that are, or fold to, a name the compiler uses
 * (the FROM alias, the BY variable, a projected column) must still leave every accessor on the
 * document it names: `id` is written through PartiQL (a generated row type cannot declare it);
 * the others are declared, so that where / orderBy / select use them too.
 */
const ODD_FIELD_NAMES = ["id", "ID", "d", "D", "i", "doc", "n"];

for (const name of ODD_FIELD_NAMES) {
  test(`a data field named ${JSON.stringify(name)} never stands for the document id or the compiler's names`, async () => {
    const declared = name.toLowerCase() !== "id";
    const things: TableDescriptor = {
      table: "things",
      typeName: "Thing",
      fields: {
        Key: { type: { kind: "string" }, optional: false },
        Rank: { type: { kind: "int" }, optional: false },
        ...(declared ? { [name]: { type: { kind: "string" }, optional: true } } : {}),
      },
      indexes: [],
    };
    const { db, close } = await openClientOf<{ things: Record<string, unknown> }>({ things });
    try {
      const a = await db.things.insert({ Key: "a", Rank: int(1) });
      // b and c carry a's id in the odd field, the way a confused row would show it.
      for (const Key of ["b", "c", "e"]) await db.$partiql`INSERT INTO things ${{ Key, Rank: 2, [name]: a.id }}`;
      const stored = async () => {
        const rows = await db.$partiql`SELECT i AS id, d.Key AS k, d.Rank AS r FROM things AS d BY i`;
        return Object.fromEntries((rows as { id: string; k: string; r: number }[]).map((row) => [row.k, row]));
      };
      const before = await stored();
      const found = await db.things.findMany();
      assert.equal(found.length, 4);
      for (const row of found) assert.equal(row.id, before[row.Key as string].id, `findMany id of ${row.Key}`);
      assert.deepEqual((await db.things.findMany({ select: { Key: true }, where: { id: before.b.id } })).map((r) => [r.Key, r.id]), [["b", before.b.id]]);
      assert.deepEqual((await db.things.findMany({ orderBy: [{ Rank: "asc" }, { id: "desc" }] })).map((r) => r.id),
        [before.a.id, ...[before.b.id, before.c.id, before.e.id].sort().reverse()]);

      assert.equal((await db.things.update({ where: { Key: "b" }, data: { Rank: int(20) } })).id, before.b.id);
      assert.equal((await db.things.delete({ where: { Key: "c" } })).id, before.c.id);
      assert.deepEqual(await db.things.updateMany({ where: { Key: "e" }, data: { Rank: int(30) } }), { count: 1 });
      assert.equal((await db.things.upsert({ where: { Key: "e" }, create: { Key: "x", Rank: int(0) }, update: { Rank: int(31) } })).id, before.e.id);
      const after = await stored();
      assert.deepEqual(Object.keys(after).sort(), ["a", "b", "e"]);
      assert.deepEqual([after.a.r, after.b.r, after.e.r], [1, 20, 31]);
      assert.deepEqual([after.a.id, after.b.id, after.e.id], [before.a.id, before.b.id, before.e.id]);

      if (declared) {
        assert.deepEqual((await db.things.findMany({ where: { [name]: a.id }, orderBy: [{ [name]: "desc" }, { Key: "asc" }] })).map((r) => r.Key), ["b", "e"]);
        const picked = await db.things.findMany({ select: { [name]: true } as never, orderBy: [{ [name]: "asc" }, { Key: "asc" }] });
        assert.deepEqual(picked.map((r) => [r.id, r[name]]), [[before.b.id, a.id], [before.e.id, a.id], [before.a.id, undefined]]);
        assert.equal(await db.things.count({ where: { [name]: a.id } }), 2);
        assert.deepEqual(await db.things.deleteMany({ where: { [name]: a.id } }), { count: 2 });
      } else {
        assert.deepEqual(await db.things.deleteMany({ where: { Key: { in: ["b", "e"] } } }), { count: 2 });
      }
      assert.deepEqual(Object.keys(await stored()), ["a"]);
    } finally {
      await close();
    }
  });
}

/** Every accessor that writes, called with `where` (cars to Nobody, or deleted). */
function writeCalls(db: Awaited<ReturnType<typeof seeded>>["db"], where: never): [string, () => Promise<unknown>][] {
  return [
    ["deleteMany", () => db.cars.deleteMany({ where })],
    ["updateMany", () => db.cars.updateMany({ where, data: { Owner: "Nobody" } })],
    ["update", () => db.cars.update({ where, data: { Owner: "Nobody" } })],
    ["delete", () => db.cars.delete({ where })],
    ["upsert", () => db.cars.upsert({ where, create: car("9", 2000), update: { Owner: "Nobody" } })],
  ];
}

test("a filter that names no condition is refused by every accessor; nothing is written", async () => {
  const { db, close } = await seeded();
  try {
    const tip = (await db.$digest()).digestTipAddress.sequenceNo;
    const filters: Record<string, unknown>[] = [
      { VIN: {} },
      { id: {} },
      { id: { equals: undefined } },
      { VIN: { in: undefined } },
      { Year: { gte: undefined } },
      { AND: [] },
      { NOT: [] },
      { AND: [{}] },
      { OR: [{ VIN: "1" }, {}] },
      { OR: [{ VIN: { equals: undefined } }] },
      { NOT: {} },
    ];
    const refused = (e: unknown) => isLedgerError(e, "INVALID_ARGUMENT") || isLedgerError(e, "TYPE_ERROR");
    for (const f of filters) {
      const where = f as never;
      const label = JSON.stringify(f, (_, v) => (v === undefined ? "<undefined>" : v));
      const calls: [string, () => Promise<unknown>][] = [
        ...writeCalls(db, where),
        ["findUnique", () => db.cars.findUnique({ where })],
        ["findMany", () => db.cars.findMany({ where })],
        ["count", () => db.cars.count({ where })],
        ["committed.findMany", () => db.cars.committed.findMany({ where })],
        ["history", async () => { for await (const _ of db.cars.history({ where })); }],
        ["asOf", () => db.cars.asOf(Temporal.Now.instant(), { where })],
      ];
      for (const [name, call] of calls) await assert.rejects(call(), refused, `${name} ${label}`);
    }
    assert.equal((await db.$digest()).digestTipAddress.sequenceNo, tip);
    assert.deepEqual((await db.cars.findMany({ orderBy: { VIN: "asc" } })).map((r) => r.Owner), ["Maria Garcia", "Richard Roe", "Maria Lopez", "50%_off"]);
    // What does restrict, or matches nothing, still runs.
    assert.equal(await db.cars.count({ where: { OR: [] } }), 0);
    assert.equal(await db.cars.count({ where: { VIN: undefined } }), 4);
    assert.deepEqual(await db.cars.deleteMany({ where: { VIN: { in: [] } } }), { count: 0 });
  } finally {
    await close();
  }
});

test("a write's where that is empty, or whose every entry is undefined, is refused; reads take it as every row", async () => {
  const { db, close } = await seeded();
  try {
    const tip = (await db.$digest()).digestTipAddress.sequenceNo;
    const input: { vin?: string } = {};
    for (const where of [{}, { VIN: input.vin }, { VIN: undefined, Owner: undefined }] as never[]) {
      for (const [name, call] of writeCalls(db, where)) await assert.rejects(call(), (e) => isLedgerError(e, "INVALID_ARGUMENT"), name);
      assert.equal(await db.cars.count({ where }), 4);
    }
    assert.equal((await db.$digest()).digestTipAddress.sequenceNo, tip);
    // Every row, said so by leaving where out.
    assert.deepEqual(await db.cars.updateMany({ data: { Owner: "Nobody" } }), { count: 4 });
    assert.deepEqual(await db.cars.deleteMany(), { count: 4 });
  } finally {
    await close();
  }
});

test("a stored value a read would round is a TYPE_ERROR naming the document's field, on every read path", async () => {
  const { db, close } = await openClient();
  try {
    const cases: [string, string, string][] = [
      ["Year", "2012.0000000000000000001", "an Int from a decimal with a fraction"],
      ["RegisteredAt", "2020-01-01T00:00:00.1234567891Z", "an Instant past the nanosecond"],
    ];
    for (const [field, ion, name] of cases) {
      const [{ documentId: id }] = await db.$ledger.execute(
        `INSERT INTO cars \`{VIN: "${field}", Manufacturer: "T", Model: "S", Owner: "M", ${field === "Year" ? "" : "Year: 2012, "}${field}: ${ion}}\``,
      ) as { documentId: string }[];
      const path = `cars[${JSON.stringify(id)}].${field}`;
      const tip = (await db.$digest()).digestTipAddress.sequenceNo;
      const reads: [string, () => Promise<unknown>][] = [
        ["findMany", () => db.cars.findMany({ where: { VIN: field } })],
        ["findUnique", () => db.cars.findUnique({ where: { id } })],
        ["committed", () => db.cars.committed.findUnique({ where: { id } })],
        ["history", async () => { for await (const _ of db.cars.history({ id })); }],
        ["update", () => db.cars.update({ where: { id }, data: { Owner: "Other" } })],
      ];
      for (const [call, read] of reads) {
        await assert.rejects(read(), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === path, `${name}: ${call}`);
      }
      assert.equal((await db.$digest()).digestTipAddress.sequenceNo, tip, `${name}: nothing written`);
    }
  } finally {
    await close();
  }
});

test("a struct description shared by several fields (as codegen writes a type used twice) checks and reads each field", async () => {
  const address = {
    kind: "struct",
    fields: { Street: { type: { kind: "string" }, optional: false }, Zip: { type: { kind: "int" }, optional: true } },
  } as const;
  const people: TableDescriptor = {
    table: "people",
    typeName: "Person",
    fields: {
      Name: { type: { kind: "string" }, optional: false },
      Home: { type: address, optional: false },
      Work: { type: { kind: "nullable", of: address }, optional: false },
      Past: { type: { kind: "list", of: address }, optional: false },
    },
    indexes: [],
  };
  type Address = { Street: string; Zip?: number };
  type Person = { Name: string; Home: Address; Work: Address | null; Past: Address[] };
  const { db, close } = await openClientOf<{ people: Person }>({ people });
  try {
    const row = await db.people.insert({ Name: "Ana", Home: { Street: "Elm", Zip: int(12) }, Work: null, Past: [{ Street: "Oak" }] });
    const back = await db.people.findUnique({ where: { id: row.id } });
    assert.deepEqual({ ...back, id: undefined }, { Name: "Ana", Home: { Street: "Elm", Zip: 12 }, Work: null, Past: [{ Street: "Oak" }], id: undefined });
    // The shared description is enforced wherever it is used.
    for (const bad of [
      { Name: "B", Home: { Street: 1 }, Work: null, Past: [] },
      { Name: "B", Home: { Street: "x" }, Work: { Street: "y", Zip: 1.5 }, Past: [] },
      { Name: "B", Home: { Street: "x" }, Work: null, Past: [{ Zip: int(1) }] },
    ]) {
      await assert.rejects(db.people.insert(bad as unknown as Person), (e) => isLedgerError(e, "TYPE_ERROR"), JSON.stringify(bad));
    }
    assert.equal(await db.people.count(), 1);
  } finally {
    await close();
  }
});

test("an arguments object is not taken for a struct or a record", async () => {
  const table: TableDescriptor = {
    table: "bags",
    typeName: "Bag",
    fields: {
      R: { type: { kind: "record", of: { kind: "string" } }, optional: true },
      S: { type: { kind: "struct", fields: { "0": { type: { kind: "string" }, optional: true } } }, optional: true },
    },
    indexes: [],
  };
  type Bag = { R?: Record<string, string>; S?: { "0"?: string } };
  const args = (function (..._: unknown[]) {
    // deno-lint-ignore prefer-rest-params
    return arguments;
  })("x", "y");
  const { db, close } = await openClientOf<{ bags: Bag }>({ bags: table });
  try {
    await assert.rejects(db.bags.insert({ R: args as unknown as Record<string, string> }), (e) => isLedgerError(e, "TYPE_ERROR"));
    await assert.rejects(db.bags.insert({ S: args as unknown as { "0"?: string } }), (e) => isLedgerError(e, "TYPE_ERROR"));
    assert.equal(await db.bags.count(), 0);
    assert.deepEqual({ ...(await db.bags.insert({ R: { a: "b" }, S: { "0": "z" } })), id: undefined }, { R: { a: "b" }, S: { "0": "z" }, id: undefined });
  } finally {
    await close();
  }
});
