/**
 * Access planning: which rows of a table a statement must read. A statement over one table whose
 * WHERE has a conjunct `f = c` or `f IN (c, …)` — `f` a top-level field of the table's row with
 * an index, `c` a constant or parameter — reads only the index entries for those keys (so it
 * conflicts only with writers of those keys). Failing that, conjuncts `f < c`, `f <= c`, `f > c`,
 * `f >= c` and `f BETWEEN a AND b` on one indexed field make a range read of the index. Before
 * all of these, `BY id` compared with constant ids reads just those documents. Everything else
 * scans the table.
 *
 * The plan only narrows the rows handed to the evaluator, which still applies the whole WHERE:
 * index lookups return a superset of the matching rows (see catalog/index-key.ts), so a plan can
 * make a statement cheaper, never change its result.
 */
import type { Expr, FromSource, OrderItem, Path, Select, Statement, VarRef } from "../partiql/ast.ts";
import type { PValue } from "../partiql/value.ts";
import { indexKey, isIndexableKey } from "../catalog/index-key.ts";
import { compareKeys, keyClass, keyMissesEqualStructs, type KeyRange } from "../catalog/index-order.ts";
import type { TableDef } from "../catalog/catalog.ts";
import { toIon } from "./convert.ts";
import { walkAst } from "../partiql/walk.ts";

export type Access =
  | { readonly kind: "scan" }
  /** `BY id` variable compared with constant ids: read those documents only. */
  | { readonly kind: "ids"; readonly ids: readonly string[] }
  | { readonly kind: "index"; readonly field: string; readonly keys: readonly string[] }
  | { readonly kind: "range"; readonly field: string; readonly range: KeyRange }
  | { readonly kind: "ordered"; readonly field: string; readonly descending: boolean; readonly take: number };

/** The one table a statement ranges over, with the variable its rows are bound to. */
export interface TableTarget {
  /** The table as written (a VarRef at the root of FROM, or the DML target). */
  readonly name: string;
  readonly caseSensitive: boolean;
  /** Row variable (AS alias, or the table's own name). */
  readonly alias: string;
  /** Other names the statement binds per row (AT, BY, LET): never fields of the row. */
  readonly locals: readonly string[];
  /** The BY variable (the document id), if the statement binds one. */
  readonly by?: string;
  readonly where?: Expr;
  /** For a plain SELECT … ORDER BY one expression … LIMIT (no WHERE, grouping, DISTINCT or aggregates). */
  readonly topK?: { readonly orderBy: OrderItem; readonly limit: Expr; readonly offset?: Expr };
}

/** The single-table shape a plan can narrow, if the statement has it. */
export function tableTarget(statement: Statement): TableTarget | undefined {
  switch (statement.kind) {
    case "update":
    case "delete":
      return {
        name: statement.table.name,
        caseSensitive: statement.table.caseSensitive,
        alias: statement.as ?? statement.table.name,
        locals: statement.by === undefined ? [] : [statement.by],
        by: statement.by,
        where: statement.where,
      };
    case "query":
      return statement.query.kind === "select" ? selectTarget(statement.query) : undefined;
    default:
      return undefined;
  }
}

function selectTarget(q: Select): TableTarget | undefined {
  const from: FromSource | undefined = q.from;
  if (from === undefined || from.kind !== "scan" || from.expr.kind !== "var" || from.expr.lexicalOnly) return undefined;
  const table = from.expr;
  // The narrowed rows replace the table everywhere in the statement, so the table may be named only once.
  if (countVar(q, table.name) !== 1) return undefined;
  const locals = [from.at, from.by, ...(q.let ?? []).map((l) => l.as)].filter((n): n is string => n !== undefined);
  const topK = q.orderBy?.length === 1 && q.limit !== undefined && q.where === undefined && q.groupBy === undefined &&
      q.having === undefined && q.quantifier === "all" && q.let === undefined && q.projection.kind !== "pivot" &&
      !callsAggregate(q.projection)
    ? { orderBy: q.orderBy[0], limit: q.limit, offset: q.offset }
    : undefined;
  return { name: table.name, caseSensitive: table.caseSensitive, alias: from.as ?? table.name, locals, by: from.by, where: q.where, topK };
}

const AGGREGATES = new Set(["count", "sum", "avg", "min", "max", "every", "any", "some", "group_concat"]);

/** Whether a projection calls an SQL aggregate (which would fold every row into one). */
function callsAggregate(node: unknown): boolean {
  return walkAst(node, (x) => {
    if (x.kind === "select" || x.kind === "subquery") return "skip"; // a subquery's aggregates are its own
    if (x.kind === "call" && AGGREGATES.has((x as { name?: string }).name ?? "")) return "stop";
  });
}

/** Occurrences of a variable named `name` (case-insensitively) anywhere in a node. */
function countVar(node: unknown, name: string): number {
  const lower = name.toLowerCase();
  let n = 0;
  walkAst(node, (x) => {
    const v = x as { kind?: string; name?: unknown };
    if (v.kind === "var" && typeof v.name === "string" && v.name.toLowerCase() === lower) n++;
  });
  return n;
}

/** The conjuncts of a WHERE clause. */
function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === "binary" && e.op === "and") return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/**
 * The top-level field `e` names on the row: `alias.f`, or a bare `f` that is no variable of the
 * statement and no global (PartiQL then resolves it as a field of the single FROM row, and QLDB's
 * DML does the same).
 */
function rowField(e: Expr, target: TableTarget, isGlobal: (v: VarRef) => boolean): string | undefined {
  const alias = target.alias;
  if (e.kind === "var") {
    if (e.lexicalOnly || isGlobal(e)) return undefined;
    const lower = e.name.toLowerCase();
    const names = [alias, ...target.locals];
    const isLocal = names.some((n) => (e.caseSensitive ? n === e.name : n.toLowerCase() === lower));
    return isLocal ? undefined : e.name;
  }
  if (e.kind === "path") {
    const p: Path = e;
    if (p.root.kind !== "var" || p.steps.length !== 1) return undefined;
    const root: VarRef = p.root;
    const sameAlias = root.caseSensitive ? root.name === alias : root.name.toLowerCase() === alias.toLowerCase();
    const step = p.steps[0];
    return sameAlias && step.kind === "field" ? step.name : undefined;
  }
  return undefined;
}

/** Whether the row field `e` names (see rowField) is named case-sensitively (`"G"`, `x."G"`). */
function isCaseSensitiveName(e: Expr): boolean {
  if (e.kind === "var") return e.caseSensitive;
  if (e.kind === "path") {
    const step = e.steps[0];
    return step !== undefined && step.kind === "field" && step.caseSensitive;
  }
  return false;
}

/** True when `e` mentions no variable (only literals, parameters and operators on them). */
export function isConstant(e: Expr): boolean {
  return !walkAst(e, (x) => (x.kind === "var" || x.kind === "select" || x.kind === "setop" || x.kind === "subquery" ? "stop" : undefined));
}

/** The values a constant compared with `=` (one) or `IN` (its items) stands for; undefined if IN's is no collection. */
function valuesOf(v: PValue, many: boolean): readonly PValue[] | undefined {
  if (!many) return [v];
  return v.kind === "list" || v.kind === "bag" || v.kind === "sexp" ? v.items : undefined;
}

/** Index keys for the value(s) a constant yields, or undefined if one cannot be looked up. */
function keysOf(v: PValue, many: boolean): string[] | undefined {
  const values = valuesOf(v, many);
  if (values === undefined) return undefined;
  const keys: string[] = [];
  for (const item of values) {
    const ionValue = toIon(item);
    // NULL and MISSING never satisfy `=`: they add no key. Containers compare element-wise.
    if (ionValue === undefined || ionValue.kind === "null") continue;
    if (!isIndexableKey(ionValue)) return undefined;
    keys.push(indexKey(ionValue));
  }
  return keys;
}

/**
 * Chooses the access for `target` on table `def`: the first indexed equality or IN conjunct.
 * `constant` evaluates a constant expression (with the statement's parameters); `isGlobal`
 * says whether a bare name is bound as a global (a table or view) rather than a row field.
 */
export function chooseAccess(
  target: TableTarget,
  def: TableDef,
  constant: (e: Expr) => PValue,
  isGlobal: (v: VarRef) => boolean,
): Access {
  const ids = chooseIds(target, constant);
  if (ids !== undefined) return ids;
  for (const c of conjuncts(target.where)) {
    let field: string | undefined;
    let valueExpr: Expr | undefined;
    let many = false;
    if (c.kind === "binary" && c.op === "=") {
      field = rowField(c.left, target, isGlobal);
      valueExpr = c.right;
      if (field === undefined) {
        field = rowField(c.right, target, isGlobal);
        valueExpr = c.left;
      }
    } else if (c.kind === "in" && !c.not) {
      field = rowField(c.value, target, isGlobal);
      valueExpr = c.collection;
      many = true;
    }
    if (field === undefined || valueExpr === undefined || !isConstant(valueExpr)) continue;
    const lower = field.toLowerCase();
    const index = def.indexes.find((ix) => ix.field === field) ?? def.indexes.find((ix) => ix.field.toLowerCase() === lower);
    if (index === undefined) continue;
    let value: PValue;
    try {
      value = constant(valueExpr);
    } catch {
      continue; // the evaluator will report it where it belongs
    }
    const keys = keysOf(value, many);
    if (keys === undefined) continue;
    // A key that misses equal structs (a timestamp: index-order.ts) is read as the range from it
    // to itself, which visits them, and the predicate picks among them; several such keys have
    // no single range.
    if (!keys.some(keyMissesEqualStructs)) return { kind: "index", field: index.field, keys };
    if (keys.length === 1) {
      const range = { cls: keyClass(keys[0])!, low: keys[0], lowInclusive: true, high: keys[0], highInclusive: true };
      return { kind: "range", field: index.field, range };
    }
  }
  return chooseRange(target, def, constant, isGlobal) ?? chooseOrdered(target, def, constant, isGlobal) ?? { kind: "scan" };
}

/**
 * `… BY id WHERE id = c` (or `id IN (…)`), QLDB's recommended way to reach one document: read
 * those documents only, so the statement conflicts with writers of those documents rather than
 * of the whole table. An id that is not a string matches no document (ids are strings).
 */
function chooseIds(target: TableTarget, constant: (e: Expr) => PValue): Access | undefined {
  const by = target.by;
  if (by === undefined) return undefined;
  const isBy = (e: Expr) =>
    e.kind === "var" && (e.caseSensitive ? e.name === by : e.name.toLowerCase() === by.toLowerCase()) && !namesAnother(target, e.name, by);
  return idsCompared(target, isBy, constant);
}

/**
 * Whether `name` may also denote a variable other than `self` (the alias, a LET or AT name that
 * differs only in case): the evaluator prefers an exact match, so the planner cannot be sure
 * which one a reference means and does not narrow.
 */
function namesAnother(target: TableTarget, name: string, self: string): boolean {
  const lower = name.toLowerCase();
  const others = [target.alias, ...target.locals].filter((n) => n !== self);
  return others.some((n) => n.toLowerCase() === lower);
}

/**
 * For a committed view (`_ql_committed_t AS c`): `c.metadata.id = c` or `IN (…)` reads just
 * those documents' committed revisions, as BY id does for the user view.
 */
export function chooseCommittedAccess(target: TableTarget, constant: (e: Expr) => PValue): Access {
  const alias = target.alias;
  const named = (step: Path["steps"][number], name: string) => step.kind === "field" && (step.caseSensitive ? step.name === name : step.name.toLowerCase() === name);
  const isMetadataId = (e: Expr) =>
    e.kind === "path" && e.root.kind === "var" && e.steps.length === 2 && named(e.steps[0], "metadata") && named(e.steps[1], "id") &&
    (e.root.caseSensitive ? e.root.name === alias : e.root.name.toLowerCase() === alias.toLowerCase()) &&
    !namesAnother(target, e.root.name, alias);
  return idsCompared(target, isMetadataId, constant) ?? { kind: "scan" };
}

/** The ids a conjunct `<id expression> = c` or `<id expression> IN (c, …)` names, if any. */
function idsCompared(target: TableTarget, isBy: (e: Expr) => boolean, constant: (e: Expr) => PValue): Access | undefined {
  for (const c of conjuncts(target.where)) {
    let valueExpr: Expr | undefined;
    let many = false;
    if (c.kind === "binary" && c.op === "=") valueExpr = isBy(c.left) ? c.right : isBy(c.right) ? c.left : undefined;
    else if (c.kind === "in" && !c.not && isBy(c.value)) {
      valueExpr = c.collection;
      many = true;
    }
    if (valueExpr === undefined || !isConstant(valueExpr)) continue;
    let value: PValue;
    try {
      value = constant(valueExpr);
    } catch {
      continue; // the evaluator will report it where it belongs
    }
    const values = valuesOf(value, many);
    if (values === undefined) continue;
    const ids: string[] = [];
    // `=` holds between a string and a symbol of the same text; other values match no id.
    for (const v of values) {
      if (v.kind === "string") ids.push(v.value);
      else if (v.kind === "symbol" && v.text !== null) ids.push(v.text);
    }
    return { kind: "ids", ids };
  }
  return undefined;
}

/**
 * ORDER BY f LIMIT k [OFFSET o] on an indexed field, with nothing that filters or folds rows:
 * read the first o + k values in index order instead of every row.
 */
function chooseOrdered(target: TableTarget, def: TableDef, constant: (e: Expr) => PValue, isGlobal: (v: VarRef) => boolean): Access | undefined {
  const topK = target.topK;
  if (topK === undefined) return undefined;
  const field = rowField(topK.orderBy.expr, target, isGlobal);
  if (field === undefined) return undefined;
  // An index keeps the values of every field whose name matches its own ignoring case, so it
  // orders by what an unquoted name reads; `x."G"` reads only the field spelled so, and the first
  // keys of the index need not hold its first values.
  if (isCaseSensitiveName(topK.orderBy.expr)) return undefined;
  const index = def.indexes.find((ix) => ix.field === field) ?? def.indexes.find((ix) => ix.field.toLowerCase() === field.toLowerCase());
  if (index === undefined) return undefined;
  const count = (e: Expr | undefined): number | undefined => {
    if (e === undefined) return 0;
    if (!isConstant(e)) return undefined;
    try {
      const v = constant(e);
      return v.kind === "int" && v.value >= 0n && v.value <= 1_000_000n ? Number(v.value) : undefined;
    } catch {
      return undefined;
    }
  };
  const limit = count(topK.limit), offset = count(topK.offset);
  if (limit === undefined || offset === undefined) return undefined;
  return { kind: "ordered", field: index.field, descending: topK.orderBy.direction === "desc", take: limit + offset };
}

type Bound = { readonly key: string; readonly inclusive: boolean; readonly side: "low" | "high" };

/** The bounds a comparison conjunct puts on a row field, if it is one. */
function boundsOf(c: Expr, target: TableTarget, isGlobal: (v: VarRef) => boolean): { field: string; bounds: { expr: Expr; inclusive: boolean; side: "low" | "high" }[] } | undefined {
  if (c.kind === "between" && !c.not) {
    const field = rowField(c.value, target, isGlobal);
    if (field === undefined) return undefined;
    return { field, bounds: [{ expr: c.low, inclusive: true, side: "low" }, { expr: c.high, inclusive: true, side: "high" }] };
  }
  if (c.kind !== "binary" || !(c.op === "<" || c.op === "<=" || c.op === ">" || c.op === ">=")) return undefined;
  const inclusive = c.op === "<=" || c.op === ">=";
  const upward = c.op === ">" || c.op === ">="; // field on the left: f > c is a low bound
  let field = rowField(c.left, target, isGlobal);
  if (field !== undefined) return { field, bounds: [{ expr: c.right, inclusive, side: upward ? "low" : "high" }] };
  field = rowField(c.right, target, isGlobal);
  if (field !== undefined) return { field, bounds: [{ expr: c.left, inclusive, side: upward ? "high" : "low" }] };
  return undefined;
}

/** The index key a bound compares with, if its expression is a constant orderable value. */
function constantBound(expr: Expr, inclusive: boolean, side: "low" | "high", constant: (e: Expr) => PValue): Bound | undefined {
  if (!isConstant(expr)) return undefined;
  let v: PValue;
  try {
    v = constant(expr);
  } catch {
    return undefined; // the evaluator will report it where it belongs
  }
  const ionValue = toIon(v);
  if (ionValue === undefined || !isIndexableKey(ionValue)) return undefined;
  return { key: indexKey(ionValue), inclusive, side };
}

/** A range read over the first indexed field with constant comparison bounds. */
function chooseRange(target: TableTarget, def: TableDef, constant: (e: Expr) => PValue, isGlobal: (v: VarRef) => boolean): Access | undefined {
  const byField = new Map<string, Bound[]>();
  for (const c of conjuncts(target.where)) {
    const b = boundsOf(c, target, isGlobal);
    if (b === undefined) continue;
    const index = def.indexes.find((ix) => ix.field === b.field) ?? def.indexes.find((ix) => ix.field.toLowerCase() === b.field.toLowerCase());
    if (index === undefined) continue;
    const bounds = b.bounds.map((bound) => constantBound(bound.expr, bound.inclusive, bound.side, constant));
    if (bounds.some((x) => x === undefined)) continue; // this conjunct cannot narrow; others may
    byField.set(index.field, [...(byField.get(index.field) ?? []), ...(bounds as Bound[])]);
  }
  for (const [field, bounds] of byField) {
    const cls = keyClass(bounds[0].key);
    // Bounds of different classes (a number and a string) cannot narrow one range: scan.
    if (cls === undefined || bounds.some((b) => keyClass(b.key) !== cls)) continue;
    let low: Bound | undefined, high: Bound | undefined;
    for (const b of bounds) {
      if (b.side === "low") {
        const c = low === undefined ? 1 : compareKeys(b.key, low.key);
        if (c > 0 || (c === 0 && !b.inclusive)) low = b;
      } else {
        const c = high === undefined ? -1 : compareKeys(b.key, high.key);
        if (c < 0 || (c === 0 && !b.inclusive)) high = b;
      }
    }
    return {
      kind: "range",
      field,
      range: { cls, low: low?.key, lowInclusive: low?.inclusive ?? true, high: high?.key, highInclusive: high?.inclusive ?? true },
    };
  }
  return undefined;
}
