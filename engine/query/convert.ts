/**
 * Crossing between PartiQL values (which may hold bags and MISSING while a query runs) and the
 * Ion values the ledger stores and returns.
 *
 * To Ion: a bag becomes a list (Ion has no bag; QLDB returns bags as lists too); a MISSING struct
 * field or collection element is left out (it is the absence of a value). A document must be a
 * struct.
 */
import { LedgerError } from "../errors.ts";
import type { IonField, IonStruct, IonValue } from "../ion/value.ts";
import type { PValue } from "../partiql/value.ts";
import { expansionError, MAX_NODES } from "../ion/depth.ts";

/**
 * Values the conversion of one result row or document may still make (limits.maxValueNodes):
 * query values share subtrees (`LET [x, x] AS y` doubles x without copying it), and each Ion
 * value made here is a new object, so a 25-level doubling would make 2^25 of them.
 */
let left = 0;

/** The Ion form of a PartiQL value; undefined for MISSING. */
export function toIon(v: PValue): IonValue | undefined {
  left = MAX_NODES;
  return ionOf(v);
}

function ionOf(v: PValue): IonValue | undefined {
  if (--left < 0) throw expansionError();
  switch (v.kind) {
    case "missing":
      return undefined;
    case "bag":
      return { kind: "list", items: itemsToIon(v.items) };
    case "list":
    case "sexp": {
      const items = itemsToIon(v.items);
      return v.annotations === undefined ? { kind: v.kind, items } : { kind: v.kind, items, annotations: v.annotations };
    }
    case "struct": {
      const fields: IonField[] = [];
      for (const [name, value] of v.fields) {
        const ionValue = ionOf(value);
        if (ionValue !== undefined) fields.push([name, ionValue]);
      }
      return v.annotations === undefined ? { kind: "struct", fields } : { kind: "struct", fields, annotations: v.annotations };
    }
    default:
      return v;
  }
}

function itemsToIon(items: readonly PValue[]): IonValue[] {
  const out: IonValue[] = [];
  for (const item of items) {
    const v = ionOf(item);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** A value to be stored as a document. */
export function toDocument(v: PValue, what: string): IonStruct {
  const ionValue = toIon(v);
  if (ionValue === undefined || ionValue.kind !== "struct") {
    throw new LedgerError("TYPE_ERROR", `${what} must be a struct (a document), not ${ionValue === undefined ? "MISSING" : ionValue.kind}`, {
      path: what,
    });
  }
  return ionValue;
}

/** The rows of a statement's result: the elements of a bag or list, or the value itself. */
export function resultRows(v: PValue): IonValue[] {
  if (v.kind === "bag" || (v.kind === "list" && v.annotations === undefined)) {
    // Each row is bounded on its own: a result may hold many rows, each within the limit.
    const rows: IonValue[] = [];
    for (const item of v.items) {
      const row = toIon(item);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }
  const one = toIon(v);
  return one === undefined ? [] : [one];
}
