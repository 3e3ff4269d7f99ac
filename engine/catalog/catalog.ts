/**
 * Tables and indexes are themselves documents, journaled like any other: each table is one
 * document of the system table `information_schema.user_tables`, whose id is the tableId and whose
 * data is QLDB's shape, `{name, tableId, status: "ACTIVE" | "INACTIVE", indexes: [{indexId, expr, status}]}`.
 * So CREATE / DROP / UNDROP TABLE and CREATE INDEX are revisions with hashes and proofs, and the
 * catalog at any block is derived by replaying the journal.
 */
import { LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import type { IonStruct, IonValue } from "../ion/value.ts";
import { getField, ion } from "../ion/value.ts";

export const SYSTEM_TABLE_ID = "information_schema.user_tables";
export const SYSTEM_TABLE_NAME = "information_schema.user_tables";

export type TableStatus = "ACTIVE" | "INACTIVE";

export interface IndexDef {
  readonly indexId: string;
  /** The indexed top-level field, e.g. `VIN` (QLDB writes expr as `[VIN]`). */
  readonly field: string;
}

export interface TableDef {
  readonly tableId: string;
  readonly name: string;
  readonly status: TableStatus;
  readonly indexes: readonly IndexDef[];
}

export function tableDefToIon(t: TableDef): IonStruct {
  return ion.struct([
    ["name", ion.string(t.name)],
    ["tableId", ion.string(t.tableId)],
    ["status", ion.string(t.status)],
    [
      "indexes",
      ion.list(t.indexes.map((ix) =>
        ion.struct([
          ["indexId", ion.string(ix.indexId)],
          ["expr", ion.string(`[${ix.field}]`)],
          ["status", ion.string("ONLINE")],
        ])
      )),
    ],
  ]);
}

function text(v: IonValue | undefined): string | undefined {
  return v !== undefined && v.kind === "string" ? v.value : undefined;
}

export function tableDefFromIon(s: IonStruct): TableDef {
  const name = text(getField(s, "name"));
  const tableId = text(getField(s, "tableId"));
  const status = text(getField(s, "status"));
  const indexes = getField(s, "indexes");
  if (name === undefined || tableId === undefined || (status !== "ACTIVE" && status !== "INACTIVE")) {
    throw new LedgerError("JOURNAL_CORRUPT", "a catalog document does not have the shape of a table definition");
  }
  const defs: IndexDef[] = [];
  if (indexes !== undefined && indexes.kind === "list") {
    for (const ix of indexes.items) {
      if (ix.kind !== "struct") continue;
      const indexId = text(getField(ix, "indexId"));
      const expr = text(getField(ix, "expr"));
      if (indexId !== undefined && expr !== undefined) defs.push({ indexId, field: expr.replace(/^\[(.*)\]$/, "$1") });
    }
  }
  return { name, tableId, status, indexes: defs };
}

/** QLDB's table name rule: a letter or underscore, then letters, digits and underscores. */
export function checkTableName(name: unknown): string {
  if (typeof name !== "string") throw new LedgerError("INVALID_ARGUMENT", `a table name must be a string, not ${typeof name}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new LedgerError("INVALID_ARGUMENT", `invalid table name ${JSON.stringify(name)}: use letters, digits and _`, { name });
  }
  if (name.length > limits.maxTableNameLength) {
    throw new LedgerError("LIMIT_EXCEEDED", `table name longer than ${limits.maxTableNameLength} characters`, { name });
  }
  // Names the query layer resolves to system views: a table so named would hide the view (or
  // be hidden by it), e.g. `_ql_committed_cars` for cars' committed view.
  const lower = name.toLowerCase();
  if (lower.startsWith("_ql_") || lower === "information_schema") {
    throw new LedgerError("INVALID_ARGUMENT", `table name ${name} is reserved: names starting with _ql_ and information_schema name system views`, { name });
  }
  return name;
}

/** Index fields: a top-level field name. */
export function checkFieldName(field: unknown): string {
  if (typeof field !== "string" || field.length === 0 || field.length > 128) {
    throw new LedgerError("INVALID_ARGUMENT", "an index field must be a non-empty top-level field name", { field });
  }
  return field;
}
