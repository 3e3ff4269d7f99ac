/**
 * Ion shared symbol tables: a named, versioned list of symbol texts that a stream imports
 * instead of spelling them out in its local symbol table (Ion 1.0 "Symbols", imports).
 *
 * A stream that imports `{name, version, max_id}` gives the table's first `max_id` texts the
 * SIDs right after the system symbols (10 onwards), and its own local symbols the SIDs after
 * those. A reader needs the same table (by name and version) in its catalog to know the texts.
 */

export interface SharedSymbolTable {
  readonly name: string;
  readonly version: number;
  /** Texts in SID order; no duplicates. */
  readonly symbols: readonly string[];
}

/** The shared tables a reader resolves imports against. */
export type SymbolCatalog = readonly SharedSymbolTable[];

/** A shared table, checked: a name, a positive version, distinct texts. */
export function sharedSymbolTable(name: string, version: number, symbols: readonly string[]): SharedSymbolTable {
  if (name.length === 0 || !Number.isSafeInteger(version) || version < 1) {
    throw new Error(`a shared symbol table needs a name and a version >= 1 (got ${JSON.stringify(name)} v${version})`);
  }
  if (new Set(symbols).size !== symbols.length) throw new Error(`shared symbol table ${name} repeats a symbol`);
  return Object.freeze({ name, version, symbols: Object.freeze([...symbols]) });
}
