/**
 * The built-in function registry and the call protocol: arity check, argument type check (a
 * non-absent argument of the wrong type is a TYPE_ERROR even when another is NULL), then
 * NULL/MISSING propagation (MISSING wins), then the implementation.
 */
import { LedgerError } from "../../../errors.ts";
import type { Call } from "../../ast.ts";
import type { PValue } from "../../value.ts";
import { MISSING } from "../../value.ts";
import type { Ctx } from "../context.ts";
import { NULL } from "../values.ts";
import { aggregateFunctions } from "./aggregate.ts";
import { collectionFunctions } from "./collection.ts";
import { datetimeFunctions } from "./datetime.ts";
import { nullFunctions } from "./nulls.ts";
import { numericFunctions } from "./numeric.ts";
import { stringFunctions } from "./string.ts";
import type { FnDef } from "./types.ts";

const registry: Record<string, FnDef> = {
  ...stringFunctions,
  ...numericFunctions,
  ...collectionFunctions,
  ...aggregateFunctions,
  ...datetimeFunctions,
  ...nullFunctions,
};

/** Names of every built-in function. */
export const functionNames: readonly string[] = Object.keys(registry);

export function callFunction(call: Call, args: PValue[], ctx: Ctx): PValue {
  // Own properties only: `constructor` or `__proto__` would otherwise find Object.prototype's.
  const def = Object.hasOwn(registry, call.name) ? registry[call.name] : undefined;
  if (!def) {
    throw new LedgerError("FUNCTION_NOT_FOUND", `no function named ${call.name.toUpperCase()}`, { name: call.name, span: call.span });
  }
  if (args.length < def.min || args.length > def.max) {
    throw new LedgerError(
      "FUNCTION_NOT_FOUND",
      `${call.name.toUpperCase()} takes ${def.min === def.max ? def.min : `${def.min} to ${def.max}`} arguments, got ${args.length}`,
      { name: call.name, span: call.span },
    );
  }
  if (def.check) def.check(args, call);
  if (def.propagate !== false) {
    let sawNull = false;
    for (const a of args) {
      if (a.kind === "missing") return MISSING;
      if (a.kind === "null") sawNull = true;
    }
    if (sawNull) return NULL;
  }
  return def.impl(args, ctx, call);
}
