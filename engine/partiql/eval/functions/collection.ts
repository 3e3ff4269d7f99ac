/** EXISTS, SIZE and CARDINALITY on collections and structs. */
import type { PValue } from "../../value.ts";
import { typeError } from "../errors.ts";
import { bool, int, typeName } from "../values.ts";
import type { FnDef } from "./types.ts";

function count(v: PValue, fn: string): number {
  if (v.kind === "list" || v.kind === "bag" || v.kind === "sexp") return v.items.length;
  if (v.kind === "struct") return v.fields.length;
  throw typeError(`${fn} needs a collection or struct, got ${typeName(v)}`);
}

const check = (fn: string) => ([v]: PValue[]) => {
  if (v.kind !== "null" && v.kind !== "missing") count(v, fn);
};

export const collectionFunctions: Record<string, FnDef> = {
  exists: { min: 1, max: 1, check: check("EXISTS"), impl: ([v]) => bool(count(v, "EXISTS") > 0) },
  size: { min: 1, max: 1, check: check("SIZE"), impl: ([v]) => int(count(v, "SIZE")) },
  cardinality: { min: 1, max: 1, check: check("CARDINALITY"), impl: ([v]) => int(count(v, "CARDINALITY")) },
};
