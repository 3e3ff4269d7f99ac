/** The shape of a built-in function, and argument type checks shared by the families. */
import type { Call } from "../../ast.ts";
import type { PValue } from "../../value.ts";
import type { Ctx } from "../context.ts";
import { typeError } from "../errors.ts";
import { isNumeric, isText, typeName } from "../values.ts";

export interface FnDef {
  /** Least and most arguments accepted. */
  readonly min: number;
  readonly max: number;
  /**
   * When true (the default), MISSING in any argument gives MISSING and otherwise NULL in any
   * argument gives NULL, before `impl` runs. Functions with their own rules set false.
   */
  readonly propagate?: boolean;
  /** Runs before propagation: throws TYPE_ERROR for a non-absent argument of the wrong type. */
  readonly check?: (args: PValue[], call: Call) => void;
  readonly impl: (args: PValue[], ctx: Ctx, call: Call) => PValue;
}

export type ArgType = "text" | "int" | "number" | "timestamp" | "any";

function matches(v: PValue, t: ArgType): boolean {
  switch (t) {
    case "text": return isText(v);
    case "int": return v.kind === "int";
    case "number": return isNumeric(v);
    case "timestamp": return v.kind === "timestamp";
    case "any": return true;
  }
}

/** A check that argument i (when present and not NULL/MISSING) has type types[i]. */
export function argTypes(...types: ArgType[]): (args: PValue[], call: Call) => void {
  return (args, call) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const t = types[Math.min(i, types.length - 1)];
      if (a.kind === "null" || a.kind === "missing") continue;
      if (!matches(a, t)) {
        throw typeError(`${call.name.toUpperCase()} argument ${i + 1} must be ${t}, got ${typeName(a)}`, call.span);
      }
    }
  };
}
