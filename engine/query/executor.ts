/**
 * Runs one PartiQL statement inside a transaction: parse (cached by text), plan the table
 * access, bind the ledger's views as globals, evaluate, and turn DML into document writes.
 *
 * Every statement is recorded in the transaction's block with its text and parameters (QLDB's
 * statementDigest), and every document it writes is attributed to it.
 *
 * Results are Ion values: a query's rows; `{documentId}` per document an INSERT, UPDATE or
 * DELETE touched; `{tableId}` for table DDL, `{tableId, indexId}` for index DDL; for EXPLAIN,
 * one `{table, access, field?, keys?}` row describing the plan.
 */
import { isLedgerError, LedgerError, readingArgument } from "../errors.ts";
import { limits } from "../limits.ts";
import { fromJS, ionLiteral } from "../ion/js.ts";
import { encodeBinary } from "../ion/binary.ts";
import { encodedSizeUpperBound } from "../ion/size.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { ion } from "../ion/value.ts";
import type { Expr, Path, QueryStatement, Statement, VarRef } from "../partiql/ast.ts";
import { parse } from "../partiql/parser/index.ts";
import { checkDeadline, eqValues, type EvalMode, evaluate, type Globals, stepField } from "../partiql/eval/index.ts";
import { bag, MISSING, type PBag, type PStruct, type PValue } from "../partiql/value.ts";

import type { TableDef } from "../catalog/catalog.ts";
import { keyMissesEqualStructs, type KeyRange } from "../catalog/index-order.ts";
import { sharedReads, statementScope, type Transaction } from "../txn/transaction.ts";
import { type Store, visibleRevision } from "../txn/store.ts";
import { indexKey, indexKeysOf, isIndexableKey } from "../catalog/index-key.ts";
import { resultRows, toDocument, toIon } from "./convert.ts";
import { type EditStep, insertAtPath, removePath, setPath } from "./dml.ts";
import { type Access, chooseAccess, chooseCommittedAccess, tableTarget, type TableTarget } from "./planner.ts";
import { StatementCache } from "./statement-cache.ts";
import { walkAst } from "../partiql/walk.ts";
import { type PointShape, pointShape } from "./point-query.ts";
import { COMMITTED_PREFIX, committedRowsOf, committedView, historyView, informationSchema, userRows } from "./views.ts";

export interface ExecuteOptions {
  /** Strict: type errors raise TYPE_ERROR. Permissive: they yield MISSING. */
  readonly mode: EvalMode;
  /** Commit time used by UTCNOW(). */
  readonly now: () => IonTimestamp;
}

/**
 * A parsed statement with what can be known of it before it runs: the names it may read as
 * globals, the single table a plan could narrow, whether it calls history(). Computed once per
 * distinct statement text.
 */
interface Prepared {
  readonly statement: Statement;
  /** Set for `SELECT * FROM t WHERE t.f = ?`, which an index can answer without the evaluator. */
  readonly point: PointShape | undefined;
  readonly globals: readonly GlobalName[];
  readonly target: TableTarget | undefined;
  readonly callsHistory: boolean;
  readonly fromNames: ReadonlySet<string>;
  /** For a point statement: its plan against one catalog, once a run has found one (see pointPlanOf). */
  pointPlan: PointPlan | undefined;
  /** Number of `?` parameters; an execution must pass exactly that many. */
  readonly paramCount: number;
}

/**
 * A point statement's plan, which depends only on the catalog: the table and the indexed field
 * that serve it (the key comes from the parameter or literal). Valid while the store's table
 * definitions are the same objects.
 */
interface PointPlan {
  catalog: readonly TableDef[];
  readonly def: TableDef;
  readonly field: string;
}

interface GlobalName {
  readonly name: string;
  readonly caseSensitive: boolean;
}

const prepared = new StatementCache<Prepared>(512);

function prepare(text: string): Prepared {
  const statement = parse(text);
  return {
    statement,
    point: pointShape(statement),
    globals: globalNames(statement),
    target: tableTarget(statement),
    callsHistory: callsHistory(statement),
    fromNames: fromSourceNames(statement),
    pointPlan: undefined,
    paramCount: paramCount(statement),
  };
}

/** One more than the highest `?` index (parameters are numbered in order of appearance). */
function paramCount(statement: Statement): number {
  let count = 0;
  walkAst(statement, (x) => {
    if (x.kind === "param") count = Math.max(count, (x as { readonly index: number }).index + 1);
  });
  return count;
}

/**
 * A parameter list that matches the statement's `?`s. Too few used to surface only when the
 * missing one was evaluated, and extra ones were ignored: both are the caller's mistake.
 */
function checkParamCount(p: Prepared, rawParams: readonly unknown[]): void {
  if (rawParams.length !== p.paramCount) {
    throw new LedgerError(
      "INVALID_ARGUMENT",
      `the statement has ${p.paramCount} parameter${p.paramCount === 1 ? "" : "s"} (?) but ${rawParams.length} ${rawParams.length === 1 ? "was" : "were"} passed`,
      { expected: p.paramCount, got: rawParams.length },
    );
  }
}

/** Parses and analyses `text`, reusing the work done for an identical earlier statement. */
export function prepareStatement(text: string): Prepared {
  if (typeof text !== "string") throw new LedgerError("INVALID_ARGUMENT", "a statement must be a string");
  if (text.length > limits.maxStatementLength) {
    throw new LedgerError("LIMIT_EXCEEDED", `a statement is ${text.length} characters; the limit is ${limits.maxStatementLength}`);
  }
  return prepared.get(text, prepare);
}

/** Parses `text` (cached). */
export function parseStatement(text: string): Statement {
  return prepareStatement(text).statement;
}

/** Executes one statement in `tx`. */
export async function execute(
  tx: Transaction,
  text: string,
  rawParams: readonly unknown[],
  options: ExecuteOptions,
): Promise<IonValue[]> {
  const p = prepareStatement(text);
  checkParamCount(p, rawParams);
  const params = convertParams(rawParams);
  return statementScope.run(tx, text, params, () => run(new Run(tx, params, options, p), p.statement));
}

/** Whether `text` is a query (SELECT …), which reads only. Throws as `execute` would for a bad statement. */
export function isQuery(text: string): boolean {
  return prepareStatement(text).statement.kind === "query";
}

/**
 * The auto-commit point query (`ledger.execute("SELECT * FROM t WHERE f = ?", v)` outside any
 * transaction), answered straight from the store at its tip: the stored rows, or undefined when
 * the statement has no cached point plan for the current catalog (or the value or a row needs
 * the general path). It records nothing: a read-only auto-commit transaction has no reads to
 * validate and journals nothing. It is synchronous, so no block is published while it reads.
 * It returns what runQuery's pointRows would for the same snapshot (tests/unit/engine/query hold
 * it to that). query.point, full config: ~93k queries/s (ratio 0.31) through the general path,
 * ~283k–306k (ratio 0.93–1.02) through this.
 */
export function autoPointQuery(store: Store, text: string, rawParams: readonly unknown[]): IonStruct[] | undefined {
  const p = prepareStatement(text);
  const plan = p.pointPlan;
  if (plan === undefined) return undefined;
  const snapshot = store.tip;
  const catalog = store.tableDefsAt(snapshot);
  if (catalog !== plan.catalog) {
    if (!sameDefs(catalog, plan.catalog)) return undefined;
    plan.catalog = catalog;
  }
  checkParamCount(p, rawParams);
  const params = convertParams(rawParams);
  const shape = p.point!;
  const e = shape.value;
  let value: PValue;
  if (e.kind === "param") {
    if (e.index >= params.length) return undefined;
    value = params[e.index];
  } else if (e.kind === "lit") {
    value = e.value;
  } else {
    return undefined;
  }
  // A NULL key selects nothing (the planner looks up no keys for it); other non-scalars need the evaluator.
  if (value.kind === "null") return [];
  if (!isIndexableKey(value as IonValue)) return undefined;
  const key = indexKey(value as IonValue);
  // The general path reads such a key as a range (chooseAccess).
  if (keyMissesEqualStructs(key)) return undefined;
  const ids = store.indexCandidates(plan.def.tableId, plan.field, key);
  if (ids === undefined) return undefined;
  const out: IonStruct[] = [];
  const field = shape.field;
  const lower = field.toLowerCase();
  const caseSensitive = shape.caseSensitive;
  for (const id of ids) {
    const data = visibleRevision(store.docs.get(id)!, snapshot)?.data;
    if (data === undefined) continue;
    let found: IonValue | undefined;
    let count = 0;
    for (const [name, v] of data.fields) {
      if (name !== field && (caseSensitive || name.toLowerCase() !== lower)) continue;
      if (count++ > 0) return undefined; // ambiguous: the general path says what PartiQL says
      found = v;
    }
    // The last test is candidateRows': the row has the key at this snapshot (implied by `=`).
    if (found !== undefined && found.kind !== "null" && eqValues(found, value) && indexKeysOf(data, plan.field).includes(key)) {
      out.push(data);
    }
  }
  return out;
}

/** Whether two catalogs hold the same table definitions (the store rebuilds the array per snapshot). */
function sameDefs(a: readonly TableDef[], b: readonly TableDef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function convertParams(rawParams: readonly unknown[]): IonValue[] {
  // Index by index rather than `map`: map skips a sparse array's holes and keeps them, and a
  // hole reaching the evaluator was read as a value (a TypeError on `.kind`). Read here, a hole
  // is `undefined`, which fromJS rejects as a TYPE_ERROR naming the parameter.
  const count = readingArgument("the parameter count", () => rawParams.length);
  // Only a Proxy can report another length; an array's is a whole number below 2^32.
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 0xffffffff) {
    throw new LedgerError("INVALID_ARGUMENT", "the parameters must be an array");
  }
  const params: IonValue[] = [];
  for (let i = 0; i < count; i++) {
    const v = readingArgument(`parameter ${i}`, () => rawParams[i]);
    params.push(checkParameterSize(fromJS(v, `$params[${i}]`), i));
  }
  return params;
}

/** A parameter within limits.maxParameterBytes (the cheap bound first, the exact size only near it). */
function checkParameterSize(v: IonValue, i: number): IonValue {
  if (encodedSizeUpperBound(v) > limits.maxParameterBytes) {
    const size = encodeBinary(v).length;
    if (size > limits.maxParameterBytes) {
      throw new LedgerError("LIMIT_EXCEEDED", `parameter ${i} is ${size} bytes; the limit is ${limits.maxParameterBytes}`, { parameter: i, size });
    }
  }
  return v;
}

/** Everything one execution needs: the transaction, parameters, mode. */
class Run {
  /** Globals resolved so far in this execution: name key -> value (undefined: not a global). */
  private readonly resolved = new Map<string, PValue | undefined>();

  constructor(
    readonly tx: Transaction,
    readonly params: readonly IonValue[],
    readonly options: ExecuteOptions,
    readonly prepared: Prepared,
  ) {}

  private readonly tables = new Map<string, TableDef | undefined>();

  /** The active table a name denotes, resolved once per execution. */
  async table(name: string, caseSensitive: boolean): Promise<TableDef | undefined> {
    const key = nameKey(name, caseSensitive);
    if (this.tables.has(key)) return this.tables.get(key);
    const def = await sharedReads.resolveTableShared(this.tx, name, caseSensitive);
    this.tables.set(key, def);
    return def;
  }

  resolvedHas(key: string): boolean {
    return this.resolved.has(key);
  }
  resolvedGet(key: string): PValue | undefined {
    return this.resolved.get(key);
  }
  resolvedSet(key: string, value: PValue | undefined): void {
    this.resolved.set(key, value);
  }

  /** When this statement's time is up (limits.maxStatementMillis): one deadline for all its evaluations. */
  readonly deadline = performance.now() + limits.maxStatementMillis;

  evalOptions() {
    return { mode: this.options.mode, params: this.params, now: this.options.now, txid: this.tx.id, absentFieldIsMissing: true, deadline: this.deadline };
  }

  /** Value of an expression that mentions no row variable. */
  constant(e: Expr, globals: Globals = EMPTY_GLOBALS): PValue {
    // Parameters and literals need no evaluation context (the common case of a planned key).
    if (e.kind === "param" && e.index < this.params.length) return this.params[e.index];
    if (e.kind === "lit") return e.value;
    return evaluate(e, globals, this.evalOptions());
  }
}

const EMPTY_GLOBALS: Globals = { get: () => undefined };

async function run(r: Run, s: Statement): Promise<IonValue[]> {
  const tx = r.tx;
  switch (s.kind) {
    case "query":
      return resultRows(await runQuery(r, s));
    case "create_table":
      return [row({ tableId: ion.string(await statementScope.write(tx, () => tx.createTable(s.table.name))) })];
    case "drop_table": {
      const name = (await table(r, s.table.name, s.table.caseSensitive)).name;
      return [row({ tableId: ion.string(await statementScope.write(tx, () => tx.dropTable(name))) })];
    }
    case "undrop_table":
      await statementScope.write(tx, () => tx.undropTable(s.tableId));
      return [row({ tableId: ion.string(s.tableId) })];
    case "create_index": {
      const def = await table(r, s.table.name, s.table.caseSensitive);
      if (s.fields.length !== 1) throw new LedgerError("INVALID_ARGUMENT", "an index covers exactly one top-level field", { table: def.name });
      const field = indexField(s.fields[0]);
      const indexId = await statementScope.write(tx, () => tx.createIndex(def.name, field));
      return [row({ tableId: ion.string(def.tableId), indexId: ion.string(indexId) })];
    }
    case "drop_index": {
      const def = await table(r, s.table.name, s.table.caseSensitive);
      await statementScope.write(tx, () => tx.dropIndex(def.name, s.indexId));
      return [row({ tableId: ion.string(def.tableId), indexId: ion.string(s.indexId) })];
    }
    case "insert":
      return runInsert(r, s);
    case "update":
    case "delete":
      return runDml(r, s);
    case "explain":
      return [await explain(r, s.statement)];
  }
}

function row(fields: Record<string, IonValue>): IonStruct {
  return ion.struct(Object.entries(fields));
}

async function table(r: Run, name: string, caseSensitive: boolean): Promise<TableDef> {
  const def = await r.table(name, caseSensitive);
  if (def === undefined) throw new LedgerError("TABLE_NOT_FOUND", `no active table is named ${name}`, { name });
  return def;
}

function indexField(e: Path | VarRef): string {
  // As in QLDB, an index covers one top-level field; `(Owner.Name)` is refused rather than
  // read as its last step (which would index a different, top-level field `Name`).
  if (e.kind === "var") return e.name;
  if (e.steps.length === 0 && e.root.kind === "var") return e.root.name;
  throw new LedgerError("INVALID_ARGUMENT", "an index covers one top-level field, e.g. CREATE INDEX ON cars (VIN)");
}

// ---- binding the ledger's views --------------------------------------------------------------

/** Names a statement mentions that may be globals (tables, views). */
function globalNames(node: unknown): GlobalName[] {
  const out = new Map<string, GlobalName>();
  walkAst(node, (x) => {
    if (x.kind !== "var") return;
    const v = x as VarRef;
    if (!v.lexicalOnly) out.set(nameKey(v.name, v.caseSensitive), { name: v.name, caseSensitive: v.caseSensitive });
    return "skip";
  });
  return [...out.values()];
}

/** Global bindings resolved before evaluation: tables (possibly narrowed by a plan) and views. */
class Bindings implements Globals {
  /** Names bound as written (quoted), and as unquoted (case-insensitive) names. */
  private readonly exact = new Map<string, PValue>();
  private readonly folded = new Map<string, PValue>();

  set(name: string, caseSensitive: boolean, value: PValue): void {
    (caseSensitive ? this.exact : this.folded).set(name, value);
  }

  /**
   * A quoted name finds only a quoted binding; an unquoted one either. Asked once per row for a
   * field name (`WHERE Year = 1800` looks `Year` up here before the row's fields), so no key
   * strings are built: that was 19% of a full-table scan.
   */
  get(name: string, caseSensitive: boolean): PValue | undefined {
    return caseSensitive ? this.exact.get(name) : this.folded.get(name) ?? this.exact.get(name);
  }
}

function nameKey(name: string, caseSensitive: boolean): string {
  return `${caseSensitive ? "=" : "~"}${name}`;
}

/**
 * Binds `names` as globals. The plan's table (`target` with an index `access`) is bound to the
 * rows of its index lookup instead of the whole table. Names that are no table or view stay
 * unbound (they may be aliases or fields).
 */
async function bind(r: Run, names: readonly GlobalName[], target?: TableTarget, access?: Access): Promise<Bindings> {
  const b = new Bindings();
  for (const { name, caseSensitive } of names) {
    const narrowed = target !== undefined && access !== undefined && access.kind !== "scan" && target.name === name &&
      target.caseSensitive === caseSensitive;
    const value = narrowed ? await narrowedRows(r, name, caseSensitive, access) : await resolveGlobal(r, name, caseSensitive);
    if (value !== undefined) b.set(name, caseSensitive, value);
  }
  return b;
}

/** The plan's table (or committed view) bound to the rows its access reads. */
async function narrowedRows(r: Run, name: string, caseSensitive: boolean, access: Access): Promise<PValue> {
  const def = await r.table(name, caseSensitive);
  if (def !== undefined) return userRows(await accessRows(r, def, access));
  // Only the ids access is ever planned for a committed view (plan()).
  const committed = (await r.table(name.slice(COMMITTED_PREFIX.length), caseSensitive))!;
  return committedRowsOf(r.tx, committed.name, access.kind === "ids" ? access.ids : []);
}

/** The rows a plan's access reads from its table. */
function accessRows(r: Run, def: TableDef, access: Access | undefined) {
  if (access?.kind === "ids") return sharedReads.lookupIdsShared(r.tx, def.name, access.ids);
  if (access?.kind === "index") return sharedReads.lookupShared(r.tx, def.name, access.field, access.keys);
  if (access?.kind === "range") return sharedReads.lookupRangeShared(r.tx, def.name, access.field, access.range);
  if (access?.kind === "ordered") return sharedReads.lookupOrderedShared(r.tx, def.name, access.field, access.descending, access.take);
  return sharedReads.scanShared(r.tx, def.name);
}

/** A table's rows, a committed view or information_schema, read once per execution. */
async function resolveGlobal(r: Run, name: string, caseSensitive: boolean): Promise<PValue | undefined> {
  const key = nameKey(name, caseSensitive);
  if (r.resolvedHas(key)) return r.resolvedGet(key);
  const value = await readGlobal(r, name, caseSensitive);
  r.resolvedSet(key, value);
  return value;
}

async function readGlobal(r: Run, name: string, caseSensitive: boolean): Promise<PValue | undefined> {
  const tx = r.tx;
  if (!caseSensitive && name.toLowerCase() === "information_schema") return informationSchema(tx);
  const def = await r.table(name, caseSensitive);
  if (def !== undefined) return userRows(await sharedReads.scanShared(tx, def.name));
  if (name.startsWith(COMMITTED_PREFIX)) {
    const committed = await r.table(name.slice(COMMITTED_PREFIX.length), caseSensitive);
    if (committed !== undefined) return committedView(tx, committed.name);
  }
  return undefined;
}

/** Whether a statement calls history() anywhere. */
function callsHistory(node: unknown): boolean {
  return walkAst(node, (x) => (x.kind === "call" && (x as { name?: string }).name === "history" ? "stop" : undefined));
}

/** Replaces every `history(t [, start [, end]])` call with the bag it denotes. */
async function resolveHistory(r: Run, node: unknown): Promise<unknown> {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return Promise.all(node.map((n) => resolveHistory(r, n)));
  const o = node as { kind?: string };
  if (o.kind === "lit") return node;
  if (o.kind === "call" && (o as { name: string }).name === "history") {
    const call = o as { args: readonly Expr[]; span: unknown };
    return { kind: "lit", value: await historyOf(r, call.args), span: call.span };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === "span" ? v : await resolveHistory(r, v);
  return out;
}

async function historyOf(r: Run, args: readonly Expr[]): Promise<PBag> {
  if (args.length < 1 || args.length > 3) throw new LedgerError("INVALID_ARGUMENT", "history takes a table and optional start and end times");
  const [t, ...window] = args;
  let table: string;
  if (t.kind === "var") {
    const def = await r.table(t.name, t.caseSensitive);
    table = def?.name ?? t.name;
  } else {
    const v = r.constant(t);
    if (v.kind !== "string" && v.kind !== "symbol") throw new LedgerError("TYPE_ERROR", "history's first argument is a table name or a tableId string");
    table = v.kind === "string" ? v.value : v.text ?? "";
  }
  const times = window.map((w) => {
    const v = r.constant(w);
    if (v.kind !== "timestamp") throw new LedgerError("TYPE_ERROR", "history's start and end are timestamps");
    return v;
  });
  return historyView(r.tx, table, times[0], times[1]);
}

// ---- queries ---------------------------------------------------------------------------------

async function plan(r: Run, target: TableTarget | undefined, names: readonly GlobalName[]): Promise<{ access?: Access; def?: TableDef }> {
  if (target === undefined) return {};
  const def = await r.table(target.name, target.caseSensitive);
  if (def === undefined) {
    if (!target.name.startsWith(COMMITTED_PREFIX)) return {};
    const committed = await r.table(target.name.slice(COMMITTED_PREFIX.length), target.caseSensitive);
    return committed === undefined ? {} : { def: committed, access: chooseCommittedAccess(target, (e) => r.constant(e)) };
  }
  const globals = new Set<string>();
  for (const g of names) {
    if (await isGlobalName(r, g.name, g.caseSensitive)) globals.add(nameKey(g.name, g.caseSensitive));
  }
  const isGlobal = (v: VarRef) => globals.has(nameKey(v.name, v.caseSensitive));
  return { def, access: chooseAccess(target, def, (e) => r.constant(e), isGlobal) };
}

/** Whether a name denotes a table or view (without reading it). */
async function isGlobalName(r: Run, name: string, caseSensitive: boolean): Promise<boolean> {
  if (!caseSensitive && name.toLowerCase() === "information_schema") return true;
  if ((await r.table(name, caseSensitive)) !== undefined) return true;
  return name.startsWith(COMMITTED_PREFIX) && (await r.table(name.slice(COMMITTED_PREFIX.length), caseSensitive)) !== undefined;
}

async function runQuery(r: Run, s: QueryStatement): Promise<PValue> {
  const p = r.prepared;
  // history() calls become literal bags, so such a statement is analysed after that rewrite.
  const resolved = p.callsHistory ? (await resolveHistory(r, s)) as QueryStatement : s;
  const target = p.callsHistory ? tableTarget(resolved) : p.target;
  const names = p.callsHistory ? globalNames(resolved) : p.globals;
  const { access, def } = await plan(r, target, names);
  if (p.point !== undefined && access?.kind === "index" && def !== undefined) {
    if (p.pointPlan === undefined || p.pointPlan.catalog !== sharedReads.sharedCatalog(r.tx)) await keepPointPlan(r, p, p.point, def, access.field);
    const rows = await pointRows(r, p.point, def, access);
    if (rows !== undefined) return rows;
  }
  const globals = await bind(r, names, target, access);
  try {
    return evaluate(resolved, globals, r.evalOptions());
  } catch (e) {
    // A FROM over a name that is nothing at all is a missing table, the error QLDB users expect.
    if (isLedgerError(e, "VARIABLE_NOT_FOUND") && p.fromNames.has(String(e.details.name).toLowerCase())) {
      throw new LedgerError("TABLE_NOT_FOUND", `no active table is named ${e.details.name}`, { name: e.details.name }, e);
    }
    throw e;
  }
}

/**
 * Caches the plan a point statement got, for autoPointQuery: when the transaction resolves names
 * against the store's catalog (no DDL of its own), the table and index chosen depend on that
 * catalog alone. Only plans pointRows would take are kept. A plan for another catalog (after DDL,
 * or another ledger: statements are cached per process) is replaced.
 */
async function keepPointPlan(r: Run, p: Prepared, shape: PointShape, def: TableDef, field: string): Promise<void> {
  const catalog = sharedReads.sharedCatalog(r.tx);
  if (catalog === undefined || field.toLowerCase() !== shape.field.toLowerCase()) return;
  if (shape.bare && (await isGlobalName(r, shape.field, shape.caseSensitive))) return;
  p.pointPlan = { catalog, def, field };
}

/**
 * The fast path for a point query served by an index (see point-query.ts): the rows whose one
 * field matching the compared name equals the value, or undefined to take the general path.
 */
async function pointRows(r: Run, shape: PointShape, def: TableDef, access: Extract<Access, { kind: "index" }>): Promise<PValue | undefined> {
  const lower = shape.field.toLowerCase();
  if (access.field.toLowerCase() !== lower) return undefined;
  if (shape.bare && (await isGlobalName(r, shape.field, shape.caseSensitive))) return undefined;
  const value = r.constant(shape.value);
  const matches = (name: string) => name === shape.field || (!shape.caseSensitive && name.toLowerCase() === lower);
  const out: PStruct[] = [];
  for (const row of await sharedReads.lookupShared(r.tx, def.name, access.field, access.keys)) {
    let found: IonValue | undefined;
    let count = 0;
    for (const [name, v] of row.data.fields) {
      if (!matches(name)) continue;
      if (count++ > 0) return undefined; // ambiguous: let the evaluator say what PartiQL says
      found = v;
    }
    if (found !== undefined && found.kind !== "null" && eqValues(found, value)) out.push(row.data);
  }
  return bag(out);
}

/** Lower-cased names used directly as FROM sources (`FROM cars`, `JOIN owners`). */
function fromSourceNames(node: unknown): Set<string> {
  const names = new Set<string>();
  walkAst(node, (x) => {
    const o = x as { kind?: string; expr?: { kind?: string; name?: string } };
    if ((o.kind === "scan" || o.kind === "unpivot") && o.expr?.kind === "var") names.add(o.expr.name!.toLowerCase());
  });
  return names;
}

async function explain(r: Run, s: Statement): Promise<IonStruct> {
  const { def, access } = await plan(r, tableTarget(s), globalNames(s));
  if (def === undefined || access === undefined) return row({ access: ion.string("none") });
  const fields: Record<string, IonValue> = { table: ion.string(def.name), access: ion.string(access.kind) };
  if (access.kind === "ids") {
    fields.keys = ion.int(access.ids.length);
  } else if (access.kind === "index") {
    fields.field = ion.string(access.field);
    fields.keys = ion.int(access.keys.length);
  } else if (access.kind === "range") {
    fields.field = ion.string(access.field);
    fields.range = ion.string(describeRange(access.range));
  } else if (access.kind === "ordered") {
    fields.field = ion.string(access.field);
    fields.order = ion.string(access.descending ? "desc" : "asc");
    fields.take = ion.int(access.take);
  }
  return row(fields);
}

// ---- DML -------------------------------------------------------------------------------------

async function runInsert(r: Run, s: Extract<Statement, { kind: "insert" }>): Promise<IonValue[]> {
  const def = await table(r, s.table.name, s.table.caseSensitive);
  // A source is a collection, as a FROM or a set operator's operand is: `INSERT INTO w (SELECT …)`
  // inserts the query's rows, never its one row's value (the coercion of a subquery used as a value).
  const source = s.source?.kind === "subquery" ? s.source.query : s.source;
  const expr = (s.value ?? source)!;
  const globals = await bind(r, r.prepared.globals);
  const value = evaluate(expr, globals, r.evalOptions());
  let docs: PValue[];
  if (s.value !== undefined) docs = [value];
  else if (value.kind === "bag" || value.kind === "list") docs = [...value.items];
  else docs = [value];
  const out: IonValue[] = [];
  for (const [i, d] of docs.entries()) {
    const doc = ionLiteral(toDocument(d, docs.length === 1 ? "the inserted value" : `inserted value ${i}`));
    const id = await statementScope.write(r.tx, () => r.tx.insert(def.name, doc));
    out.push(row({ documentId: ion.string(id) }));
  }
  return out;
}

/**
 * UPDATE / FROM … SET and DELETE: find the rows (through the plan), keep those whose WHERE is
 * true, then edit or delete each. Row expressions see the row variable, the BY variable, the
 * document's own top-level fields by name, and every table.
 */
async function runDml(r: Run, s: Extract<Statement, { kind: "update" | "delete" }>): Promise<IonValue[]> {
  if (s.kind === "update" && s.ops.length > limits.maxUpdateEdits) {
    throw new LedgerError("LIMIT_EXCEEDED", `an UPDATE may make at most ${limits.maxUpdateEdits} edits (SET, REMOVE, INSERT INTO); this one makes ${s.ops.length}`, {
      limit: "maxUpdateEdits",
      max: limits.maxUpdateEdits,
      value: s.ops.length,
    });
  }
  const def = await table(r, s.table.name, s.table.caseSensitive);
  const { access } = await plan(r, r.prepared.target, r.prepared.globals);
  const alias = s.as ?? s.table.name;
  const rows = await accessRows(r, def, access);
  // Every global but the names each row's scope binds first (rowScope): the row variable and the
  // BY variable, unless a subquery names them as a FROM source, which is looked up globally
  // first (UPDATE t SET n = (SELECT … FROM t) reads table t: a whole-table read).
  const shadows = (g: { name: string; caseSensitive: boolean }, v: string | undefined) =>
    v !== undefined && (g.caseSensitive ? g.name === v : g.name.toLowerCase() === v.toLowerCase());
  const sources = fromSourceNames(s);
  const globals = await bind(r, r.prepared.globals.filter((g) => sources.has(g.name.toLowerCase()) || (!shadows(g, alias) && !shadows(g, s.by))));
  const out: IonValue[] = [];
  // In WHERE, a name that is not one of this document's fields is an absent field, as in a
  // SELECT's WHERE: the document simply does not match. In SET it stays VARIABLE_NOT_FOUND, so a
  // misspelt source (SET Owner = Ownr) is an error rather than a silent removal of Owner.
  const rowOptions = { ...r.evalOptions(), insideRow: true };
  for (const { id, data } of rows) {
    const scope = rowScope(globals, alias, s.by, id, data);
    if (s.where !== undefined) {
      const w = evaluate(s.where, scope, rowOptions);
      if (w.kind !== "bool" || !w.value) continue;
    }
    if (s.kind === "delete") {
      await statementScope.write(r.tx, () => r.tx.delete(def.name, id));
    } else {
      let doc: IonStruct = data;
      for (const op of s.ops) {
        // Each assignment copies the document's fields: 50,000 of them held the thread for 37 s,
        // past the statement's limit, since the time was only counted inside evaluations.
        checkDeadline(r.deadline, limits.maxStatementMillis);
        const opScope = rowScope(globals, alias, s.by, id, doc);
        const steps = editSteps(r, op.target, alias, opScope);
        if (op.kind === "set") {
          const v = toIon(evaluate(op.value, opScope, r.evalOptions()));
          if (steps.length === 0) doc = toDocument(v ?? MISSING, "the new document");
          else doc = setPath(doc, steps, v);
        } else if (op.kind === "remove") {
          doc = removePath(doc, steps);
        } else {
          const v = toIon(evaluate(op.value, opScope, r.evalOptions()));
          if (v === undefined) throw new LedgerError("TYPE_ERROR", "INSERT INTO … VALUE needs a value, not MISSING");
          let at: number | undefined;
          if (op.at !== undefined) {
            const a = evaluate(op.at, opScope, r.evalOptions());
            if (a.kind !== "int") throw new LedgerError("TYPE_ERROR", "AT needs an int position");
            at = Number(a.value);
          }
          doc = insertAtPath(doc, steps, v, at);
        }
      }
      await statementScope.write(r.tx, () => r.tx.update(def.name, id, ionLiteral(doc)));
    }
    out.push(row({ documentId: ion.string(id) }));
  }
  return out;
}

/** Globals for one row: its variable, its BY variable, then its own fields, then tables. */
function rowScope(globals: Globals, alias: string, by: string | undefined, id: string, data: IonStruct): Globals {
  const lowerAlias = alias.toLowerCase();
  const lowerBy = by?.toLowerCase();
  return {
    source: (name, caseSensitive) => globals.get(name, caseSensitive),
    get(name, caseSensitive) {
      if (caseSensitive ? name === alias : name.toLowerCase() === lowerAlias) return data;
      if (by !== undefined && (caseSensitive ? name === by : name.toLowerCase() === lowerBy)) return ion.string(id);
      const table = globals.get(name, caseSensitive);
      if (table !== undefined) return table;
      // The row's own field, by SELECT's rule (stepField): a name that two fields answer to is
      // ambiguous (TYPE_ERROR). Taking the first made UPDATE … WHERE owner = 'x' act on a document
      // with two owner fields that SELECT … WHERE owner = 'x' refused to read.
      const field = stepField(data, name, caseSensitive, true);
      return field.kind === "missing" ? undefined : field;
    },
  };
}

/** The steps of a DML target below the document. */
function editSteps(r: Run, target: Path | VarRef, alias: string, scope: Globals): EditStep[] {
  const root = target.kind === "var" ? target : target.root;
  const rest = target.kind === "var" ? [] : target.steps;
  if (root.kind !== "var") throw new LedgerError("INVALID_ARGUMENT", "a DML target is a path from the row variable or a field");
  const isAlias = root.caseSensitive ? root.name === alias : root.name.toLowerCase() === alias.toLowerCase();
  const steps: EditStep[] = isAlias ? [] : [{ kind: "field", name: root.name, caseSensitive: root.caseSensitive }];
  for (const step of rest) {
    if (step.kind === "field") steps.push({ kind: "field", name: step.name, caseSensitive: step.caseSensitive });
    else if (step.kind === "index") {
      const v = evaluate(step.index, scope, r.evalOptions());
      if (v.kind === "int") steps.push({ kind: "index", index: Number(v.value) });
      else if (v.kind === "string") steps.push({ kind: "field", name: v.value, caseSensitive: true });
      else throw new LedgerError("TYPE_ERROR", "a DML path index must be an int or a string");
    } else {
      throw new LedgerError("INVALID_ARGUMENT", "a DML target cannot use wildcards");
    }
  }
  return steps;
}


/** A range for EXPLAIN, e.g. `[2000, 2010)` (bounds as index keys). */
function describeRange(range: KeyRange): string {
  const low = range.low === undefined ? "-∞" : range.low.slice(1);
  const high = range.high === undefined ? "+∞" : range.high.slice(1);
  return `${range.lowInclusive && range.low !== undefined ? "[" : "("}${low}, ${high}${range.highInclusive && range.high !== undefined ? "]" : ")"}`;
}
