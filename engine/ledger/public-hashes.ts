/**
 * The hash functions of ledger/ as the public surface hands them out: the same results, each in
 * an array that is the whole of its own buffer (ion/sha256.ts's ownDigest). The engine's own
 * digests may be views of a slab shared with others, which an application must not be able to
 * transfer or detach.
 */
import { ownDigest } from "../ion/sha256.ts";
import type { IonStruct, IonValue } from "../ion/value.ts";
import { revisionHash as revisionHashOf, statementDigest as statementDigestOf } from "./block.ts";
import { dot as dotOf, merkleRoot as merkleRootOf } from "./dot.ts";
import type { RevisionMetadata } from "./types.ts";

/**
 * QLDB's dot: an empty side yields the other; otherwise SHA-256 of the two hashes, the smaller
 * first (bytes compared as signed values from the last byte).
 */
export function dot(a: Uint8Array, b: Uint8Array): Uint8Array {
  return ownDigest(dotOf(a, b));
}

/** Merkle root by pairwise `dot` of neighbours, an odd last element carried up unchanged. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return ownDigest(merkleRootOf(leaves));
}

/** A revision's hash: dot(ionHash(metadata), ionHash(data)), for a deleted document's last revision without data. */
export function revisionHash(metadata: RevisionMetadata, data: IonStruct | undefined): Uint8Array {
  return ownDigest(revisionHashOf(metadata, data));
}

/**
 * A statement's digest in transactionInfo: the statement text's Ion hash dotted with each
 * parameter's. Always a copy: without parameters the digest is the engine's cached hash of the
 * text, which every later block's statements are hashed with.
 */
export function statementDigest(statement: string, params: readonly IonValue[], hash?: (v: IonValue) => Uint8Array): Uint8Array {
  return (hash === undefined ? statementDigestOf(statement, params) : statementDigestOf(statement, params, hash)).slice();
}
