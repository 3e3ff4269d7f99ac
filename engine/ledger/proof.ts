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

export function revisionProof(block: Block, revisionIndex: number, tree: DigestTree, tipSequenceNo: number): Uint8Array[] {
  const proof = merklePath(block.revisions.map((r) => r.hash), revisionIndex);
  proof.push(...merklePath(block.entriesHashList, 0));
  if (block.previousBlockHash.length > 0) proof.push(block.previousBlockHash);
  proof.push(...blockProof(tree, block.blockAddress.sequenceNo, tipSequenceNo));
  return proof;
}
