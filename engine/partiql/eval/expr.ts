/**
 * Expression evaluation: one case per AST node kind.
 *
 * Permissive mode is implemented here, once: every node that raises a TYPE_ERROR yields MISSING
 * instead, at the innermost node that failed, and evaluation continues with that MISSING. Other
 * errors (EVALUATION_ERROR, VARIABLE_NOT_FOUND, FUNCTION_NOT_FOUND, LIMIT_EXCEEDED) propagate in
 * both modes, except that in permissive mode a name that binds nothing inside a SELECT (where it
 * may be an attribute some rows lack) is MISSING. Nesting depth is bounded by
 * limits.maxExpressionDepth.
 */
import { tick } from "./deadline.ts";
import { LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import type { Binary, Case, Expr, In, Is, Query, Subquery, TypeName } from "../ast.ts";
import type { PValue } from "../value.ts";
import { MISSING } from "../value.ts";
import { arith, negate, unaryPlus } from "./arith.ts";
import { cast } from "./cast.ts";
import { compareForLt, eqValues } from "./compare.ts";
import type { Ctx } from "./context.ts";
import { Env, resolve } from "./env.ts";
import { isTypeError, typeError } from "./errors.ts";
import { callFunction } from "./functions/index.ts";
import { hashedIn, isHashableIn } from "./in-set.ts";
import { like } from "./like.ts";
import { temporalKind } from "./temporal.ts";
import { evalPath } from "./path.ts";
import { evalQuery } from "./query.ts";
import { FALSE, NULL, TRUE, bagOf, bool, checkStringLength, isText, textOf, typeName } from "./values.ts";

const MAX_DEPTH = limits.maxExpressionDepth;

export function evalExpr(e: Expr, env: Env, ctx: Ctx): PValue {
  if (ctx.depth >= MAX_DEPTH) {
    throw new LedgerError("LIMIT_EXCEEDED", `expression nested deeper than ${MAX_DEPTH} levels`, {
      limit: "maxExpressionDepth", max: MAX_DEPTH, span: e.span,
    });
  }
  tick(1); // the statement's time limit (deadline.ts)
  ctx.depth++;
  try {
    if (!ctx.permissive) return evalNode(e, env, ctx);
    try {
      return evalNode(e, env, ctx);
    } catch (err) {
      if (isTypeError(err)) return MISSING;
      throw err;
    }
  } finally {
    ctx.depth--;
  }
}

function evalNode(e: Expr, env: Env, ctx: Ctx): PValue {
  // Inside a group: aggregate calls and GROUP BY key expressions have precomputed values.
  const pre = env.aggregates?.get(e);
  if (pre !== undefined) return pre;
  switch (e.kind) {
    case "lit": return e.value;
    case "var": {
      const v = resolve(env, ctx.globals, e.name, e.caseSensitive, e.lexicalOnly);
      if (v === undefined) {
        // Inside a SELECT a name may be an attribute some rows lack: MISSING in permissive mode,
        // and on the ledger (absentFieldIsMissing), where documents of a table need not share fields.
        if ((ctx.permissive || ctx.absentFieldIsMissing) && !e.lexicalOnly && env.insideFrom()) return MISSING;
        throw new LedgerError("VARIABLE_NOT_FOUND", `variable '${e.name}' is not defined`, { name: e.name, span: e.span });
      }
      if (Array.isArray(v)) throw typeError(`'${e.name}' is ambiguous`, e.span);
      return v;
    }
    case "param": {
      if (e.index >= ctx.params.length) {
        throw new LedgerError("INVALID_ARGUMENT", `statement needs parameter ${e.index + 1}, got ${ctx.params.length}`, { span: e.span });
      }
      return ctx.params[e.index];
    }
    case "path": return evalPath(e, env, ctx, evalExpr);
    case "unary": {
      const v = evalScalar(e.operand, env, ctx);
      if (e.op === "neg") return negate(v);
      if (e.op === "pos") return unaryPlus(v);
      return not(v);
    }
    case "binary": return evalBinary(e, env, ctx);
    case "like": {
      const v = evalScalar(e.value, env, ctx);
      const p = evalScalar(e.pattern, env, ctx);
      const x = e.escape ? evalScalar(e.escape, env, ctx) : undefined;
      const r = like(v, p, x, ctx.likeCache);
      return e.not ? not(r) : r;
    }
    case "between": {
      const v = evalScalar(e.value, env, ctx);
      const lo = evalScalar(e.low, env, ctx);
      const hi = evalScalar(e.high, env, ctx);
      const r = and(compareOp(">=", v, lo), compareOp("<=", v, hi));
      return e.not ? not(r) : r;
    }
    case "in": return evalIn(e, env, ctx);
    case "is": return evalIs(e, env, ctx);
    case "case": return evalCase(e, env, ctx);
    case "call": {
      const args = e.args.map((a) => (a.kind === "subquery" ? evalQuery(a.query, env, ctx) : evalExpr(a, env, ctx)));
      return callFunction(e, args, ctx);
    }
    case "cast": return cast(evalScalar(e.value, env, ctx), e.type);
    case "list": return { kind: "list", items: e.items.map((i) => evalExpr(i, env, ctx)) };
    case "sexp": return { kind: "sexp", items: e.items.map((i) => evalExpr(i, env, ctx)) };
    case "bag": return bagOf(e.items.map((i) => evalExpr(i, env, ctx)));
    case "struct": {
      const fields: (readonly [string, PValue])[] = [];
      for (const f of e.fields) {
        // A bare name that binds nothing names the field itself (`{a: 1}`).
        const k = f.key.kind === "var" && !f.key.lexicalOnly &&
            resolve(env, ctx.globals, f.key.name, f.key.caseSensitive, false) === undefined
          ? { kind: "string" as const, value: f.key.name }
          : evalExpr(f.key, env, ctx);
        if (!isText(k)) throw typeError(`struct field names must be strings, got ${typeName(k)}`, f.key.span);
        const v = evalExpr(f.value, env, ctx);
        if (v.kind !== "missing") fields.push([textOf(k), v]);
      }
      return { kind: "struct", fields };
    }
    case "subquery": return coerceSubquery(e, env, ctx);
    case "select":
    case "setop": return evalQuery(e, env, ctx);
  }
}

/**
 * A parenthesised SELECT used as a value: SQL's scalar subquery coercion (the spec's
 * COLL_TO_SCALAR, chapter 9). A SELECT (not SELECT VALUE) whose result is one row with one
 * column stands for that column's value; no rows stand for NULL, as in SQL (so `x <> (SELECT …)`
 * over nothing is NULL, not TRUE); more than one row is an error (MISSING in permissive mode, as
 * the conformance suite's section-9 case expects). Any other result is the query's collection.
 * Set operators, FROM, IN, an INSERT's source and the arguments of scalar functions take a
 * subquery's collection as it is (CARDINALITY((SELECT …)) counts its rows); an aggregate's
 * argument is a value per row, so `SUM((SELECT COUNT(*) FROM o WHERE o.c = c.id))` sums SQL's
 * scalar subqueries.
 */
function coerceSubquery(e: Subquery, env: Env, ctx: Ctx): PValue {
  const r = evalQuery(e.query, env, ctx);
  if (isScalarShaped(e.query) && (r.kind === "bag" || r.kind === "list")) {
    if (r.items.length === 0) return NULL;
    if (r.items.length > 1) throw typeError(`a subquery used as a value returned ${r.items.length} rows; it may return at most one`);
    const row = r.items[0];
    if (row.kind === "struct" && row.fields.length === 1) return row.fields[0][1];
  }
  return r;
}

function isScalarShaped(q: Query): boolean {
  return q.kind === "select" && q.projection.kind === "items";
}

/** Evaluates an operand of a scalar operator (a subquery there is coerced). */
function evalScalar(e: Expr, env: Env, ctx: Ctx): PValue {
  return evalExpr(e, env, ctx);
}

export function not(v: PValue): PValue {
  if (v.kind === "bool") return v.value ? FALSE : TRUE;
  if (v.kind === "null" || v.kind === "missing") return NULL;
  throw typeError(`NOT needs a boolean, got ${typeName(v)}`);
}

function checkBool(v: PValue, op: string): void {
  if (v.kind !== "bool" && v.kind !== "null" && v.kind !== "missing") {
    throw typeError(`${op} needs booleans, got ${typeName(v)}`);
  }
}

export function and(a: PValue, b: PValue): PValue {
  if ((a.kind === "bool" && !a.value) || (b.kind === "bool" && !b.value)) {
    checkBool(a, "AND");
    checkBool(b, "AND");
    return FALSE;
  }
  checkBool(a, "AND");
  checkBool(b, "AND");
  if (a.kind === "bool" && b.kind === "bool") return TRUE;
  return NULL;
}

export function or(a: PValue, b: PValue): PValue {
  checkBool(a, "OR");
  checkBool(b, "OR");
  if ((a.kind === "bool" && a.value) || (b.kind === "bool" && b.value)) return TRUE;
  if (a.kind === "bool" && b.kind === "bool") return FALSE;
  return NULL;
}

/** `=`: NULL if either side is NULL, else MISSING if either is MISSING, else a boolean. */
export function sqlEquals(a: PValue, b: PValue): PValue {
  if (a.kind === "null" || b.kind === "null") return NULL;
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  return bool(eqValues(a, b));
}

export function compareOp(op: "<" | "<=" | ">" | ">=", a: PValue, b: PValue): PValue {
  if (a.kind === "null" || b.kind === "null") return NULL;
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  const c = compareForLt(a, b);
  switch (op) {
    case "<": return bool(c < 0);
    case "<=": return bool(c <= 0);
    case ">": return bool(c > 0);
    case ">=": return bool(c >= 0);
  }
}

function concat(a: PValue, b: PValue): PValue {
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  if ((!isText(a) && a.kind !== "null") || (!isText(b) && b.kind !== "null")) {
    throw typeError(`|| needs strings, got ${typeName(a)} and ${typeName(b)}`);
  }
  if (a.kind === "null" || b.kind === "null") return NULL;
  const x = textOf(a), y = textOf(b);
  // A LET that doubles a string 27 times is a gigabyte: refused before the runtime gives out.
  checkStringLength(x.length + y.length, "||");
  return { kind: "string", value: x + y };
}

function evalBinary(e: Binary, env: Env, ctx: Ctx): PValue {
  const op = e.op;
  if (op === "and") {
    const l = evalScalar(e.left, env, ctx);
    if (l.kind === "bool" && !l.value) return FALSE;
    return and(l, evalScalar(e.right, env, ctx));
  }
  if (op === "or") {
    const l = evalScalar(e.left, env, ctx);
    if (l.kind === "bool" && l.value) return TRUE;
    return or(l, evalScalar(e.right, env, ctx));
  }
  const a = evalScalar(e.left, env, ctx);
  const b = evalScalar(e.right, env, ctx);
  switch (op) {
    case "+": case "-": case "*": case "/": case "%": return arith(op, a, b);
    case "||": return concat(a, b);
    case "=": return sqlEquals(a, b);
    case "<>": return not(sqlEquals(a, b));
    default: return compareOp(op, a, b);
  }
}

function evalIn(e: In, env: Env, ctx: Ctx): PValue {
  const v = evalScalar(e.value, env, ctx);
  let items: readonly PValue[];
  const sub = e.collection.kind === "subquery" ? e.collection.query : e.collection.kind === "select" ? e.collection : undefined;
  if (sub) {
    const r = evalQuery(sub, env, ctx);
    const rows = r.kind === "bag" || r.kind === "list" ? r.items : [r];
    // SQL's `x IN (SELECT a FROM …)`: one-column rows stand for their value.
    items = isScalarShaped(sub)
      ? rows.map((row) => (row.kind === "struct" && row.fields.length === 1 ? row.fields[0][1] : row))
      : rows;
  } else if (isHashableIn(e)) {
    const { items: all, answer } = hashedIn(e, v, ctx.params, (x) => evalExpr(x, env, ctx));
    if (answer !== undefined) return e.not ? not(answer) : answer;
    items = all;
  } else {
    const c = evalExpr(e.collection, env, ctx);
    if (c.kind === "missing") return MISSING;
    if (c.kind === "null") return NULL;
    if (c.kind !== "list" && c.kind !== "bag" && c.kind !== "sexp") throw typeError(`IN needs a collection, got ${typeName(c)}`);
    items = c.items;
  }
  const r = inItems(v, items);
  return e.not ? not(r) : r;
}

/** SQL IN: TRUE if some element equals, else NULL if the value or some element is absent, else FALSE. */
export function inItems(v: PValue, items: readonly PValue[]): PValue {
  if (v.kind === "missing") return MISSING;
  let unknown = v.kind === "null";
  if (unknown && items.length === 0) return FALSE;
  for (const item of items) {
    if (item.kind === "null" || item.kind === "missing") { unknown = true; continue; }
    if (v.kind !== "null" && eqValues(v, item)) return TRUE;
  }
  return unknown ? NULL : FALSE;
}

function evalIs(e: Is, env: Env, ctx: Ctx): PValue {
  const v = evalExpr(e.value, env, ctx);
  const r = isType(v, e.type);
  return bool(e.not ? !r : r);
}

const INT_BITS: Record<string, bigint> = { smallint: 1n << 15n, int2: 1n << 15n, int4: 1n << 31n, int8: 1n << 63n, bigint: 1n << 63n };

export function isType(v: PValue, t: TypeName): boolean {
  switch (t.name) {
    case "null": return v.kind === "null" || v.kind === "missing";
    case "missing": return v.kind === "missing";
    case "any": return true;
    case "bool": return v.kind === "bool";
    case "smallint": case "int2": case "int4": case "int8": case "bigint": {
      if (v.kind !== "int") return false;
      const r = INT_BITS[t.name];
      return v.value < r && v.value >= -r;
    }
    case "int": case "integer": return v.kind === "int";
    case "float": case "real": case "double": return v.kind === "float";
    case "decimal": case "numeric": return v.kind === "decimal";
    case "timestamp": return v.kind === "timestamp" || temporalKind(v) === "timestamp";
    case "date": return (v.kind === "timestamp" && v.precision === "day") || temporalKind(v) === "date";
    case "time": return temporalKind(v) === "time";
    case "symbol": return v.kind === "symbol";
    case "string": case "char": case "varchar": return v.kind === "string";
    case "clob": return v.kind === "clob";
    case "blob": return v.kind === "blob";
    case "list": return v.kind === "list";
    case "sexp": return v.kind === "sexp";
    case "struct": case "tuple": return v.kind === "struct";
    case "bag": return v.kind === "bag";
  }
}

function evalCase(e: Case, env: Env, ctx: Ctx): PValue {
  if (e.operand) {
    const v = evalScalar(e.operand, env, ctx);
    for (const w of e.whens) {
      const c = evalScalar(w.when, env, ctx);
      const eq = sqlEquals(v, c);
      if (eq.kind === "bool" && eq.value) return evalExpr(w.then, env, ctx);
    }
  } else {
    for (const w of e.whens) {
      const c = evalScalar(w.when, env, ctx);
      if (c.kind === "bool" && c.value) return evalExpr(w.then, env, ctx);
    }
  }
  return e.else ? evalExpr(e.else, env, ctx) : NULL;
}
