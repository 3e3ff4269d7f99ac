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
import { documentIdOf, type PValue } from "../partiql/value.ts";
import { expansionError, MAX_NODES } from "../ion/depth.ts";

/**
 * Values the conversion of one result row or document may still make (limits.maxValueNodes):
 * query values share subtrees (`LET [x, x] AS y` doubles x without copying it), and each Ion
 * value made here is a new object, so a 25-level doubling would make 2^25 of them.
 */
let left = 0;

/**
 * The Ion form of a PartiQL value; undefined for MISSING. A value that holds no bag and no
 * MISSING is already Ion and comes back as it is, so is any part of one: only the containers on
 * the way to a bag or a MISSING are made anew. Every caller either copies what it gets before
 * handing it out (toJS, handOutCopy) or stores it, and the engine never changes a value in
 * place, so sharing is safe. Copying every row's struct and field pairs was 13% of a
 * `SELECT * FROM cars` (20,000 rows, Bun profile, 2026-12-05).
 */
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
      // A copy even when nothing changed: the list must not share the evaluator's array.
      return { kind: "list", items: itemsToIon(v.items) ?? (v.items.slice() as IonValue[]) };
    case "list":
    case "sexp": {
      const items = itemsToIon(v.items);
      if (items === undefined) return v as IonValue;
      return v.annotations === undefined ? { kind: v.kind, items } : { kind: v.kind, items, annotations: v.annotations };
    }
    case "struct": {
      let fields: IonField[] | undefined;
      for (let i = 0; i < v.fields.length; i++) {
        const [name, value] = v.fields[i];
        const ionValue = ionOf(value);
        if (fields === undefined) {
          if (ionValue === value) continue;
          fields = v.fields.slice(0, i) as IonField[];
        }
        if (ionValue !== undefined) fields.push(ionValue === value ? (v.fields[i] as IonField) : [name, ionValue]);
      }
      // A table's row (a LedgerRow, which knows its document) leaves as a plain struct.
      if (fields === undefined) {
        if (documentIdOf(v) === undefined) return v as IonValue;
        fields = v.fields as IonField[];
      }
      return v.annotations === undefined ? { kind: "struct", fields } : { kind: "struct", fields, annotations: v.annotations };
    }
    default:
      return v;
  }
}

/** The Ion forms of `items`, MISSING left out; undefined when that is `items` itself. */
function itemsToIon(items: readonly PValue[]): IonValue[] | undefined {
  let out: IonValue[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const v = ionOf(item);
    if (out === undefined) {
      if (v === item) continue;
      out = items.slice(0, i) as IonValue[];
    }
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
