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

/** The Ion form of a PartiQL value; undefined for MISSING. */
export function toIon(v: PValue): IonValue | undefined {
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
        const ionValue = toIon(value);
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
    const v = toIon(item);
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
  if (v.kind === "bag" || (v.kind === "list" && v.annotations === undefined)) return itemsToIon(v.items);
  const one = toIon(v);
  return one === undefined ? [] : [one];
}
