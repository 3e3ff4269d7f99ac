/**
 * The ledger's views as PartiQL values, read through a transaction (so every view is a recorded
 * read for conflict detection):
 *
 * - user view `t`: the current data of each live document (a row knows its document id, for BY);
 * - committed view `_ql_committed_t`: `{blockAddress, hash, data, metadata}` per live document;
 * - `history(t [, start [, end]])`: every revision active in the inclusive window, deletes
 *   included (a delete's revision has metadata and no data); `t` may be a dropped table's id;
 * - `information_schema.user_tables`: `{name, tableId, status, indexes}` per table.
 */
import { ion } from "../ion/value.ts";
import type { IonTimestamp } from "../ion/value.ts";
import { revisionToIon } from "../ledger/block-codec.ts";
import { epochMillisOf } from "../ledger/clock.ts";
import type { Revision } from "../ledger/types.ts";
import { tableDefToIon } from "../catalog/catalog.ts";
import { sharedReads, type Transaction } from "../txn/transaction.ts";
import { bag, documentRow, type PBag, type PStruct } from "../partiql/value.ts";

export const COMMITTED_PREFIX = "_ql_committed_";

/** Rows of the user view of `table`, each registered with its document id. */
export function userRows(rows: readonly { id: string; data: PStruct }[]): PBag {
  return bag(rows.map((r) => documentRow(r.data.fields, r.id)));
}

export async function userView(tx: Transaction, table: string): Promise<PBag> {
  return userRows(await sharedReads.scanShared(tx, table));
}

export async function committedView(tx: Transaction, table: string): Promise<PBag> {
  return committedRows(await sharedReads.scanCommittedShared(tx, table));
}

/** The committed view's rows for the documents among `ids` (a `c.metadata.id = ?` plan). */
export async function committedRowsOf(tx: Transaction, table: string, ids: readonly string[]): Promise<PBag> {
  return committedRows(await sharedReads.committedAmongShared(tx, table, ids));
}

/** Committed-view rows: each revision's QLDB struct, registered with its document id. */
function committedRows(revisions: readonly Revision[]): PBag {
  return bag(revisions.map((r) => documentRow(revisionToIon(withOwnHash(r)).fields, r.metadata.id)));
}

export async function informationSchema(tx: Transaction): Promise<PStruct> {
  const tables = await sharedReads.tablesShared(tx);
  return ion.struct([["user_tables", ion.list(tables.map(tableDefToIon))]]) as PStruct & { fields: never };
}

/**
 * QLDB's history function. A revision is active from its txTime until the next revision of the
 * same document; it is returned when that span meets the inclusive window [start, end].
 */
export async function historyView(tx: Transaction, table: string, start?: IonTimestamp, end?: IonTimestamp): Promise<PBag> {
  const revisions = await sharedReads.tableHistoryShared(tx, table);
  const from = start === undefined ? -Infinity : epochMillisOf(start);
  const to = end === undefined ? Infinity : epochMillisOf(end);
  const next = new Map<string, number>();
  const rows: PStruct[] = [];
  for (let i = revisions.length - 1; i >= 0; i--) {
    const r: Revision = revisions[i];
    const begins = epochMillisOf(r.metadata.txTime);
    const ends = next.get(r.metadata.id) ?? Infinity;
    next.set(r.metadata.id, begins);
    if (begins <= to && ends > from) rows.push(revisionToIon(withOwnHash(r)));
  }
  return bag(rows.reverse());
}

/** The revision with a copy of its hash, so a row's `hash` blob is not the store's own bytes. */
function withOwnHash(r: Revision): Revision {
  // Field by field, not a spread: a stored revision's data is a getter (txn/store.ts).
  return { blockAddress: r.blockAddress, hash: r.hash.slice(), data: r.data, metadata: r.metadata };
}
