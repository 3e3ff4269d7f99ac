/**
 * Building and hashing blocks and revisions, exactly as DESIGN.md "Hashing" specifies.
 *
 * revision hash = dot(ionHash(metadata), ionHash(data)); for a deleted document's final
 * revision (no data) it is dot(ionHash(metadata), empty) = ionHash(metadata).
 * statementDigest = ionHash(statement text), folded with dot over ionHash(each parameter).
 */
import {
  ionFieldHash,
  ionFieldHashOfSerialized,
  ionHash,
  ionHashSerialization,
  ionListSerialization,
  ionStructHash,
  ionStructSerialization,
} from "../ion/hash.ts";
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

/**
 * Per statement text: ionHash of the text, and the hash of the field `statement: text` of a
 * transactionInfo statement. The same few statements recur in every block.
 */
const statementHashes = new Map<string, { readonly text: Uint8Array; readonly field: Uint8Array }>();
const STATEMENT_HASH_CACHE = 1024;

function statementHashesOf(statement: string): { readonly text: Uint8Array; readonly field: Uint8Array } {
  let h = statementHashes.get(statement);
  if (h === undefined) {
    if (statementHashes.size >= STATEMENT_HASH_CACHE) statementHashes.clear();
    h = { text: ionHash(ion.string(statement)), field: ionFieldHash("statement", ion.string(statement), 4) };
    statementHashes.set(statement, h);
  }
  return h;
}

function statementTextHash(statement: string): Uint8Array {
  return statementHashesOf(statement).text;
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

// ---- hashing while building -----------------------------------------------------------------
// buildBlock hashes revision metadata and transactionInfo from field hashes (hash.ts "composing
// hashes") instead of ionHash over the whole structs, so that fields that repeat reuse their
// hash: a metadata's txTime and txId (shared by every revision of the block) and small versions,
// a statement's text, and a document's {tableName, tableId, statements} entry. The result is
// what ionHash gives for the structs (tests/unit/engine/ledger/block-codec-encode.test.ts checks
// it against ionHash on random blocks). Measured (200k buildBlock calls, one-insert block):
// buildBlock 5.6 µs → 4.9 µs (4.15 µs with the escBytes/escUtf8 fast paths in hash.ts).

/** Bounded caches, cleared when full (their keys are texts and ids of a ledger's tables). */
const CACHE_LIMIT = 1024;
const versionFieldHashes: Uint8Array[] = [];
/** tableId -> s({tableName, tableId, statements: [i]}) by i, for documents touched by one statement. */
const documentEntrySerializations = new Map<string, { readonly tableName: string; readonly byStatement: Uint8Array[] }>();

function versionFieldHash(version: number): Uint8Array {
  if (!(version >= 0 && version < 256 && Number.isInteger(version))) return ionFieldHash("version", ion.int(version));
  return versionFieldHashes[version] ??= ionFieldHash("version", ion.int(version));
}

/** s({tableName, tableId, statements}) of a transactionInfo.documents entry. */
function documentEntrySerialization(w: DocumentWrite, entry: IonStruct): Uint8Array {
  // Nearly every document is touched by one statement: cache those, keyed without building a
  // string (a concatenated key cost a rope flatten and a hash per commit).
  const statements = w.statements;
  if (statements.length !== 1 || !(statements[0] < 64)) return ionHashSerialization(entry);
  let t = documentEntrySerializations.get(w.tableId);
  if (t === undefined || t.tableName !== w.tableName) {
    if (documentEntrySerializations.size >= CACHE_LIMIT) documentEntrySerializations.clear();
    t = { tableName: w.tableName, byStatement: [] };
    documentEntrySerializations.set(w.tableId, t);
  }
  return t.byStatement[statements[0]] ??= ionHashSerialization(entry);
}

/** transactionInfoOf and its ionHash, computed together. */
function transactionInfoAndHash(
  statements: readonly StatementRecord[],
  writes: readonly DocumentWrite[],
  hash: (v: IonValue) => Uint8Array,
): { info: IonStruct; hash: Uint8Array } {
  const stmts = new Array<IonValue>(statements.length);
  const stmtSers = new Array<Uint8Array>(statements.length);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    const startTime = timestampFromEpochMillis(s.startMillis);
    const digest = ion.blob(statementDigest(s.statement, s.params, hash));
    stmts[i] = ion.struct([
      ["statement", ion.string(s.statement)],
      ["startTime", startTime],
      ["statementDigest", digest],
    ]);
    stmtSers[i] = ionStructSerialization([
      statementHashesOf(s.statement).field,
      ionFieldHash("startTime", startTime, 4),
      ionFieldHash("statementDigest", digest, 4),
    ]);
  }
  const docs = new Array<IonField>(writes.length);
  const docHashes = new Array<Uint8Array>(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    const entry = ion.struct([
      ["tableName", ion.string(w.tableName)],
      ["tableId", ion.string(w.tableId)],
      ["statements", ion.list(w.statements.map((i) => ion.int(i)))],
    ]);
    docs[i] = [w.id, entry];
    docHashes[i] = ionFieldHashOfSerialized(w.id, documentEntrySerialization(w, entry));
  }
  const info = ion.struct([
    ["statements", ion.list(stmts)],
    ["documents", ion.struct(docs)],
  ]);
  const infoHash = ionStructHash([
    ionFieldHashOfSerialized("statements", ionListSerialization(stmtSers)),
    ionFieldHashOfSerialized("documents", ionStructSerialization(docHashes)),
  ]);
  return { info, hash: infoHash };
}

/** Builds a block with every hash computed. */
export function buildBlock(input: BlockInput): Block {
  // A document is usually also a statement parameter (INSERT INTO t ?): hash it once.
  let lastValue: IonValue | undefined;
  let lastHash: Uint8Array | undefined;
  let hashes: Map<IonValue, Uint8Array> | undefined;
  const hashOf = (v: IonValue): Uint8Array => {
    if (v === lastValue) return lastHash!;
    let h = hashes?.get(v);
    if (h === undefined) {
      h = ionHash(v);
      (hashes ??= new Map()).set(v, h);
    }
    lastValue = v;
    lastHash = h;
    return h;
  };
  const txTime = input.txTime;
  const writes = input.writes;
  // Metadata field hashes shared by every revision of the block.
  const txTimeHash = ionFieldHash("txTime", txTime, 3);
  const txIdHash = ionFieldHash("txId", ion.string(input.transactionId), 3);
  const revisions = new Array<Revision>(writes.length);
  const revisionHashes = new Array<Uint8Array>(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    const metadata: RevisionMetadata = { id: w.id, version: w.version, txTime, txId: input.transactionId };
    const metadataHash = ionStructHash([
      ionFieldHash("id", ion.string(w.id), 3),
      versionFieldHash(w.version),
      txTimeHash,
      txIdHash,
    ]);
    const hash = dot(metadataHash, w.data === undefined ? EMPTY_HASH : hashOf(w.data));
    revisionHashes[i] = hash;
    revisions[i] = w.data === undefined
      ? { blockAddress: input.address, hash, metadata }
      : { blockAddress: input.address, hash, data: w.data, metadata };
  }
  const info = transactionInfoAndHash(input.statements, writes, hashOf);
  const entriesHashList = [merkleRoot(revisionHashes), info.hash];
  const entriesHash = dot(entriesHashList[0], entriesHashList[1]);
  return {
    blockAddress: input.address,
    transactionId: input.transactionId,
    blockTimestamp: txTime,
    previousBlockHash: input.previousBlockHash,
    transactionInfo: info.info,
    revisions,
    entriesHashList,
    entriesHash,
    blockHash: dot(entriesHash, input.previousBlockHash),
  };
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
