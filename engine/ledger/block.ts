/**
 * Building and hashing blocks and revisions, exactly as DESIGN.md "Hashing" specifies.
 *
 * revision hash = dot(ionHash(metadata), ionHash(data)); for a deleted document's final
 * revision (no data) it is dot(ionHash(metadata), empty) = ionHash(metadata).
 * statementDigest = ionHash(statement text), folded with dot over ionHash(each parameter).
 */
import { ionHash } from "../ion/hash.ts";
import type { IonField, IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { ion } from "../ion/value.ts";
import { dot, EMPTY_HASH, merkleRoot } from "./dot.ts";
import { timestampFromEpochMillis } from "./clock.ts";
import type { Block, BlockAddress, Revision, RevisionMetadata } from "./types.ts";

/** The Ion form of revision metadata, field for field as QLDB hashes it. */
export function metadataToIon(m: RevisionMetadata): IonStruct {
  return ion.struct([
    ["id", ion.string(m.id)],
    ["version", ion.int(m.version)],
    ["txTime", m.txTime],
    ["txId", ion.string(m.txId)],
  ]);
}

export function revisionHash(metadata: RevisionMetadata, data: IonStruct | undefined): Uint8Array {
  return dot(ionHash(metadataToIon(metadata)), data === undefined ? EMPTY_HASH : ionHash(data));
}

/** Hashes of statement texts: the same few statements recur in every block. */
const statementHashes = new Map<string, Uint8Array>();
const STATEMENT_HASH_CACHE = 1024;

function statementTextHash(statement: string): Uint8Array {
  let h = statementHashes.get(statement);
  if (h === undefined) {
    if (statementHashes.size >= STATEMENT_HASH_CACHE) statementHashes.clear();
    h = ionHash(ion.string(statement));
    statementHashes.set(statement, h);
  }
  return h;
}

export function statementDigest(
  statement: string,
  params: readonly IonValue[],
  hash: (v: IonValue) => Uint8Array = ionHash,
): Uint8Array {
  let digest = statementTextHash(statement);
  for (const p of params) digest = dot(digest, hash(p));
  return digest;
}

export interface StatementRecord {
  readonly statement: string;
  /** When the statement started, in epoch milliseconds (made a timestamp only if it is journaled). */
  readonly startMillis: number;
  readonly params: readonly IonValue[];
}

export interface DocumentWrite {
  readonly tableId: string;
  readonly tableName: string;
  readonly id: string;
  readonly version: number;
  /** Undefined for a delete. */
  readonly data: IonStruct | undefined;
  /** Indexes into the transaction's statements that touched this document. */
  readonly statements: readonly number[];
}

export interface BlockInput {
  readonly address: BlockAddress;
  readonly previousBlockHash: Uint8Array;
  readonly transactionId: string;
  readonly txTime: IonTimestamp;
  readonly statements: readonly StatementRecord[];
  readonly writes: readonly DocumentWrite[];
}

/** QLDB's transactionInfo struct. */
export function transactionInfoOf(
  statements: readonly StatementRecord[],
  writes: readonly DocumentWrite[],
  hash: (v: IonValue) => Uint8Array = ionHash,
): IonStruct {
  const stmts = statements.map((s) =>
    ion.struct([
      ["statement", ion.string(s.statement)],
      ["startTime", timestampFromEpochMillis(s.startMillis)],
      ["statementDigest", ion.blob(statementDigest(s.statement, s.params, hash))],
    ])
  );
  const docs: IonField[] = writes.map((w) => [
    w.id,
    ion.struct([
      ["tableName", ion.string(w.tableName)],
      ["tableId", ion.string(w.tableId)],
      ["statements", ion.list(w.statements.map((i) => ion.int(i)))],
    ]),
  ]);
  return ion.struct([
    ["statements", ion.list(stmts)],
    ["documents", ion.struct(docs)],
  ]);
}

/** Builds a block with every hash computed. */
export function buildBlock(input: BlockInput): Block {
  // A document is usually also a statement parameter (INSERT INTO t ?): hash it once.
  const hashes = new Map<IonValue, Uint8Array>();
  const hashOf = (v: IonValue): Uint8Array => {
    let h = hashes.get(v);
    if (h === undefined) {
      h = ionHash(v);
      hashes.set(v, h);
    }
    return h;
  };
  const revisions: Revision[] = input.writes.map((w) => {
    const metadata: RevisionMetadata = { id: w.id, version: w.version, txTime: input.txTime, txId: input.transactionId };
    const hash = dot(ionHash(metadataToIon(metadata)), w.data === undefined ? EMPTY_HASH : hashOf(w.data));
    return w.data === undefined
      ? { blockAddress: input.address, hash, metadata }
      : { blockAddress: input.address, hash, data: w.data, metadata };
  });
  const transactionInfo = transactionInfoOf(input.statements, input.writes, hashOf);
  return sealBlock({
    blockAddress: input.address,
    transactionId: input.transactionId,
    blockTimestamp: input.txTime,
    previousBlockHash: input.previousBlockHash,
    transactionInfo,
    revisions,
  });
}

/** Computes entriesHashList, entriesHash and blockHash for a block's contents. */
export function sealBlock(
  b: Omit<Block, "blockHash" | "entriesHash" | "entriesHashList">,
): Block {
  const entriesHashList = [merkleRoot(b.revisions.map((r) => r.hash)), ionHash(b.transactionInfo)];
  const entriesHash = merkleRoot(entriesHashList);
  const blockHash = dot(entriesHash, b.previousBlockHash);
  return { ...b, entriesHashList, entriesHash, blockHash };
}
