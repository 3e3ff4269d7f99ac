/**
 * Queries: SELECT-FROM-WHERE with LET, GROUP BY / GROUP AS / HAVING, aggregates, projection
 * (SELECT *, items, t.*, VALUE, PIVOT), DISTINCT, ORDER BY, LIMIT/OFFSET; UNPIVOT and joins in
 * FROM; and the set operators with bag semantics.
 *
 * Evaluation is a pipeline of binding rows. A row is one scope binding the FROM (and LET)
 * variables; the FROM clause is lateral (the right side of a comma or join sees the left's
 * variables). A SELECT's result is a bag, or a list when it has ORDER BY.
 */
import { isLedgerError, LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import type { Expr, FromSource, OrderItem, Query, Select, SetOp } from "../ast.ts";
import type { PStruct, PValue } from "../value.ts";
import { MISSING, documentIdOf } from "../value.ts";
import { groupKey, orderByCompare } from "./compare.ts";
import type { Ctx } from "./context.ts";
import { walkAst } from "../walk.ts";
import { type Env, resolve } from "./env.ts";
import { evalError, typeError } from "./errors.ts";
import { equiJoinOf } from "./equi-join.ts";
import { evalExpr } from "./expr.ts";
import { aggregateNames, computeAggregate } from "./functions/aggregate.ts";
import { NULL, bagOf, isText, textOf, typeName } from "./values.ts";

/** One binding row: the FROM/LET variables of a SELECT, in order. */
interface Row {
  names: string[];
  values: PValue[];
}

export function evalQuery(q: Query | Expr, env: Env, ctx: Ctx): PValue {
  if (q.kind === "select") return evalSelect(q, env, ctx);
  if (q.kind === "setop") return evalSetOp(q, env, ctx);
  return evalExpr(q, env, ctx);
}

// ---- FROM ----------------------------------------------------------------------------------

/** The implicit alias of a FROM or projection expression: a variable's name or a path's last field. */
export function implicitName(e: Expr): string | undefined {
  if (e.kind === "var") return e.name;
  if (e.kind === "path" && e.steps.length > 0) {
    const last = e.steps[e.steps.length - 1];
    if (last.kind === "field") return last.name;
    if (last.kind === "index" && last.index.kind === "lit" && isText(last.index.value)) return textOf(last.index.value);
  }
  return undefined;
}

function fromValue(src: FromSource & { kind: "scan" | "unpivot" }, env: Env, ctx: Ctx): PValue {
  const e = src.expr;
  if (e.kind === "var" && !e.lexicalOnly) {
    // A FROM source that is a bare name is looked up globally first (PartiQL's rule; `@name`
    // asks for the local variable): in `FROM t AS f, f AS d` the second f is the global f, and a
    // subquery's `FROM t` reads table t even inside `SELECT … FROM t` whose rows are also t.
    const global = ctx.globals.source !== undefined ? ctx.globals.source(e.name, e.caseSensitive) : ctx.globals.get(e.name, e.caseSensitive);
    if (global !== undefined) return global;
    // A FROM source naming nothing is an error in both modes (not an implicit attribute).
    if (resolve(env, ctx.globals, e.name, e.caseSensitive, false) === undefined) {
      throw new LedgerError("VARIABLE_NOT_FOUND", `variable '${e.name}' is not defined`, { name: e.name, span: e.span });
    }
  }
  return e.kind === "subquery" ? evalQuery(e.query, env, ctx) : evalExpr(e, env, ctx);
}

/**
 * Refuses a FROM source or join that would hold more than limits.maxBindingRows rows, or more
 * than limits.maxBindingValues values in them (rows times the variables each binds), at once.
 * Joins are nested loops that keep their result, which grows as the product of the sources, and
 * each source a join adds widens every row; rows made and dropped (a correlated subquery's, one
 * outer row at a time) are not limited.
 */
function held(rows: number, width: number): void {
  if (rows > limits.maxBindingRows) {
    throw new LedgerError("LIMIT_EXCEEDED", `a FROM clause would hold more than ${limits.maxBindingRows} binding rows`, {
      limit: "maxBindingRows",
    });
  }
  if (rows * width > limits.maxBindingValues) {
    throw new LedgerError(
      "LIMIT_EXCEEDED",
      `a FROM clause would hold more than ${limits.maxBindingValues} bound values (${rows} rows of ${width} variables)`,
      { limit: "maxBindingValues" },
    );
  }
}

/** Variables bound by the newest of `rows` (all rows of one join bind as many). */
function widthOf(rows: readonly Row[]): number {
  return rows.length === 0 ? 0 : rows[rows.length - 1].values.length;
}

/** Rows produced by one FROM source for the given left row (lateral). */
function sourceRows(src: FromSource, row: Row, env: Env, ctx: Ctx, counter: { n: number }): Row[] {
  switch (src.kind) {
    case "scan": {
      const scope = env.bind(row.names, row.values, true);
      const v = fromValue(src, scope, ctx);
      const as = src.as ?? implicitName(src.expr) ?? `_${++counter.n}`;
      const names = [as];
      if (src.at) names.push(src.at);
      if (src.by) names.push(src.by);
      let items: readonly PValue[];
      let ordered = false;
      if (v.kind === "list" || v.kind === "sexp") { items = v.items; ordered = true; }
      else if (v.kind === "bag") {
        items = v.items;
        if (src.at && !ctx.permissive) throw typeError(`AT ${src.at} over a bag (it has no positions)`, src.span);
      } else {
        if (!ctx.permissive) throw typeError(`FROM needs a collection, got ${typeName(v)}`, src.span);
        items = v.kind === "missing" ? [] : [v];
      }
      // Rows share their names: nothing changes a row's names in place (LET copies them).
      const rowNames = [...row.names, ...names];
      held(items.length, rowNames.length);
      const out: Row[] = [];
      for (let i = 0; i < items.length; i++) {
        const values = [...row.values, items[i]];
        if (src.at) values.push(ordered ? { kind: "int", value: BigInt(i) } : MISSING);
        if (src.by) {
          const id = documentIdOf(items[i]);
          values.push(id === undefined ? MISSING : { kind: "string", value: id });
        }
        out.push({ names: rowNames, values });
      }
      return out;
    }
    case "unpivot": {
      const scope = env.bind(row.names, row.values, true);
      const v = fromValue(src, scope, ctx);
      const as = src.as ?? `_${++counter.n}`;
      let pairs: readonly (readonly [string, PValue])[];
      if (v.kind === "struct") pairs = v.fields;
      else if (v.kind === "missing") {
        if (!ctx.permissive) throw typeError("UNPIVOT of MISSING", src.span);
        pairs = [];
      } else {
        if (!ctx.permissive) throw typeError(`UNPIVOT needs a struct, got ${typeName(v)}`, src.span);
        pairs = [["_1", v]];
      }
      held(pairs.length, row.values.length + (src.at ? 2 : 1));
      const out: Row[] = [];
      for (const [k, fv] of pairs) {
        if (fv.kind === "missing") continue;
        const names = [...row.names, as];
        const values = [...row.values, fv];
        if (src.at) { names.push(src.at); values.push({ kind: "string", value: k }); }
        out.push({ names, values });
      }
      return out;
    }
    case "join": return joinRows(src, row, env, ctx, counter);
  }
}

function variablesOf(src: FromSource, counter: { n: number }): string[] {
  switch (src.kind) {
    case "scan": {
      const names = [src.as ?? implicitName(src.expr) ?? `_${++counter.n}`];
      if (src.at) names.push(src.at);
      if (src.by) names.push(src.by);
      return names;
    }
    case "unpivot": return src.at ? [src.as ?? `_${++counter.n}`, src.at] : [src.as ?? `_${++counter.n}`];
    case "join": return [...variablesOf(src.left, counter), ...variablesOf(src.right, counter)];
  }
}

function isTrue(v: PValue): boolean {
  return v.kind === "bool" && v.value;
}

function joinRows(src: FromSource & { kind: "join" }, row: Row, env: Env, ctx: Ctx, counter: { n: number }): Row[] {
  const matches = (r: Row) => !src.on || isTrue(evalExpr(src.on, env.bind(r.names, r.values, true), ctx));
  if (src.type === "cross" || src.type === "inner" || src.type === "left") {
    const lefts = sourceRows(src.left, row, env, ctx, counter);
    if (src.type !== "cross") {
      const hashed = hashJoinRows(src, lefts, row, env, ctx, counter);
      if (hashed !== undefined) return hashed;
    }
    const out: Row[] = [];
    const rightCounter = { ...counter };
    for (const l of lefts) {
      const c = { ...rightCounter };
      const rights = sourceRows(src.right, l, env, ctx, c);
      counter.n = c.n;
      let any = false;
      for (const r of rights) {
        if (matches(r)) { out.push(r); any = true; }
      }
      held(out.length, widthOf(out));
      if (!any && src.type === "left") {
        const vars = variablesOf(src.right, { ...rightCounter });
        out.push({ names: [...l.names, ...vars], values: [...l.values, ...vars.map(() => NULL)] });
      }
    }
    return out;
  }
  // RIGHT and FULL joins: both sides are evaluated independently of each other.
  const lefts = sourceRows(src.left, row, env, ctx, counter);
  const rightsAlone = sourceRows(src.right, row, env, ctx, counter);
  const leftVars = variablesOf(src.left, { n: 0 });
  const rightVars = variablesOf(src.right, { n: 0 });
  const out: Row[] = [];
  const rightMatched = new Uint8Array(rightsAlone.length);
  for (const l of lefts) {
    let any = false;
    held(out.length + rightsAlone.length, l.values.length + rightVars.length);
    rightsAlone.forEach((r, j) => {
      const combined: Row = { names: [...l.names, ...r.names.slice(row.names.length)], values: [...l.values, ...r.values.slice(row.values.length)] };
      if (matches(combined)) { out.push(combined); any = true; rightMatched[j] = 1; }
    });
    if (!any && src.type === "full") out.push({ names: [...l.names, ...rightVars], values: [...l.values, ...rightVars.map(() => NULL)] });
  }
  rightsAlone.forEach((r, j) => {
    if (!rightMatched[j]) {
      out.push({
        names: [...row.names, ...leftVars, ...r.names.slice(row.names.length)],
        values: [...row.values, ...leftVars.map(() => NULL), ...r.values.slice(row.values.length)],
      });
    }
  });
  return out;
}

/**
 * An INNER or LEFT join evaluated by hashing (equi-join.ts says when, and why the result is the
 * nested loop's), given the left rows; or undefined to leave it to the nested loop, which then
 * goes on from the same left rows (evaluating them again made a chain of k falling-back joins
 * cost 2^k).
 */
function hashJoinRows(
  src: FromSource & { kind: "join" },
  lefts: readonly Row[],
  row: Row,
  env: Env,
  ctx: Ctx,
  counter: { n: number },
): Row[] | undefined {
  const right = src.right;
  if (right.kind !== "scan" || right.expr.kind !== "var") return undefined;
  const plan = equiJoinOf(src, (s) => variablesOf(s, { ...counter }));
  if (plan === undefined) return undefined;
  // The right source must be a global (FROM looks those up before any variable), so the same
  // rows for every left row; a name that is not one may be a variable of the left row.
  const name = right.expr.name, cs = right.expr.caseSensitive;
  if ((ctx.globals.source !== undefined ? ctx.globals.source(name, cs) : ctx.globals.get(name, cs)) === undefined) return undefined;
  // As the nested loop: no left row, nothing of the right side is read or evaluated.
  if (lefts.length === 0) return [];
  const c = { ...counter };
  const rights = sourceRows(right, row, env, ctx, c);
  // Right rows by key, in their order, and each left row's key; undefined: NULL or MISSING,
  // which equals nothing.
  const buckets = new Map<string, Row[]>();
  const leftKeys: (string | undefined)[] = [];
  let absentKeys = false;
  try {
    if (rights.length > 0) {
      for (const r of rights) {
        const key = hashKey(evalExpr(plan.rightKey, env.bind(r.names, r.values, true), ctx));
        if (key === undefined) {
          absentKeys = true;
          continue;
        }
        const bucket = buckets.get(key);
        if (bucket === undefined) buckets.set(key, [r]);
        else bucket.push(r);
      }
      for (const l of lefts) {
        const key = hashKey(evalExpr(plan.leftKey, env.bind(l.names, l.values, true), ctx));
        if (key === undefined) absentKeys = true;
        leftKeys.push(key);
      }
    }
  } catch (e) {
    // A key the nested loop would fail on as well, but maybe after another error it meets first,
    // or a key hashing cannot take (NOT_HASHABLE): the nested loop decides.
    if (e === NOT_HASHABLE || isLedgerError(e)) return undefined;
    throw e;
  }
  if (plan.more && absentKeys) {
    // A NULL or MISSING key makes the nested loop evaluate the conjuncts after `=` (see
    // equi-join.ts), which could raise an error: let it.
    return undefined;
  }
  counter.n = c.n;
  const rightVars = variablesOf(right, { ...counter });
  const out: Row[] = [];
  for (let i = 0; i < lefts.length; i++) {
    const l = lefts[i];
    let any = false;
    const key = leftKeys[i];
    const bucket = key === undefined ? undefined : buckets.get(key);
    if (bucket !== undefined) {
      for (const r of bucket) {
        const combined: Row = { names: [...l.names, ...r.names.slice(row.names.length)], values: [...l.values, ...r.values.slice(row.values.length)] };
        if (isTrue(evalExpr(src.on!, env.bind(combined.names, combined.values, true), ctx))) {
          out.push(combined);
          any = true;
        }
      }
    }
    if (!any && src.type === "left") out.push({ names: [...l.names, ...rightVars], values: [...l.values, ...rightVars.map(() => NULL)] });
    held(out.length, widthOf(out));
  }
  return out;
}

/** Thrown by hashKey for a key the hash join leaves to the nested loop. */
const NOT_HASHABLE = Symbol("not hashable");

/**
 * The bucket of a join key: its groupKey (equal for values `=` calls equal), or undefined for
 * NULL and MISSING. Only scalars are hashed: `=` on containers compares them in ways whose cost
 * and errors groupKey does not share (a bag against another is quadratic and can pass
 * limits.maxValueNodes; a malformed $date struct raises where `=` would not get to it).
 */
function hashKey(v: PValue): string | undefined {
  switch (v.kind) {
    case "null":
    case "missing": return undefined;
    case "list":
    case "sexp":
    case "bag":
    case "struct": throw NOT_HASHABLE;
    default: return groupKey(v);
  }
}

// ---- SELECT --------------------------------------------------------------------------------

function evalSelect(q: Select, env: Env, ctx: Ctx): PValue {
  let rows: Row[] = q.from ? sourceRows(q.from, { names: [], values: [] }, env, ctx, { n: 0 }) : [{ names: [], values: [] }];
  const fromCount = rows.length > 0 ? rows[0].names.length : 0;
  if (q.let) {
    rows = rows.map((r) => {
      const names = [...r.names], values = [...r.values];
      for (const l of q.let!) {
        values.push(evalExpr(l.expr, env.bind(names, values, true), ctx));
        names.push(l.as);
      }
      return { names, values };
    });
  }
  let scopes: Env[] = rows.map((r) => {
    const scope = env.bind(r.names, r.values, true) as StarScope;
    scope[STAR_VARS] = { names: r.names, values: r.values, count: fromCount };
    return scope;
  });
  if (q.where) scopes = scopes.filter((s) => isTrue(evalExpr(q.where!, s, ctx)));

  const aggCalls = collectAggregates(q);
  const grouped = q.groupBy !== undefined || aggCalls.length > 0;
  let varNames = rows.length > 0 ? rows[0].names : (q.from ? variablesOf(q.from, { n: 0 }) : []);
  if (q.let && rows.length === 0) varNames = [...varNames, ...q.let.map((l) => l.as)];
  if (grouped) {
    scopes = groupScopes(q, scopes, aggCalls, env, ctx, varNames);
    varNames = [];
    if (q.having) scopes = scopes.filter((s) => isTrue(evalExpr(q.having!, s, ctx)));
  }

  // Projection.
  const proj = q.projection;
  if (proj.kind === "pivot") {
    let pscopes = scopes;
    if (q.orderBy) pscopes = sortScopes(pscopes, q.orderBy, ctx);
    pscopes = sliceRows(pscopes, q, env, ctx);
    const fields: (readonly [string, PValue])[] = [];
    for (const s of pscopes) {
      const k = evalExpr(proj.key, s, ctx);
      const v = evalExpr(proj.value, s, ctx);
      if (!isText(k)) {
        if (ctx.permissive || k.kind === "missing") continue;
        throw typeError(`PIVOT key must be a string, got ${typeName(k)}`);
      }
      if (v.kind === "missing") continue;
      fields.push([textOf(k), v]);
    }
    return { kind: "struct", fields };
  }

  let results: { value: PValue; scope: Env }[] = scopes.map((s) => ({ value: project(q, s, ctx), scope: s }));
  if (q.quantifier === "distinct") {
    const seen = new Set<string>();
    results = results.filter((r) => {
      const k = groupKey(r.value);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (q.orderBy) {
    const keyed = results.map((r) => {
      const s = r.value.kind === "struct" ? r.scope.bind(r.value.fields.map((f) => f[0]), r.value.fields.map((f) => f[1])) : r.scope;
      return { r, keys: q.orderBy!.map((o) => evalExpr(o.expr, s, ctx)) };
    });
    keyed.sort((a, b) => compareKeys(a.keys, b.keys, q.orderBy!));
    results = keyed.map((k) => k.r);
  }
  const values = sliceRows(results.map((r) => r.value), q, env, ctx);
  return q.orderBy ? { kind: "list", items: values } : bagOf(values);
}

function project(q: Select, s: Env, ctx: Ctx): PValue {
  const proj = q.projection;
  switch (proj.kind) {
    case "value": return evalExpr(proj.expr, s, ctx);
    case "star": {
      const vars = (s as StarScope)[STAR_VARS];
      if (vars === undefined) return { kind: "struct", fields: [] };
      // One struct variable (SELECT * FROM t): its fields as they are. Values are never changed
      // in place, so the array is shared rather than copied pair by pair for every row.
      if (vars.count === 1 && vars.values[0].kind === "struct") return { kind: "struct", fields: vars.values[0].fields };
      const fields: (readonly [string, PValue])[] = [];
      for (let i = 0; i < vars.count; i++) {
        const value = vars.values[i];
        if (value.kind === "struct") fields.push(...value.fields);
        else if (value.kind !== "missing") fields.push([vars.names[i], value]);
      }
      return { kind: "struct", fields };
    }
    case "items": {
      const fields: (readonly [string, PValue])[] = [];
      // Items without an alias or an implicit name are named _1, _2, … in order among themselves.
      let unnamed = 0;
      proj.items.forEach((item, i) => {
        if (item.kind === "all") {
          const v = evalExpr(item.expr, s, ctx);
          if (v.kind === "struct") fields.push(...v.fields);
          else if (v.kind === "missing") return;
          else if (!ctx.permissive) throw typeError(`.* needs a struct, got ${typeName(v)}`, item.span);
          else fields.push([`_${i + 1}`, v]);
          return;
        }
        const name = item.alias ?? implicitName(item.expr);
        if (name === undefined) unnamed++;
        const v = evalExpr(item.expr, s, ctx);
        if (v.kind === "missing") return;
        fields.push([name ?? `_${unnamed}`, v]);
      });
      return { kind: "struct", fields };
    }
    case "pivot": throw new Error("unreachable");
  }
}

/**
 * The variables SELECT * merges: the first `count` of a row's (its FROM variables), or a group's
 * keys and GROUP AS. Kept as the row's own arrays: a pair object per variable of every row was
 * most of what a wide join's rows weighed.
 */
const STAR_VARS = Symbol("starVars");
interface StarVars {
  readonly names: readonly string[];
  readonly values: readonly PValue[];
  readonly count: number;
}
type StarScope = Env & { [STAR_VARS]?: StarVars };

function sliceRows<T>(rows: T[], q: { limit?: Expr; offset?: Expr }, env: Env, ctx: Ctx): T[] {
  let start = 0, end = rows.length;
  if (q.offset) start = Math.min(rows.length, countOf(q.offset, env, ctx, "OFFSET") ?? 0);
  if (q.limit) end = Math.min(rows.length, start + (countOf(q.limit, env, ctx, "LIMIT") ?? rows.length));
  return start === 0 && end === rows.length ? rows : rows.slice(start, end);
}

/**
 * The row count a LIMIT or OFFSET expression gives. A negative literal (`OFFSET -1`) is an error
 * in both modes; a computed value that is not a whole number >= 0 (`OFFSET 1-2`, `OFFSET 2.5`)
 * is a TYPE_ERROR in strict mode, and in permissive mode leaves the clause out (undefined), as
 * the conformance suite's limitoffset.ion expects.
 */
function countOf(e: Expr, env: Env, ctx: Ctx, what: string): number | undefined {
  if (isNegativeLiteral(e)) throw evalError(`${what} must not be negative`, e.span);
  const v = evalExpr(e, env, ctx);
  const problem = v.kind !== "int" ? `${what} needs an integer, got ${typeName(v)}` : v.value < 0n ? `${what} must not be negative` : undefined;
  if (problem !== undefined) {
    if (ctx.permissive) return undefined;
    throw typeError(problem, e.span);
  }
  const n = (v as { value: bigint }).value;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/** `-1` or `-1.5` as written: a negative number literal, or `-` applied to a positive one. */
function isNegativeLiteral(e: Expr): boolean {
  if (e.kind === "lit") return signOf(e.value) < 0;
  return e.kind === "unary" && e.op === "neg" && e.operand.kind === "lit" && signOf(e.operand.value) > 0;
}

function signOf(v: PValue): number {
  switch (v.kind) {
    case "int": return v.value < 0n ? -1 : v.value > 0n ? 1 : 0;
    case "decimal": return v.coefficient === 0n ? 0 : v.negative ? -1 : 1;
    case "float": return v.value < 0 ? -1 : v.value > 0 ? 1 : 0;
    default: return 0;
  }
}

function compareKeys(a: PValue[], b: PValue[], order: readonly OrderItem[]): number {
  for (let i = 0; i < order.length; i++) {
    const o = order[i];
    const x = a[i], y = b[i];
    const xa = x.kind === "null" || x.kind === "missing", ya = y.kind === "null" || y.kind === "missing";
    const nullsFirst = o.nulls ? o.nulls === "first" : o.direction === "desc";
    let c: number;
    if (xa || ya) {
      if (xa && ya) c = 0;
      else c = xa ? (nullsFirst ? -1 : 1) : (nullsFirst ? 1 : -1);
      if (c !== 0) return c;
      continue;
    }
    // Nested nulls go where this item puts NULLs: high under ASC NULLS LAST or DESC NULLS FIRST.
    c = orderByCompare(x, y, nullsFirst === (o.direction === "desc"));
    if (o.direction === "desc") c = -c;
    if (c !== 0) return c;
  }
  return 0;
}

function sortScopes(scopes: Env[], order: readonly OrderItem[], ctx: Ctx): Env[] {
  const keyed = scopes.map((s) => ({ s, keys: order.map((o) => evalExpr(o.expr, s, ctx)) }));
  keyed.sort((a, b) => compareKeys(a.keys, b.keys, order));
  return keyed.map((k) => k.s);
}

// ---- GROUP BY and aggregates ----------------------------------------------------------------

/**
 * Visits the expressions of this SELECT's projection, HAVING and ORDER BY (not nested queries,
 * whose aggregates and keys are their own); `visit` returns "skip" to not descend into a node.
 */
function walkOutputs(q: Select, visit: (n: { readonly kind?: string }) => "skip" | void): void {
  const inner = (n: { readonly kind?: string }) =>
    n.kind === "select" || n.kind === "setop" || n.kind === "subquery" ? "skip" : visit(n);
  const p = q.projection;
  if (p.kind === "value") walkAst(p.expr, inner);
  else if (p.kind === "items") walkAst(p.items, inner);
  else if (p.kind === "pivot") walkAst([p.key, p.value], inner);
  walkAst(q.having, inner);
  walkAst(q.orderBy, inner);
}

/** Aggregate calls of this SELECT (in its projection, HAVING and ORDER BY, not in nested queries). */
function collectAggregates(q: Select): Expr[] {
  const out: Expr[] = [];
  walkOutputs(q, (n) => {
    if (n.kind === "call" && aggregateNames.has((n as { name?: string }).name!)) {
      out.push(n as Expr);
      return "skip";
    }
  });
  return out;
}

/**
 * Expression text without spans, for matching GROUP BY keys inside the projection, HAVING and
 * ORDER BY: unquoted names are compared case-insensitively, and with a single FROM variable `v`
 * a name that is not a variable stands for `v.name` (implicit attribute lookup), so `a`, `T.a`
 * and `t.A` all match a key `T.a`.
 */
function shape(e: unknown, fromVars: readonly string[]): string {
  const single = fromVars.length === 1 ? fromVars[0] : undefined;
  const lowerVars = new Set(fromVars.map((v) => v.toLowerCase()));
  const normStep = (st: { kind: string; name?: string; caseSensitive?: boolean }) =>
    st.kind === "field" && !st.caseSensitive ? { kind: "field", name: st.name!.toLowerCase(), caseSensitive: false } : st;
  const norm = (v: unknown): unknown => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const n = v as { kind?: string; name?: string; caseSensitive?: boolean; lexicalOnly?: boolean; root?: Expr; steps?: unknown[] };
    if (n.kind === "var" && !n.caseSensitive) {
      const lower = n.name!.toLowerCase();
      if (single !== undefined && !n.lexicalOnly && !lowerVars.has(lower)) {
        return { kind: "path", root: { kind: "var", name: single.toLowerCase() }, steps: [{ kind: "field", name: lower, caseSensitive: false }] };
      }
      return { kind: "var", name: lower };
    }
    if (n.kind === "var") return { kind: "var", name: n.name, caseSensitive: true };
    if (n.kind === "path") {
      const root = norm(n.root) as { kind: string; root?: unknown; steps?: unknown[] };
      const steps = (n.steps as { kind: string }[]).map(normStep);
      // `a.b` where `a` became `v.a`: flatten into one path.
      if (root.kind === "path") return { kind: "path", root: root.root, steps: [...root.steps!, ...steps] };
      return { kind: "path", root, steps };
    }
    return v;
  };
  return JSON.stringify(e, (k, v) => (k === "span" ? undefined : typeof v === "bigint" ? v.toString() + "n" : norm(v)));
}

function subExprsMatching(q: Select, target: string, fromVars: readonly string[], out: object[]): void {
  walkOutputs(q, (n) => {
    if (typeof n.kind === "string" && shape(n, fromVars) === target) {
      out.push(n);
      return "skip";
    }
  });
}

function groupScopes(q: Select, scopes: Env[], aggCalls: Expr[], env: Env, ctx: Ctx, varNames: string[]): Env[] {
  const keys = groupKeys(q, scopes, ctx);
  const groups = new Map<string, { keyValues: PValue[]; members: Env[] }>();
  const order: string[] = [];
  for (const s of scopes) {
    const kv = keys.map((k) => {
      const v = evalExpr(k.expr, s, ctx);
      return v.kind === "missing" ? NULL : v;
    });
    const key = kv.map(groupKey).join("\u0001");
    let g = groups.get(key);
    if (!g) { g = { keyValues: kv, members: [] }; groups.set(key, g); order.push(key); }
    g.members.push(s);
  }
  if (keys.length === 0 && groups.size === 0) { groups.set("", { keyValues: [], members: [] }); order.push(""); }
  const keyNames = keys.map((k, i) => k.alias ?? keyName(k.expr) ?? `_${i + 1}`);
  const fromVars = q.from ? variablesOf(q.from, { n: 0 }) : [];
  const keyNodes = keys.map((k) => {
    const found: object[] = [];
    subExprsMatching(q, shape(k.expr, fromVars), fromVars, found);
    return found;
  });
  const out: Env[] = [];
  for (const key of order) {
    const g = groups.get(key)!;
    const aggs = new Map<object, PValue>();
    keys.forEach((_, i) => { for (const n of keyNodes[i]) aggs.set(n, g.keyValues[i]); });
    for (const call of aggCalls) aggs.set(call, computeAggregate(call as Expr & { kind: "call" }, g.members, ctx, evalExpr));
    const names = [...keyNames];
    const values = [...g.keyValues];
    if (q.groupBy?.groupAs) {
      names.push(q.groupBy.groupAs);
      values.push(bagOf(g.members.map((m) => groupAsRow(m, varNames))));
    }
    const scope = env.withAggregates(aggs, names, values) as StarScope;
    scope[STAR_VARS] = { names, values, count: names.length };
    out.push(scope);
  }
  return out;
}

/**
 * The GROUP BY keys, where a bare name that binds nothing in the rows but is the alias of a
 * SELECT item (`SELECT supplierId AS sid … GROUP BY sid`) stands for that item's expression.
 */
function groupKeys(q: Select, scopes: Env[], ctx: Ctx): readonly { expr: Expr; alias?: string }[] {
  const keys = q.groupBy?.keys ?? [];
  const items = q.projection.kind === "items" ? q.projection.items : [];
  return keys.map((k) => {
    const e = k.expr;
    if (e.kind !== "var" || e.lexicalOnly || scopes.length === 0) return k;
    if (resolve(scopes[0], ctx.globals, e.name, e.caseSensitive, false) !== undefined) return k;
    const item = items.find((it) =>
      it.kind !== "all" && it.alias !== undefined &&
      (e.caseSensitive ? it.alias === e.name : it.alias.toLowerCase() === e.name.toLowerCase()));
    if (!item || item.kind === "all") return k;
    return { expr: item.expr, alias: k.alias ?? item.alias };
  });
}

/** The implicit name of a GROUP BY key: as in SELECT, and a CAST takes its operand's name. */
function keyName(e: Expr): string | undefined {
  return e.kind === "cast" ? keyName(e.value) : implicitName(e);
}

function groupAsRow(scope: Env, varNames: string[]): PStruct {
  return { kind: "struct", fields: varNames.map((n) => [n, scope.lookup(n, true) ?? MISSING] as const) };
}

// ---- set operators -------------------------------------------------------------------------

function asCollection(v: PValue, ctx: Ctx): readonly PValue[] {
  if (v.kind === "bag" || v.kind === "list" || v.kind === "sexp") return v.items;
  if (v.kind === "missing") return [];
  if (!ctx.permissive) throw typeError(`set operators need collections, got ${typeName(v)}`);
  return [v];
}

/**
 * An operand of a set operator is a collection: a parenthesised SELECT there, `… UNION (SELECT …)`,
 * is not coerced to a scalar as it is where a value is wanted (its one row of one column would
 * otherwise make the operator fail, depending on the data).
 */
function evalSetOperand(q: Query | Expr, env: Env, ctx: Ctx): PValue {
  return evalQuery(q.kind === "subquery" ? q.query : q, env, ctx);
}

function evalSetOp(q: SetOp, env: Env, ctx: Ctx): PValue {
  const l = asCollection(evalSetOperand(q.left, env, ctx), ctx);
  const r = asCollection(evalSetOperand(q.right, env, ctx), ctx);
  let out: PValue[];
  const counts = (xs: readonly PValue[]) => {
    const m = new Map<string, PValue[]>();
    for (const x of xs) {
      const k = groupKey(x);
      const list = m.get(k);
      if (list) list.push(x); else m.set(k, [x]);
    }
    return m;
  };
  const rc = counts(r);
  if (q.op === "union") {
    if (q.quantifier === "all") out = [...l, ...r];
    else {
      const lc = counts(l);
      out = [];
      for (const [k, xs] of lc) out.push(xs[0]);
      for (const [k, xs] of rc) if (!lc.has(k)) out.push(xs[0]);
    }
  } else {
    // Each element of l pairs with an unused equal element of r, if one is left: INTERSECT keeps
    // the paired elements, EXCEPT the unpaired ones (DISTINCT keeps one of each).
    const keepPaired = q.op === "intersect";
    out = [];
    const used = new Map<string, number>();
    const seen = new Set<string>();
    for (const x of l) {
      const k = groupKey(x);
      const n = used.get(k) ?? 0;
      const paired = n < (rc.get(k)?.length ?? 0);
      if (paired) used.set(k, n + 1);
      if (paired !== keepPaired) continue;
      if (q.quantifier === "all" || !seen.has(k)) out.push(x);
      seen.add(k);
    }
    if (!keepPaired && q.quantifier !== "all") out = out.filter((x) => !rc.has(groupKey(x)));
  }
  if (q.orderBy) {
    const keyed = out.map((v) => {
      const s = v.kind === "struct" ? env.bind(v.fields.map((f) => f[0]), v.fields.map((f) => f[1])) : env;
      return { v, keys: q.orderBy!.map((o) => evalExpr(o.expr, s, ctx)) };
    });
    keyed.sort((a, b) => compareKeys(a.keys, b.keys, q.orderBy!));
    out = keyed.map((k) => k.v);
  }
  const sliced = sliceRows(out, q, env, ctx);
  return q.orderBy ? { kind: "list", items: sliced } : bagOf(sliced);
}

