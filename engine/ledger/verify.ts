/**
 * Offline verification: pure functions a third party runs with nothing but a revision or block,
 * its proof and a digest. No ledger, no I/O.
 *
 * A proof is a list of hashes; folding it with `dot` from the leaf must give the digest
 * (dot is commutative, so a proof needs no left/right flags).
 *
 * What a verified proof proves, and what it does not (QLDB's scheme, which Quire keeps):
 * - The revision's content (metadata and data) is in the journal the digest covers, unaltered;
 *   a block's hashed content likewise. Deleted revisions hash so that no other node of the
 *   tree can pass for one, and live data must be a struct (ledger/block.ts).
 * - Not which of the two is which: dot is commutative, so a revision whose data is shaped like
 *   revision metadata ({id, version, txTime, txId}) also verifies with the two swapped, naming
 *   another document id. A verifier that accepts documents of that shape should check the id
 *   against what it asked for.
 * - Not its position. blockAddress is hashed nowhere, and the proof carries no left/right
 *   flags, so a revision verifies under any blockAddress up to the digest's tip. The checks
 *   below refuse malformed and out-of-range addresses; the position itself comes from the
 *   party that served the proof. The revision's own metadata (id, version, txTime, txId) is
 *   hashed, and that is what a verifier should rely on.
 * - For a block, neither its position nor its link to the block before it. previousBlockHash is
 *   one side of the dot that makes blockHash, so it can move into the proof: any real block k,
 *   shown as block 0 (empty previousBlockHash, its entriesHash as its blockHash), verifies with
 *   its real previousBlockHash as the first hash of its real proof. A verified block's revisions
 *   and transactionInfo are in the journal the digest covers; its address, previousBlockHash and
 *   blockHash are what the party serving it says.
 *
 * Inputs are checked for shape, and anything malformed is `false`, never an exception: a
 * version must be a non-negative safe integer (not "1" or 1n, which would hash as 1), ids and
 * strand ids strings, hashes 32 bytes. A revision may also be given as the Ion struct
 * executeIon returns for a committed-view or history row.
 *
 * A row from `execute` (JavaScript values) verifies only when its data survives the trip to
 * JavaScript and back, which toJS does not promise for every Ion type: a whole-number float
 * (`2e0` comes back as the number 2, read again as an int), a symbol, a typed null, annotations,
 * an sexp, a clob or repeated field names change the data, so such a genuine revision reads as
 * `false`. For evidence, take revisions from getRevision, getBlock or executeIon, which are exact.
 *
 * @example
 * ```ts
 * const digest = await ledger.getDigest();
 * const { revision, proof } = await ledger.getRevision({ blockAddress, documentId, digestTipAddress: digest.digestTipAddress });
 * verifyRevision(revision, proof, digest); // true
 * ```
 */
import { limits } from "../limits.ts";
import { ionEquals } from "../ion/equals.ts";
import { ionValueProblem } from "../ion/check.ts";
import { copyBytes, copyValue, copyValueWithin } from "../ion/copy.ts";
import { expansionError } from "../ion/depth.ts";
import { ionHash } from "../ion/hash.ts";
import { fromJS } from "../ion/js.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { revisionHash } from "./block.ts";
import { revisionFromIon } from "./evidence.ts";
import { dot, hashEquals, merkleRoot } from "./dot.ts";
import type { Block, BlockAddress, Digest, Revision, RevisionMetadata } from "./types.ts";

/** Folds `proof` onto `leaf` with dot. */
export function foldProof(leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = leaf;
  for (const p of proof) h = dot(h, p);
  return h;
}

/**
 * A revision's data and txTime may be Ion model values (getRevision, getBlock, history,
 * revisionFromIon, the application's own parseText) or JavaScript values from a query through
 * `execute` (a plain object, an ion-js Timestamp). A value is read as a model value only if it is
 * one all the way down (ints are bigints, every field a [name, value] pair, …), not merely
 * because it has a `kind` key, which a user document may have; anything else goes through
 * fromJS, as documents do.
 */
function asIon(v: unknown, kind: "struct" | "timestamp"): IonValue {
  // A JavaScript document such as {kind: "string", value: "x"} has a model value's shape too, but
  // not the kind asked for: it is read as the struct it is.
  modelLeft = limits.maxValueNodes;
  // The copy (which reads each part once) is what is checked and hashed: see revisionOf.
  if (isModelValue(v, 0) && (v as IonValue).kind === kind) return checkedModel(copyValue(v as IonValue));
  // Too big to be a model value is too big for fromJS too: not a revision (verifiers return false).
  if (modelLeft < 0) throw expansionError();
  return fromJS(v);
}

/**
 * Values isModelValue may still visit (limits.maxValueNodes): a value that repeats a subtree is
 * checked once per place it appears, and a third party's 30 doublings would take 2^30 steps.
 */
let modelLeft = 0;

const MODEL_DEPTH = 1_000;


/**
 * `v`, if it is a value Ion can hold; else an error (the verifiers return false). The shape test
 * above only decides that `v` is meant as a model value: the hash of a malformed one can equal a
 * different valid value's, so a forged revision verified. A decimal with coefficient -5n hashed
 * as 251, a timestamp with an unknown precision skipped its shift to UTC (an hour off, and still
 * verified), hour - 256 hashed as hour, and null.of an unknown type as plain null.
 */
function checkedModel<T extends IonValue>(v: T): T {
  const p = ionValueProblem(v);
  if (p !== undefined) throw new Error(`not an Ion value: ${p.why}`);
  return v;
}

/** Whether `v` has the exact shape of an IonValue (engine/ion/value.ts), recursively. */
function isModelValue(v: unknown, depth: number): boolean {
  if (typeof v !== "object" || v === null || depth > MODEL_DEPTH || --modelLeft < 0) return false;
  const o = v as Record<string, unknown>;
  if (o.annotations !== undefined && !(Array.isArray(o.annotations) && o.annotations.every((a) => typeof a === "string"))) return false;
  switch (o.kind) {
    case "null": return typeof o.of === "string";
    case "bool": return typeof o.value === "boolean";
    case "int": return typeof o.value === "bigint";
    case "float": return typeof o.value === "number";
    case "decimal": return typeof o.coefficient === "bigint" && typeof o.exponent === "number" && typeof o.negative === "boolean";
    case "timestamp": return typeof o.precision === "string" && typeof o.year === "number" && (o.offset === null || typeof o.offset === "number");
    case "symbol": return o.text === null || typeof o.text === "string";
    case "string": return typeof o.value === "string";
    case "blob":
    case "clob": return o.bytes instanceof Uint8Array;
    case "list":
    // Every item takes at least a byte of a document: a longer array (a Proxy claiming 2^32
    // items) is not one, and is refused before it is walked.
    case "sexp": return Array.isArray(o.items) && o.items.length <= limits.maxDocumentBytes && o.items.every((x) => isModelValue(x, depth + 1));
    case "struct":
      return Array.isArray(o.fields) && o.fields.length <= limits.maxDocumentBytes && o.fields.every((f) =>
        Array.isArray(f) && f.length === 2 && typeof f[0] === "string" && isModelValue(f[1], depth + 1)
      );
    default: return false;
  }
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === 32;
}

/**
 * The proof as 32-byte arrays of the verifier's own, each element read once (undefined if it is
 * not a list of hashes). Checking the caller's list and then folding it read each element twice,
 * so a Proxy or an array subclass could pass the check with hashes and fold something else: an
 * empty array (a step that does nothing) or a longer one (a join no real tree holds).
 */
function proofSnapshot(proof: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(proof)) return undefined;
  const n = proof.length;
  if (!(n <= limits.maxProofLength)) return undefined;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const p: unknown = proof[i];
    if (!(p instanceof Uint8Array)) return undefined;
    const copy = copyBytes(p);
    if (copy.length !== 32) return undefined;
    out.push(copy);
  }
  return out;
}

function isSequenceNo(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isAddress(a: unknown): a is BlockAddress {
  const o = a as BlockAddress | null | undefined;
  return typeof o === "object" && o !== null && typeof o.strandId === "string" && isSequenceNo(o.sequenceNo);
}

/** The digest's bytes, or undefined when it is malformed or `address` lies beyond its tip or strand. */
function digestFor(digest: Digest | Uint8Array, address: unknown): Uint8Array | undefined {
  const a = addressSnapshot(address);
  if (a === undefined) return undefined;
  if (digest instanceof Uint8Array) {
    const bytes = copyBytes(digest);
    return isHash(bytes) ? bytes : undefined;
  }
  if (typeof digest !== "object" || digest === null) return undefined;
  const { digest: d, digestTipAddress } = digest;
  const tip = addressSnapshot(digestTipAddress);
  if (!(d instanceof Uint8Array) || tip === undefined) return undefined;
  const bytes = copyBytes(d);
  if (!isHash(bytes) || a.strandId !== tip.strandId || a.sequenceNo > tip.sequenceNo) return undefined;
  return bytes;
}

/** A revision as the verifier reads it; undefined when its shape is wrong. */
function revisionOf(revision: unknown): { address: unknown; hash: unknown; metadata: RevisionMetadata; data: IonStruct | undefined } | undefined {
  if (typeof revision !== "object" || revision === null) return undefined;
  const r = revision as { kind?: unknown; fields?: unknown };
  if (r.kind === "struct" && Array.isArray(r.fields)) {
    // The Ion form (an executeIon row of _ql_committed_<table> or history(<table>)). A JavaScript
    // revision has no `kind`, so this reading cannot capture one.
    // revisionFromIon throws on a wrong shape; verifyRevision turns that into false.
    modelLeft = limits.maxValueNodes;
    if (!isModelValue(revision, 0)) return undefined;
    const r = revisionFromIon(checkedModel(copyValue(revision as IonStruct)));
    return { address: r.blockAddress, hash: r.hash, metadata: r.metadata, data: r.data };
  }
  // Each field is read once, here: a getter answering the checks with one value and the hashing
  // with another would verify what was never committed.
  const { blockAddress, hash, data: rawData, metadata: m } = revision as Record<string, unknown>;
  if (typeof m !== "object" || m === null) return undefined;
  const { id, version, txTime: rawTxTime, txId } = m as Record<string, unknown>;
  if (typeof id !== "string" || typeof txId !== "string" || !isSequenceNo(version)) return undefined;
  const txTime = asIon(rawTxTime, "timestamp");
  if (txTime.kind !== "timestamp") return undefined;
  let data: IonStruct | undefined;
  if (rawData !== undefined) {
    const d = asIon(rawData, "struct");
    if (d.kind !== "struct" || (d.annotations !== undefined && d.annotations.length > 0)) return undefined;
    data = d;
  }
  const address = blockAddress === undefined ? undefined : addressSnapshot(blockAddress) ?? null;
  return { address, hash: hash instanceof Uint8Array ? copyBytes(hash) : hash, metadata: { id, version, txTime, txId }, data };
}

/**
 * True when the revision's hash matches its metadata and data, and its proof leads from that
 * hash to the digest. Never throws: malformed input is simply not verified.
 */
export function verifyRevision(revision: Revision | IonStruct, proof: readonly Uint8Array[], digest: Digest | Uint8Array): boolean {
  try {
    const steps = proofSnapshot(proof);
    if (steps === undefined) return false;
    const r = revisionOf(revision);
    if (r === undefined || !isHash(r.hash)) return false;
    const expected = digestFor(digest, r.address);
    if (expected === undefined) return false;
    const computed = revisionHash(r.metadata, r.data);
    if (!hashEquals(computed, r.hash)) return false;
    return hashEquals(foldProof(computed, steps), expected);
  } catch {
    return false;
  }
}

/**
 * What is wrong with the shape of a block's hashes, without computing any: every revision hash,
 * entriesHashList entry, entriesHash and blockHash 32 bytes, previousBlockHash 32 bytes (empty
 * for block 0). Replay checks this much of every block, so a journal re-sealed around a hash of
 * another length is JOURNAL_CORRUPT at open, naming what is wrong.
 */
export function hashShapeProblem(block: Block): string | undefined {
  const revisions = block.revisions;
  for (let i = 0; i < revisions.length; i++) if (!isHash(revisions[i].hash)) return `revisions[${i}].hash is not a 32-byte hash`;
  if (!block.entriesHashList.every(isHash)) return "entriesHashList holds something other than 32-byte hashes";
  if (!isHash(block.entriesHash) || !isHash(block.blockHash)) return "entriesHash and blockHash must be 32-byte hashes";
  const first = block.blockAddress.sequenceNo === 0;
  const previous = block.previousBlockHash;
  if (first ? !(previous instanceof Uint8Array && previous.length === 0) : !isHash(previous)) {
    return first ? "block 0's previousBlockHash must be empty" : "previousBlockHash is not a 32-byte hash";
  }
  return undefined;
}

/**
 * The checks that make a block self-consistent; returns the first failure, or undefined.
 *
 * Every hash is 32 bytes, but block 0's previousBlockHash, which is empty: `dot` passes an empty
 * side through, so an empty hash anywhere else let a block drop a revision and still verify.
 * entriesHashList holds Quire's two entries, [revisionsRoot, transactionInfoHash]. QLDB's own
 * blocks hold four, two internal hashes at [0] and [2] beside those two at [1] and [3]; they are
 * accepted only with `qldb`, since nothing can check the internal two: a four-entry list with
 * any other hashes there (another block's, say) verified for a block missing revisions.
 */
export function checkBlockHashes(block: Block, qldb = false): string | undefined {
  const shape = hashShapeProblem(block);
  if (shape !== undefined) return shape;
  for (const [i, r] of block.revisions.entries()) {
    if (!hashEquals(revisionHash(r.metadata, r.data), r.hash)) return `revisions[${i}].hash does not match its metadata and data`;
  }
  const list = block.entriesHashList;
  const [revIdx, infoIdx] = list.length === 2 ? [0, 1] : list.length === 4 && qldb ? [1, 3] : [-1, -1];
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

/** Options of verifyBlock. */
export interface VerifyBlockOptions {
  /**
   * Accept QLDB's own four-entry entriesHashList (a block exported from QLDB). Two of its four
   * hashes are QLDB-internal and cannot be checked, so such a block verifies whatever they hold:
   * a verified QLDB block shows its listed revisions and transactionInfo are in the journal,
   * not that it has no others. Default false: Quire's blocks, fully checked.
   */
  readonly qldb?: boolean;
}

/**
 * True when every hash inside the block holds and its proof leads from blockHash to the digest.
 * Never throws: malformed input is simply not verified.
 *
 * @example
 * ```ts
 * const digest = await ledger.getDigest();
 * const { block, proof } = await ledger.getBlock({ blockAddress, digestTipAddress: digest.digestTipAddress });
 * verifyBlock(block, proof, digest); // true
 * ```
 */
export function verifyBlock(block: Block, proof: readonly Uint8Array[], digest: Digest | Uint8Array, options: VerifyBlockOptions = {}): boolean {
  try {
    const steps = proofSnapshot(proof);
    if (steps === undefined) return false;
    const qldb = typeof options === "object" && options !== null && options.qldb === true;
    return verifyBlockSnapshot(blockSnapshot(block), steps, digest, qldb);
  } catch {
    return false;
  }
}

function verifyBlockSnapshot(block: Block | undefined, proof: readonly Uint8Array[], digest: Digest | Uint8Array, qldb: boolean): boolean {
  try {
    if (block === undefined) return false;
    const expected = digestFor(digest, block.blockAddress);
    if (expected === undefined || !isHash(block.blockHash)) return false;
    if (blockValuesProblem(block) !== undefined) return false;
    if (checkBlockFields(block) !== undefined || checkBlockHashes(block, qldb) !== undefined) return false;
    return hashEquals(foldProof(block.blockHash, proof), expected);
  } catch {
    return false;
  }
}

/**
 * The block as the verifier's own objects, each field read once (undefined if it is not shaped
 * like a block). verifyBlock checks and hashes this copy: it read the caller's block field by
 * field, so a getter (or Proxy) answering the hash checks with a consistent blockHash and the
 * proof's fold with the digest's bytes made a block that never existed verify, with an empty
 * proof. Hashes are copied as bytes and Ion values with copyValue, which reads each once.
 */
function blockSnapshot(b: unknown): Block | undefined {
  if (typeof b !== "object" || b === null) return undefined;
  const o = b as Record<string, unknown>;
  const blockAddress = addressSnapshot(o.blockAddress);
  const transactionId = o.transactionId;
  const blockTimestamp = o.blockTimestamp;
  const blockHash = o.blockHash, entriesHash = o.entriesHash, previousBlockHash = o.previousBlockHash;
  const list = o.entriesHashList, revisions = o.revisions, transactionInfo = o.transactionInfo;
  if (blockAddress === undefined || typeof transactionId !== "string") return undefined;
  if (!Array.isArray(list) || list.length > 4) return undefined;
  // The revisions' data together are held to limits.maxValueNodes, as a transaction's documents
  // are; everything else (a node per revision, txTimes, blockTimestamp, transactionInfo) to a
  // second allowance of the same size, which no block the writer can make exceeds (its
  // statements and entries take some 15 bytes of the block's maxBlockBytes per value). One
  // allowance for both refused genuine blocks whose documents were within the writer's limit.
  // Not maxDocumentsPerTransaction, which table definitions do not count toward. A revision list
  // of 8 million copies of one revision, each given the whole allowance again, took 40 s and
  // 13 GB to refuse.
  const budget = { left: limits.maxValueNodes };
  const dataBudget = { left: limits.maxValueNodes };
  if (!Array.isArray(revisions) || !(revisions.length <= budget.left)) return undefined;
  const entriesHashList: Uint8Array[] = [];
  for (let i = 0; i < list.length; i++) entriesHashList.push(copyBytes(list[i]));
  const revs: Revision[] = [];
  for (let i = 0; i < revisions.length; i++) {
    if (--budget.left < 0) return undefined;
    const r = revisionSnapshot(revisions[i], budget, dataBudget);
    if (r === undefined) return undefined;
    revs.push(r);
  }
  return {
    blockAddress,
    transactionId,
    blockTimestamp: copyValueWithin(blockTimestamp as IonTimestamp, budget),
    blockHash: copyBytes(blockHash as Uint8Array),
    entriesHash: copyBytes(entriesHash as Uint8Array),
    previousBlockHash: copyBytes(previousBlockHash as Uint8Array),
    entriesHashList,
    transactionInfo: copyValueWithin(transactionInfo as IonStruct, budget),
    revisions: revs,
  };
}

function addressSnapshot(a: unknown): BlockAddress | undefined {
  if (typeof a !== "object" || a === null) return undefined;
  const { strandId, sequenceNo } = a as Record<string, unknown>;
  const copy = { strandId, sequenceNo };
  return isAddress(copy) ? copy : undefined;
}

function revisionSnapshot(r: unknown, budget: { left: number }, dataBudget: { left: number }): Revision | undefined {
  if (typeof r !== "object" || r === null) return undefined;
  const { blockAddress, hash, data, metadata } = r as Record<string, unknown>;
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { id, version, txTime, txId } = metadata as Record<string, unknown>;
  let address: BlockAddress | undefined;
  if (blockAddress !== undefined) {
    address = addressSnapshot(blockAddress);
    if (address === undefined) return undefined;
  }
  const copy = {
    blockAddress: address as BlockAddress,
    hash: copyBytes(hash as Uint8Array),
    metadata: { id: id as string, version: version as number, txTime: copyValueWithin(txTime as IonTimestamp, budget), txId: txId as string },
  };
  return data === undefined ? copy : { ...copy, data: copyValueWithin(data as IonStruct, dataBudget) };
}

/**
 * The first of a block's hashed values that Ion cannot hold (see checkedModel: a malformed value
 * can hash as another), or undefined. Only for blocks from elsewhere (verifyBlock): the journal's
 * decoder yields nothing else, so ledger.verify() and a block loaded for a proof skip the walk.
 */
function blockValuesProblem(block: Block): string | undefined {
  if (block.blockTimestamp?.kind !== "timestamp" || ionValueProblem(block.blockTimestamp) !== undefined) return "blockTimestamp is malformed";
  if (ionValueProblem(block.transactionInfo) !== undefined) return "transactionInfo is malformed";
  for (const [i, r] of block.revisions.entries()) {
    if (ionValueProblem(r.metadata?.txTime) !== undefined) return `revisions[${i}].metadata.txTime is malformed`;
    if (r.data !== undefined && ionValueProblem(r.data) !== undefined) return `revisions[${i}].data is malformed`;
  }
  return undefined;
}

/**
 * The block's unhashed fields against its hashed content: every revision carries the block's
 * transaction id in its metadata (hashed), and in Quire's blocks its txTime is the block's
 * timestamp. QLDB's blocks (four-entry entriesHashList) are held only to the transaction id.
 */
export function checkBlockFields(block: Block): string | undefined {
  for (const [i, r] of block.revisions.entries()) {
    const m = r.metadata;
    if (typeof m.id !== "string" || !isSequenceNo(m.version) || m.txTime?.kind !== "timestamp") return `revisions[${i}].metadata is malformed`;
    if (r.data !== undefined && r.data.kind !== "struct") return `revisions[${i}].data is not a struct`;
    if (r.metadata.txId !== block.transactionId) return `revisions[${i}].metadata.txId is not the block's transactionId`;
    if (block.entriesHashList.length === 2 && !ionEquals(r.metadata.txTime, block.blockTimestamp)) {
      return `revisions[${i}].metadata.txTime is not the block's blockTimestamp`;
    }
    const a = r.blockAddress as BlockAddress | undefined;
    if (a !== undefined && (a.strandId !== block.blockAddress.strandId || a.sequenceNo !== block.blockAddress.sequenceNo)) {
      return `revisions[${i}].blockAddress is not the block's address`;
    }
  }
  return undefined;
}
