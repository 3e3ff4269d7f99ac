/** Numeric functions: ABS, MOD, CEIL/CEILING, FLOOR. */
import type { PValue } from "../../value.ts";
import { arith } from "../arith.ts";
import { decAbs, dec, decSetExponent, unscaled } from "../decimal.ts";
import { absInterval, isInterval } from "../temporal.ts";
import { argTypes, type FnDef } from "./types.ts";

function abs(v: PValue): PValue {
  switch (v.kind) {
    case "int": return { kind: "int", value: v.value < 0n ? -v.value : v.value };
    case "float": return { kind: "float", value: Math.abs(v.value) };
    case "decimal": return decAbs(v);
    case "struct": return isInterval(v) ? absInterval(v) : v;
    default: return v;
  }
}

function round(v: PValue, up: boolean): PValue {
  switch (v.kind) {
    case "int": return v;
    case "float": return { kind: "float", value: up ? Math.ceil(v.value) : Math.floor(v.value) };
    case "decimal": {
      if (v.exponent >= 0) return v;
      const t = decSetExponent(v, 0, "down");
      const exact = decSetExponent(t, v.exponent).coefficient === v.coefficient;
      let n = unscaled(t);
      if (!exact) n += up ? (v.negative ? 0n : 1n) : (v.negative ? -1n : 0n);
      return dec(n, 0);
    }
    default: return v;
  }
}

export const numericFunctions: Record<string, FnDef> = {
  abs: {
    min: 1, max: 1,
    check: (args, call) => { if (!isInterval(args[0])) argTypes("number")(args, call); },
    impl: ([v]) => abs(v),
  },
  mod: { min: 2, max: 2, check: argTypes("number", "number"), impl: ([a, b]) => arith("%", a, b) },
  ceil: { min: 1, max: 1, check: argTypes("number"), impl: ([v]) => round(v, true) },
  ceiling: { min: 1, max: 1, check: argTypes("number"), impl: ([v]) => round(v, true) },
  floor: { min: 1, max: 1, check: argTypes("number"), impl: ([v]) => round(v, false) },
};
