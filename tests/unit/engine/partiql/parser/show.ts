/**
 * Test helpers: a compact S-expression rendering of the AST (so precedence and shape tables stay
 * readable), and `strip`, which drops spans for deep-equality checks of whole nodes.
 */
import type { Expr, FromSource, OrderItem, PathStep, Projection, Statement, TypeName } from "../../../../../engine/partiql/ast.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { toText } from "../../../../../engine/ion/text.ts";
import type { IonValue } from "../../../../../engine/ion/value.ts";

/** A deep copy without `span` keys. */
export function strip<T>(node: T): T {
  if (Array.isArray(node)) return node.map(strip) as T;
  if (node && typeof node === "object" && !(node instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== "span") out[k] = strip(v);
    return out as T;
  }
  return node;
}

function value(v: PValue): string {
  if (v.kind === "missing") return "MISSING";
  if (v.kind === "bag") return "<<lit-bag>>";
  return toText(v as IonValue);
}

function type(t: TypeName): string {
  return t.params ? `${t.name}(${t.params.join(",")})` : t.name;
}

function step(s: PathStep): string {
  switch (s.kind) {
    case "field": return s.caseSensitive ? `."${s.name}"` : `.${s.name}`;
    case "index": return `[${show(s.index)}]`;
    case "wildcard": return "[*]";
    case "unpivot": return ".*";
  }
}

function list(xs: readonly Expr[]): string {
  return xs.map(show).join(" ");
}

function from(f: FromSource): string {
  switch (f.kind) {
    case "scan":
      return `(scan ${show(f.expr)}${f.as !== undefined ? ` as ${f.as}` : ""}${f.at !== undefined ? ` at ${f.at}` : ""}${f.by !== undefined ? ` by ${f.by}` : ""})`;
    case "unpivot":
      return `(unpivot ${show(f.expr)}${f.as !== undefined ? ` as ${f.as}` : ""}${f.at !== undefined ? ` at ${f.at}` : ""})`;
    case "join":
      return `(${f.type}-join ${from(f.left)} ${from(f.right)}${f.on ? ` on ${show(f.on)}` : ""})`;
  }
}

function projection(p: Projection): string {
  switch (p.kind) {
    case "star": return "*";
    case "value": return `(value ${show(p.expr)})`;
    case "pivot": return `(pivot ${show(p.value)} at ${show(p.key)})`;
    case "items":
      return `(items ${p.items.map((i) => i.kind === "all" ? `${show(i.expr)}.*` : i.alias !== undefined ? `(${show(i.expr)} as ${i.alias})` : show(i.expr)).join(" ")})`;
  }
}

function order(o: readonly OrderItem[]): string {
  return `(order ${o.map((i) => `${show(i.expr)} ${i.direction}${i.nulls ? ` nulls-${i.nulls}` : ""}`).join(", ")})`;
}

/** Compact rendering of an expression. */
export function show(e: Expr): string {
  switch (e.kind) {
    case "lit": return value(e.value);
    case "var": return `${e.lexicalOnly ? "@" : ""}${e.caseSensitive ? `"${e.name}"` : e.name}`;
    case "param": return `?${e.index}`;
    case "path": return `(path ${show(e.root)} ${e.steps.map(step).join(" ")})`;
    case "unary": return `(${e.op} ${show(e.operand)})`;
    case "binary": return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case "like": return `(${e.not ? "not-" : ""}like ${show(e.value)} ${show(e.pattern)}${e.escape ? ` ${show(e.escape)}` : ""})`;
    case "between": return `(${e.not ? "not-" : ""}between ${show(e.value)} ${show(e.low)} ${show(e.high)})`;
    case "in": return `(${e.not ? "not-" : ""}in ${show(e.value)} ${show(e.collection)})`;
    case "is": return `(is${e.not ? "-not" : ""} ${show(e.value)} ${type(e.type)})`;
    case "case":
      return `(case${e.operand ? ` ${show(e.operand)}` : ""} ${e.whens.map((w) => `(when ${show(w.when)} ${show(w.then)})`).join(" ")}${e.else ? ` (else ${show(e.else)})` : ""})`;
    case "call":
      return `(${e.name}${e.setQuantifier ? ` ${e.setQuantifier}` : ""}${e.star ? " *" : ""}${e.args.length ? " " + list(e.args) : ""})`;
    case "cast": return `(cast ${show(e.value)} ${type(e.type)})`;
    case "list": return `[${list(e.items)}]`;
    case "bag": return `<<${list(e.items)}>>`;
    case "sexp": return `(sexp ${list(e.items)})`;
    case "struct": return `{${e.fields.map((f) => `${show(f.key)}: ${show(f.value)}`).join(", ")}}`;
    case "subquery": return `(subquery ${show(e.query)})`;
    case "select": {
      const parts = [`select${e.quantifier === "distinct" ? " distinct" : ""} ${projection(e.projection)}`];
      if (e.from) parts.push(`(from ${from(e.from)})`);
      if (e.let) parts.push(`(let ${e.let.map((l) => `${show(l.expr)} as ${l.as}`).join(", ")})`);
      if (e.where) parts.push(`(where ${show(e.where)})`);
      if (e.groupBy) {
        const g = e.groupBy;
        parts.push(`(group${g.partial ? " partial" : ""} ${g.keys.map((k) => k.alias !== undefined ? `${show(k.expr)} as ${k.alias}` : show(k.expr)).join(", ")}${g.groupAs !== undefined ? ` group-as ${g.groupAs}` : ""})`);
      }
      if (e.having) parts.push(`(having ${show(e.having)})`);
      if (e.orderBy) parts.push(order(e.orderBy));
      if (e.limit) parts.push(`(limit ${show(e.limit)})`);
      if (e.offset) parts.push(`(offset ${show(e.offset)})`);
      return `(${parts.join(" ")})`;
    }
    case "setop": {
      let s = `(${e.outer ? "outer-" : ""}${e.op} ${e.quantifier} ${show(e.left)} ${show(e.right)}`;
      if (e.orderBy) s += " " + order(e.orderBy);
      if (e.limit) s += ` (limit ${show(e.limit)})`;
      if (e.offset) s += ` (offset ${show(e.offset)})`;
      return s + ")";
    }
  }
}

/** Compact rendering of a statement; a query statement renders as its expression. */
export function showStatement(s: Statement): string {
  const table = (t: { name: string; caseSensitive: boolean }) => (t.caseSensitive ? `"${t.name}"` : t.name);
  const aliases = (x: { as?: string; by?: string }) => `${x.as !== undefined ? ` as ${x.as}` : ""}${x.by !== undefined ? ` by ${x.by}` : ""}`;
  switch (s.kind) {
    case "query": return show(s.query);
    case "create_table": return `(create-table ${table(s.table)})`;
    case "drop_table": return `(drop-table ${table(s.table)})`;
    case "undrop_table": return `(undrop-table ${s.tableId})`;
    case "create_index": return `(create-index ${table(s.table)} ${(s.fields as readonly Expr[]).map(show).join(" ")})`;
    case "drop_index": return `(drop-index ${s.indexId} ${table(s.table)})`;
    case "insert": return `(insert ${table(s.table)} ${s.value ? `(value ${show(s.value)})` : `(source ${show(s.source!)})`})`;
    case "delete": return `(delete ${table(s.table)}${aliases(s)}${s.where ? ` (where ${show(s.where)})` : ""})`;
    case "update": {
      const ops = s.ops.map((o) =>
        o.kind === "set" ? `(set ${show(o.target)} ${show(o.value)})`
        : o.kind === "remove" ? `(remove ${show(o.target)})`
        : `(insert ${show(o.target)} ${show(o.value)}${o.at ? ` at ${show(o.at)}` : ""})`
      );
      return `(update ${table(s.table)}${aliases(s)} ${ops.join(" ")}${s.where ? ` (where ${show(s.where)})` : ""})`;
    }
    case "explain": return `(explain ${showStatement(s.statement)})`;
  }
}
