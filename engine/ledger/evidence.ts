/**
 * Evidence in Ion, for handing to a third party: a digest, a proof and a revision as the Ion
 * values QLDB's API returned them in (GetDigest's digest and DigestTipAddress, GetRevision's
 * Proof and Revision), and back. Written with `toText` or `encodeBinary` and read with
 * `parseText` or `decodeBinary`, they survive any channel that carries text or bytes, which
 * JSON cannot do for them (bigints, Ion timestamps, byte arrays).
 *
 * ```
 * digest:   {digest: {{…32 bytes…}}, digestTipAddress: {strandId: "…", sequenceNo: 41}}
 * proof:    [{{…}}, {{…}}, …]
 * revision: {blockAddress: {strandId, sequenceNo}, hash: {{…}}, data: {…}?, metadata: {id, version, txTime, txId}}
 * ```
 *
 * Reading is strict: a value of another shape — a missing, repeated or unknown field, an
 * annotation, a malformed value — is INVALID_ARGUMENT naming the first field that does not fit,
 * so a verifier never folds a proof it half-understood.
 *
 * @example
 * ```ts
 * const text = toText(ion.struct([["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]]));
 * // … sent to a third party, who already holds toText(digestToIon(digest)) …
 * const { revision: r, proof: p } = evidenceFromIon(parseText(text)[0]);
 * verifyRevision(r, p, digestFromIon(parseText(savedDigestText)[0])); // true
 * ```
 */
import { describeThrown, LedgerError } from "../errors.ts";
import { ionValueProblem } from "../ion/check.ts";
import { copyBytes } from "../ion/copy.ts";
import { limits } from "../limits.ts";
import { getField, ion, type IonList, type IonStruct, type IonValue } from "../ion/value.ts";
import {
  blockAddressFromIon,
  blockAddressToIon as addressIon,
  blockFromIon,
  blockToIon as blockIon,
  BlockShapeError,
  exactStruct,
  metadataFromIon,
  revisionToIon as revisionIon,
} from "./block-codec.ts";
import type { Block, BlockAddress, Digest, Revision } from "./types.ts";

function invalid(what: string, message: string): LedgerError {
  return new LedgerError("INVALID_ARGUMENT", `${what}: ${message}`, { what });
}

/**
 * Runs a reader, turning block-codec shape errors into INVALID_ARGUMENT, and so anything else a
 * malformed value makes it throw (a missing array, a null field, a throwing Proxy).
 */
function reading<T>(what: string, v: unknown, read: () => T, first?: () => void, bytes = EVIDENCE_BYTES): T {
  try {
    first?.();
    wellFormed(v, what, bytes);
    return read();
  } catch (e) {
    if (isInstance(e, LedgerError)) throw e;
    if (isInstance(e, BlockShapeError)) throw invalid(what, e.message);
    throw invalid(what, `is not a well-formed Ion value (${describeThrown(e)})`);
  }
}

/** `e instanceof C`, false where asking throws (a Proxy whose getPrototypeOf trap does). */
function isInstance<C extends abstract new (...args: never[]) => unknown>(e: unknown, c: C): e is InstanceType<C> {
  try {
    return e instanceof c;
  } catch {
    return false;
  }
}

/**
 * Refuses a value Ion cannot hold before any of it is read as evidence: a model value built in
 * code can hold what no Ion text or binary can (an int whose value is 1.5 or "7", a timestamp of
 * precision "bogus"), and the readers below check shapes, not values. Bounded like a document
 * (plus room for a revision's metadata), so a Proxy claiming 2^32 fields is refused, not walked.
 */
function wellFormed(v: unknown, what: string, bytes: number): void {
  const budget = { limit: bytes, left: bytes };
  const p = ionValueProblem(v, budget);
  if (p === undefined) return;
  const at = p.keys.length === 0 ? "" : ` at ${[...p.keys].reverse().join(".")}`;
  throw invalid(what, p.kind === "size" ? `holds more than ${bytes} bytes of Ion` : `is not a well-formed Ion value${at}: ${p.why || p.kind}`);
}

/** The most Ion a piece of evidence may hold: a document, plus a revision's metadata and address. */
const EVIDENCE_BYTES = limits.maxDocumentBytes + 64 * 1024;

function hashOf(v: IonValue | undefined, what: string): Uint8Array {
  if (typeof v !== "object" || v === null || v.kind !== "blob" || !(v.bytes instanceof Uint8Array)) throw invalid(what, "is not a blob");
  if (v.annotations !== undefined && v.annotations.length > 0) throw invalid(what, "has annotations");
  if (v.bytes.length !== 32) throw invalid(what, `is ${v.bytes.length} bytes, not a 32-byte SHA-256 hash`);
  return copyBytes(v.bytes);
}

function structOf(v: unknown, what: string): IonStruct {
  const s = v as IonStruct | null | undefined;
  if (typeof s !== "object" || s === null || s.kind !== "struct" || !Array.isArray(s.fields)) throw invalid(what, "is not an Ion struct");
  return s;
}

/**
 * Runs a writer on what an application passed, for the public writers below: anything it throws
 * on a value of the wrong shape (a TypeError reading a missing field) is INVALID_ARGUMENT, and
 * what it wrote must be well-formed Ion that `readBack`, the matching reader, accepts, so a hash
 * of 31 bytes or a sequenceNo of 1.5 is refused here rather than written as evidence no verifier
 * reads. The engine's own callers use block-codec.ts's writers, which trust their input.
 */
function writing<T extends IonValue>(what: string, write: () => T, readBack: (v: T) => unknown, bytes = EVIDENCE_BYTES): T {
  let out: T;
  try {
    out = write();
  } catch (e) {
    if (isInstance(e, LedgerError)) throw e;
    throw invalid(what, `is not a ${what} (${describeThrown(e)})`);
  }
  reading(what, out, () => readBack(out), undefined, bytes);
  return out;
}

/** A digest ({digest, digestTipAddress}) as the Ion struct QLDB's GetDigest returned. */
export function digestToIon(d: Digest): IonStruct {
  return writing("digest", () => ion.struct([["digest", ion.blob(d.digest.slice())], ["digestTipAddress", addressIon(d.digestTipAddress)]]), digestFromIon);
}

/** A block address ({strandId, sequenceNo}) as an Ion struct. */
export function blockAddressToIon(a: BlockAddress): IonStruct {
  return writing("blockAddress", () => addressIon(a), (v) => blockAddressFromIon(v));
}

/** A revision as QLDB's Revision struct: {blockAddress, hash, data?, metadata}; without its address if `withAddress` is false. */
export function revisionToIon(r: Revision, withAddress = true): IonStruct {
  // Read back with its address in either case, so the same rules hold for both forms.
  return writing("revision", () => revisionIon(r, withAddress), (v) => revisionFromIon(withAddress ? v : ion.struct([["blockAddress", addressIon(r.blockAddress)], ...v.fields])));
}

/** A block as QLDB's block struct (its revisions with their addresses if `withRevisionAddresses`). */
export function blockToIon(b: Block, withRevisionAddresses = false): IonStruct {
  // A block holds up to a frame's worth of documents, not one.
  return writing("block", () => blockIon(b, withRevisionAddresses), (v) => blockFromIon(v, undefined, true), limits.maxFrameBytes);
}

export function digestFromIon(v: IonValue): Digest {
  return reading("digest", v, () => {
    const s = exactStruct(structOf(v, "digest"), ["digest", "digestTipAddress"], "digest");
    const digestTipAddress = blockAddressFromIon(getField(s, "digestTipAddress") ?? ion.null(), "digestTipAddress");
    return { digest: hashOf(getField(s, "digest"), "digest.digest"), digestTipAddress };
  });
}

/** A proof (the hashes verifyRevision folds) as an Ion list of blobs. */
export function proofToIon(proof: readonly Uint8Array[]): IonList {
  return writing("proof", () => ion.list(proof.map((h) => ion.blob(h.slice()))), proofFromIon);
}

export function proofFromIon(v: IonValue): Uint8Array[] {
  let items: readonly IonValue[] = [];
  return reading("proof", v, () => {
    if (v.annotations !== undefined && v.annotations.length > 0) throw invalid("proof", "has annotations");
    const out: Uint8Array[] = [];
    for (let i = 0; i < items.length; i++) out.push(hashOf(items[i], `proof[${i}]`));
    return out;
  }, () => {
    // The length first: a list claiming 2^32 items (a Proxy) was walked item by item for hours.
    const list = typeof v === "object" && v !== null && v.kind === "list" ? v.items : undefined;
    if (!Array.isArray(list)) throw invalid("proof", "is not an Ion list of hashes");
    if (!(list.length <= limits.maxProofLength)) {
      throw invalid("proof", `has more than ${limits.maxProofLength} hashes, more than any proof has`);
    }
    items = list;
  });
}

/** A revision from its Ion form (revisionToIon, a committed-view or history() row). */
export function revisionFromIon(v: IonValue): Revision {
  return reading("revision", v, () => {
    const s = exactStruct(structOf(v, "revision"), ["blockAddress", "hash", "data", "metadata"], "revision");
    const blockAddress = blockAddressFromIon(getField(s, "blockAddress") ?? ion.null(), "revision.blockAddress");
    const metadata = metadataFromIon(getField(s, "metadata") ?? ion.null(), "revision.metadata");
    const hash = hashOf(getField(s, "hash"), "revision.hash");
    const data = getField(s, "data");
    if (data === undefined) return { blockAddress, hash, metadata };
    const d = structOf(data, "revision.data");
    if (d.annotations !== undefined && d.annotations.length > 0) throw invalid("revision.data", "has annotations");
    return { blockAddress, hash, data: d, metadata };
  });
}

/** The evidence file `quire proof` writes: a revision, its proof, and the tip the proof leads to. */
export interface Evidence {
  readonly revision: Revision;
  readonly proof: Uint8Array[];
  /** The digest tip the proof was made for (absent in evidence made before it was recorded). */
  readonly digestTipAddress?: BlockAddress;
}

/** Reads `{revision, proof, digestTipAddress?}` as strictly as its parts. */
export function evidenceFromIon(v: IonValue): Evidence {
  return reading("evidence", v, () => {
    const s = exactStruct(structOf(v, "evidence"), ["revision", "proof", "digestTipAddress"], "evidence");
    const revision = revisionFromIon(getField(s, "revision") ?? ion.null());
    const proof = proofFromIon(getField(s, "proof") ?? ion.null());
    const tip = getField(s, "digestTipAddress");
    return tip === undefined ? { revision, proof } : { revision, proof, digestTipAddress: blockAddressFromIon(tip, "evidence.digestTipAddress") };
  });
}
