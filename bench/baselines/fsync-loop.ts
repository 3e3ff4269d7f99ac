/**
 * Baseline A: the least work a durable commit can be — hash a ~300-byte record, write it, and
 * fdatasync — in a tight synchronous loop. A ledger commit does this plus building, hashing and
 * encoding a block, so this loop is the ceiling for `commit.single` on this disk.
 *
 * Measured two ways, because which is faster depends on the filesystem:
 * - append: each write extends the file, so each fdatasync must also persist the new size
 *   (a metadata/journal commit on ext4/xfs);
 * - overwrite: writes land in a preallocated, zero-filled and fsynced file (what Quire's journal
 *   does), so fdatasync only flushes data blocks.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { rateForSync } from "../stats.ts";

export const RECORD_BYTES = 300;
const HASH_BYTES = 32;
/** Preallocated file size for the overwrite variant; writes wrap around inside it. */
const PREALLOCATED_BYTES = 8 * 1024 * 1024;

type BunSha = { SHA256: { hash(input: Uint8Array, out?: Uint8Array): Uint8Array } };
const bun = (globalThis as { Bun?: BunSha }).Bun;
/** The fastest SHA-256 of the runtime, as the engine itself picks (see engine/ion/sha256.ts). */
const sha256 = bun
  ? (b: Uint8Array) => bun.SHA256.hash(b)
  : (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

/** Fills the record with a counter-dependent payload, then its hash in the last 32 bytes. */
function fillRecord(rec: Uint8Array, n: number): void {
  const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  view.setFloat64(0, n);
  rec.set(sha256(rec.subarray(0, RECORD_BYTES - HASH_BYTES)), RECORD_BYTES - HASH_BYTES);
}

export type FsyncMode = "append" | "overwrite";

/**
 * The loop's file, fresh in `dir`: preallocated with synced zeros for "overwrite", empty for
 * "append". `syncRecord` writes a record after the last one (wrapping within the preallocated
 * size) and fdatasyncs it. Also the disk side of machine.cpu_during_sync (bench/machine).
 */
export class SyncFile {
  private readonly path: string;
  private readonly fd: number;
  private pos = 0;

  constructor(dir: string, private readonly mode: FsyncMode) {
    this.path = join(dir, `fsync-${mode}-${Date.now()}-${Math.random().toString(36).slice(2)}.dat`);
    this.fd = openSync(this.path, "w+");
    if (mode === "overwrite") {
      const zeros = new Uint8Array(1024 * 1024);
      for (let off = 0; off < PREALLOCATED_BYTES; off += zeros.length) writeSync(this.fd, zeros, 0, zeros.length, off);
      fsyncSync(this.fd);
    }
  }

  syncRecord(rec: Uint8Array): void {
    if (this.mode === "overwrite" && this.pos + rec.length > PREALLOCATED_BYTES) this.pos = 0;
    writeSync(this.fd, rec, 0, rec.length, this.pos);
    fdatasyncSync(this.fd);
    this.pos += rec.length;
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}

/** One repetition: syncs/s for `ms` milliseconds, in a fresh file in `dir`. */
export function fsyncLoopRep(dir: string, mode: FsyncMode, ms: number): number {
  const file = new SyncFile(dir, mode);
  try {
    const rec = new Uint8Array(RECORD_BYTES).fill(0x5a);
    let n = 0;
    return rateForSync(ms, () => {
      fillRecord(rec, n++);
      file.syncRecord(rec);
      return 1;
    }, 1);
  } finally {
    file.close();
  }
}
