/** The journal: durable, append-only, verifiable-on-open record store under the ledger. */
export { Journal, type JournalOptions, type JournalRecord, type OpenReport } from "./journal.ts";
export { acquireLock, LOCK_FILE } from "./lock.ts";
export { type FileHandle, type FileLayer, nodeFileLayer, type OpenMode } from "./file-layer.ts";
export { FaultyFileLayer } from "./faulty-file-layer.ts";
export { crc32c } from "./crc32c.ts";
