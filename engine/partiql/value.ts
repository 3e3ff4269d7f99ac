/**
 * PartiQL's values: every Ion value, plus MISSING (the absence of a value, distinct from NULL)
 * and bags (unordered collections with duplicates). A list or struct may hold bags and MISSING
 * while a query runs; only Ion values are ever stored in the ledger.
 *
 * IonValue is a subtype of PValue, so documents read from the ledger are PartiQL values as they
 * are, with no conversion.
 */
import type {
  IonBlob, IonBool, IonClob, IonDecimal, IonFloat, IonInt, IonNull, IonString, IonSymbol, IonTimestamp,
} from "../ion/value.ts";

export type PScalar =
  | IonNull | IonBool | IonInt | IonFloat | IonDecimal | IonTimestamp | IonSymbol | IonString | IonClob | IonBlob;

export interface PMissing {
  readonly kind: "missing";
  readonly annotations?: undefined;
}

interface Annotated {
  readonly annotations?: readonly string[];
}

export interface PList extends Annotated {
  readonly kind: "list";
  readonly items: readonly PValue[];
}
export interface PSexp extends Annotated {
  readonly kind: "sexp";
  readonly items: readonly PValue[];
}
export interface PBag {
  readonly kind: "bag";
  readonly items: readonly PValue[];
  readonly annotations?: undefined;
}
export interface PStruct extends Annotated {
  readonly kind: "struct";
  readonly fields: readonly (readonly [name: string, value: PValue])[];
}

export type PValue = PScalar | PMissing | PList | PSexp | PBag | PStruct;

export const MISSING: PMissing = Object.freeze({ kind: "missing" }) as PMissing;

export function bag(items: readonly PValue[]): PBag {
  return { kind: "bag", items };
}

/** True for NULL of any type, and for MISSING (SQL's "absent" values). */
export function isAbsent(v: PValue): boolean {
  return v.kind === "null" || v.kind === "missing";
}

/**
 * A row of a ledger table: a struct that knows its document's id, for `FROM t AS a BY id`. The
 * id is a private field, so anything made from the row (a spread, a projection) is not the
 * document. A class rather than a WeakMap from row to id: registering every row of a scan in a
 * WeakMap was 16% of a full-table scan's time (bench query.scan, 20,000 rows).
 */
class LedgerRow implements PStruct {
  readonly kind = "struct" as const;
  readonly #id: string;
  constructor(readonly fields: PStruct["fields"], id: string) {
    this.#id = id;
  }
  get documentId(): string {
    return this.#id;
  }
}

/** A ledger row with these fields, belonging to document `id`. */
export function documentRow(fields: PStruct["fields"], id: string): PStruct {
  return new LedgerRow(fields, id);
}

/** The document id of a ledger row, if `v` is one. */
export function documentIdOf(v: PValue): string | undefined {
  return v instanceof LedgerRow ? v.documentId : undefined;
}
