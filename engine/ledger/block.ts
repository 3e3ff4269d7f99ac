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

export function statementDigest(statement: string, params: readonly IonValue[]): Uint8Array {
  let digest = ionHash(ion.string(statement));
  for (const p of params) digest = dot(digest, ionHash(p));
  return digest;
}

export interface StatementRecord {
  readonly statement: string;
  readonly startTime: IonTimestamp;
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
export function transactionInfoOf(statements: readonly StatementRecord[], writes: readonly DocumentWrite[]): IonStruct {
  const stmts = statements.map((s) =>
    ion.struct([
      ["statement", ion.string(s.statement)],
      ["startTime", s.startTime],
      ["statementDigest", ion.blob(statementDigest(s.statement, s.params))],
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
  const revisions: Revision[] = input.writes.map((w) => {
    const metadata: RevisionMetadata = { id: w.id, version: w.version, txTime: input.txTime, txId: input.transactionId };
    const hash = revisionHash(metadata, w.data);
    return w.data === undefined
      ? { blockAddress: input.address, hash, metadata }
      : { blockAddress: input.address, hash, data: w.data, metadata };
  });
  const transactionInfo = transactionInfoOf(input.statements, input.writes);
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
