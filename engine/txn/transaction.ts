/**
 * A transaction: reads from one snapshot (the last block published when it began), buffers its
 * writes, and records what it read so the committer can check, at commit, that nothing it read
 * has changed since (optimistic concurrency control).
 *
 * What counts as a read, for conflicts:
 * - a document read by id (get, update, delete, committed, history): any later write to that id;
 * - a table scan: any later write to that table (phantoms included);
 * - an index lookup `field = value`: any later write whose old or new value of that field has
 *   that key — so writers of other keys never conflict with it;
 * - resolving a table name: a read of that table's catalog document; finding that a name is
 *   free: a scan of the catalog.
 * Writes of a document always follow a read of it, so write-write conflicts are caught too.
 *
 * Several changes to one document inside a transaction collapse into one revision, as in QLDB.
 */
import { LedgerError, readingArgument } from "../errors.ts";
import { limits } from "../limits.ts";
import { encodeBinary } from "../ion/binary.ts";
import { encodedSizeUpperBound, type WriteCost, writeCostOf } from "../ion/size.ts";
import { fromJS, handOut, handOutCopy } from "../ion/js.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { getField, ion } from "../ion/value.ts";
import { newId } from "../ledger/ids.ts";
import type { StatementRecord } from "../ledger/block.ts";
import type { Revision } from "../ledger/types.ts";
import { copyRevision } from "../ledger/copy.ts";
import {
  checkFieldName,
  checkTableName,
  SYSTEM_TABLE_ID,
  SYSTEM_TABLE_NAME,
  type TableDef,
  tableDefToIon,
} from "../catalog/catalog.ts";
import { indexKey, indexKeysOf } from "../catalog/index-key.ts";
import { CLASS_ORDER, type KeyClass, type KeyRange, rangeMustVisit } from "../catalog/index-order.ts";
import { type Store, type StoredRevision, visibleRevision } from "./store.ts";

/** One buffered change to a document. */
export interface WriteEntry {
  readonly tableId: string;
  readonly tableName: string;
  readonly id: string;
  /** New data; undefined for a delete. */
  data: IonStruct | undefined;
  /** Data visible at the snapshot (undefined for a new document); used by index-key validation. */
  readonly before: IonStruct | undefined;
  /** Version the new revision gets. */
  readonly version: number;
  readonly statements: number[];
}

export interface IndexRead {
  readonly tableId: string;
  readonly field: string;
  readonly key: string;
}

export interface RangeRead {
  readonly tableId: string;
  readonly field: string;
  readonly range: KeyRange;
}

/**
 * What a transaction read, for OCC validation (committer.ts): documents, table scans (phantoms),
 * index keys and index ranges. Each container is made on first use: a typical write reads one
 * document (its table's definition) and nothing else, and four containers per transaction were
 * garbage on every commit. An untracked transaction (an auto-commit read) keeps nothing.
 */
export class ReadSet {
  private docSet?: Set<string>;
  private tableSet?: Set<string>;
  private keyList?: IndexRead[];
  private rangeList?: RangeRead[];

  constructor(private readonly tracked: boolean) {}

  addDoc(id: string): void {
    if (this.tracked) (this.docSet ??= new Set()).add(id);
  }
  addTable(tableId: string): void {
    if (this.tracked) (this.tableSet ??= new Set()).add(tableId);
  }
  addKey(read: IndexRead): void {
    if (this.tracked) (this.keyList ??= []).push(read);
  }
  addRange(read: RangeRead): void {
    if (this.tracked) (this.rangeList ??= []).push(read);
  }

  get docs(): ReadonlySet<string> {
    return this.docSet ?? NO_IDS;
  }
  get tables(): ReadonlySet<string> {
    return this.tableSet ?? NO_IDS;
  }
  get keys(): readonly IndexRead[] {
    return this.keyList ?? NONE;
  }
  get ranges(): readonly RangeRead[] {
    return this.rangeList ?? NONE;
  }
}

const NO_IDS: ReadonlySet<string> = new Set<string>();
const NONE: readonly never[] = Object.freeze([]);

/** A document as the user view shows it. */
export interface DocumentRow {
  readonly id: string;
  readonly data: IonStruct;
}

export interface TransactionHost {
  readonly store: Store;
  commit(tx: Transaction): Promise<void>;
  finished(tx: Transaction): void;
  /** Commit-clock milliseconds (never earlier than the last block's time). */
  nowMillis(): number;
  /**
   * An auto-commit read (`ledger.execute` of a query): nobody can write through the transaction,
   * so it records no reads for OCC and no statement (a read-only transaction journals nothing).
   */
  readonly untracked?: boolean;
}

type State = "active" | "committing" | "committed" | "aborted";

/** A wrong argument for an error's details, without running any of its code (toString, getters, traps). */
function shown(x: unknown): string {
  if (typeof x === "symbol") return x.toString();
  if (typeof x === "object" && x !== null) return "an object";
  if (typeof x === "function") return "a function";
  return String(x);
}

/** A table name or id, index id, or similar name argument: a string, or INVALID_ARGUMENT. */
function checkName(x: unknown, what: string): asserts x is string {
  if (typeof x !== "string") {
    throw new LedgerError("INVALID_ARGUMENT", `${what} must be a string, not ${typeof x}`, { [what]: shown(x) });
  }
}

/** An array of strings (keys or ids), for the planner's lookups. */
function checkStrings(xs: unknown, what: string): asserts xs is readonly string[] {
  readingArgument(what, () => {
    if (!Array.isArray(xs)) throw new LedgerError("INVALID_ARGUMENT", `${what} must be an array of strings`);
    for (const x of xs) checkName(x, `each of ${what}`);
  });
}

function checkKeyRange(range: unknown): asserts range is KeyRange {
  readingArgument("the key range", () => {
    const r = range as Partial<KeyRange> | null;
    if (
      r === null || typeof r !== "object" || !CLASS_ORDER.includes(r.cls as KeyClass) ||
      typeof r.lowInclusive !== "boolean" || typeof r.highInclusive !== "boolean" ||
      (r.low !== undefined && typeof r.low !== "string") || (r.high !== undefined && typeof r.high !== "string")
    ) {
      throw new LedgerError("INVALID_ARGUMENT", "a key range must be {cls, low?, lowInclusive, high?, highInclusive}");
    }
  });
}

function copiedRows(rows: readonly DocumentRow[]): DocumentRow[] {
  return rows.map((r) => ({ id: r.id, data: handOutCopy(r.data) }));
}

function checkDocumentId(id: unknown): void {
  if (typeof id !== "string") {
    throw new LedgerError("INVALID_ARGUMENT", `a document id must be a string, not ${typeof id}`, { id: shown(id) });
  }
}

/**
 * The committer's view of a transaction's write set and statements. They are `#` fields, not
 * public ones: an application that reached them (`tx.writes.set(…)`) could commit a block that
 * encodes but does not replay, and so brick the ledger. Only engine modules import these.
 */
export let writesOf: (tx: Transaction) => ReadonlyMap<string, WriteEntry>;
export let statementsOf: (tx: Transaction) => readonly StatementRecord[];
/** The snapshot and read set OCC validates, read from the fields (a property the application defines cannot stand in). */
export let snapshotOf: (tx: Transaction) => number;
export let readsOf: (tx: Transaction) => ReadSet;

/**
 * Reads that return the store's own objects (documents, revisions, table definitions, and the
 * transaction's pending writes), for the query executor, which never changes them and builds its
 * results afresh. Not methods: an application that changed one of these objects would change
 * committed data in memory, or a write after it was checked, and could commit a block the next
 * open refuses. The public reads (scan, lookup, tables, …) return copies.
 */
export interface SharedReads {
  sharedCatalog(tx: Transaction): readonly TableDef[] | undefined;
  tablesShared(tx: Transaction): Promise<TableDef[]>;
  resolveTableShared(tx: Transaction, name: string, caseSensitive?: boolean): Promise<TableDef | undefined>;
  scanCommittedShared(tx: Transaction, table: string): Promise<Revision[]>;
  committedAmongShared(tx: Transaction, table: string, ids: readonly string[]): Promise<Revision[]>;
  tableHistoryShared(tx: Transaction, table: string): Promise<Revision[]>;
  lookupIdsShared(tx: Transaction, table: string, ids: readonly string[]): Promise<DocumentRow[]>;
  lookupShared(tx: Transaction, table: string, field: string, keys: readonly string[]): Promise<DocumentRow[]>;
  lookupRangeShared(tx: Transaction, table: string, field: string, range: KeyRange): Promise<DocumentRow[]>;
  lookupOrderedShared(tx: Transaction, table: string, field: string, descending: boolean, take: number): Promise<DocumentRow[]>;
  scanShared(tx: Transaction, table: string): Promise<DocumentRow[]>;
}
export let sharedReads: SharedReads;

/**
 * The query executor's hold on a statement: `run` attributes every write `fn` makes to one
 * journaled statement and takes them all back if it fails; `write` marks one of those writes.
 * Not methods, for the reason SharedReads gives: params recorded here are hashed into the block
 * unchecked (the executor made them), and only the engine may vouch for that.
 */
export let statementScope: {
  run<T>(tx: Transaction, statement: string, params: readonly IonValue[], fn: () => Promise<T>): Promise<T>;
  write<T>(tx: Transaction, write: () => Promise<T>): Promise<T>;
};

export class Transaction {
  static {
    writesOf = (tx) => tx.#writes;
    statementsOf = (tx) => tx.#statements;
    snapshotOf = (tx) => tx.#snapshot;
    readsOf = (tx) => tx.#reads;
    statementScope = {
      run: (tx, statement, params, fn) => tx.#withStatement(statement, params, fn),
      write: (tx, write) => tx.#statementWrite(write),
    };
    sharedReads = {
      sharedCatalog: (tx) => tx.#sharedCatalog(),
      tablesShared: (tx) => tx.#tablesShared(),
      resolveTableShared: (tx, name, caseSensitive) => tx.#resolveTableShared(name, caseSensitive),
      scanCommittedShared: (tx, table) => tx.#scanCommittedShared(table),
      committedAmongShared: (tx, table, ids) => tx.#committedAmongShared(table, ids),
      tableHistoryShared: (tx, table) => tx.#tableHistoryShared(table),
      lookupIdsShared: (tx, table, ids) => tx.#lookupIdsShared(table, ids),
      lookupShared: (tx, table, field, keys) => tx.#lookupShared(table, field, keys),
      lookupRangeShared: (tx, table, field, range) => tx.#lookupRangeShared(table, field, range),
      lookupOrderedShared: (tx, table, field, descending, take) => tx.#lookupOrderedShared(table, field, descending, take),
      scanShared: (tx, table) => tx.#scanShared(table),
    };
  }

  #txId: string | undefined;
  readonly #snapshot: number;
  readonly #reads: ReadSet;
  readonly #writes = new Map<string, WriteEntry>();
  /** What the documents in `writes` cost at least (see writtenAfter). */
  #written: WriteCost = NO_COST;
  readonly #statements: StatementRecord[] = [];
  #state: State = "active";
  /** Set when the ledger's close() aborted this transaction (see abortForClose). */
  #closedByLedger = false;
  /** Index of the statement `withStatement` is running, if any. */
  #activeStatement: number | undefined;
  /** Catalog changes made by this transaction (the catalog is shared until there is one). */
  #catalogWrites = 0;
  #commitDone: Promise<void> | undefined;
  #managed = false;
  /**
   * While a statement runs (withStatement): each write entry it touches, as it was before the
   * statement (undefined: it did not exist), so that a statement that fails leaves no write
   * behind. `null` while a statement runs and has touched nothing yet (no Map made for reads).
   */
  #undo: Map<string, WriteEntry | undefined> | null | undefined;
  /** Set while the running statement performs one of its own writes (statementWrite). */
  #writingForStatement = false;

  readonly #host: TransactionHost;

  constructor(host: TransactionHost) {
    this.#host = host;
    this.#snapshot = host.store.tip;
    this.#reads = new ReadSet(host.untracked !== true);
  }

  /** The sequence number of the newest block this transaction reads from. */
  get snapshot(): number {
    return this.#snapshot;
  }

  /** Whether reads are recorded for OCC (false only for an auto-commit read; see TransactionHost). */
  get tracked(): boolean {
    return this.#host.untracked !== true;
  }

  /**
   * The store's table definitions this transaction resolves names against, when it has made no
   * catalog change of its own (undefined otherwise). The array is the store's: its identity, or
   * failing that its elements' identities, say whether the catalog changed (plan caches key on it).
   */
  #sharedCatalog(): readonly TableDef[] | undefined {
    return this.#catalogWrites === 0 ? this.#host.store.tableDefsAt(this.#snapshot) : undefined;
  }

  /** The transaction id (made on first use: read-only transactions rarely need one). */
  get id(): string {
    return (this.#txId ??= newId());
  }

  get isActive(): boolean {
    return this.#state === "active";
  }

  // ---- tables -------------------------------------------------------------------------------

  /** Creates a table; returns its tableId. */
  async createTable(name: string): Promise<string> {
    this.#checkActive();
    checkTableName(name);
    if (this.#findActiveTable(name) !== undefined) throw new LedgerError("TABLE_EXISTS", `table ${name} already exists`, { name });
    const tableId = newId();
    this.#putCatalog({ tableId, name, status: "ACTIVE", indexes: [] }, `CREATE TABLE ${name}`);
    return tableId;
  }

  /** Drops an active table; its documents and history stay in the journal. Returns its tableId. */
  async dropTable(name: string): Promise<string> {
    this.#checkActive();
    const def = this.#activeTable(name);
    this.#putCatalog({ ...def, status: "INACTIVE" }, `DROP TABLE ${name}`);
    return def.tableId;
  }

  /** Reactivates a dropped table by its id; fails if an active table has its name. */
  async undropTable(tableId: string): Promise<string> {
    this.#checkActive();
    checkName(tableId, "tableId");
    const def = this.#tableById(tableId);
    if (def === undefined) throw new LedgerError("TABLE_NOT_FOUND", `no table has id ${tableId}`, { tableId });
    if (def.status === "ACTIVE") throw new LedgerError("TABLE_EXISTS", `table ${def.name} is not dropped`, { tableId });
    if (this.#findActiveTable(def.name) !== undefined) {
      throw new LedgerError("TABLE_EXISTS", `an active table is already named ${def.name}`, { name: def.name });
    }
    this.#putCatalog({ ...def, status: "ACTIVE" }, `UNDROP TABLE "${tableId}"`);
    return def.name;
  }

  /** Creates an index on a top-level field; returns its indexId. */
  async createIndex(table: string, field: string): Promise<string> {
    this.#checkActive();
    checkFieldName(field);
    const def = this.#activeTable(table);
    if (def.indexes.some((ix) => ix.field === field)) {
      throw new LedgerError("INDEX_EXISTS", `${table} already has an index on ${field}`, { table, field });
    }
    const indexId = newId();
    this.#putCatalog({ ...def, indexes: [...def.indexes, { indexId, field }] }, `CREATE INDEX ON ${table} (${field})`);
    return indexId;
  }

  /** Removes an index from a table; returns the indexed field. */
  async dropIndex(table: string, indexId: string): Promise<string> {
    this.#checkActive();
    checkName(indexId, "indexId");
    const def = this.#activeTable(table);
    const ix = def.indexes.find((i) => i.indexId === indexId);
    if (ix === undefined) throw new LedgerError("INDEX_NOT_FOUND", `${table} has no index ${indexId}`, { table, indexId });
    this.#putCatalog({ ...def, indexes: def.indexes.filter((i) => i !== ix) }, `DROP INDEX "${indexId}" ON ${table}`);
    return ix.field;
  }

  /**
   * The active table called `name`: an exact match, else (unless `caseSensitive`) the only
   * case-insensitive match. Undefined if there is none; ambiguity is an error.
   */
  async resolveTable(name: string, caseSensitive = true): Promise<TableDef | undefined> {
    const def = await this.#resolveTableShared(name, caseSensitive);
    return def === undefined ? undefined : copyTableDef(def);
  }

  /** resolveTable, returning the catalog's own definition (for the executor, which never changes it). */
  async #resolveTableShared(name: string, caseSensitive = true): Promise<TableDef | undefined> {
    this.#checkActive();
    if (typeof name !== "string") throw new LedgerError("INVALID_ARGUMENT", "a table name must be a string", { name: shown(name) });
    const exact = this.#findActiveTable(name);
    if (exact !== undefined || caseSensitive) return exact;
    const lower = name.toLowerCase();
    this.#reads.addTable(SYSTEM_TABLE_ID);
    const matches = this.#catalog().filter((d) => d.status === "ACTIVE" && d.name.toLowerCase() === lower);
    if (matches.length > 1) {
      throw new LedgerError("TABLE_NOT_FOUND", `${name} matches several tables (${matches.map((m) => m.name).join(", ")}); quote it`, { name });
    }
    return matches[0];
  }

  /** Every table (active and dropped) as this transaction sees it. */
  async tables(): Promise<TableDef[]> {
    return (await this.#tablesShared()).map(copyTableDef);
  }

  /** tables(), holding the catalog's own definitions (for the executor's views). */
  async #tablesShared(): Promise<TableDef[]> {
    this.#checkActive();
    this.#reads.addTable(SYSTEM_TABLE_ID);
    return [...this.#catalog()];
  }

  // ---- writes -------------------------------------------------------------------------------

  /** Inserts a document (a plain object, or an Ion struct); returns its new id. */
  async insert(table: string, document: unknown): Promise<string> {
    this.#checkActive();
    const def = this.#activeTable(table);
    const data = toDocument(document);
    this.#checkWriteCount();
    const written = this.#writtenAfter(undefined, data);
    const id = newId();
    const stmt = this.#record(statementText(def.name, "insert"), [data]);
    this.#touch(id);
    this.#writes.set(id, {
      tableId: def.tableId,
      tableName: def.name,
      id,
      data,
      before: undefined,
      version: 0,
      statements: [stmt],
    });
    this.#written = written;
    return id;
  }

  /** Replaces the data of an existing document. */
  async update(table: string, id: string, document: unknown): Promise<void> {
    this.#checkActive();
    checkDocumentId(id);
    const def = this.#activeTable(table);
    const data = toDocument(document);
    this.#change(def, id, data, () => this.#record(statementText(def.name, "update"), [data, ion.string(String(id))]));
  }

  /** Deletes a document: its final revision has metadata and no data. */
  async delete(table: string, id: string): Promise<void> {
    this.#checkActive();
    checkDocumentId(id);
    const def = this.#activeTable(table);
    this.#change(def, id, undefined, () => this.#record(statementText(def.name, "delete"), [ion.string(String(id))]));
  }

  // ---- reads --------------------------------------------------------------------------------

  /** The current data of a document, or undefined if it does not exist (or is deleted). */
  async get(table: string, id: string): Promise<IonStruct | undefined> {
    this.#checkActive();
    checkDocumentId(id);
    const def = this.#activeTable(table);
    const data = this.#current(def, id);
    return data === undefined ? undefined : handOutCopy(data);
  }

  // The reads below come in two forms. The public one returns copies: the store's documents are
  // shared by every snapshot, index and proof, so a caller changing a returned value (through
  // `any`) would change committed data in memory. The `…Shared` one returns the store's own
  // objects, for the query executor, which never changes them and builds its results afresh.

  /** lookupIdsShared, with copies of the documents. */
  async lookupIds(table: string, ids: readonly string[]): Promise<DocumentRow[]> {
    return copiedRows(await this.#lookupIdsShared(table, ids));
  }

  /** scanShared, with copies of the documents. */
  async scan(table: string): Promise<DocumentRow[]> {
    return copiedRows(await this.#scanShared(table));
  }

  /** lookupShared, with copies of the documents. */
  async lookup(table: string, field: string, keys: readonly string[]): Promise<DocumentRow[]> {
    return copiedRows(await this.#lookupShared(table, field, keys));
  }

  /** lookupRangeShared, with copies of the documents. */
  async lookupRange(table: string, field: string, range: KeyRange): Promise<DocumentRow[]> {
    return copiedRows(await this.#lookupRangeShared(table, field, range));
  }

  /** lookupOrderedShared, with copies of the documents. */
  async lookupOrdered(table: string, field: string, descending: boolean, take: number): Promise<DocumentRow[]> {
    return copiedRows(await this.#lookupOrderedShared(table, field, descending, take));
  }

  /**
   * The current documents among `ids` in `table` (a `BY id` lookup for the planner), recording a
   * read of each id, found or not: ids are never reused, so a missing one cannot appear later.
   */
  async #lookupIdsShared(table: string, ids: readonly string[]): Promise<DocumentRow[]> {
    this.#checkActive();
    checkStrings(ids, "document ids");
    const def = this.#activeTable(table);
    const rows: DocumentRow[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const data = this.#current(def, id);
      if (data !== undefined) rows.push({ id, data });
    }
    return rows;
  }

  /** Every current document of a table. */
  async #scanShared(table: string): Promise<DocumentRow[]> {
    this.#checkActive();
    const def = this.#activeTable(table);
    this.#reads.addTable(def.tableId);
    const rows: DocumentRow[] = [];
    const store = this.#host.store;
    const writes = this.#writes;
    for (const chain of store.chainsOf(def.tableId)) {
      const id = chain.id;
      if (writes.size > 0 && writes.has(id)) continue;
      const r = visibleRevision(chain, this.#snapshot);
      if (r?.data !== undefined) rows.push({ id, data: r.data });
    }
    for (const w of this.#writes.values()) {
      if (w.tableId === def.tableId && w.data !== undefined) rows.push({ id: w.id, data: w.data });
    }
    return rows;
  }

  /**
   * Documents whose top-level `field` equals `value` under PartiQL's `=` (so `1` finds `1.0`).
   * Uses the table's index on `field` if it has one (and then conflicts only with writes of
   * that key); otherwise it is a scan.
   */
  async findBy(table: string, field: string, value: unknown): Promise<DocumentRow[]> {
    this.#checkActive();
    checkName(field, "field");
    const def = this.#activeTable(table);
    const key = indexKey(fromJS(value, "$value"));
    const matches = (data: IonStruct) => indexKey(getField(data, field)) === key;
    if (!def.indexes.some((ix) => ix.field === field)) return copiedRows((await this.#scanShared(table)).filter((row) => matches(row.data)));
    return copiedRows(this.#lookupKeys(def, field, [key]).filter((row) => matches(row.data)));
  }

  /**
   * Index lookup for the planner: the documents with any of `keys` in the index on `field`
   * (a superset of the exact matches; see indexKeysOf), recording the key reads. The table must
   * have an index on `field`.
   */
  async #lookupShared(table: string, field: string, keys: readonly string[]): Promise<DocumentRow[]> {
    this.#checkActive();
    checkName(field, "field");
    checkStrings(keys, "keys");
    const def = this.#activeTable(table);
    if (!def.indexes.some((ix) => ix.field === field)) {
      throw new LedgerError("INDEX_NOT_FOUND", `${table} has no index on ${field}`, { table, field });
    }
    return this.#lookupKeys(def, field, keys);
  }

  /**
   * Range lookup for the planner: the documents whose `field` may satisfy `range` (a superset of
   * the matches, see index-order.ts), recording the range read — so it conflicts with writers of
   * values in the range and no others. The table must have an index on `field`.
   */
  async #lookupRangeShared(table: string, field: string, range: KeyRange): Promise<DocumentRow[]> {
    this.#checkActive();
    checkName(field, "field");
    checkKeyRange(range);
    const def = this.#activeTable(table);
    const ids = this.#host.store.rangeCandidates(def.tableId, field, range);
    if (ids === undefined) return this.#unpublishedIndexRows(def, field, (k) => rangeMustVisit(k, range));
    this.#reads.addRange({ tableId: def.tableId, field, range });
    return this.#candidateRows(def, field, ids, (k) => rangeMustVisit(k, range));
  }

  /**
   * Top-k read for the planner (ORDER BY field LIMIT k): the documents with the `take` first
   * values of `field` in index order (ties at the boundary included), plus every document whose
   * value has no order (NULL, MISSING, …) and this transaction's own writes — a superset of the
   * first `take` rows that the evaluator then sorts and cuts. Conflicts like a scan: which
   * documents are first can change with any write.
   */
  async #lookupOrderedShared(table: string, field: string, descending: boolean, take: number): Promise<DocumentRow[]> {
    this.#checkActive();
    checkName(field, "field");
    if (typeof descending !== "boolean") throw new LedgerError("INVALID_ARGUMENT", "descending must be a boolean");
    if (!(typeof take === "number" && take >= 0 && (Number.isSafeInteger(take) || take === Infinity))) {
      throw new LedgerError("INVALID_ARGUMENT", "take must be a non-negative integer", { take: shown(take) });
    }
    const def = this.#activeTable(table);
    const index = this.#host.store.orderedIndex(def.tableId, field, descending);
    // Every row is a superset of the first `take`: the evaluator sorts and cuts.
    if (index === undefined) return this.#unpublishedIndexRows(def, field, () => true);
    this.#reads.addTable(def.tableId);
    const store = this.#host.store;
    const rows: DocumentRow[] = [];
    const seen = new Set<string>();
    // A document counts towards `take` only when `key` is its one key: one with several fields
    // named `field` in different cases reads as ambiguous (an error, or MISSING in permissive
    // mode), which sorts elsewhere than any of its keys. It is still a candidate.
    const visit = (key: string): number => {
      let found = 0;
      for (const id of index.idsOf(key)) {
        if (seen.has(id) || this.#writes.has(id)) continue;
        const r = visibleRevision(store.docs.get(id)!, this.#snapshot);
        if (r?.data === undefined) continue;
        const keys = indexKeysOf(r.data, field);
        if (!keys.includes(key)) continue;
        seen.add(id);
        rows.push({ id, data: r.data });
        if (keys.length === 1) found++;
      }
      return found;
    };
    for (const key of index.unordered) visit(key);
    let ordered = 0;
    for (const key of index.keys) {
      if (ordered >= take) break;
      ordered += visit(key);
    }
    for (const w of this.#writes.values()) {
      if (w.tableId === def.tableId && w.data !== undefined) rows.push({ id: w.id, data: w.data });
    }
    return rows;
  }

  #lookupKeys(def: TableDef, field: string, keys: readonly string[]): DocumentRow[] {
    const store = this.#host.store;
    const wanted = new Set(keys);
    if (!store.hasIndex(def.tableId, field)) return this.#unpublishedIndexRows(def, field, (k) => wanted.has(k));
    const ids = new Set<string>();
    for (const key of keys) {
      this.#reads.addKey({ tableId: def.tableId, field, key });
      for (const id of store.indexCandidates(def.tableId, field, key)!) ids.add(id);
    }
    return this.#candidateRows(def, field, ids, (k) => wanted.has(k));
  }

  /**
   * An index this transaction created (its catalog has it; the store builds it only when the
   * block is published) or one that does not exist: the lookup becomes a scan of the table,
   * recorded as one. Without this, a lookup through an index created earlier in the same
   * transaction found nothing, and an UPDATE through it silently changed no rows.
   */
  #unpublishedIndexRows(def: TableDef, field: string, matches: (key: string) => boolean): DocumentRow[] {
    if (!def.indexes.some((ix) => ix.field === field)) {
      throw new LedgerError("INDEX_NOT_FOUND", `${def.name} has no index on ${field}`, { table: def.name, field });
    }
    this.#reads.addTable(def.tableId);
    return this.#candidateRows(def, field, this.#host.store.docIdsOf(def.tableId), matches);
  }

  /** Visible rows among `ids`, plus this transaction's own writes, whose keys on `field` match. */
  #candidateRows(def: TableDef, field: string, ids: Iterable<string>, matches: (key: string) => boolean): DocumentRow[] {
    const store = this.#host.store;
    const hit = (data: IonStruct) => indexKeysOf(data, field).some(matches);
    const rows: DocumentRow[] = [];
    for (const id of ids) {
      if (this.#writes.has(id)) continue;
      const r = visibleRevision(store.docs.get(id)!, this.#snapshot);
      if (r?.data !== undefined && hit(r.data)) rows.push({ id, data: r.data });
    }
    for (const w of this.#writes.values()) {
      if (w.tableId === def.tableId && w.data !== undefined && hit(w.data)) rows.push({ id: w.id, data: w.data });
    }
    return rows;
  }

  /** The committed view of every current document of a table (a scan, for conflicts). */
  async scanCommitted(table: string): Promise<Revision[]> {
    return (await this.#scanCommittedShared(table)).map(copyRevision);
  }

  /** scanCommitted, sharing the store's data, hashes and metadata (for the executor's views). */
  async #scanCommittedShared(table: string): Promise<Revision[]> {
    this.#checkActive();
    const def = this.#activeTable(table);
    this.#reads.addTable(def.tableId);
    const out: Revision[] = [];
    const store = this.#host.store;
    for (const id of store.docIdsOf(def.tableId)) {
      const r = visibleRevision(store.docs.get(id)!, this.#snapshot);
      if (r?.data !== undefined) out.push(publicRevision(r));
    }
    return out;
  }

  /**
   * The committed view of the documents among `ids` (a lookup by metadata.id for the planner),
   * recording a read of each id rather than of the table.
   */
  async committedAmong(table: string, ids: readonly string[]): Promise<Revision[]> {
    return (await this.#committedAmongShared(table, ids)).map(copyRevision);
  }

  /** committedAmong, sharing the store's objects (for the executor's views). */
  async #committedAmongShared(table: string, ids: readonly string[]): Promise<Revision[]> {
    this.#checkActive();
    checkStrings(ids, "ids");
    const def = this.#activeTable(table);
    const out: Revision[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const r = this.#committedRevision(def, id);
      if (r !== undefined) out.push(publicRevision(r));
    }
    return out;
  }

  /** The live committed revision of `id` in table `def` at this snapshot, recording the read. */
  #committedRevision(def: TableDef, id: string): StoredRevision | undefined {
    this.#reads.addDoc(id);
    const chain = this.#host.store.docs.get(id);
    if (chain === undefined || chain.tableId !== def.tableId) return undefined;
    const r = visibleRevision(chain, this.#snapshot);
    return r?.data === undefined ? undefined : r;
  }

  /**
   * Every committed revision of every document of a table up to this snapshot, in commit order
   * (deletes included). `table` is a name or, to reach a dropped table, its tableId.
   */
  async tableHistory(table: string): Promise<Revision[]> {
    return (await this.#tableHistoryShared(table)).map(copyRevision);
  }

  /** tableHistory, sharing the store's objects (for the executor's history()). */
  async #tableHistoryShared(table: string): Promise<Revision[]> {
    this.#checkActive();
    checkName(table, "table");
    const def = this.#tableByNameOrId(table);
    this.#reads.addTable(def.tableId);
    const out: StoredRevision[] = [];
    const store = this.#host.store;
    for (const id of store.docIdsOf(def.tableId)) {
      for (const r of store.docs.get(id)!.revisions) if (r.sequenceNo <= this.#snapshot) out.push(r);
    }
    out.sort((a, b) => a.sequenceNo - b.sequenceNo || a.index - b.index);
    return out.map(publicRevision);
  }

  /** The committed view of a document at this snapshot: {blockAddress, hash, data?, metadata}. */
  async committed(table: string, id: string): Promise<Revision | undefined> {
    this.#checkActive();
    checkDocumentId(id);
    const r = this.#committedRevision(this.#activeTable(table), id);
    return r === undefined ? undefined : copyRevision(r);
  }

  /**
   * Every committed revision of a document up to this snapshot, oldest first (a delete is the
   * last one, without data). `table` may be a name or, for a dropped table, its tableId.
   */
  async history(table: string, id: string): Promise<Revision[]> {
    this.#checkActive();
    checkDocumentId(id);
    checkName(table, "table");
    const def = this.#tableByNameOrId(table);
    this.#reads.addDoc(id);
    const chain = this.#host.store.docs.get(id);
    if (chain === undefined || chain.tableId !== def.tableId) return [];
    return chain.revisions.filter((r) => r.sequenceNo <= this.#snapshot).map(copyRevision);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Commits: validates against blocks committed since the snapshot, journals, syncs, publishes. */
  commit(): Promise<void> {
    try {
      this.#checkActive();
    } catch (e) {
      return Promise.reject(e);
    }
    const done = this.#commitActive();
    // Kept for ledger.transaction(), which must not report a commit the callback started but
    // did not await as done: it awaits this (and retries its OCC_CONFLICT) instead. Its
    // rejection is then that call's to report, so it is not also an unhandled one.
    this.#commitDone = done;
    if (this.#managed) done.catch(() => {});
    return done;
  }

  /** Called by ledger.transaction() on the transactions it runs (see commit()). */
  markManaged(): void {
    this.#managed = true;
  }

  /** The commit started on this transaction, if any (see commit()). */
  get commitInFlight(): Promise<void> | undefined {
    return this.#commitDone;
  }

  async #commitActive(): Promise<void> {
    if (this.#activeStatement !== undefined) {
      // Committing now would journal the statement's changes so far, not the statement.
      throw new LedgerError("INVALID_ARGUMENT", "a statement of this transaction is still running: await it before committing", {
        statement: this.#statements[this.#activeStatement].statement,
      });
    }
    this.#state = "committing";
    try {
      if (this.#writes.size > 0) await this.#host.commit(this);
      this.#state = "committed";
    } catch (e) {
      this.#state = "aborted";
      throw e;
    } finally {
      this.#host.finished(this);
    }
  }

  /** Discards the transaction; nothing it did is journaled. Safe to call more than once. */
  abort(): void {
    if (this.#state !== "active") return;
    this.#state = "aborted";
    this.#host.finished(this);
  }

  /**
   * Aborts a transaction the ledger is closing under; any later use of it, its commit included,
   * is LEDGER_CLOSED. Called by Ledger.close(), not by applications.
   */
  abortForClose(): void {
    if (this.#state !== "active") return;
    this.#closedByLedger = true;
    this.abort();
  }

  /** True if Ledger.close() aborted this transaction before it could commit. */
  get abortedByClose(): boolean {
    return this.#closedByLedger;
  }

  // ---- internals ----------------------------------------------------------------------------

  #checkActive(): void {
    if (this.#closedByLedger) throw new LedgerError("LEDGER_CLOSED", "the ledger was closed before this transaction committed");
    if (this.#state !== "active") {
      throw new LedgerError("TRANSACTION_CLOSED", `the transaction is ${this.#state}`, { transactionId: this.id });
    }
  }

  /**
   * `written` once a write replaces `before` with `after`, or LIMIT_EXCEEDED if its bytes pass
   * limits.maxBlockBytes (the block could never be committed) or its values pass
   * limits.maxValueNodes (what the documents of one block may hold in memory). Asked before
   * anything of the write is recorded; the caller stores the result once the write is made.
   * Without it a statement that makes each document the whole table (UPDATE t SET k = (SELECT *
   * FROM t), twice, over 200 documents) built 16 million values before the commit found the
   * block too big, and Deno ran out of memory.
   */
  #writtenAfter(before: IonStruct | undefined, after: IonStruct | undefined): WriteCost {
    const next = replacedCost(this.#written, before, after);
    if (next.bytes > limits.maxBlockBytes) {
      throw new LedgerError("LIMIT_EXCEEDED", `the transaction's documents are at least ${next.bytes} bytes; a block may hold ${limits.maxBlockBytes}`, {
        limit: "maxBlockBytes",
        max: limits.maxBlockBytes,
      });
    }
    if (next.values > limits.maxValueNodes) {
      throw new LedgerError("LIMIT_EXCEEDED", `the transaction's documents hold more than ${limits.maxValueNodes} values`, {
        limit: "maxValueNodes",
        max: limits.maxValueNodes,
      });
    }
    return next;
  }

  #checkWriteCount(): void {
    // Table definitions do not count (limits.ts): counted only near the limit, where a pass
    // over the writes is rare.
    if (this.#writes.size >= limits.maxDocumentsPerTransaction && this.#documentWriteCount() >= limits.maxDocumentsPerTransaction) {
      throw new LedgerError("LIMIT_EXCEEDED", `a transaction may write at most ${limits.maxDocumentsPerTransaction} documents`);
    }
  }

  /** Documents written, table definitions left out. */
  #documentWriteCount(): number {
    let n = 0;
    for (const w of this.#writes.values()) if (w.tableId !== SYSTEM_TABLE_ID) n++;
    return n;
  }

  /**
   * Runs `fn` as one recorded statement: every change it makes is attributed to `statement`
   * (with its parameters) in the block's transactionInfo, instead of to the per-operation
   * statements the programmatic methods record. PartiQL's `execute` runs through this.
   */
  async #withStatement<T>(statement: string, params: readonly IonValue[], fn: () => Promise<T>): Promise<T> {
    this.#checkActive();
    checkName(statement, "statement");
    if (!Array.isArray(params)) throw new LedgerError("INVALID_ARGUMENT", "a statement's params must be an array of Ion values");
    if (typeof fn !== "function") throw new LedgerError("INVALID_ARGUMENT", "withStatement runs a function");
    if (this.#activeStatement !== undefined) {
      throw new LedgerError("INVALID_ARGUMENT", "statements cannot nest: await one before starting the next");
    }
    // An untracked (auto-commit, read-only) transaction journals nothing: no record to keep.
    if (this.#host.untracked === true) return fn();
    this.#statements.push({ statement, startMillis: this.#host.nowMillis(), params });
    this.#activeStatement = this.#statements.length - 1;
    const catalogWrites = this.#catalogWrites;
    this.#undo = null;
    try {
      return await fn();
    } catch (e) {
      // A statement is atomic: one that fails part-way (10 / 0 in the third row of an UPDATE, a
      // non-struct in an INSERT bag, a limit) leaves neither writes nor its record, and the
      // transaction goes on as it was before it (the application may catch and commit).
      this.#rollBackStatement(catalogWrites);
      throw e;
    } finally {
      this.#activeStatement = undefined;
      this.#undo = undefined;
    }
  }

  /** Restores the write entries a failed statement touched, and drops its record. */
  #rollBackStatement(catalogWrites: number): void {
    if (this.#undo) {
      for (const [id, before] of this.#undo) {
        // Taking back a write that passed the limits is always within them.
        this.#written = replacedCost(this.#written, this.#writes.get(id)?.data, before?.data);
        if (before === undefined) this.#writes.delete(id);
        else this.#writes.set(id, before);
      }
    }
    this.#catalogWrites = catalogWrites;
    this.#statements.length = this.#activeStatement!;
  }

  /** Before a write entry changes inside a statement: remember it as it was (see `undo`). */
  #touch(id: string): void {
    if (this.#undo === undefined) return;
    const undo = (this.#undo ??= new Map());
    if (undo.has(id)) return;
    const w = this.#writes.get(id);
    undo.set(id, w === undefined ? undefined : { ...w, statements: [...w.statements] });
  }

  /**
   * Runs one of the statement's own writes (the executor's calls of insert, update, delete and
   * the DDL methods). Those methods reach record() before their first await, so the flag is set
   * exactly while they are attributed to the statement.
   */
  #statementWrite<T>(write: () => Promise<T>): Promise<T> {
    this.#writingForStatement = true;
    try {
      return write();
    } finally {
      this.#writingForStatement = false;
    }
  }

  #record(statement: string, params: readonly IonValue[]): number {
    if (this.#activeStatement !== undefined) {
      // An application's own write while a statement runs (an un-awaited execute) would be
      // attributed to that statement and taken back with it if it failed, after it had returned.
      if (!this.#writingForStatement) {
        throw new LedgerError("INVALID_ARGUMENT", "a statement is still running in this transaction: await it before writing");
      }
      return this.#activeStatement;
    }
    this.#statements.push({ statement, startMillis: this.#host.nowMillis(), params });
    return this.#statements.length - 1;
  }

  /** The current data of `id` in table `def`, recording the read. */
  #current(def: TableDef, id: string): IonStruct | undefined {
    this.#reads.addDoc(id);
    const w = this.#writes.get(id);
    if (w !== undefined) return w.tableId === def.tableId ? w.data : undefined;
    const chain = this.#host.store.docs.get(id);
    if (chain === undefined || chain.tableId !== def.tableId) return undefined;
    return visibleRevision(chain, this.#snapshot)?.data;
  }

  /** Changes a document; `record` is called (the statement journaled) only once the change is certain. */
  #change(def: TableDef, id: string, data: IonStruct | undefined, record: () => number): void {
    if (this.#current(def, id) === undefined) {
      throw new LedgerError("DOCUMENT_NOT_FOUND", `table ${def.name} has no document ${id}`, { table: def.name, id });
    }
    const w = this.#writes.get(id);
    if (w === undefined) this.#checkWriteCount();
    const written = this.#writtenAfter(w?.data, data);
    const stmt = record();
    this.#touch(id);
    this.#written = written;
    if (w !== undefined) {
      if (data === undefined && w.before === undefined) {
        // Inserted and deleted in the same transaction: it never existed.
        this.#writes.delete(id);
        return;
      }
      w.data = data;
      if (!w.statements.includes(stmt)) w.statements.push(stmt);
      return;
    }
    const r = visibleRevision(this.#host.store.docs.get(id)!, this.#snapshot)!;
    this.#writes.set(id, {
      tableId: def.tableId,
      tableName: def.name,
      id,
      data,
      before: r.data,
      version: r.version + 1,
      statements: [stmt],
    });
  }

  /** Table definitions at the snapshot, overlaid with this transaction's own catalog writes. */
  #catalog(): readonly TableDef[] {
    const store = this.#host.store;
    if (this.#catalogWrites === 0) return store.tableDefsAt(this.#snapshot);
    const defs = new Map<string, TableDef>();
    for (const d of store.tableDefsAt(this.#snapshot)) defs.set(d.tableId, d);
    for (const w of this.#writes.values()) {
      if (w.tableId === SYSTEM_TABLE_ID && w.data !== undefined) defs.set(w.id, store.tableDef(w.data));
    }
    return [...defs.values()];
  }

  #findActiveTable(name: string): TableDef | undefined {
    const def = this.#catalog().find((d) => d.status === "ACTIVE" && d.name === name);
    if (def === undefined) this.#reads.addTable(SYSTEM_TABLE_ID);
    else this.#reads.addDoc(def.tableId);
    return def;
  }

  #activeTable(name: string): TableDef {
    if (typeof name !== "string") throw new LedgerError("INVALID_ARGUMENT", "a table name must be a string", { name });
    const def = this.#findActiveTable(name);
    if (def === undefined) throw new LedgerError("TABLE_NOT_FOUND", `no active table is named ${name}`, { name });
    return def;
  }

  #tableById(tableId: string): TableDef | undefined {
    this.#reads.addDoc(tableId);
    return this.#catalog().find((d) => d.tableId === tableId);
  }

  #tableByNameOrId(table: string): TableDef {
    const def = this.#findActiveTable(table) ?? this.#tableById(table);
    if (def === undefined) {
      // A dropped table is reached by id only (a name can be reused by a newer table): say so.
      const dropped = this.#catalog().filter((d) => d.status !== "ACTIVE" && d.name === table).map((d) => d.tableId);
      if (dropped.length > 0) {
        throw new LedgerError(
          "TABLE_NOT_FOUND",
          `no active table is named ${table}; the dropped table of that name is reached by its tableId: ${dropped.join(", ")}`,
          { table, droppedTableIds: dropped },
        );
      }
      throw new LedgerError("TABLE_NOT_FOUND", `no table is named or has id ${table}`, { table });
    }
    return def;
  }

  /**
   * Writes a catalog entry for the DDL `statement`. Atomic like insert: the limits are checked
   * before the statement is recorded or anything changes, so a DDL call refused at the block
   * limit leaves no statement in the block (one did: a CREATE INDEX that failed with
   * LIMIT_EXCEEDED was still journaled when the application went on and committed).
   */
  #putCatalog(def: TableDef, statement: string): void {
    // Handed out like documents (information_schema reads return it), and so the store need not.
    const data = handOut(tableDefToIon(def));
    const w = this.#writes.get(def.tableId);
    // Counted like documents (a few hundred bytes), so a rolled-back statement's sums stay right.
    const written = this.#writtenAfter(w?.data, data);
    const stmt = this.#record(statement, []);
    this.#catalogWrites++;
    this.#touch(def.tableId);
    this.#written = written;
    if (w !== undefined) {
      w.data = data;
      if (!w.statements.includes(stmt)) w.statements.push(stmt);
      return;
    }
    const chain = this.#host.store.docs.get(def.tableId);
    const r = chain === undefined ? undefined : visibleRevision(chain, this.#snapshot);
    this.#writes.set(def.tableId, {
      tableId: SYSTEM_TABLE_ID,
      tableName: SYSTEM_TABLE_NAME,
      id: def.tableId,
      data,
      before: r?.data,
      version: r === undefined ? 0 : r.version + 1,
      statements: [stmt],
    });
  }
}

/**
 * The statement a programmatic insert, update or delete records. One string per table and
 * operation, kept: every block hashes and encodes it, and the caches in ledger/block.ts are keyed
 * by it, so a string built afresh per call (a rope to flatten and hash at each lookup) cost ~0.5 µs
 * a commit (commit benchmark profile).
 */
const statementTexts = new Map<string, { insert: string; update: string; delete: string }>();

function statementText(table: string, op: "insert" | "update" | "delete"): string {
  let t = statementTexts.get(table);
  if (t === undefined) {
    if (statementTexts.size >= 1024) statementTexts.clear();
    t = {
      insert: `INSERT INTO ${table} ?`,
      update: `UPDATE ${table} AS d BY id SET d = ? WHERE id = ?`,
      delete: `DELETE FROM ${table} BY id WHERE id = ?`,
    };
    statementTexts.set(table, t);
  }
  return t[op];
}

/**
 * A stored revision without the store's bookkeeping fields, sharing its data and hash: for the
 * views queries read (views.ts copies what a row would share).
 */
/** A table definition sharing nothing with the catalog's. */
function copyTableDef(d: TableDef): TableDef {
  return { tableId: d.tableId, name: d.name, status: d.status, indexes: d.indexes.map((ix) => ({ indexId: ix.indexId, field: ix.field })) };
}

/** A stored revision with only the public fields, sharing the store's objects (see the …Shared reads). */
function publicRevision(r: Revision): Revision {
  // Read once: a packed revision decodes its data on each read (store.ts).
  const data = r.data;
  return data === undefined
    ? { blockAddress: r.blockAddress, hash: r.hash, metadata: r.metadata }
    : { blockAddress: r.blockAddress, hash: r.hash, data, metadata: r.metadata };
}

/** A document from user input: a plain object or an Ion struct; must be a struct within the size limit. */
function toDocument(input: unknown): IonStruct {
  const v = fromJS(input, "$");
  if (v.kind !== "struct" || (v.annotations !== undefined && v.annotations.length > 0)) {
    throw new LedgerError("TYPE_ERROR", "a document must be a struct (a plain object) without annotations", { path: "$" });
  }
  // The bound avoids encoding every document twice; only a document near the limit is encoded.
  const size = encodedSizeUpperBound(v) <= limits.maxDocumentBytes ? 0 : encodeBinary(v).length;
  if (size > limits.maxDocumentBytes) {
    throw new LedgerError("LIMIT_EXCEEDED", `a document is ${size} bytes; the limit is ${limits.maxDocumentBytes}`, { size });
  }
  return handOut(v);
}

const NO_COST: WriteCost = { bytes: 0, values: 0 };

/** `total` once a document costing as `before` is replaced by one costing as `after` (either absent). */
function replacedCost(total: WriteCost, before: IonStruct | undefined, after: IonStruct | undefined): WriteCost {
  const b = before === undefined ? NO_COST : writeCostOf(before);
  const a = after === undefined ? NO_COST : writeCostOf(after, true);
  return { bytes: total.bytes - b.bytes + a.bytes, values: total.values - b.values + a.values };
}
