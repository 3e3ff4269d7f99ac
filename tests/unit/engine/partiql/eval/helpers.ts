/** Shared helpers: run statements through the real parser, compare with Ion text. */
import assert from "node:assert/strict";
import { parse } from "../../../../../engine/partiql/parser/index.ts";
import { evaluate, globalsOf, type EvalMode } from "../../../../../engine/partiql/eval/index.ts";
import type { Expr, QueryStatement } from "../../../../../engine/partiql/ast.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { parseText } from "../../../../../engine/ion/text.ts";
import { LedgerError } from "../../../../../engine/errors.ts";

/** Parses Ion text where `$bag::[…]` is a bag and `$missing::null` is MISSING. */
export function pv(text: string): PValue {
  return toP(parseText(text)[0] as PValue);
}
function toP(x: PValue): PValue {
  const ann = x.annotations ?? [];
  if (ann[0] === "$missing") return { kind: "missing" };
  if (x.kind === "list" || x.kind === "sexp") {
    const items = x.items.map(toP);
    return ann[0] === "$bag" ? { kind: "bag", items } : { kind: x.kind, items };
  }
  if (x.kind === "struct") return { kind: "struct", fields: x.fields.map(([k, val]) => [k, toP(val)] as const) };
  return x;
}

export function run(statement: string | Expr | QueryStatement, env: Record<string, PValue> = {}, mode: EvalMode = "strict", params?: PValue[]): PValue {
  const ast = typeof statement === "string" ? parse(statement) : statement;
  if (typeof statement === "string" && ast.kind !== "query") throw new Error("not a query");
  return evaluate(ast as QueryStatement | Expr, globalsOf(env), { mode, params, now: () => pv("2024-05-06T07:08:09.123Z") as never, txid: "tx1" });
}

/** Exact structural equality (bags as multisets, struct fields unordered) with Ion-exact scalars. */
export function same(a: PValue, b: PValue): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "bag": {
      const bi = (b as typeof a).items;
      if (a.items.length !== bi.length) return false;
      const used = new Array(bi.length).fill(false);
      return a.items.every((x) => {
        const j = bi.findIndex((y, k) => !used[k] && same(x, y));
        if (j < 0) return false;
        used[j] = true;
        return true;
      });
    }
    case "list": case "sexp": {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => same(x, bi[i]));
    }
    case "struct": {
      const bf = (b as typeof a).fields;
      if (a.fields.length !== bf.length) return false;
      const used = new Array(bf.length).fill(false);
      return a.fields.every(([k, x]) => {
        const j = bf.findIndex(([k2, y], i) => !used[i] && k === k2 && same(x, y));
        if (j < 0) return false;
        used[j] = true;
        return true;
      });
    }
    case "missing": return true;
    default: return JSON.stringify(a, big) === JSON.stringify({ ...b, annotations: a.annotations }, big) || JSON.stringify(strip(a), big) === JSON.stringify(strip(b), big);
  }
}
const big = (_k: string, x: unknown) => (typeof x === "bigint" ? x.toString() + "n" : x);
const strip = (x: PValue) => ({ ...x, annotations: undefined });

export function show(x: PValue): string {
  return JSON.stringify(x, big);
}

/** Asserts the statement evaluates to the Ion text `expected` (in both modes unless `mode` given). */
export function check(statement: string, expected: string, env: Record<string, PValue> = {}, modes: EvalMode[] = ["strict", "permissive"]): void {
  for (const mode of modes) {
    const got = run(statement, env, mode);
    assert.ok(same(got, pv(expected)), `${statement} [${mode}]\n  expected ${expected}\n  got      ${show(got)}`);
  }
}

/** Asserts the statement fails with a LedgerError (code optional) in the given mode. */
export function fails(statement: string, mode: EvalMode, code?: string, env: Record<string, PValue> = {}): void {
  assert.throws(() => run(statement, env, mode), (e: unknown) => {
    assert.ok(e instanceof LedgerError, `${statement}: not a LedgerError: ${e}`);
    if (code) assert.equal(e.code, code, `${statement}: ${e.message}`);
    return true;
  }, statement);
}
