/**
 * QLDB's hash join, `dot(a, b)`, and the Merkle root over a list of hashes.
 *
 * dot is commutative by construction (the two hashes are ordered before concatenation), which is
 * why QLDB proofs are plain lists of hashes with no left/right flags: a verifier folds them with
 * `dot` in order. The order compares bytes as *signed* values from the *last* byte to the first,
 * exactly as QLDB's published verifier does; any other order gives different hashes.
 */
import { sha256, sha256Into } from "../ion/sha256.ts";

/** The empty hash: "no hash", e.g. the first block's previousBlockHash. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(0);

/** Signed byte comparison from the last byte to the first: <0 if a sorts before b. */
export function compareHashes(a: Uint8Array, b: Uint8Array): number {
  return compareBytesBackward(a, a.length, b, b.length, Math.min(a.length, b.length)) || a.length - b.length;
}

/**
 * The `n` bytes before `aEnd` in `a` against the `n` before `bEnd` in `b`, compared as signed
 * values from the last one back: <0 if a's sort first, 0 if all are equal.
 */
function compareBytesBackward(a: Uint8Array, aEnd: number, b: Uint8Array, bEnd: number, n: number): number {
  for (let i = 1; i <= n; i++) {
    const x = (a[aEnd - i] << 24) >> 24;
    const y = (b[bEnd - i] << 24) >> 24;
    if (x !== y) return x - y;
  }
  return 0;
}

const JOINED = new Uint8Array(64);

/** QLDB's dot: an empty side yields the other; otherwise sha256(smaller || larger). */
export function dot(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  // Two 32-byte hashes (every dot on the commit path) are joined in a reused buffer.
  const first = compareHashes(a, b) < 0 ? a : b;
  const second = first === a ? b : a;
  if (a.length === 32 && b.length === 32) {
    // Byte loops rather than two `set` calls: the native call costs more than 32 bytes of copying.
    for (let i = 0; i < 32; i++) {
      JOINED[i] = first[i];
      JOINED[32 + i] = second[i];
    }
    return sha256(JOINED);
  }
  const joined = new Uint8Array(a.length + b.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return sha256(joined);
}

/**
 * dot of the two 32-byte hashes lying side by side in `pair` (64 bytes: a, then b), written into
 * `out` (32 bytes): what the digest tree does for each new node, without an array per operand
 * or per result.
 */
export function dotPairInto(pair: Uint8Array, out: Uint8Array): void {
  // compareHashes(a, b) < 0, read in place.
  if (compareBytesBackward(pair, 32, pair, 64, 32) < 0) {
    sha256Into(pair, out);
    return;
  }
  for (let i = 0; i < 32; i++) {
    JOINED[i] = pair[32 + i];
    JOINED[32 + i] = pair[i];
  }
  sha256Into(JOINED, out);
}

/**
 * Merkle root by pairwise `dot` of neighbours, an odd last element carried up unchanged,
 * repeated until one hash remains. The root of no hashes is EMPTY_HASH.
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_HASH;
  if (leaves.length === 1) return leaves[0];
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(dot(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * The siblings that fold `leaves[index]` up to `merkleRoot(leaves)`, deepest first.
 * A level where the node is the odd one carried up contributes no sibling.
 */
export function merklePath(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < level.length) path.push(level[sibling]);
    // The level above two nodes is the root, which the path does not hold.
    if (level.length === 2) break;
    const next: Uint8Array[] = [];
    for (let k = 0; k + 1 < level.length; k += 2) next.push(dot(level[k], level[k + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
    i = i >> 1;
  }
  return path;
}

/** Byte equality of two hashes. */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
