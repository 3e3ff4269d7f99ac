/**
 * Quire's engine: the public surface. Everything an application or the client layer uses is
 * exported here; nothing outside engine/ imports a deeper path.
 */
export { Ledger } from "./api/ledger.ts";
export type { LedgerOptions, OpenInfo, TransactionOptions, VerifyReport } from "./api/ledger.ts";
export { Transaction } from "./api/transaction.ts";
export type { DocumentRow } from "./txn/transaction.ts";
export { LedgerError, isLedgerError } from "./errors.ts";
export type { LedgerErrorCode } from "./errors.ts";
export { limits } from "./limits.ts";
export { verifyBlock, verifyRevision } from "./ledger/verify.ts";
export { dot, merkleRoot, revisionHash, statementDigest } from "./ledger/public-hashes.ts";
export {
  blockAddressToIon,
  blockToIon,
  digestFromIon,
  digestToIon,
  type Evidence,
  evidenceFromIon,
  proofFromIon,
  proofToIon,
  revisionFromIon,
  revisionToIon,
} from "./ledger/evidence.ts";
export type { Block, BlockAddress, Digest, Revision, RevisionMetadata } from "./ledger/types.ts";
export { checkFieldName, checkTableName, type TableDef } from "./catalog/catalog.ts";
export * from "./ion/index.ts";
