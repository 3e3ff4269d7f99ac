/**
 * Copies of revisions, blocks, digests and proofs as the ledger hands them out (see
 * ion/copy.ts for why): the store's objects and the digest tree's nodes are shared between
 * every block and proof, so one byte changed by a caller in a returned hash would break the
 * proofs of other blocks.
 */
import { handOutCopy } from "../ion/js.ts";
import type { Block, BlockAddress, Revision, RevisionMetadata } from "./types.ts";

export function copyAddress(a: BlockAddress): BlockAddress {
  return { strandId: a.strandId, sequenceNo: a.sequenceNo };
}

function copyMetadata(m: RevisionMetadata): RevisionMetadata {
  // Handed out like data, so verifyRevision (through fromJS) reads it as the Ion value it is.
  return { id: m.id, version: m.version, txTime: handOutCopy(m.txTime), txId: m.txId };
}

/** A revision with only the public fields (not the store's bookkeeping), sharing nothing. */
export function copyRevision(r: Revision): Revision {
  const base = { blockAddress: copyAddress(r.blockAddress), hash: r.hash.slice() };
  // Read once: a stored revision may decode its data on each read (txn/store.ts).
  const data = r.data;
  return data === undefined
    ? { ...base, metadata: copyMetadata(r.metadata) }
    // Registered as handed out, like the stored data: `tx.update(t, id, revision.data)` keeps
    // the document exact rather than converting the model object as a JavaScript object.
    : { ...base, data: handOutCopy(data), metadata: copyMetadata(r.metadata) };
}

export function copyBlock(b: Block): Block {
  return {
    blockAddress: copyAddress(b.blockAddress),
    transactionId: b.transactionId,
    blockTimestamp: handOutCopy(b.blockTimestamp),
    blockHash: b.blockHash.slice(),
    entriesHash: b.entriesHash.slice(),
    previousBlockHash: b.previousBlockHash.slice(),
    entriesHashList: b.entriesHashList.map((h) => h.slice()),
    transactionInfo: handOutCopy(b.transactionInfo),
    revisions: b.revisions.map(copyRevision),
  };
}

export function copyProof(proof: readonly Uint8Array[]): Uint8Array[] {
  return proof.map((h) => h.slice());
}

