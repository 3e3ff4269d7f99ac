/**
 * Path navigation: `.name`, `[expr]`, `[*]` and `.*`.
 *
 * A step into something that is not there (an absent field, an index out of range, a step into a
 * scalar or into MISSING) is a TYPE_ERROR: an error in strict mode, MISSING in permissive mode
 * (the ledger relaxes absent fields, out-of-range indexes and steps into MISSING to MISSING even in
 * strict mode; see EvalOptions.absentFieldIsMissing).
 * Any step into NULL gives MISSING in both modes. `.name` matches case-insensitively unless
 * quoted; a name that matches more than one field is ambiguous (TYPE_ERROR). `[expr]` indexes a
 * list or sexp with an int, or looks a struct field up case-sensitively with a string.
 *
 * `[*]` and `.*` make the path many-valued: the result is a bag of every value reached. Over a
 * non-collection (`[*]`) or non-struct (`.*`) they range over the value itself in permissive mode
 * and are a TYPE_ERROR in strict mode. MISSING results are dropped from the bag.
 */
import { foldedMatch, foldedName } from "./names.ts";
import type { Path, PathStep } from "../ast.ts";
import type { PValue } from "../value.ts";
import { MISSING } from "../value.ts";
import type { Ctx } from "./context.ts";
import type { Env } from "./env.ts";
import { isTypeError, typeError } from "./errors.ts";
import { bagOf, isText, textOf, typeName } from "./values.ts";

export type EvalFn = (e: import("../ast.ts").Expr, env: Env, ctx: Ctx) => PValue;

/** fieldIndex's answer when more than one field answers to the name. */
export const AMBIGUOUS = -2;

/**
 * The position of the field that `name` names among `fields`: one equal to it, or unless
 * `caseSensitive` one equal ignoring case. -1 if none does; AMBIGUOUS if more than one does (a
 * repeated name, or two spellings that fold to it). Reads (stepField) and UPDATE's targets
 * (query/dml.ts) both go by it.
 */
export function fieldIndex(fields: readonly (readonly [string, unknown])[], name: string, caseSensitive: boolean): number {
  // Folded once per name, compared without a string per field (names.ts).
  const f = caseSensitive ? undefined : foldedName(name);
  let found = -1;
  for (let i = 0; i < fields.length; i++) {
    const k = fields[i][0];
    if (k !== name && (f === undefined || !foldedMatch(k, name, f))) continue;
    if (found >= 0) return AMBIGUOUS;
    found = i;
  }
  return found;
}

/**
 * The field `name` of struct `v`; TYPE_ERROR when ambiguous, and — unless `absentIsMissing` — when
 * absent or when `v` is MISSING (with it, absence propagates: `h.data.VIN` of a deleted revision is
 * MISSING).
 */
export function stepField(v: PValue, name: string, caseSensitive: boolean, absentIsMissing = false): PValue {
  if (v.kind === "null") return MISSING;
  if (v.kind === "missing" && absentIsMissing) return MISSING;
  if (v.kind !== "struct") throw typeError(`cannot read field '${name}' of ${typeName(v)}`);
  const i = fieldIndex(v.fields, name, caseSensitive);
  if (i === AMBIGUOUS) throw typeError(`field '${name}' is ambiguous`);
  if (i < 0) {
    if (absentIsMissing) return MISSING;
    throw typeError(`struct has no field '${name}'`);
  }
  return v.fields[i][1];
}

function stepIndex(v: PValue, index: PValue, absentIsMissing: boolean): PValue {
  if (v.kind === "null") return MISSING;
  if (absentIsMissing && (v.kind === "missing" || (index.kind === "int" && (v.kind === "list" || v.kind === "sexp") &&
    (index.value < 0n || index.value >= BigInt(v.items.length))))) {
    return MISSING;
  }
  if (index.kind === "int" && (v.kind === "list" || v.kind === "sexp")) {
    const i = index.value;
    if (i < 0n || i >= BigInt(v.items.length)) throw typeError(`index ${i} is out of range`);
    return v.items[Number(i)];
  }
  if (isText(index) && v.kind === "struct") return stepField(v, textOf(index), true, absentIsMissing);
  throw typeError(`cannot index ${typeName(v)} with ${typeName(index)}`);
}

export function evalPath(p: Path, env: Env, ctx: Ctx, evalExpr: EvalFn): PValue {
  let current = evalExpr(p.root, env, ctx);
  const steps = p.steps;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    if (step.kind === "wildcard" || step.kind === "unpivot") return bagOf(fanOut([current], steps, s, env, ctx, evalExpr));
    current = applyStep(current, step, env, ctx, evalExpr);
  }
  return current;
}

function applyStep(v: PValue, step: PathStep, env: Env, ctx: Ctx, evalExpr: EvalFn): PValue {
  if (step.kind === "field") return stepField(v, step.name, step.caseSensitive, ctx.absentFieldIsMissing);
  if (step.kind === "index") {
    const index = evalExpr(step.index, env, ctx);
    return stepIndex(v, index, ctx.absentFieldIsMissing);
  }
  throw new Error("unreachable");
}

/** Applies steps[from..] to each of `values`, expanding wildcards; drops MISSING. */
function fanOut(values: PValue[], steps: readonly PathStep[], from: number, env: Env, ctx: Ctx, evalExpr: EvalFn): PValue[] {
  let current = values;
  for (let s = from; s < steps.length; s++) {
    const step = steps[s];
    const next: PValue[] = [];
    for (const v of current) {
      if (step.kind === "wildcard") {
        if (v.kind === "list" || v.kind === "bag" || v.kind === "sexp") next.push(...v.items);
        else if (ctx.permissive) next.push(v);
        else throw typeError(`[*] over ${typeName(v)}`, step.span);
      } else if (step.kind === "unpivot") {
        if (v.kind === "struct") for (const f of v.fields) next.push(f[1]);
        else if (ctx.permissive) next.push(v);
        else throw typeError(`.* over ${typeName(v)}`, step.span);
      } else {
        let r: PValue;
        try {
          r = applyStep(v, step, env, ctx, evalExpr);
        } catch (e) {
          if (ctx.permissive && isTypeError(e)) continue;
          throw e;
        }
        next.push(r);
      }
    }
    current = next;
  }
  return current.filter((v) => v.kind !== "missing");
}
