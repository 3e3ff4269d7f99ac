/**
 * query.point: an indexed point query through `ledger.execute` (parsed once, then served from the
 * statement cache; one read-only transaction per query, index lookup, evaluation) against
 * bun:sqlite's prepared primary-key lookup on the same rows. Target (issue 3): ratio ≥ 0.5.
 *
 * query.scan: a full-table `SELECT … WHERE` on a field without an index, over every document,
 * in rows scanned per second; baseline: the same query on sqlite (no index on the column).
 *
 * query.join: cars joined to their 997 owners on the owner's name (no index on either side),
 * in input rows (cars + owners) per second; the ledger hashes the join (engine/partiql/eval/
 * equi-join.ts), sqlite answers with the automatic index it builds for such a join.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { Ledger } from "../../engine/index.ts";
import { car } from "../car.ts";
import type { BenchConfig } from "../config.ts";
import { type Figure, figure, interleave, log, rateFor, rateForSync } from "../stats.ts";
import { tempDir } from "../tmp.ts";

export async function queryFigures(cfg: BenchConfig, emit: (f: Figure) => void): Promise<void> {
  const rows = cfg.queryRows;
  const dir = tempDir("query");
  log(`query: loading ${rows} cars into the ledger and sqlite`);
  const ledger = await Ledger.open(join(dir, "ledger"));
  await ledger.execute("CREATE TABLE cars");
  await ledger.execute("CREATE INDEX ON cars (VIN)");
  const vins: string[] = [];
  for (let start = 0; start < rows; start += 1_000) {
    const batch = [];
    for (let i = start; i < Math.min(rows, start + 1_000); i++) {
      const c = car(i);
      vins.push(c.VIN);
      batch.push(c);
    }
    await ledger.execute("INSERT INTO cars ?", batch);
  }
  const db = new Database(join(dir, "cars.sqlite"), { create: true });
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("CREATE TABLE cars (vin TEXT PRIMARY KEY, owner TEXT, make TEXT, model TEXT, year INTEGER, color TEXT)");
  const insert = db.prepare("INSERT INTO cars VALUES (?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const c = car(i);
      insert.run(c.VIN, c.Owner, c.Make, c.Model, c.Year, c.Color);
    }
  })();
  const byKey = db.prepare("SELECT * FROM cars WHERE vin = ?");
  const scan = db.prepare("SELECT * FROM cars WHERE year = 1800");

  let k = 0;
  let misses = 0;
  const point = await interleave(cfg.reps, {
    ledger: () =>
      rateFor(cfg.cpuMs, async () => {
        for (let i = 0; i < 16; i++) {
          const found = await ledger.execute("SELECT * FROM cars WHERE VIN = ?", vins[(k = (k * 7 + 13) % rows)]);
          if (found.length !== 1) misses++;
        }
        return 16;
      }),
    sqlite: () =>
      rateForSync(cfg.cpuMs, () => {
        if (byKey.get(vins[(k = (k * 7 + 13) % rows)]) === null) misses++;
        return 1;
      }),
  }, "query.point ");
  if (misses > 0) throw new Error(`point queries missed ${misses} rows`);
  emit(figure("query.point", point.ledger.median, "queries/s", "sqlite.prepared_pk_lookup", point.sqlite.median));

  const full = await interleave(cfg.reps, {
    ledger: () =>
      rateFor(cfg.cpuMs, async () => {
        const found = await ledger.execute("SELECT * FROM cars AS c WHERE c.Year = 1800");
        if (found.length !== 0) throw new Error("the scan found rows it should not");
        return rows;
      }),
    sqlite: () =>
      rateForSync(cfg.cpuMs, () => {
        scan.all();
        return rows;
      }, 1),
  }, "query.scan ");
  emit(figure("query.scan", full.ledger.median, "rows/s", "sqlite.full_scan", full.sqlite.median));

  // ---- query.join ------------------------------------------------------------------------------
  const owners = 997; // car(n).Owner is "Owner <n % 997>"
  await ledger.execute("CREATE TABLE owners");
  await ledger.transaction(async (tx) => {
    for (let i = 0; i < owners; i++) await tx.insert("owners", { Name: `Owner ${i}`, City: `City ${i % 50}` });
  });
  db.exec("CREATE TABLE owners (name TEXT, city TEXT)");
  const insertOwner = db.prepare("INSERT INTO owners VALUES (?, ?)");
  db.transaction(() => {
    for (let i = 0; i < owners; i++) insertOwner.run(`Owner ${i}`, `City ${i % 50}`);
  })();
  const sqliteJoin = db.prepare("SELECT c.vin, o.city FROM cars c JOIN owners o ON c.owner = o.name");
  const joined = await interleave(cfg.reps, {
    ledger: () =>
      rateFor(cfg.cpuMs, async () => {
        const found = await ledger.execute("SELECT c.VIN, o.City FROM cars AS c JOIN owners AS o ON c.Owner = o.Name");
        if (found.length !== rows) throw new Error(`the join found ${found.length} rows, not ${rows}`);
        return rows + owners;
      }),
    sqlite: () =>
      rateForSync(cfg.cpuMs, () => {
        if (sqliteJoin.all().length !== rows) throw new Error("sqlite's join lost rows");
        return rows + owners;
      }, 1),
  }, "query.join ");
  emit(figure("query.join", joined.ledger.median, "rows/s", "sqlite.join_auto_index", joined.sqlite.median));
  await ledger.close();
  db.close();
}
