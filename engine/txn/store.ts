/**
 * The committed state, derived from the journal: every revision of every document, kept as
 * per-document version chains so that any snapshot (a block sequence number) can be read while
 * later blocks are published. Also the per-table document lists and the secondary indexes.
 *
 * Nothing here is changed except by `apply(block)`, which the committer calls only after the
 * block is durable ("durable before visible"), and by replay on open.
 *
 * Index maps hold every key any revision of a document ever had, so a lookup at any snapshot
 * finds a superset of candidates and filters them by the value visible at that snapshot.
 *
 * A revision a later one replaced is packed (kept as its Ion binary encoding) once every running
 * snapshot sees the later one: the committer asks for it after publishing (packSuperseded with
 * the oldest running snapshot), and replay on open packs as it goes (StoredRevisionRecord).
 */
import { decodeBinary } from "../ion/binary-read.ts";
import { encodeBinary } from "../ion/binary-write.ts";
import { handOut } from "../ion/js.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { getField } from "../ion/value.ts";
import { documentTables } from "../ledger/block-codec.ts";
import { clockMillisOf, timestampAtMillis } from "../ledger/clock.ts";
import type { Block, Revision } from "../ledger/types.ts";
import { BlockDirectory, type BlockLoader, type BlockLocation } from "./block-directory.ts";
import { SYSTEM_TABLE_ID, type TableDef, tableDefFromIon } from "../catalog/catalog.ts";
import { indexKeysOf } from "../catalog/index-key.ts";
import { CLASS_ORDER, type KeyClass, keyClass, type KeyRange, rangeMustVisit, SortedKeys } from "../catalog/index-order.ts";

export interface StoredRevision extends Revision {
  /** Its block's sequence number: blockAddress.sequenceNo, without making the address. */
  readonly sequenceNo: number;
  /** metadata.version, without making the metadata. */
  readonly version: number;
  readonly tableId: string;
  /** Position of the revision inside its block. */
  readonly index: number;
}

/**
 * A stored revision. Its data is kept as the struct while some running transaction may read it
 * at its snapshot. Once a later revision of the document is visible to every running snapshot,
 * only history reads reach it (history(), getRevision, CREATE INDEX over old revisions), and it
 * is kept packed, as its Ion binary encoding, and decoded on each read (`Store.packSuperseded`).
 * A superseded car of six fields held 1,019 bytes of heap as a struct (bun:jsc, 100,000
 * revisions of 5,000 documents), 368 in all once packed (Deno, counting memory outside its
 * heap: 1,391 and 549). With its hash flat in the block directory and its metadata kept as
 * fields (below), an update of a car leaves 836 bytes in all under Bun and 501 under Deno, its
 * block's share of the directory and the digest tree included (60,000 updates of 20,000 cars,
 * commits a millisecond apart; 1,202 and 1,397 before both). A revision mostly made of long
 * strings stays a struct (packingPays): those are usually shared with the revision that
 * replaced it.
 *
 * `data`, `hash`, `metadata` and `blockAddress` are getters on the prototype: a spread of a
 * stored revision drops them (copy fields one by one, as ledger/copy.ts does). The hash is read
 * from the block directory, where it lies flat; metadata and address are made on each read from
 * the fields they hold (a heap snapshot of Bun put the two objects at 128 of the 574 bytes it
 * could attribute to an update of a car), and are the reader's own.
 */
class StoredRevisionRecord implements StoredRevision {
  /** Where the hash lies (BlockDirectory.revisionHash): a reference in place of an array per revision. */
  readonly #blocks: BlockDirectory;
  /**
   * The data as a struct, or once packed the arena chunk holding its encoding (PackArena), at
   * `#at`. One slot for both, and offset and length in one number: every revision has these
   * fields, and most are never packed.
   */
  #kept: IonStruct | Uint8Array | undefined;
  /** offset × 2^24 + length of the encoding in the chunk (length < 2^24: maxDocumentBytes). */
  #at = 0;

  readonly #id: string;
  readonly version: number;
  /**
   * The txTime as epoch milliseconds when the clock made it (nearly always: ledger/clock.ts's
   * clockMillisOf), made again on read; otherwise the timestamp itself. An object per distinct
   * millisecond cost 112 bytes under Bun.
   */
  readonly #txTime: IonTimestamp | number;
  readonly #txId: string;

  constructor(
    readonly sequenceNo: number,
    blocks: BlockDirectory,
    metadata: Revision["metadata"],
    readonly tableId: string,
    readonly index: number,
    data: IonStruct | undefined,
  ) {
    this.#blocks = blocks;
    this.#id = metadata.id;
    this.version = metadata.version;
    this.#txTime = clockMillisOf(metadata.txTime) ?? metadata.txTime;
    this.#txId = metadata.txId;
    this.#kept = data;
  }

  get blockAddress(): Revision["blockAddress"] {
    return { strandId: this.#blocks.strandId, sequenceNo: this.sequenceNo };
  }

  get metadata(): Revision["metadata"] {
    const t = this.#txTime;
    return { id: this.#id, version: this.version, txTime: typeof t === "number" ? timestampAtMillis(t) : t, txId: this.#txId };
  }

  /** The revision's hash: a view into the block directory, never to be written to (copy what is handed out). */
  get hash(): Uint8Array {
    return this.#blocks.revisionHash(this.sequenceNo, this.index);
  }

  get data(): IonStruct | undefined {
    const k = this.#kept;
    if (!(k instanceof Uint8Array)) return k;
    const offset = Math.floor(this.#at / LENGTH_SPAN);
    // The encoding is the engine's own, made from a stored struct: it decodes to one.
    return handOut(decodeBinary(k.subarray(offset, offset + (this.#at % LENGTH_SPAN)))[0] as IonStruct);
  }

  /** Whether the data is kept as its encoding (for tests). */
  get packed(): boolean {
    return this.#kept instanceof Uint8Array;
  }

  /** Keeps the data as its encoding from now on (see the class comment), unless that costs more (packingPays). */
  pack(arena: PackArena): void {
    const d = this.#kept;
    if (d === undefined || d instanceof Uint8Array || !packingPays(d)) return;
    let packed: Uint8Array;
    try {
      packed = encodeBinary(d);
    } catch {
      // Never expected (the block encoder wrote this struct already), but pack runs in the
      // committer's prune after a durable publish and in replay: a throw there would leave commits
      // unresolved or refuse the open. Kept as a struct instead.
      return;
    }
    // A document's encoding is below maxDocumentBytes (8 MiB), so its length fits #at's 24 bits.
    if (packed.length >= LENGTH_SPAN) return;
    const offset = arena.place(packed);
    this.#at = offset * LENGTH_SPAN + packed.length;
    this.#kept = arena.chunk;
  }
}

/** #at's unit for the offset: lengths take the 24 bits below it. */
const LENGTH_SPAN = 2 ** 24;

/** Size of a PackArena chunk; an encoding of more than a quarter of it keeps its own array. */
const ARENA_CHUNK_BYTES = 64 * 1024;

/**
 * Where packed revisions' encodings live: chunks filled in turn, each encoding a range of one.
 * An array of its own per revision cost a packed car (101 bytes of encoding) 24 more bytes of
 * heap under Bun and 182 more under Deno, where every array buffer has a backing store outside
 * the heap (424 and 731 bytes per replaced revision, against 368 and 549 in chunks, the
 * record's own fields merged as they are now).
 */
export class PackArena {
  /**
   * The array the last `place` copied into, or for an encoding of more than a quarter chunk the
   * encoding itself.
   */
  chunk: Uint8Array = new Uint8Array(0);
  /** The chunk small encodings are copied into, and how much of it they fill. */
  private filling: Uint8Array = new Uint8Array(0);
  private used = 0;

  /** Puts `bytes` in an array (then `chunk`) and returns their offset in it. */
  place(bytes: Uint8Array): number {
    if (bytes.length > ARENA_CHUNK_BYTES / 4) {
      // Kept as it is (encodeBinary's output, exactly its length), and the chunk being filled
      // stays open to the next small encoding: giving it up cost a 64 KiB chunk for every small
      // revision packed between two large ones.
      this.chunk = bytes;
      return 0;
    }
    if (this.used + bytes.length > this.filling.length) {
      this.filling = new Uint8Array(ARENA_CHUNK_BYTES);
      this.used = 0;
    }
    const at = this.used;
    this.filling.set(bytes, at);
    this.used += bytes.length;
    this.chunk = this.filling;
    return at;
  }
}

/** Heap a stored struct takes per value as objects, roughly (a superseded 7-value car: 1,019 bytes). */
const STRUCT_BYTES_PER_VALUE = 100;
/** Strings at least this long count as text that may be shared; shorter ones as structure. */
const LONG_STRING = 64;

/**
 * Whether packing `data` saves memory even when its long strings are shared with other revisions.
 * An UPDATE of one field hands the new revision the other fields' values by reference (a string
 * is the same JS string in every revision), so packing wrote a long string into the encoding of
 * every replaced revision: a 200,000-character text updated 300 times grew the heap by ~50 MB
 * instead of ~3 MB. A revision stays a struct when its long strings hold more characters than its
 * objects take bytes.
 */
function packingPays(data: IonStruct): boolean {
  let values = 0, longChars = 0;
  const stack: IonValue[] = [data];
  while (stack.length > 0) {
    const v = stack.pop()!;
    values++;
    switch (v.kind) {
      case "string":
        if (v.value.length >= LONG_STRING) longChars += v.value.length;
        break;
      case "symbol":
        if (v.text !== null && v.text.length >= LONG_STRING) longChars += v.text.length;
        break;
      case "list":
      case "sexp":
        for (let i = 0; i < v.items.length; i++) stack.push(v.items[i]);
        break;
      case "struct":
        for (let i = 0; i < v.fields.length; i++) {
          const f = v.fields[i];
          if (f[0].length >= LONG_STRING) longChars += f[0].length;
          stack.push(f[1]);
        }
        break;
    }
  }
  return longChars <= values * STRUCT_BYTES_PER_VALUE;
}

export interface DocumentChain {
  readonly id: string;
  readonly tableId: string;
  readonly revisions: StoredRevision[];
}

/**
 * The documents that ever had one key: the id itself while it is the only one (most keys of a
 * unique field such as a VIN), a Set from the second on. A Set per key was 50,000 of the 2.66M
 * objects of a reopened 50,000-document table indexed on VIN.
 */
type KeyIds = string | Set<string>;

/** One secondary index: key -> documents that ever had it, and its orderable keys in order. */
interface FieldIndex {
  readonly keys: Map<string, KeyIds>;
  readonly sorted: SortedKeys;
  /** Keys `<` cannot order (NULL, MISSING, NaN, lobs, containers). */
  readonly unordered: Set<string>;
}

/** An index read in key order, for ORDER BY … LIMIT. */
export interface OrderedIndex {
  /** Orderable keys in PartiQL's order, ascending or descending. */
  readonly keys: readonly string[];
  /** Keys outside that order; their documents are always candidates. */
  readonly unordered: readonly string[];
  idsOf(key: string): Iterable<string>;
}

interface TableState {
  /** Document ids in order of first appearance. */
  readonly docIds: string[];
  /** The documents' chains, in the same order: a scan reads them without a lookup per id. */
  readonly chains: DocumentChain[];
  /** field -> its index. */
  readonly indexes: Map<string, FieldIndex>;
}

/** The revision of `chain` visible at `snapshot`, or undefined if the document did not exist yet. */
export function visibleRevision(chain: DocumentChain, snapshot: number): StoredRevision | undefined {
  const revs = chain.revisions;
  for (let i = revs.length - 1; i >= 0; i--) {
    if (revs[i].sequenceNo <= snapshot) return revs[i];
  }
  return undefined;
}

export class Store {
  /** The published blocks: where each lies in the journal, the newest whole (block-directory.ts). */
  readonly blocks: BlockDirectory;
  readonly docs = new Map<string, DocumentChain>();
  private readonly tables = new Map<string, TableState>();
  private readonly tableDefs = new WeakMap<IonStruct, TableDef>();
  private catalogCache?: { readonly snapshot: number; readonly defs: readonly TableDef[] };
  /** Sequence number of the last block that wrote the catalog (-1: none yet). */
  private catalogChangedAt = -1;
  /**
   * Revisions with data that a later revision replaced, in the order they were replaced, and
   * the block that replaced each (packSuperseded packs a prefix of them).
   */
  private superseded: StoredRevisionRecord[] = [];
  private supersededBy: number[] = [];
  /** Entries of superseded before this one are packed (dropped in bulk: see packSuperseded). */
  private supersededHead = 0;
  /** Where packed revisions' encodings live. */
  private readonly arena = new PackArena();

  /** `loadBlock` reads a published block back from the journal (BlockDirectory.block). */
  constructor(loadBlock: BlockLoader) {
    this.blocks = new BlockDirectory(loadBlock);
  }

  /** Sequence number of the last published block; -1 when the ledger is empty. */
  get tip(): number {
    return this.blocks.size - 1;
  }

  /**
   * Publishes a durable block, which lies in the journal `at`. `tables` gives each revision's
   * table: either document id -> table, as the block's transactionInfo.documents says, or
   * `{tableId}`s in revision order; the committer passes the latter (the transaction's writes) to
   * save making the struct.
   */
  apply(
    block: Block,
    at: BlockLocation,
    tables: ReadonlyMap<string, { readonly tableId: string }> | readonly { readonly tableId: string }[] = documentTables(block),
    /** True when every revision's data was already registered with handOut (the committer's writes). */
    handedOut = false,
  ): void {
    this.blocks.push(block, at);
    const revisions = block.revisions;
    // A plain loop rather than forEach.
    for (let index = 0; index < revisions.length; index++) {
      const r = revisions[index];
      const tableId = Array.isArray(tables)
        ? (tables as readonly { readonly tableId: string }[])[index]?.tableId
        : (tables as ReadonlyMap<string, { readonly tableId: string }>).get(r.metadata.id)?.tableId;
      if (tableId === undefined) throw new Error(`block ${block.blockAddress.sequenceNo}: revision ${r.metadata.id} has no table`);
      const data = r.data;
      const stored = new StoredRevisionRecord(block.blockAddress.sequenceNo, this.blocks, r.metadata, tableId, index, data);
      const table = this.table(tableId);
      let chain = this.docs.get(r.metadata.id);
      if (chain === undefined) {
        chain = { id: r.metadata.id, tableId, revisions: [] };
        this.docs.set(chain.id, chain);
        table.docIds.push(chain.id);
        table.chains.push(chain);
      } else if (tableId !== SYSTEM_TABLE_ID) {
        // The catalog's revisions stay structs: tableDefs is keyed by their identity.
        const before = chain.revisions[chain.revisions.length - 1];
        if (before instanceof StoredRevisionRecord && before.data !== undefined) {
          this.superseded.push(before);
          this.supersededBy.push(block.blockAddress.sequenceNo);
        }
      }
      chain.revisions.push(stored);
      if (data !== undefined) {
        if (!handedOut) handOut(data);
        if (table.indexes.size > 0) {
          for (const [field, index] of table.indexes) for (const k of indexKeysOf(data, field)) addKey(index, k, chain.id);
        }
        if (tableId === SYSTEM_TABLE_ID) this.syncIndexes(this.tableDef(data));
      }
      if (tableId === SYSTEM_TABLE_ID) this.catalogChangedAt = block.blockAddress.sequenceNo;
    }
  }

  /** How many replaced revisions wait to be packed. */
  get supersededCount(): number {
    return this.superseded.length - this.supersededHead;
  }

  /**
   * Packs the replaced revisions that no running snapshot can read as current: those replaced
   * by block `oldestSnapshot` or earlier (every running transaction's snapshot is at least that;
   * Infinity when none runs), at most `max` of them. Costs an encoding per revision (~1-2 µs for
   * a small document).
   */
  packSuperseded(oldestSnapshot: number, max = Infinity): void {
    const by = this.supersededBy;
    const revisions = this.superseded;
    const start = this.supersededHead;
    const end = Math.min(by.length, start + max);
    let i = start;
    while (i < end && by[i] <= oldestSnapshot) revisions[i++].pack(this.arena);
    if (i === start) return;
    this.supersededHead = i;
    // The packed prefix is dropped once it is half the arrays or more, not on every call: while a
    // reader holds back a long backlog, a splice per commit moved all of it each time.
    if (i * 2 >= by.length) {
      revisions.splice(0, i);
      by.splice(0, i);
      this.supersededHead = 0;
    }
  }

  /** The parsed table definition held in a catalog revision's data. */
  tableDef(data: IonStruct): TableDef {
    let def = this.tableDefs.get(data);
    if (def === undefined) {
      def = tableDefFromIon(data);
      this.tableDefs.set(data, def);
    }
    return def;
  }

  /** Every table definition visible at `snapshot` (active and dropped). Do not mutate. */
  tableDefsAt(snapshot: number): readonly TableDef[] {
    // The catalog at a snapshot never changes, so the last one asked for is kept; and every
    // snapshot since the last catalog change sees the same one. A lone writer's transactions
    // each have a new snapshot: rebuilding the list for each cost ~0.6 µs of a commit's CPU.
    const cached = this.catalogCache;
    if (cached !== undefined) {
      if (cached.snapshot === snapshot) return cached.defs;
      const changedAt = this.catalogChangedAt;
      if (snapshot >= changedAt && cached.snapshot >= changedAt && snapshot <= this.tip) return cached.defs;
    }
    const out: TableDef[] = [];
    for (const id of this.table(SYSTEM_TABLE_ID).docIds) {
      const r = visibleRevision(this.docs.get(id)!, snapshot);
      if (r?.data !== undefined) out.push(this.tableDef(r.data));
    }
    this.catalogCache = { snapshot, defs: out };
    return out;
  }

  /** Document ids of a table (any snapshot; filter with visibleRevision). */
  docIdsOf(tableId: string): readonly string[] {
    return this.tables.get(tableId)?.docIds ?? [];
  }

  /**
   * The chains of a table's documents, in docIdsOf's order (any snapshot; filter with
   * visibleRevision). A full-table scan through ids looked each id's chain up in the map of every
   * document: the bench's query.scan query over 20,000 rows, 5 interleaved pairs, median 872k →
   * 1,021k rows/s reading the chains directly.
   */
  chainsOf(tableId: string): readonly DocumentChain[] {
    return this.tables.get(tableId)?.chains ?? [];
  }

  /** Candidate ids for `field = key` (no id twice), or undefined if the field is not indexed. */
  indexCandidates(tableId: string, field: string, key: string): Iterable<string> | undefined {
    const index = this.tables.get(tableId)?.indexes.get(field);
    if (index === undefined) return undefined;
    return idsOf(index, key);
  }

  /** Whether the store keeps an index on `field` (built when the CREATE INDEX block was published). */
  hasIndex(tableId: string, field: string): boolean {
    return this.tables.get(tableId)?.indexes.has(field) === true;
  }

  /** The index on `field` in key order, or undefined if the field is not indexed. */
  orderedIndex(tableId: string, field: string, descending: boolean): OrderedIndex | undefined {
    const index = this.tables.get(tableId)?.indexes.get(field);
    if (index === undefined) return undefined;
    const keys: string[] = [];
    for (const cls of descending ? [...CLASS_ORDER].reverse() : CLASS_ORDER) {
      const ofClass = index.sorted.all(cls);
      if (descending) ofClass.reverse();
      keys.push(...ofClass);
    }
    return { keys, unordered: [...index.unordered], idsOf: (k) => idsOf(index, k) };
  }

  /**
   * Candidate ids for a range read on `field` (see index-order.ts: the keys in the range, plus
   * keys of other comparable classes), or undefined if the field is not indexed.
   */
  rangeCandidates(tableId: string, field: string, range: KeyRange): Set<string> | undefined {
    const index = this.tables.get(tableId)?.indexes.get(field);
    if (index === undefined) return undefined;
    const ids = new Set<string>();
    const add = (key: string) => {
      for (const id of idsOf(index, key)) ids.add(id);
    };
    for (const k of index.sorted.range(range)) add(k);
    for (const cls of KEY_CLASSES) {
      if (cls !== range.cls) for (const k of index.sorted.range({ cls, lowInclusive: true, highInclusive: true })) add(k);
    }
    // Lobs and containers: `<` on them fails in strict mode, as it would in a scan.
    for (const k of index.unordered) if (rangeMustVisit(k, range)) add(k);
    return ids;
  }

  private table(tableId: string): TableState {
    let t = this.tables.get(tableId);
    if (t === undefined) {
      t = { docIds: [], chains: [], indexes: new Map() };
      this.tables.set(tableId, t);
    }
    return t;
  }

  /** Builds the maps of indexes that a catalog revision declares and that do not exist yet. */
  private syncIndexes(def: TableDef): void {
    const table = this.table(def.tableId);
    for (const ix of def.indexes) {
      if (table.indexes.has(ix.field)) continue;
      const index: FieldIndex = { keys: new Map(), sorted: new SortedKeys(), unordered: new Set() };
      for (const id of table.docIds) {
        for (const r of this.docs.get(id)!.revisions) {
          // Read once: a packed revision decodes its data on each read.
          const data = r.data;
          if (data !== undefined) for (const k of indexKeysOf(data, ix.field)) addKey(index, k, id);
        }
      }
      table.indexes.set(ix.field, index);
    }
  }
}

const NO_IDS: readonly string[] = [];
const KEY_CLASSES: readonly KeyClass[] = ["b", "n", "s", "t"];

function idsOf(index: FieldIndex, key: string): Iterable<string> {
  const ids = index.keys.get(key);
  return ids === undefined ? NO_IDS : typeof ids === "string" ? [ids] : ids;
}

function addKey(index: FieldIndex, key: string, id: string): void {
  const ids = index.keys.get(key);
  if (ids === undefined) {
    index.keys.set(key, id);
    if (keyClass(key) === undefined) index.unordered.add(key);
    else index.sorted.add(key);
  } else if (typeof ids === "string") {
    if (ids !== id) index.keys.set(key, new Set([ids, id]));
  } else {
    ids.add(id);
  }
}
