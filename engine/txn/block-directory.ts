/**
 * The published blocks, by sequence number, without the blocks themselves: where each one lies in
 * the journal, and the hashes a revision's proof needs (its block's revision hashes, which the
 * store's revisions read from here, and its entriesHashList, in flat columns). Only the newest
 * block is kept whole (the committer builds on it); any other is read back from the journal
 * when asked for (`block`).
 *
 * Why not the blocks: a block object is 25 of the 65 heap objects and 930 of the 2,580 bytes a
 * one-document commit left in memory (bun:jsc heapStats), and everything a commit leaves behind
 * is traced by every later collection. Building a block while earlier ones were kept took 6.5-7.7
 * µs against 3.9 µs when they were not (64 documents per round, Bun, 2-core VM); a ledger held
 * every block it ever committed. What stays per revision in the store (its data and metadata)
 * serves history, snapshots and getRevision; the bytes here serve its hash and proof.
 *
 * Nothing is removed: blocks are only appended (after they are durable), as the journal is.
 */
import { HashColumn } from "../ledger/hash-column.ts";
import type { Block } from "../ledger/types.ts";

/** Where a block's record lies in the journal (Journal.readRecord's arguments). */
export interface BlockLocation {
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
}

/** Reads block `sequenceNo` back from `at` and checks it; throws JOURNAL_CORRUPT or IO_ERROR. */
export type BlockLoader = (sequenceNo: number, at: BlockLocation) => Block;

/** A growable array of numbers in a typed array (no object per element). */
class NumberColumn<T extends Uint32Array | Float64Array> {
  private count = 0;
  constructor(private values: T, private readonly make: (n: number) => T) {}

  push(v: number): void {
    if (this.count === this.values.length) {
      const grown = this.make(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = v;
  }

  at(i: number): number {
    return this.values[i];
  }
}

export class BlockDirectory {
  private count = 0;
  private newest: Block | undefined;
  /** The strand every block belongs to (one per ledger), known from the first block. */
  private strand = "";
  private readonly segments = new NumberColumn(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly offsets = new NumberColumn(new Float64Array(1024), (n) => new Float64Array(n));
  private readonly lengths = new NumberColumn(new Uint32Array(1024), (n) => new Uint32Array(n));
  /**
   * Block i's revision hashes are revisionHashes[revisionStart(i) … revisionStart(i + 1)). The
   * store's revisions read their hash from here too (StoredRevisionRecord.hash): one flat copy
   * of 32 bytes per revision, where an array of its own cost 92 bytes under Bun and 242 under
   * Deno.
   */
  private readonly revisionStarts = new NumberColumn(new Float64Array(1025), (n) => new Float64Array(n));
  private readonly revisionHashes = new HashColumn();
  private readonly entryStarts = new NumberColumn(new Float64Array(1025), (n) => new Float64Array(n));
  private readonly entriesHashes = new HashColumn();

  constructor(private readonly load: BlockLoader) {
    this.revisionStarts.push(0);
    this.entryStarts.push(0);
  }

  /** Number of published blocks. */
  get size(): number {
    return this.count;
  }

  /** The ledger's strand id ("" before the first block). */
  get strandId(): string {
    return this.strand;
  }

  /** The newest published block, or undefined while there is none. */
  get last(): Block | undefined {
    return this.newest;
  }

  /** Records the next block (sequence number `size`), durable at `at`. */
  push(block: Block, at: BlockLocation): void {
    if (block.blockAddress.sequenceNo !== this.count) {
      throw new Error(`block ${block.blockAddress.sequenceNo} published where ${this.count} was due`);
    }
    for (const r of block.revisions) this.revisionHashes.push(r.hash);
    for (const h of block.entriesHashList) this.entriesHashes.push(h);
    this.revisionStarts.push(this.revisionHashes.length);
    this.entryStarts.push(this.entriesHashes.length);
    this.segments.push(at.segment);
    this.offsets.push(at.offset);
    this.lengths.push(at.length);
    this.newest = block;
    this.strand = block.blockAddress.strandId;
    this.count++;
  }

  /** Block `sequenceNo` (0 ≤ sequenceNo < size), read back from the journal unless it is the newest. */
  block(sequenceNo: number): Block {
    this.check(sequenceNo);
    if (sequenceNo === this.count - 1) return this.newest!;
    return this.load(sequenceNo, {
      segment: this.segments.at(sequenceNo),
      offset: this.offsets.at(sequenceNo),
      length: this.lengths.at(sequenceNo),
    });
  }

  /** The revision hashes of block `sequenceNo`, in revision order: views into the directory (copy what is handed out). */
  revisionHashesOf(sequenceNo: number): Uint8Array[] {
    this.check(sequenceNo);
    return this.revisionHashes.views(this.revisionStarts.at(sequenceNo), this.revisionStarts.at(sequenceNo + 1));
  }

  /** The hash of revision `index` of block `sequenceNo`, both published: a view into the directory (never write to it). */
  revisionHash(sequenceNo: number, index: number): Uint8Array {
    return this.revisionHashes.at(this.revisionStarts.at(sequenceNo) + index);
  }

  /** The entriesHashList of block `sequenceNo`: views into the directory (copy what is handed out). */
  entriesHashListOf(sequenceNo: number): Uint8Array[] {
    this.check(sequenceNo);
    return this.entriesHashes.views(this.entryStarts.at(sequenceNo), this.entryStarts.at(sequenceNo + 1));
  }

  private check(sequenceNo: number): void {
    if (!Number.isSafeInteger(sequenceNo) || sequenceNo < 0 || sequenceNo >= this.count) {
      throw new Error(`no published block ${sequenceNo}`);
    }
  }
}

