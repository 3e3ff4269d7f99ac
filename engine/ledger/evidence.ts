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
 * Reading is strict: a value of another shape is INVALID_ARGUMENT naming the first field that
 * does not fit, so a verifier never folds a proof it half-understood.
 *
 * @example
 * ```ts
 * const text = toText(ion.struct([["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]]));
 * // … sent to a third party, who already holds toText(digestToIon(digest)) …
 * const [evidence] = parseText(text);
 * verifyRevision(revisionFromIon(getField(evidence, "revision")!), proofFromIon(getField(evidence, "proof")!), digestFromIon(savedDigest));
 * ```
 */
import { LedgerError } from "../errors.ts";
import { getField, ion, type IonList, type IonStruct, type IonValue } from "../ion/value.ts";
import { blockAddressFromIon, blockAddressToIon, BlockShapeError, metadataFromIon } from "./block-codec.ts";
import type { Digest, Revision } from "./types.ts";

function invalid(what: string, message: string): LedgerError {
  return new LedgerError("INVALID_ARGUMENT", `${what}: ${message}`, { what });
}

/** Runs a block-codec reader, turning its shape errors into INVALID_ARGUMENT. */
function reading<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof BlockShapeError) throw invalid(what, e.message);
    throw e;
  }
}

function hashOf(v: IonValue | undefined, what: string): Uint8Array {
  if (v === undefined || v.kind !== "blob") throw invalid(what, "is not a blob");
  if (v.bytes.length !== 32) throw invalid(what, `is ${v.bytes.length} bytes, not a 32-byte SHA-256 hash`);
  return v.bytes.slice();
}

function structOf(v: unknown, what: string): IonStruct {
  const s = v as IonStruct | null | undefined;
  if (typeof s !== "object" || s === null || s.kind !== "struct" || !Array.isArray(s.fields)) throw invalid(what, "is not an Ion struct");
  return s;
}

export function digestToIon(d: Digest): IonStruct {
  return ion.struct([["digest", ion.blob(d.digest.slice())], ["digestTipAddress", blockAddressToIon(d.digestTipAddress)]]);
}

export function digestFromIon(v: IonValue): Digest {
  const s = structOf(v, "digest");
  const digestTipAddress = reading("digest", () => blockAddressFromIon(getField(s, "digestTipAddress") ?? ion.null(), "digestTipAddress"));
  return { digest: hashOf(getField(s, "digest"), "digest.digest"), digestTipAddress };
}

export function proofToIon(proof: readonly Uint8Array[]): IonList {
  return ion.list(proof.map((h) => ion.blob(h.slice())));
}

export function proofFromIon(v: IonValue): Uint8Array[] {
  if (typeof v !== "object" || v === null || v.kind !== "list") throw invalid("proof", "is not an Ion list of hashes");
  return v.items.map((h, i) => hashOf(h, `proof[${i}]`));
}

/** A revision from its Ion form (revisionToIon, a committed-view or history() row). */
export function revisionFromIon(v: IonValue): Revision {
  const s = structOf(v, "revision");
  const blockAddress = reading("revision", () => blockAddressFromIon(getField(s, "blockAddress") ?? ion.null(), "revision.blockAddress"));
  const metadata = reading("revision", () => metadataFromIon(getField(s, "metadata") ?? ion.null(), "revision.metadata"));
  const hash = hashOf(getField(s, "hash"), "revision.hash");
  const data = getField(s, "data");
  if (data === undefined) return { blockAddress, hash, metadata };
  return { blockAddress, hash, data: structOf(data, "revision.data"), metadata };
}
