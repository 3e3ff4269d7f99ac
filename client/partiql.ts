/**
 * Compiles the accessors' arguments (where / orderBy / take / skip / select) into parameterized
 * PartiQL. Values are ALWAYS `?` parameters, never spliced into the text; table and field names
 * come from the schema and are quoted (`"cars"`, `d."VIN"`). `contains` / `startsWith` /
 * `endsWith` become `LIKE ? ESCAPE '\'` with the user's text escaped and passed as the parameter.
 * Parameters are Ion values, encoded by the field's descriptor (so an `Int` is an Ion int and a
 * `Decimal` stays exact).
 *
 * @example
 * ```ts
 * import { compileFindMany } from "./client/partiql.ts";
 * const { text, params } = compileFindMany(carsTable, { where: { VIN: "1", Year: { gte: 2010 } }, take: 5 });
 * // text:   SELECT d AS doc, i AS id FROM "cars" AS d BY i WHERE d."VIN" = ? AND d."Year" >= ? LIMIT ?
 * // params: [string "1", int 2010, int 5]
 * ```
 */
import { LedgerError, limits, type IonValue } from "../engine/index.ts";
import { toIon } from "./codec.ts";
import type { FieldDescriptor, TableDescriptor, TypeDescriptor } from "./schema.ts";

/** A statement as it is run: PartiQL text with `?` placeholders, and the parameters in order. */
export interface Statement {
  readonly text: string;
  readonly params: readonly IonValue[];
}

/** Quotes an identifier for PartiQL: `"name"`, with `"` doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A PartiQL string literal: `'text'`, with `'` doubled. */
function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** What a where clause is compiled against: the live table, the committed view or history. */
export interface Target {
  /** The table descriptor (field types, and the root of error paths). */
  readonly table: TableDescriptor;
  /** The FROM clause, e.g. `"cars" AS d BY i`. */
  readonly from: string;
  /** The expression for a declared field, e.g. `d."VIN"`. */
  field(name: string): string;
  /** The expression for the document id. */
  readonly id: string;
}

/**
 * The live table: `"cars" AS d BY i`. A document may hold a field of any name, `id` and `d`
 * included, so the compiler never lets one into a scope: every field is read as a path under
 * `d`, the id only as the BY variable `i`, and a query projects `d AS doc, i AS id` rather than
 * `*` (whose row would mix the data's fields with the id, and whose names ORDER BY would resolve
 * before the FROM variables).
 */
export function liveTarget(table: TableDescriptor): Target {
  return { table, from: `${quoteIdent(table.table)} AS d BY i`, field: (n) => `d.${quoteIdent(n)}`, id: "i" };
}

/** The committed view: `"_ql_committed_cars" AS c` (data under c.data, id under c.metadata.id). */
export function committedTarget(table: TableDescriptor): Target {
  return {
    table,
    from: `${quoteIdent(`_ql_committed_${table.table}`)} AS c`,
    field: (n) => `c.data.${quoteIdent(n)}`,
    id: "c.metadata.id",
  };
}

/** History: `history("cars"[, ?, ?]) AS h` (the bounds are parameters added by the caller). */
export function historyTarget(table: TableDescriptor, bounded: boolean): Target {
  return {
    table,
    from: `history(${quoteIdent(table.table)}${bounded ? ", ?, ?" : ""}) AS h`,
    field: (n) => `h.data.${quoteIdent(n)}`,
    id: "h.metadata.id",
  };
}

function invalid(message: string, details: Record<string, unknown> = {}): LedgerError {
  return new LedgerError("INVALID_ARGUMENT", message, details);
}

function typeError(path: string, message: string): LedgerError {
  return new LedgerError("TYPE_ERROR", `${message} at ${path}`, { path });
}

const OPS = new Set(["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte", "contains", "startsWith", "endsWith"]);
const RANGE = { lt: "<", lte: "<=", gt: ">", gte: ">=" } as const;
const ORDERABLE = new Set<TypeDescriptor["kind"]>(["string", "enum", "float", "int", "bigint", "decimal", "instant", "date"]);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function unwrap(d: TypeDescriptor): TypeDescriptor {
  return d.kind === "nullable" ? unwrap(d.of) : d;
}

/** Whether `v` (given for a field of type `d`) is a filter object rather than a value to equal. */
function isFilter(v: unknown, d: TypeDescriptor): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const kind = unwrap(d).kind;
  if (kind === "struct" || kind === "record") {
    const keys = Object.keys(v);
    return keys.length > 0 && keys.every((k) => OPS.has(k));
  }
  return true;
}

/** Escapes `%`, `_` and the escape character itself for a LIKE pattern with ESCAPE '\'. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => "\\" + c);
}

/** Collects parameters while a statement's text is built. */
class Params {
  readonly values: IonValue[] = [];
  add(v: IonValue): string {
    this.values.push(v);
    return "?";
  }
}

const ID_TYPE: TypeDescriptor = { kind: "string" };

function fieldConditions(expr: string, d: TypeDescriptor, value: unknown, path: string, p: Params): string[] {
  const encode = (v: unknown, at: string) => p.add(toIon(v, d, at));
  if (value === undefined) return [];
  if (!isFilter(value, d)) {
    return [value === null ? `${expr} IS NULL` : `${expr} = ${encode(value, path)}`];
  }
  const out: string[] = [];
  const kind = unwrap(d).kind;
  const ops = Object.entries(value);
  // `{}` would add no condition and so match every row: deleteMany({ where: { VIN: {} } })
  // would delete them all.
  if (ops.length === 0) throw matchesAll(path, "a filter object needs an operator (equals, in, lt, …); leave the field out to not filter on it");
  for (const [op, arg] of ops) {
    const at = `${path}.${op}`;
    if (!OPS.has(op)) throw typeError(at, "unknown filter operator");
    // Skipping it would drop the condition, and `{ id: { equals: undefined } }` match every row.
    if (arg === undefined) throw typeError(at, `expected a value for ${op}, got undefined (leave the operator out to not filter on it)`);
    switch (op) {
      case "equals":
        out.push(arg === null ? `${expr} IS NULL` : `${expr} = ${encode(arg, at)}`);
        break;
      case "not":
        out.push(arg === null ? `${expr} IS NOT NULL` : `${expr} <> ${encode(arg, at)}`);
        break;
      case "in":
      case "notIn": {
        if (!Array.isArray(arg)) throw typeError(at, "expected an array");
        if (arg.length === 0) {
          out.push(op === "in" ? "FALSE" : "TRUE");
          break;
        }
        const list = `${expr} IN (${arg.map((item, i) => encode(item, `${at}[${i}]`)).join(", ")})`;
        out.push(op === "in" ? list : `NOT (${list})`);
        break;
      }
      case "lt":
      case "lte":
      case "gt":
      case "gte":
        if (!ORDERABLE.has(kind)) throw typeError(at, `${op} needs an orderable field, not ${kind}`);
        out.push(`${expr} ${RANGE[op]} ${encode(arg, at)}`);
        break;
      case "contains":
      case "startsWith":
      case "endsWith": {
        if (kind !== "string" && kind !== "enum") throw typeError(at, `${op} needs a string field, not ${kind}`);
        if (typeof arg !== "string") throw typeError(at, "expected a string");
        const e = escapeLike(arg);
        const pattern = op === "contains" ? `%${e}%` : op === "startsWith" ? `${e}%` : `%${e}`;
        out.push(`${expr} LIKE ${p.add({ kind: "string", value: pattern })} ESCAPE '\\'`);
        break;
      }
    }
  }
  return out;
}

function matchesAll(path: string, message: string): LedgerError {
  return new LedgerError("INVALID_ARGUMENT", `${message} at ${path}`, { path });
}

function asList(x: unknown, path: string): unknown[] {
  if (Array.isArray(x)) return x;
  if (isPlainObject(x)) return [x];
  throw typeError(path, "expected a where object or an array of them");
}

/**
 * The conditions of a where nested in AND / OR / NOT, which must restrict: an empty one (`{}`,
 * or only undefined entries) would be TRUE inside AND / OR and make the whole filter match every
 * row, the way a filter built from an empty or unset variable most often goes wrong.
 */
function nestedParts(where: unknown, target: Target, path: string, p: Params, depth: number): string[] {
  const parts = whereParts(where, target, path, p, depth);
  if (parts.length === 0) throw matchesAll(path, "a where inside AND / OR / NOT names no condition");
  return parts;
}

/** One where object -> the conditions that must all hold (empty: no restriction). */
function whereParts(where: unknown, target: Target, path: string, p: Params, depth = 0): string[] {
  if (where === undefined) return [];
  // The engine refuses statements nested deeper than this; refuse the filter before recursing
  // so far that the stack overflows (Deno's did at 5,000 nested ANDs).
  if (depth > limits.maxExpressionDepth) {
    throw new LedgerError("LIMIT_EXCEEDED", `${path}: where nests deeper than ${limits.maxExpressionDepth} levels`, { limit: "maxExpressionDepth", path });
  }
  if (!isPlainObject(where)) throw typeError(path, "expected a where object");
  const parts: string[] = [];
  const fields: Readonly<Record<string, FieldDescriptor>> = target.table.fields;
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    if (key === "AND" || key === "NOT") {
      const list = asList(value, at);
      // AND: [] / NOT: [] restrict nothing (see nestedParts). OR: [] matches no row, which is safe.
      if (list.length === 0) throw matchesAll(at, `${key}: [] names no condition`);
      for (const [i, w] of list.entries()) {
        const sub = nestedParts(w, target, Array.isArray(value) ? `${at}[${i}]` : at, p, depth + 1);
        if (key === "AND") parts.push(...sub);
        else parts.push(`NOT (${sub.join(" AND ")})`);
      }
    } else if (key === "OR") {
      if (!Array.isArray(value)) throw typeError(at, "expected an array of where objects");
      const alts = value.map((w, i) => {
        const sub = nestedParts(w, target, `${at}[${i}]`, p, depth + 1);
        return sub.length === 1 ? sub[0] : `(${sub.join(" AND ")})`;
      });
      parts.push(alts.length === 0 ? "FALSE" : alts.length === 1 ? alts[0] : `(${alts.join(" OR ")})`);
    } else if (key === "id") {
      parts.push(...fieldConditions(target.id, ID_TYPE, value, at, p));
    } else if (Object.prototype.hasOwnProperty.call(fields, key)) {
      parts.push(...fieldConditions(target.field(key), fields[key].type, value, at, p));
    } else {
      throw typeError(at, "unknown field in where");
    }
  }
  return parts;
}

/** ` WHERE …` for a where object (empty when it does not restrict), adding its parameters. */
export function compileWhere(where: unknown, target: Target, p: Params = new Params()): { clause: string; params: IonValue[] } {
  const parts = whereParts(where, target, target.table.table, p);
  return { clause: parts.length === 0 ? "" : ` WHERE ${parts.join(" AND ")}`, params: p.values };
}

function orderClause(orderBy: unknown, target: Target): string {
  if (orderBy === undefined) return "";
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  const keys: string[] = [];
  for (const item of items) {
    if (!isPlainObject(item)) throw invalid("orderBy takes { field: \"asc\" | \"desc\" } or an array of them");
    for (const [field, dir] of Object.entries(item)) {
      if (dir === undefined) continue;
      if (dir !== "asc" && dir !== "desc") throw invalid(`orderBy.${field} must be "asc" or "desc"`);
      if (field !== "id" && !Object.prototype.hasOwnProperty.call(target.table.fields, field)) {
        throw typeError(`${target.table.table}.orderBy.${field}`, "unknown field in orderBy");
      }
      keys.push(`${field === "id" ? target.id : target.field(field)} ${dir.toUpperCase()}`);
    }
  }
  return keys.length === 0 ? "" : ` ORDER BY ${keys.join(", ")}`;
}

function count(x: unknown, name: string): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw invalid(`${name} must be a non-negative integer`);
  return x;
}

function pageClause(args: { take?: unknown; skip?: unknown }, p: Params): string {
  const take = count(args.take, "take");
  const skip = count(args.skip, "skip");
  let s = "";
  if (take !== undefined) s += ` LIMIT ${p.add({ kind: "int", value: BigInt(take) })}`;
  if (skip !== undefined && skip > 0) s += ` OFFSET ${p.add({ kind: "int", value: BigInt(skip) })}`;
  return s;
}

/**
 * The columns of a live query: always exactly `doc` (the document, or a struct of the selected
 * fields) and `id` (the BY variable), whatever fields the document holds.
 */
function projection(select: unknown, target: Target): string {
  const id = `${target.id} AS id`;
  if (select === undefined) return `d AS doc, ${id}`;
  if (!isPlainObject(select)) throw invalid("select takes { field: true }");
  const cols: string[] = [];
  let selected = 0;
  for (const [field, on] of Object.entries(select)) {
    if (on === undefined || on === false) continue;
    if (on !== true) throw invalid(`select.${field} must be true`);
    selected++;
    if (field === "id") continue;
    if (!Object.prototype.hasOwnProperty.call(target.table.fields, field)) {
      throw typeError(`${target.table.table}.select.${field}`, "unknown field in select");
    }
    cols.push(`${quoteString(field)}: ${target.field(field)}`);
  }
  // `select: {}` reads like "no selection" (every field, as its type says) but would return ids
  // only: ask for what is meant instead.
  if (selected === 0) throw invalid("select picks no field: omit it for every field, or use { id: true } for ids only");
  return `{${cols.join(", ")}} AS doc, ${id}`;
}

/** Arguments the query compiler reads (runtime view of FindManyArgs). */
export interface QueryArgs {
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly take?: number;
  readonly skip?: number;
  readonly select?: unknown;
}

/**
 * `SELECT d AS doc, i AS id FROM "t" AS d BY i [WHERE …] [ORDER BY …] [LIMIT ?] [OFFSET ?]`
 * (with `select`, `doc` is a struct of the selected fields). Each row is `{ doc, id }`.
 */
export function compileFindMany(table: TableDescriptor, args: QueryArgs = {}): Statement {
  const target = liveTarget(table);
  const p = new Params();
  const cols = projection(args.select, target);
  const { clause } = compileWhere(args.where, target, p);
  const text = `SELECT ${cols} FROM ${target.from}${clause}${orderClause(args.orderBy, target)}${pageClause(args, p)}`;
  return { text, params: p.values };
}

/** `SELECT COUNT(*) AS n FROM "t" AS d BY i [WHERE …]`. */
export function compileCount(table: TableDescriptor, where?: unknown): Statement {
  const target = liveTarget(table);
  const { clause, params } = compileWhere(where, target);
  return { text: `SELECT COUNT(*) AS n FROM ${target.from}${clause}`, params };
}

/** `INSERT INTO "t" ?` with the checked document as the parameter. */
export function compileInsert(table: TableDescriptor, document: IonValue): Statement {
  return { text: `INSERT INTO ${quoteIdent(table.table)} ?`, params: [document] };
}

/**
 * `UPDATE "t" AS d BY i SET d."f" = ?, … REMOVE d."g", … WHERE i = ?` (changes and removals
 * must not both be empty).
 */
export function compileUpdate(
  table: TableDescriptor,
  id: string,
  changes: readonly (readonly [string, IonValue])[],
  removals: readonly string[] = [],
): Statement {
  const target = liveTarget(table);
  const params: IonValue[] = [];
  const sets = changes.map(([name, v]) => {
    params.push(v);
    return `${target.field(name)} = ?`;
  });
  params.push({ kind: "string", value: id });
  const ops = [
    ...(sets.length > 0 ? [`SET ${sets.join(", ")}`] : []),
    ...removals.map((name) => `REMOVE ${target.field(name)}`),
  ];
  return { text: `UPDATE ${target.from} ${ops.join(" ")} WHERE ${target.id} = ?`, params };
}

/** `DELETE FROM "t" AS d BY i WHERE i = ?`. */
export function compileDelete(table: TableDescriptor, id: string): Statement {
  const target = liveTarget(table);
  return { text: `DELETE FROM ${target.from} WHERE ${target.id} = ?`, params: [{ kind: "string", value: id }] };
}

/** The committed view: `SELECT * FROM "_ql_committed_t" AS c [WHERE …] [ORDER BY …] [LIMIT ?] [OFFSET ?]`. */
export function compileCommitted(table: TableDescriptor, args: QueryArgs = {}): Statement {
  const target = committedTarget(table);
  const p = new Params();
  const { clause } = compileWhere(args.where, target, p);
  return { text: `SELECT * FROM ${target.from}${clause}${orderClause(args.orderBy, target)}${pageClause(args, p)}`, params: p.values };
}

/**
 * History: `SELECT * FROM history("t"[, ?, ?]) AS h [WHERE …]`. `bounds` are the two
 * timestamps (both inclusive) when given; `where` applies to each revision's data and id.
 */
export function compileHistory(
  table: TableDescriptor,
  args: { where?: unknown; ids?: readonly string[]; bounds?: readonly [IonValue, IonValue]; columns?: string },
): Statement {
  const target = historyTarget(table, args.bounds !== undefined);
  const p = new Params();
  if (args.bounds) p.values.push(...args.bounds);
  const parts = whereParts(args.where, target, table.table, p);
  // A delete's revision has no data; in strict mode reading a field of MISSING is an error.
  if (parts.length > 0) parts.unshift("h.data IS NOT MISSING");
  if (args.ids !== undefined) {
    parts.push(args.ids.length === 0 ? "FALSE" : args.ids.length === 1
      ? `${target.id} = ${p.add({ kind: "string", value: args.ids[0] })}`
      : `${target.id} IN (${args.ids.map((id) => p.add({ kind: "string", value: id })).join(", ")})`);
  }
  const clause = parts.length === 0 ? "" : ` WHERE ${parts.join(" AND ")}`;
  return { text: `SELECT ${args.columns ?? "*"} FROM ${target.from}${clause}`, params: p.values };
}

/** Unique lookups: the where of findUnique must name the id or an `@index` field, by equality. */
export function checkUniqueWhere(table: TableDescriptor, where: unknown): void {
  if (!isPlainObject(where)) throw invalid("findUnique needs where: { id } or an @index field");
  const keys = Object.keys(where).filter((k) => where[k] !== undefined);
  const ok = keys.length > 0 && keys.every((k) => k === "id" || table.indexes.includes(k)) &&
    keys.every((k) => !isPlainObject(where[k]) || Object.keys(where[k] as object).every((op) => op === "equals"));
  if (!ok) {
    throw invalid(`findUnique on ${table.table} takes where: { id } or an @index field (${table.indexes.join(", ") || "none"}) by equality`);
  }
}
