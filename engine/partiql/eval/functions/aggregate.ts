/**
 * Aggregation: the SQL aggregates over a group's rows (COUNT, SUM, AVG, MIN, MAX, EVERY, SOME,
 * ANY, with DISTINCT) and the COLL_* functions over a collection value, which share one
 * accumulator.
 *
 * NULL and MISSING inputs are skipped (COUNT(*) counts rows). SUM/AVG/MIN/MAX/EVERY/SOME of no
 * values is NULL; COUNT of none is 0. SUM and AVG use the numeric tower (AVG of ints and
 * decimals is an exact decimal quotient, see decimal.ts); MIN and MAX use PartiQL's total order so
 * mixed types are allowed; EVERY/SOME/ANY need booleans.
 */
import { LedgerError } from "../../../errors.ts";
import type { Call, Expr } from "../../ast.ts";
import type { PValue } from "../../value.ts";
import { MISSING } from "../../value.ts";
import { arith } from "../arith.ts";
import { groupKey, totalOrder } from "../compare.ts";
import type { Ctx } from "../context.ts";
import { decDiv, decFromInt } from "../decimal.ts";
import type { Env } from "../env.ts";
import { typeError } from "../errors.ts";
import { NULL, bool, int, isNumeric, typeName } from "../values.ts";
import type { FnDef } from "./types.ts";

export type AggKind = "count" | "sum" | "avg" | "min" | "max" | "every" | "some" | "any";

/** Function names that are SQL aggregates inside a SELECT. */
export const aggregateNames: ReadonlySet<string> = new Set(["count", "sum", "avg", "min", "max", "every", "some", "any"]);

/** Aggregates `values` (already evaluated) with the given kind. */
export function aggregate(kind: AggKind, values: readonly PValue[], distinct: boolean): PValue {
  let xs = values.filter((v) => v.kind !== "null" && v.kind !== "missing");
  if (distinct) {
    const seen = new Set<string>();
    xs = xs.filter((v) => {
      const k = groupKey(v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  switch (kind) {
    case "count": return int(xs.length);
    case "sum":
    case "avg": {
      if (xs.length === 0) return NULL;
      let sum: PValue = { kind: "int", value: 0n };
      for (const x of xs) {
        if (!isNumeric(x)) throw typeError(`${kind.toUpperCase()} needs numbers, got ${typeName(x)}`);
        sum = arith("+", sum, x);
      }
      if (kind === "sum") return sum;
      if (sum.kind === "float") return { kind: "float", value: sum.value / xs.length };
      const d = sum.kind === "int" ? decFromInt(sum.value) : (sum as Extract<PValue, { kind: "decimal" }>);
      return decDiv(d, decFromInt(BigInt(xs.length)));
    }
    case "min":
    case "max": {
      if (xs.length === 0) return NULL;
      let best = xs[0];
      for (const x of xs) {
        const c = totalOrder(x, best);
        if (kind === "min" ? c < 0 : c > 0) best = x;
      }
      return best;
    }
    case "every":
    case "some":
    case "any": {
      if (xs.length === 0) return NULL;
      let acc = kind === "every";
      for (const x of xs) {
        if (x.kind !== "bool") throw typeError(`${kind.toUpperCase()} needs booleans, got ${typeName(x)}`);
        acc = kind === "every" ? acc && x.value : acc || x.value;
      }
      return bool(acc);
    }
  }
}

/** A SQL aggregate call over a group's row scopes. */
export function computeAggregate(
  call: Call, members: readonly Env[], ctx: Ctx, evalExpr: (e: Expr, env: Env, ctx: Ctx) => PValue,
): PValue {
  const kind = call.name as AggKind;
  if (call.star) return int(members.length);
  if (call.args.length !== 1) {
    throw new LedgerError("FUNCTION_NOT_FOUND", `${call.name} takes one argument`, { span: call.span });
  }
  const values = members.map((m) => evalExpr(call.args[0], m, ctx));
  return aggregate(kind, values, call.setQuantifier === "distinct");
}

function collFn(kind: AggKind): FnDef {
  return {
    min: 1, max: 1, propagate: false,
    impl(args, _ctx, call) {
      const c = args[0];
      if (c.kind === "missing") return MISSING;
      if (c.kind === "null") return NULL;
      if (c.kind !== "list" && c.kind !== "bag" && c.kind !== "sexp") {
        throw typeError(`COLL_${kind.toUpperCase()} needs a collection, got ${typeName(c)}`, call.span);
      }
      return aggregate(kind, c.items, call.setQuantifier === "distinct");
    },
  };
}

export const aggregateFunctions: Record<string, FnDef> = {
  coll_count: collFn("count"),
  coll_sum: collFn("sum"),
  coll_avg: collFn("avg"),
  coll_min: collFn("min"),
  coll_max: collFn("max"),
  coll_every: collFn("every"),
  coll_some: collFn("some"),
  coll_any: collFn("any"),
};
