/**
 * An append-only column of 32-byte hashes stored flat, for the hashes a ledger keeps for good:
 * its digest tree's nodes and every revision's and block's hash. A hash kept as an array of its
 * own costs 92 bytes under Bun and 242 under Deno (heap and backing store, 200,000 of them
 * measured); here it costs its 32 bytes, and a view is made only when one is read.
 *
 * Hashes live in chunks of CHUNK_HASHES that never move once full, so a view handed out stays
 * valid. The first chunk starts small and doubles (a digest tree has a column per level, and
 * most ledgers in tests hold a handful of blocks); a view of a chunk it outgrew still reads the
 * same bytes from the old array.
 */
const HASH = 32;
/** 64 KiB chunks: 2^11 hashes. */
const CHUNK_SHIFT = 11;
const CHUNK_HASHES = 1 << CHUNK_SHIFT;
const FIRST_CHUNK_HASHES = 32;

export class HashColumn {
  private readonly chunks: Uint8Array[] = [new Uint8Array(FIRST_CHUNK_HASHES * HASH)];
  private count = 0;
  /** The chunk the last hash went into. */
  private tail: Uint8Array = this.chunks[0];

  get length(): number {
    return this.count;
  }

  /** Appends a copy of `hash` (32 bytes). */
  push(hash: Uint8Array): void {
    if (hash.length !== HASH) throw new Error(`a hash of ${hash.length} bytes`);
    const at = this.grow();
    const chunk = this.tail;
    // A loop, not `set`: for 32 bytes the native call costs more than the copy.
    for (let i = 0; i < HASH; i++) chunk[at + i] = hash[i];
  }

  /**
   * Appends a slot and returns it as a view for the caller to fill at once (a hash computed in
   * place, as sha256Into does), with no array in between.
   */
  pushSlot(): Uint8Array {
    const at = this.grow();
    return this.tail.subarray(at, at + HASH);
  }

  /** Counts one more hash and returns its byte offset in `tail`, the chunk it lies in. */
  private grow(): number {
    const c = this.count >>> CHUNK_SHIFT;
    let chunk = this.chunks[c];
    const at = (this.count & (CHUNK_HASHES - 1)) * HASH;
    if (chunk === undefined) {
      chunk = this.chunks[c] = new Uint8Array(CHUNK_HASHES * HASH);
    } else if (at === chunk.length) {
      // Only the first chunk is ever short: it doubles until it is a whole chunk.
      const grown = new Uint8Array(chunk.length * 2);
      grown.set(chunk);
      chunk = this.chunks[c] = grown;
    }
    this.tail = chunk;
    this.count++;
    return at;
  }

  /** Hashes `i` and `i + 1` (i even, both < length) as one 64-byte view: a chunk holds an even number. */
  pairAt(i: number): Uint8Array {
    const at = (i & (CHUNK_HASHES - 1)) * HASH;
    return this.chunks[i >>> CHUNK_SHIFT].subarray(at, at + 2 * HASH);
  }

  /** Hash `i` (0 ≤ i < length) as a view: never write to it. */
  at(i: number): Uint8Array {
    const at = (i & (CHUNK_HASHES - 1)) * HASH;
    return this.chunks[i >>> CHUNK_SHIFT].subarray(at, at + HASH);
  }

  /** Hashes [from, to) as views. */
  views(from: number, to: number): Uint8Array[] {
    const out = new Array<Uint8Array>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.at(i);
    return out;
  }

  /** Drops hashes from `n` on; later pushes overwrite their bytes, so views of them change. */
  truncate(n: number): void {
    this.count = Math.min(this.count, n);
  }
}
