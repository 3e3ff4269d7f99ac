/**
 * Offline verification: pure functions a third party runs with nothing but a revision or block,
 * its proof and a digest. No ledger, no I/O.
 *
 * A proof is a list of hashes; folding it with `dot` from the leaf must give the digest
 * (dot is commutative, so a proof needs no left/right flags).
 *
 * @example
 * ```ts
 * const digest = await ledger.getDigest();
 * const { revision, proof } = await ledger.getRevision({ blockAddress, documentId, digestTipAddress: digest.digestTipAddress });
 * verifyRevision(revision, proof, digest); // true
 * ```
 */
import { ionHash } from "../ion/hash.ts";
import { fromJS } from "../ion/js.ts";
import type { IonValue } from "../ion/value.ts";
import { revisionHash } from "./block.ts";
import { dot, hashEquals, merkleRoot } from "./dot.ts";
import type { Block, Digest, Revision } from "./types.ts";

/** Folds `proof` onto `leaf` with dot. */
export function foldProof(leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = leaf;
  for (const p of proof) h = dot(h, p);
  return h;
}

/**
 * A revision may come from getRevision (Ion values) or from a query through `execute` (JavaScript
 * values: a plain object, an ion-js Timestamp). Ion model values are used as they are; anything
 * else is converted as `fromJS` converts documents.
 */
function asIon(v: unknown): IonValue {
  const o = v as { kind?: unknown; fields?: unknown; precision?: unknown };
  const isModel = o !== null && typeof o === "object" &&
    ((o.kind === "struct" && Array.isArray(o.fields)) || (o.kind === "timestamp" && typeof o.precision === "string"));
  return isModel ? (v as IonValue) : fromJS(v);
}

function digestBytes(digest: Digest | Uint8Array): Uint8Array {
  return digest instanceof Uint8Array ? digest : digest.digest;
}

function isHashList(proof: unknown): proof is readonly Uint8Array[] {
  return Array.isArray(proof) && proof.every((p) => p instanceof Uint8Array && p.length === 32);
}

/**
 * True when the revision's hash matches its metadata and data, and its proof leads from that
 * hash to the digest. Never throws: malformed input is simply not verified.
 */
export function verifyRevision(revision: Revision, proof: readonly Uint8Array[], digest: Digest | Uint8Array): boolean {
  try {
    if (!isHashList(proof)) return false;
    if (!(digest instanceof Uint8Array) && revision.blockAddress.strandId !== digest.digestTipAddress.strandId) return false;
    if (!(digest instanceof Uint8Array) && revision.blockAddress.sequenceNo > digest.digestTipAddress.sequenceNo) return false;
    const data = revision.data === undefined ? undefined : asIon(revision.data);
    if (data !== undefined && data.kind !== "struct") return false;
    const metadata = { ...revision.metadata, txTime: asIon(revision.metadata.txTime) };
    if (metadata.txTime.kind !== "timestamp") return false;
    const computed = revisionHash(metadata as Revision["metadata"], data);
    if (!hashEquals(computed, revision.hash)) return false;
    return hashEquals(foldProof(computed, proof), digestBytes(digest));
  } catch {
    return false;
  }
}

/** The checks that make a block self-consistent; returns the first failure, or undefined. */
export function checkBlockHashes(block: Block): string | undefined {
  for (const [i, r] of block.revisions.entries()) {
    if (!hashEquals(revisionHash(r.metadata, r.data), r.hash)) return `revisions[${i}].hash does not match its metadata and data`;
  }
  const list = block.entriesHashList;
  // Quire's blocks hold [revisionsRoot, transactionInfoHash]; QLDB's hold two internal hashes
  // at [0] and [2] beside those two at [1] and [3].
  const [revIdx, infoIdx] = list.length === 2 ? [0, 1] : list.length === 4 ? [1, 3] : [-1, -1];
  if (revIdx < 0) return `entriesHashList has ${list.length} entries`;
  if (!hashEquals(merkleRoot(block.revisions.map((r) => r.hash)), list[revIdx])) {
    return "entriesHashList does not hold the Merkle root of the revision hashes";
  }
  if (!hashEquals(ionHash(block.transactionInfo), list[infoIdx])) return "entriesHashList does not hold the transactionInfo hash";
  if (!hashEquals(merkleRoot(list), block.entriesHash)) return "entriesHash is not the Merkle root of entriesHashList";
  if (!hashEquals(dot(block.entriesHash, block.previousBlockHash), block.blockHash)) {
    return "blockHash is not dot(entriesHash, previousBlockHash)";
  }
  return undefined;
}

/** True when every hash inside the block holds and its proof leads from blockHash to the digest. */
export function verifyBlock(block: Block, proof: readonly Uint8Array[], digest: Digest | Uint8Array): boolean {
  try {
    if (!isHashList(proof)) return false;
    if (!(digest instanceof Uint8Array) && block.blockAddress.strandId !== digest.digestTipAddress.strandId) return false;
    if (!(digest instanceof Uint8Array) && block.blockAddress.sequenceNo > digest.digestTipAddress.sequenceNo) return false;
    if (checkBlockHashes(block) !== undefined) return false;
    return hashEquals(foldProof(block.blockHash, proof), digestBytes(digest));
  } catch {
    return false;
  }
}
