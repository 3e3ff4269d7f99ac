/**
 * What every block Quire writes keeps about tables, checked block by block where blocks come from
 * the journal (replay on open, and `ledger.verify()`), since nothing else stops a journal edited
 * with its checksums and hashes recomputed from breaking it:
 *
 * - a document stays in the table of its first revision, and appears at most once in a block;
 * - a catalog document (table `information_schema.user_tables`) is a table definition whose
 *   tableId is its own document id, and is never deleted (DROP TABLE writes status INACTIVE);
 * - a table keeps the name it was created with (Quire has no rename), and every
 *   transactionInfo.documents entry names its document's table by that name;
 * - no two active tables share a name;
 * - a document's table is one the catalog defines, by the end of the block that writes it (a
 *   transaction may create a table and write into it, or write into one and drop it).
 *
 * Without them a definition naming the system table made the next insert throw inside the
 * commit path after its write (an unopenable ledger), a definition naming another table's id made
 * the two one table (DELETE FROM b deleted a's documents), and a document moved between tables
 * was found through one table's index and scanned in the other's.
 */
import { SYSTEM_TABLE_ID, SYSTEM_TABLE_NAME, type TableDef, tableDefFromIon } from "../catalog/catalog.ts";
import type { Block } from "../ledger/types.ts";

/**
 * A revision's table. Entries read from a block's transactionInfo also carry the tableName it
 * gives, which is then checked.
 */
interface RevisionTable {
  readonly tableId: string;
  readonly tableName?: string;
}

/** Each revision's table, in revision order or by document id (Store.apply's `tables`). */
export type RevisionTables = ReadonlyMap<string, RevisionTable> | readonly RevisionTable[];

/** Revision `i`'s (document `id`'s) entry in `tables`, if it has one. */
function tableEntry(tables: RevisionTables, i: number, id: string): RevisionTable | undefined {
  return Array.isArray(tables) ? (tables as readonly RevisionTable[])[i] : (tables as ReadonlyMap<string, RevisionTable>).get(id);
}

export class TableRules {
  private readonly defs = new Map<string, TableDef>();
  /** Each active table's name, and its tableId. */
  private readonly activeNames = new Map<string, string>();
  private readonly ownTables = new Map<string, string>();

  /**
   * `tableOf` gives the table a document's earlier revisions are in (the store's, on replay);
   * without it the rules keep their own map.
   */
  constructor(private readonly tableOf?: (documentId: string) => string | undefined) {}

  /** The first rule `block` breaks, or undefined; the rules then take the block as read. */
  check(block: Block, tables: RevisionTables): string | undefined {
    const revisions = block.revisions;
    const seen = revisions.length > 1 ? new Set<string>() : undefined;
    let catalog: TableDef[] | undefined;
    for (let i = 0; i < revisions.length; i++) {
      const r = revisions[i];
      const id = r.metadata.id;
      const tableId = tableEntry(tables, i, id)?.tableId;
      if (tableId === undefined) return `revision ${id} has no table`;
      if (seen !== undefined) {
        if (seen.has(id)) return `document ${id} has two revisions in one block`;
        seen.add(id);
      }
      const before = this.tableOf !== undefined ? this.tableOf(id) : this.ownTables.get(id);
      if (before !== undefined && before !== tableId) return `document ${id} moves from table ${before} to table ${tableId}`;
      if (tableId !== SYSTEM_TABLE_ID) continue;
      if (r.data === undefined) return `table definition ${id} is deleted`;
      let def: TableDef;
      try {
        def = tableDefFromIon(r.data);
      } catch {
        return `catalog document ${id} is not a table definition`;
      }
      if (def.tableId !== id) return `catalog document ${id} defines table ${def.tableId}`;
      (catalog ??= []).push(def);
    }
    if (catalog !== undefined) {
      // Names given up first, then names taken, so the order of a block's definitions does not
      // matter; only the tables the block changes are looked at (a pass over every table on each
      // catalog block made opening 10,000 tables take 9 s instead of 0.6 s).
      for (const def of catalog) {
        const old = this.defs.get(def.tableId);
        if (old !== undefined && old.name !== def.name) return `table ${def.tableId} is renamed from ${old.name} to ${def.name}`;
        if (old?.status === "ACTIVE" && this.activeNames.get(old.name) === def.tableId) this.activeNames.delete(old.name);
        this.defs.set(def.tableId, def);
      }
      for (const def of catalog) {
        if (def.status !== "ACTIVE") continue;
        const holder = this.activeNames.get(def.name);
        if (holder !== undefined && holder !== def.tableId) return `two active tables are named ${def.name}`;
        this.activeNames.set(def.name, def.tableId);
      }
    }
    for (let i = 0; i < revisions.length; i++) {
      const id = revisions[i].metadata.id;
      // Every revision has its entry: the first loop returned otherwise.
      const entry = tableEntry(tables, i, id)!;
      const tableId = entry.tableId;
      const def = this.defs.get(tableId);
      if (tableId !== SYSTEM_TABLE_ID && def === undefined) return `document ${id} is in table ${tableId}, which no table definition names`;
      const name = tableId === SYSTEM_TABLE_ID ? SYSTEM_TABLE_NAME : def!.name;
      if (entry.tableName !== undefined && entry.tableName !== name) return `document ${id} is listed in table ${entry.tableName}, but table ${tableId} is named ${name}`;
      if (this.tableOf === undefined) this.ownTables.set(id, tableId);
    }
    return undefined;
  }
}
