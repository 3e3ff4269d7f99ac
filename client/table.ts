/**
 * `TableClient<T>`: the typed accessor for one table (`db.cars`). Every call compiles to
 * parameterized PartiQL (client/partiql.ts) and runs on the embedded ledger; inputs are checked
 * against the schema's descriptor (client/codec.ts) before anything is journaled.
 *
 * Inspecting statements: the read accessors carry `.toPartiQL(args)` (e.g.
 * `db.cars.findMany.toPartiQL({ where: { VIN: "1" } })` → `{ text, params }`) without running
 * anything; and `createClient(dir, schema, { onStatement })` receives `{ text, params }` for
 * every statement the client runs, writes and read-modify-write steps included.
 *
 * Writes that need a read (update, updateMany, upsert, delete) read, check and write inside one
 * ledger transaction, so they are serializable and retried on OCC conflicts.
 *
 * @example
 * ```ts
 * const db = await createClient<{ cars: Car }>(dir, schema);
 * const car = await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012), Owner: "Maria" });
 * await db.cars.update({ where: { id: car.id }, data: { Owner: "Richard" } });
 * const recent = await db.cars.findMany({ where: { Year: { gte: 2010 } }, orderBy: { Year: "desc" }, take: 10 });
 * for await (const rev of db.cars.history({ id: car.id })) console.log(rev.version, rev.data?.Owner);
 * console.log((await db.cars.verify(car.id)).verified); // true
 * ```
 */
import {
  getField,
  LedgerError,
  verifyRevision,
  type BlockAddress,
  type IonStruct,
  type IonValue,
} from "../engine/index.ts";
import { childPath, fromIonStruct, instantOf, toIon, toIonDocument } from "./codec.ts";
import type { Executor } from "./executor.ts";
import { unset } from "./unset.ts";
import {
  checkUniqueWhere,
  compileCommitted,
  compileCount,
  compileDelete,
  compileWhere,
  compileFindMany,
  compileHistory,
  compileInsert,
  compileUpdate,
  liveTarget,
  type QueryArgs,
  type Statement,
} from "./partiql.ts";
import type { FieldDescriptor, TableDescriptor } from "./schema.ts";
import { Temporal } from "./temporal.ts";
import type {
  CommittedRow,
  CreateInput,
  FindManyArgs,
  FindUniqueArgs,
  HistoryArgs,
  HistoryEntry,
  OrderBy,
  Row,
  Select,
  Selected,
  UpdateInput,
  VerifyResult,
  Where,
} from "./types.ts";

/** `findMany` (callable) with `.toPartiQL(args)` to see its statement. */
export interface FindMany<T> {
  <S extends Select<T> = {}>(args?: FindManyArgs<T, S>): Promise<Selected<T, S>[]>;
  toPartiQL(args?: FindManyArgs<T>): Statement;
}
/** `findFirst`: the first row of `findMany` (LIMIT 1), or null. */
export interface FindFirst<T> {
  <S extends Select<T> = {}>(args?: FindManyArgs<T, S>): Promise<Selected<T, S> | null>;
  toPartiQL(args?: FindManyArgs<T>): Statement;
}
/** `findUnique`: by id or an `@index` field; null when absent. */
export interface FindUnique<T> {
  <S extends Select<T> = {}>(args: FindUniqueArgs<T, S>): Promise<Selected<T, S> | null>;
  toPartiQL(args: FindUniqueArgs<T>): Statement;
}
/** `count`: how many rows match. */
export interface Count<T> {
  (args?: { where?: Where<T> }): Promise<number>;
  toPartiQL(args?: { where?: Where<T> }): Statement;
}

/** Reads of the committed view: rows with their revision metadata, block address and hash. */
export interface CommittedClient<T> {
  findMany(args?: { where?: Where<T>; orderBy?: OrderBy<T>; take?: number; skip?: number }): Promise<CommittedRow<T>[]>;
  findUnique(args: { where: { id: string } }): Promise<CommittedRow<T> | null>;
}

const EPOCH = "1970-01-01T00:00:00Z";
const END_OF_TIME = "9999-12-31T23:59:59.999Z";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function struct(v: IonValue): IonStruct {
  if (v.kind !== "struct") throw new LedgerError("TYPE_ERROR", `expected a struct row, got ${v.kind}`);
  return v;
}

function str(v: IonValue | undefined): string {
  if (v?.kind === "string") return v.value;
  if (v?.kind === "symbol" && v.text !== null) return v.text;
  throw new LedgerError("TYPE_ERROR", `expected a string, got ${v?.kind ?? "nothing"}`);
}

function num(v: IonValue | undefined): number {
  if (v?.kind === "int") return Number(v.value);
  throw new LedgerError("TYPE_ERROR", `expected an int, got ${v?.kind ?? "nothing"}`);
}

function blockAddressOf(v: IonValue | undefined): BlockAddress {
  const s = struct(v ?? { kind: "null", of: "null" });
  return { strandId: str(getField(s, "strandId")), sequenceNo: num(getField(s, "sequenceNo")) };
}

function bytes(v: IonValue | undefined): Uint8Array {
  if (v?.kind === "blob") return v.bytes.slice();
  throw new LedgerError("TYPE_ERROR", `expected a blob, got ${v?.kind ?? "nothing"}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}


/** Where a stored document's field is, in a read's TYPE_ERROR: `cars["<document id>"].Year`. */
function documentPath(table: string, id: string): string {
  return `${table}[${JSON.stringify(id)}]`;
}

/** The declared fields a `select` reads (the others are not in its rows, so not required). */
function selectedFields(fields: TableDescriptor["fields"], select: unknown): TableDescriptor["fields"] {
  const out: Record<string, FieldDescriptor> = {};
  for (const [name, on] of Object.entries(select as Record<string, unknown>)) {
    if (on === true && Object.prototype.hasOwnProperty.call(fields, name)) out[name] = fields[name];
  }
  return out;
}

/** A call's options object: {} when omitted; INVALID_ARGUMENT for null, arrays and non-objects. */
function optionsOf<A>(args: A | undefined, call: string): A {
  if (args === undefined) return {} as A;
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new LedgerError("INVALID_ARGUMENT", `${call} takes an options object`, { call });
  }
  return args;
}

export class TableClient<T> {
  readonly findMany: FindMany<T>;
  readonly findFirst: FindFirst<T>;
  readonly findUnique: FindUnique<T>;
  readonly count: Count<T>;
  /** The committed view (`_ql_committed_<table>`). */
  readonly committed: CommittedClient<T>;

  constructor(private readonly ex: Executor, readonly descriptor: TableDescriptor) {
    const d = descriptor;
    const findMany = async (given?: QueryArgs) => {
      const args = optionsOf(given, `${d.table}.findMany`);
      return this.rows(compileFindMany(d, args), args.select);
    };
    this.findMany = Object.assign(findMany as unknown as FindMany<T>, {
      toPartiQL: (args?: FindManyArgs<T>) => compileFindMany(d, optionsOf(args as QueryArgs, `${d.table}.findMany`)),
    });
    const firstArgs = (args: QueryArgs | undefined) => ({ ...optionsOf(args, `${d.table}.findFirst`), take: 1 });
    this.findFirst = Object.assign(
      (async (args?: QueryArgs) => (await findMany(firstArgs(args)))[0] ?? null) as unknown as FindFirst<T>,
      { toPartiQL: (args?: FindManyArgs<T>) => compileFindMany(d, firstArgs(args as QueryArgs)) },
    );
    const uniqueArgs = (given: FindUniqueArgs<T> | undefined): QueryArgs => {
      const args = optionsOf(given, `${d.table}.findUnique`);
      checkUniqueWhere(d, args.where);
      return { where: args.where, select: args.select };
    };
    this.findUnique = Object.assign(
      (async (args: FindUniqueArgs<T>) => {
        const rows = await findMany(uniqueArgs(args));
        if (rows.length > 1) {
          throw new LedgerError("INVALID_ARGUMENT", `findUnique on ${d.table} matched ${rows.length} rows; use findMany`);
        }
        return rows[0] ?? null;
      }) as unknown as FindUnique<T>,
      { toPartiQL: (args: FindUniqueArgs<T>) => compileFindMany(d, uniqueArgs(args)) },
    );
    this.count = Object.assign(
      async (args?: { where?: Where<T> }) => {
        const [row] = await this.ex.run(compileCount(d, optionsOf(args, `${d.table}.count`).where));
        return num(getField(struct(row), "n"));
      },
      { toPartiQL: (args?: { where?: Where<T> }) => compileCount(d, optionsOf(args, `${d.table}.count`).where) },
    );
    this.committed = {
      findMany: async (args) => {
        const rows = await this.ex.run(compileCommitted(d, optionsOf(args, `${d.table}.committed.findMany`)));
        return rows.map((r) => this.committedRow(r));
      },
      findUnique: async (given) => {
        const args = optionsOf(given, `${d.table}.committed.findUnique`);
        checkUniqueWhere({ ...d, indexes: [] }, args.where);
        const rows = await this.ex.run(compileCommitted(d, { where: args.where }));
        return rows.length === 0 ? null : this.committedRow(rows[0]);
      },
    };
  }

  /** Inserts one document (checked against the schema first) and returns it with its id. */
  async insert(data: CreateInput<T>): Promise<Row<T>> {
    const doc = toIonDocument(data, this.descriptor.fields, this.descriptor.table);
    return this.insertChecked(this.ex, doc);
  }

  /** Inserts several documents in one transaction; nothing is written if any fails its check. */
  async insertMany(data: readonly CreateInput<T>[]): Promise<Row<T>[]> {
    if (!Array.isArray(data)) throw new LedgerError("INVALID_ARGUMENT", "insertMany takes an array");
    const docs = data.map((item, i) => toIonDocument(item, this.descriptor.fields, `${this.descriptor.table}[${i}]`));
    return this.ex.atomically(async (ex) => {
      const out: Row<T>[] = [];
      for (const doc of docs) out.push(await this.insertChecked(ex, doc));
      return out;
    });
  }

  /**
   * Updates the one row `where` matches (DOCUMENT_NOT_FOUND when none or several do): reads it,
   * applies `data`, checks the whole document against the schema and writes the changed fields.
   */
  async update(given: { where: Where<T>; data: UpdateInput<T> }): Promise<Row<T>> {
    const args = optionsOf(given, `${this.descriptor.table}.update`);
    return this.ex.atomically(async (ex) => {
      const row = await this.exactlyOne(ex, args.where, "update");
      return this.apply(ex, row, args.data);
    });
  }

  /** Updates every row `where` matches, in one transaction. */
  async updateMany(given: { where?: Where<T>; data: UpdateInput<T> }): Promise<{ count: number }> {
    const args = optionsOf(given, `${this.descriptor.table}.updateMany`);
    this.restricting(args.where, "updateMany");
    return this.ex.atomically(async (ex) => {
      const rows = await ex.run(compileFindMany(this.descriptor, { where: args.where }));
      for (const row of rows) await this.apply(ex, struct(row), args.data);
      return { count: rows.length };
    });
  }

  /** Updates the row `where` matches, or inserts `create` when none does (one transaction). */
  async upsert(given: { where: Where<T>; create: CreateInput<T>; update: UpdateInput<T> }): Promise<Row<T>> {
    const args = optionsOf(given, `${this.descriptor.table}.upsert`);
    if (args.where === undefined) throw new LedgerError("INVALID_ARGUMENT", "upsert needs a where");
    this.restricting(args.where, "upsert");
    const doc = toIonDocument(args.create, this.descriptor.fields, this.descriptor.table);
    return this.ex.atomically(async (ex) => {
      const rows = await ex.run(compileFindMany(this.descriptor, { where: args.where }));
      if (rows.length === 0) return this.insertChecked(ex, doc);
      if (rows.length > 1) {
        throw new LedgerError("INVALID_ARGUMENT", `upsert on ${this.descriptor.table}: where matched ${rows.length} rows`);
      }
      return this.apply(ex, struct(rows[0]), args.update);
    });
  }

  /** Deletes the one row `where` matches (DOCUMENT_NOT_FOUND when none or several do) and returns it. */
  async delete(given: { where: Where<T> }): Promise<Row<T>> {
    const args = optionsOf(given, `${this.descriptor.table}.delete`);
    return this.ex.atomically(async (ex) => {
      const row = await this.exactlyOne(ex, args.where, "delete");
      const decoded = this.decodeRow(row);
      await ex.run(compileDelete(this.descriptor, decoded.id));
      return decoded;
    });
  }

  /** Deletes every row `where` matches, in one transaction. */
  async deleteMany(given?: { where?: Where<T> }): Promise<{ count: number }> {
    const args = optionsOf(given, `${this.descriptor.table}.deleteMany`);
    this.restricting(args.where, "deleteMany");
    return this.ex.atomically(async (ex) => {
      const rows = await ex.run(compileFindMany(this.descriptor, { where: args.where, select: { id: true } }));
      for (const row of rows) await ex.run(compileDelete(this.descriptor, str(getField(struct(row), "id"))));
      return { count: rows.length };
    });
  }

  /**
   * Every revision of the matching documents, oldest block first: `{ id, version, txTime, txId,
   * data?, blockAddress, hash }` (`data` is absent on the delete). `id` picks one document;
   * `where` picks documents any revision of which matched; `from`/`to` pick the revisions active
   * in that window (both inclusive; QLDB's `history(t, ?, ?)`, the bounds passed as parameters).
   */
  async *history(given?: HistoryArgs<T>): AsyncIterable<HistoryEntry<T>> {
    const d = this.descriptor;
    const args = optionsOf(given, `${d.table}.history`);
    // A wrong id type would match nothing and look like a document without history.
    if (args.id !== undefined && typeof args.id !== "string") {
      throw new LedgerError("INVALID_ARGUMENT", `${d.table}.history: id must be a document id string`, { id: String(args.id) });
    }
    let ids: string[] | undefined = args.id === undefined ? undefined : [args.id];
    if (args.where !== undefined) {
      const found = await this.ex.run(compileHistory(d, { where: args.where, ids, columns: "h.metadata.id AS id" }));
      ids = [...new Set(found.map((r) => str(getField(struct(r), "id"))))];
    }
    const bounds = args.from !== undefined || args.to !== undefined
      ? [
        toIon(args.from ?? Temporal.Instant.from(EPOCH), { kind: "instant" }, `${d.table}.history.from`),
        toIon(args.to ?? Temporal.Instant.from(END_OF_TIME), { kind: "instant" }, `${d.table}.history.to`),
      ] as const
      : undefined;
    const rows = await this.ex.run(compileHistory(d, { ids, bounds }));
    const revisions = rows.map((r) => this.revision(r));
    revisions.sort((a, b) => a.blockAddress.sequenceNo - b.blockAddress.sequenceNo || a.version - b.version);
    for (const r of revisions) yield r;
  }

  /** The rows as they were at `instant` (the latest revision of each document committed by then). */
  async asOf(instant: Temporal.Instant, given?: { where?: Where<T> }): Promise<Row<T>[]> {
    const d = this.descriptor;
    const args = optionsOf(given, `${d.table}.asOf`);
    const bounds = [
      toIon(Temporal.Instant.from(EPOCH), { kind: "instant" }, `${d.table}.asOf`),
      toIon(instant, { kind: "instant" }, `${d.table}.asOf`),
    ] as const;
    const latest = new Map<string, HistoryEntry<T>>();
    for (const r of (await this.ex.run(compileHistory(d, { bounds }))).map((row) => this.revision(row))) {
      const seen = latest.get(r.id);
      if (seen === undefined || r.version > seen.version) latest.set(r.id, r);
    }
    let keep: Set<string> | undefined;
    if (args.where !== undefined) {
      const matched = await this.ex.run(
        compileHistory(d, { where: args.where, bounds, columns: "h.metadata.id AS id, h.metadata.version AS version" }),
      );
      keep = new Set(matched.map((m) => `${str(getField(struct(m), "id"))}@${num(getField(struct(m), "version"))}`));
    }
    const out: Row<T>[] = [];
    for (const r of latest.values()) {
      if (r.data === undefined) continue;
      if (keep !== undefined && !keep.has(`${r.id}@${r.version}`)) continue;
      out.push({ ...r.data, id: r.id } as Row<T>);
    }
    return out;
  }

  /**
   * Proves the document's latest revision against the current digest: fetches the digest and the
   * revision's proof and checks them with `verifyRevision` (the check a third party runs offline).
   */
  async verify(id: string): Promise<VerifyResult> {
    if (typeof id !== "string") throw new LedgerError("INVALID_ARGUMENT", "verify takes a document id");
    const rows = await this.ex.run(compileHistory(this.descriptor, { ids: [id] }));
    const revisions = rows.map((r) => this.revision(r)).sort((a, b) => a.version - b.version);
    const last = revisions.at(-1);
    if (last === undefined) {
      throw new LedgerError("DOCUMENT_NOT_FOUND", `${this.descriptor.table} has no document ${id}`, { documentId: id });
    }
    const ledger = this.ex.ledger;
    const digest = await ledger.getDigest();
    const { revision, proof } = await ledger.getRevision({
      blockAddress: last.blockAddress,
      documentId: id,
      digestTipAddress: digest.digestTipAddress,
    });
    return {
      verified: verifyRevision(revision, proof, digest),
      documentId: id,
      blockAddress: last.blockAddress,
      digest: hex(digest.digest),
      digestTipAddress: digest.digestTipAddress,
      proofLength: proof.length,
    };
  }

  // --- internals -------------------------------------------------------------------------

  /** The rows a query returned; `select` (already checked by the compiler) names the columns read. */
  private async rows(statement: Statement, select?: unknown): Promise<never[]> {
    const rows = await this.ex.run(statement);
    const fields = select === undefined ? this.descriptor.fields : selectedFields(this.descriptor.fields, select);
    return rows.map((r) => this.decodeRow(struct(r), fields)) as never[];
  }

  /**
   * A `{ doc, id }` row of compileFindMany: the id is the BY variable's, never a field of the
   * document (which may hold an `id` of its own).
   */
  private decodeRow(row: IonStruct, fields = this.descriptor.fields): Row<T> {
    const id = str(getField(row, "id"));
    const doc = struct(getField(row, "doc") ?? { kind: "null", of: "null" });
    return { ...fromIonStruct(doc, fields, documentPath(this.descriptor.table, id)), id } as Row<T>;
  }

  private async insertChecked(ex: Executor, doc: IonStruct): Promise<Row<T>> {
    const [result] = await ex.run(compileInsert(this.descriptor, doc));
    const id = str(getField(struct(result), "documentId"));
    return { ...fromIonStruct(doc, this.descriptor.fields), id } as Row<T>;
  }

  /**
   * Refuses a `where` given to a write that names no condition (`{}`, or every entry undefined,
   * as `{ VIN: input.vin }` is when the input lacks it): it would reach every row, or the only
   * one. A write meant for every row leaves `where` out.
   */
  private restricting(where: unknown, what: string): void {
    if (where === undefined) return;
    if (compileWhere(where, liveTarget(this.descriptor)).clause === "") {
      throw new LedgerError(
        "INVALID_ARGUMENT",
        `${what} on ${this.descriptor.table}: where names no condition (every entry is undefined or it is empty); leave where out to mean every row`,
      );
    }
  }

  private async exactlyOne(ex: Executor, where: unknown, what: string): Promise<IonStruct> {
    if (where === undefined) throw new LedgerError("INVALID_ARGUMENT", `${what} needs a where`);
    this.restricting(where, what);
    const rows = await ex.run(compileFindMany(this.descriptor, { where }));
    if (rows.length !== 1) {
      throw new LedgerError(
        "DOCUMENT_NOT_FOUND",
        `${what} on ${this.descriptor.table}: where matched ${rows.length} rows, expected exactly one`,
        { matched: rows.length },
      );
    }
    return struct(rows[0]);
  }

  /** Applies `data` to a read row: checks the merged document, writes the changed fields. */
  private async apply(ex: Executor, row: IonStruct, data: unknown): Promise<Row<T>> {
    const d = this.descriptor;
    if (!isPlainObject(data)) throw new LedgerError("TYPE_ERROR", `update data must be an object at ${d.table}`, { path: d.table });
    for (const key of Object.keys(data)) {
      if (key === "id" || key === "metadata") {
        throw new LedgerError("TYPE_ERROR", `${key} is not writable at ${childPath(d.table, key)}`, { path: childPath(d.table, key) });
      }
    }
    const current = this.decodeRow(row);
    const { id, ...fields } = current as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...fields };
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) continue;
      if (value === unset) {
        const f = Object.prototype.hasOwnProperty.call(d.fields, key) ? d.fields[key] : undefined;
        if (f === undefined || !f.optional) {
          const path = childPath(d.table, key);
          throw new LedgerError("TYPE_ERROR", `${f === undefined ? "unknown field" : "a required field cannot be unset"} at ${path}`, { path });
        }
        delete merged[key];
        if (Object.prototype.hasOwnProperty.call(fields, key)) removed.push(key);
        continue;
      }
      merged[key] = value;
      changed.push(key);
    }
    const doc = toIonDocument(merged, d.fields, d.table);
    const changes = changed.map((key) => [key, getField(doc, key)!] as const);
    if (changes.length > 0 || removed.length > 0) await ex.run(compileUpdate(d, id as string, changes, removed));
    return { ...fromIonStruct(doc, d.fields), id } as Row<T>;
  }

  private revision(v: IonValue): HistoryEntry<T> {
    const s = struct(v);
    const meta = struct(getField(s, "metadata") ?? { kind: "null", of: "null" });
    const txTime = getField(meta, "txTime");
    if (txTime?.kind !== "timestamp") throw new LedgerError("TYPE_ERROR", "revision metadata has no txTime");
    const data = getField(s, "data");
    return {
      id: str(getField(meta, "id")),
      version: num(getField(meta, "version")),
      txTime: instantOf(txTime),
      txId: str(getField(meta, "txId")),
      ...(data !== undefined && data.kind === "struct"
        ? { data: fromIonStruct(data, this.descriptor.fields, documentPath(this.descriptor.table, str(getField(meta, "id")))) as T }
        : {}),
      blockAddress: blockAddressOf(getField(s, "blockAddress")),
      hash: bytes(getField(s, "hash")),
    };
  }

  private committedRow(v: IonValue): CommittedRow<T> {
    const r = this.revision(v);
    return {
      data: { ...(r.data as T), id: r.id } as Row<T>,
      metadata: { id: r.id, version: r.version, txTime: r.txTime, txId: r.txId },
      blockAddress: r.blockAddress,
      hash: r.hash,
    };
  }
}
