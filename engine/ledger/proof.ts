/**
 * Proof construction. A revision's proof: its siblings in the block's revision tree, then in the
 * entries tree, then the previous block hash (omitted for the first block, whose previous hash is
 * empty), then its block's siblings in the digest tree. A block's proof is only the last part.
 */
import type { DigestTree } from "./digest-tree.ts";
import { merklePath } from "./dot.ts";
import type { Block } from "./types.ts";

export function blockProof(tree: DigestTree, sequenceNo: number, tipSequenceNo: number): Uint8Array[] {
  return tree.proof(sequenceNo, tipSequenceNo + 1);
}

/** What a revision's proof is made of: its block's hashes, without the rest of the block. */
export interface RevisionProofParts {
  readonly sequenceNo: number;
  /** Every revision hash of the block, in revision order. */
  readonly revisionHashes: readonly Uint8Array[];
  readonly entriesHashList: readonly Uint8Array[];
  /** Empty for block 0. */
  readonly previousBlockHash: Uint8Array;
}

export function revisionProof(block: Block, revisionIndex: number, tree: DigestTree, tipSequenceNo: number): Uint8Array[] {
  return revisionProofOf({
    sequenceNo: block.blockAddress.sequenceNo,
    revisionHashes: block.revisions.map((r) => r.hash),
    entriesHashList: block.entriesHashList,
    previousBlockHash: block.previousBlockHash,
  }, revisionIndex, tree, tipSequenceNo);
}

export function revisionProofOf(parts: RevisionProofParts, revisionIndex: number, tree: DigestTree, tipSequenceNo: number): Uint8Array[] {
  const proof = merklePath(parts.revisionHashes, revisionIndex);
  proof.push(...merklePath(parts.entriesHashList, 0));
  if (parts.previousBlockHash.length > 0) proof.push(parts.previousBlockHash);
  proof.push(...blockProof(tree, parts.sequenceNo, tipSequenceNo));
  return proof;
}
