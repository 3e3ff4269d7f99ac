/** COALESCE and NULLIF: the functions that look at NULL and MISSING themselves. */
import { eqValues } from "../compare.ts";
import { NULL } from "../values.ts";
import type { FnDef } from "./types.ts";

export const nullFunctions: Record<string, FnDef> = {
  /** The first argument that is neither NULL nor MISSING; NULL if there is none. */
  coalesce: {
    min: 1, max: Infinity, propagate: false,
    impl: (args) => args.find((a) => a.kind !== "null" && a.kind !== "missing") ?? NULL,
  },
  /** NULL when both arguments are present and equal, else the first argument. */
  nullif: {
    min: 2, max: 2, propagate: false,
    impl: ([a, b]) => {
      if (a.kind === "null" || a.kind === "missing") return a;
      if (b.kind === "null" || b.kind === "missing") return a;
      return eqValues(a, b) ? NULL : a;
    },
  },
};
