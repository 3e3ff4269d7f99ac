/**
 * The ledger's record types, in QLDB's shape. Values that are hashed stay Ion values
 * (`IonStruct`, `IonTimestamp`) so that hashing them is exact.
 */
import type { IonStruct, IonTimestamp } from "../ion/value.ts";

/** Where a block sits: its strand and its position (0-based) in the strand. */
export interface BlockAddress {
  readonly strandId: string;
  readonly sequenceNo: number;
}

/** QLDB's document metadata; its Ion Hash is half of the revision hash. */
export interface RevisionMetadata {
  /** 22-character base62 document id, never reused. */
  readonly id: string;
  /** 0 for the first revision, +1 per change. */
  readonly version: number;
  /** Commit time of the transaction, millisecond precision, UTC. */
  readonly txTime: IonTimestamp;
  readonly txId: string;
}

/**
 * One document revision as the committed view shows it. A deleted document's last revision
 * has metadata and no `data`; its hash is dot(ionHash(metadata), ionHash(null)) (ledger/block.ts says why).
 */
export interface Revision {
  readonly blockAddress: BlockAddress;
  readonly hash: Uint8Array;
  readonly data?: IonStruct;
  readonly metadata: RevisionMetadata;
}

/**
 * One journal block: one committed transaction.
 * entriesHashList = [merkleRoot(revision hashes), ionHash(transactionInfo)];
 * entriesHash = merkleRoot(entriesHashList); blockHash = dot(entriesHash, previousBlockHash).
 */
export interface Block {
  readonly blockAddress: BlockAddress;
  readonly transactionId: string;
  readonly blockTimestamp: IonTimestamp;
  readonly blockHash: Uint8Array;
  readonly entriesHash: Uint8Array;
  readonly previousBlockHash: Uint8Array;
  readonly entriesHashList: readonly Uint8Array[];
  /** `{statements:[{statement, startTime, statementDigest}], documents:{<id>:{tableName, tableId, statements:[i]}}}` */
  readonly transactionInfo: IonStruct;
  readonly revisions: readonly Revision[];
}

/** A digest: the root of the tree over every block hash up to and including the tip. */
export interface Digest {
  readonly digest: Uint8Array;
  readonly digestTipAddress: BlockAddress;
}
