/**
 * The digest tree over block hashes: an append-only Merkle tree in RFC 6962's shape (the left
 * subtree of a range holds the largest power of two strictly below the range's size), combined
 * with QLDB's `dot`.
 *
 * Every *perfect* aligned subtree hash is kept (`levels[j][m]` covers leaves m·2^j … (m+1)·2^j − 1),
 * so an append costs O(1) amortised dots, and the root or a proof for any earlier tree size costs
 * O(log n) dots — history is never re-hashed. Memory: about two hashes per block, 32 bytes each
 * in flat columns (hash-column.ts).
 */
import { dot, dotPairInto } from "./dot.ts";
import { HashColumn } from "./hash-column.ts";

export class DigestTree {
  private readonly levels: HashColumn[] = [new HashColumn()];

  /** Number of leaves (blocks). */
  get size(): number {
    return this.levels[0].length;
  }

  /** The leaf at `index`, as a view into the tree: never write to it. */
  leaf(index: number): Uint8Array {
    return this.levels[0].at(index);
  }

  /** Appends a copy of `leaf`. */
  append(leaf: Uint8Array): void {
    this.levels[0].push(leaf);
    for (let j = 0; this.levels[j].length % 2 === 0; j++) {
      const level = this.levels[j];
      if (this.levels.length === j + 1) this.levels.push(new HashColumn());
      // The two children lie side by side; their dot is written straight into its slot.
      dotPairInto(level.pairAt(level.length - 2), this.levels[j + 1].pushSlot());
    }
  }

  /** Drops leaves from `size` on (for tests: an append is made only once its block is durable). */
  truncate(size: number): void {
    for (let j = 0; j < this.levels.length; j++) this.levels[j].truncate(size >> j);
  }

  /** Root of the tree over the first `n` leaves (n ≥ 1); may be a view into the tree: copy it to keep or hand out. */
  root(n: number = this.size): Uint8Array {
    return this.rangeHash(0, n);
  }

  /** Siblings folding leaf `index` up to root(n), deepest first. */
  proof(index: number, n: number = this.size): Uint8Array[] {
    const path: Uint8Array[] = [];
    let start = 0;
    let end = n;
    // Walk down from the root, collecting siblings top-down, then reverse to deepest-first.
    while (end - start > 1) {
      const k = largestPowerOfTwoBelow(end - start);
      if (index < start + k) {
        path.push(this.rangeHash(start + k, end));
        end = start + k;
      } else {
        path.push(this.rangeHash(start, start + k));
        start = start + k;
      }
    }
    return path.reverse();
  }

  /** Hash of leaves [start, end): perfect aligned ranges are stored, others split as RFC 6962 does. */
  private rangeHash(start: number, end: number): Uint8Array {
    const width = end - start;
    if ((width & (width - 1)) === 0) {
      const j = 31 - Math.clz32(width);
      return this.levels[j].at(start >>> j);
    }
    const k = largestPowerOfTwoBelow(width);
    return dot(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
  }
}

/** Largest power of two strictly less than n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
