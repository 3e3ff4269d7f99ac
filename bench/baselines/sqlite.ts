/**
 * Baseline B: bun:sqlite configured as a durable, auditable store — the nearest thing an
 * application would build instead of a ledger:
 * - WAL journal with `synchronous=FULL`, so every COMMIT is fsynced (the WAL default, NORMAL,
 *   would not be durable on power loss and would flatter the baseline);
 * - a `cars_history` table kept by AFTER INSERT/UPDATE/DELETE triggers (history, no hashes);
 * - prepared statements, one transaction per unit of work.
 */
import { Database, type Statement } from "bun:sqlite";
import { join } from "node:path";
import { type Car, car } from "../car.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cars (
  id TEXT PRIMARY KEY, vin TEXT NOT NULL, owner TEXT, make TEXT, model TEXT, year INTEGER, color TEXT
);
CREATE TABLE IF NOT EXISTS cars_history (
  hid INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  id TEXT NOT NULL, vin TEXT, owner TEXT, make TEXT, model TEXT, year INTEGER, color TEXT
);
CREATE TRIGGER IF NOT EXISTS cars_ai AFTER INSERT ON cars BEGIN
  INSERT INTO cars_history (op, id, vin, owner, make, model, year, color)
  VALUES ('I', NEW.id, NEW.vin, NEW.owner, NEW.make, NEW.model, NEW.year, NEW.color);
END;
CREATE TRIGGER IF NOT EXISTS cars_au AFTER UPDATE ON cars BEGIN
  INSERT INTO cars_history (op, id, vin, owner, make, model, year, color)
  VALUES ('U', NEW.id, NEW.vin, NEW.owner, NEW.make, NEW.model, NEW.year, NEW.color);
END;
CREATE TRIGGER IF NOT EXISTS cars_ad AFTER DELETE ON cars BEGIN
  INSERT INTO cars_history (op, id, vin, owner, make, model, year, color)
  VALUES ('D', OLD.id, NULL, NULL, NULL, NULL, NULL, NULL);
END;
`;

export class SqliteBaseline {
  readonly path: string;
  private db: Database;
  private insert!: Statement;
  private insertOne!: (c: Car, id: string) => void;
  private insertMany!: (cs: Car[], ids: string[]) => void;
  private nextId = 0;

  constructor(dir: string) {
    this.path = join(dir, "cars.sqlite");
    this.db = this.open();
  }

  private open(): Database {
    const db = new Database(this.path, { create: true });
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    db.exec(SCHEMA);
    this.insert = db.prepare("INSERT INTO cars (id, vin, owner, make, model, year, color) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const run = (c: Car, id: string) => this.insert.run(id, c.VIN, c.Owner, c.Make, c.Model, c.Year, c.Color);
    // db.transaction wraps in BEGIN … COMMIT; each COMMIT is one WAL append + fsync.
    this.insertOne = db.transaction(run);
    this.insertMany = db.transaction((cs: Car[], ids: string[]) => {
      for (let i = 0; i < cs.length; i++) run(cs[i], ids[i]);
    });
    return db;
  }

  /** Ids like the ledger's: random-looking 22-character strings (not sequential keys). */
  private id(): string {
    const n = this.nextId++;
    return (n.toString(36) + Math.random().toString(36).slice(2)).padEnd(22, "0").slice(0, 22);
  }

  /** One durable transaction inserting one car; returns 1 (document). */
  commitOne(): number {
    const n = this.nextId;
    this.insertOne(car(n), this.id());
    return 1;
  }

  /** One durable transaction inserting `count` cars; returns `count`. */
  commitMany(count: number): number {
    const cs: Car[] = [];
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      cs.push(car(this.nextId));
      ids.push(this.id());
    }
    this.insertMany(cs, ids);
    return count;
  }

  /** Fills the table (and so history) to at least `rows`, in large untimed transactions. */
  fill(rows: number): void {
    while (this.historyRows() < rows) this.commitMany(Math.min(5_000, rows - this.historyRows()));
  }

  historyRows(): number {
    return (this.db.query("SELECT count(*) AS n FROM cars_history").get() as { n: number }).n;
  }

  /**
   * Opens the database afresh and reads every history row into JS objects: the sqlite analogue
   * of the ledger replaying its journal on open. Returns rows read.
   */
  readAllHistory(): number {
    const db = new Database(this.path, { readonly: true });
    try {
      // Materialize every row as an object, as replay materializes every revision.
      return db.query("SELECT * FROM cars_history ORDER BY hid").all().length;
    } finally {
      db.close();
    }
  }

  close(): void {
    this.db.close();
  }
}
