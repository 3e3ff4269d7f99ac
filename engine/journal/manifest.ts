/**
 * The journal manifest: the highest segment number the journal has ever reached, so that losing
 * the newest segment file(s) whole is JOURNAL_CORRUPT on open rather than a journal that quietly
 * ends earlier. Segment headers cannot say this: a segment knows its predecessor (its first frame
 * index) but not whether a successor was ever started.
 *
 * File `journal.manifest` beside the segments, 48 bytes, little-endian:
 *
 *     0   8  magic "QUIREMAN"
 *     8   4  format version = 1
 *    12  22  strand id, ASCII base62 (the journal's, as in every segment header)
 *    34   2  zero
 *    36   4  highest segment number
 *    40   4  zero (reserved)
 *    44   4  CRC-32C of bytes 0..44
 *
 * Written whole to `journal.manifest.tmp`, datasynced, renamed over the manifest, and the
 * directory synced: a crash leaves the old manifest or the new one, never a torn one. It is
 * written after a new segment's creation is durable, so it can only ever lag the segments: a
 * lagging or absent manifest (a crash in between, or a journal from before the manifest) is
 * brought up to date on the next open; one naming a segment that is not there, or one that
 * fails its checks, is JOURNAL_CORRUPT.
 *
 * What it cannot catch: the manifest deleted together with the newest segments. A digest the
 * application kept (`getDigest`) catches that, as it catches any rewriting of history.
 */
import { LedgerError } from "../errors.ts";
import { crc32c } from "./crc32c.ts";
import { errorCode, type FileLayer, joinPath, NOT_A_FILE, writeFileDurably } from "./file-layer.ts";
import { hasMagic, prefixStrandId, putFilePrefix } from "./format.ts";

export const MANIFEST_FILE = "journal.manifest";
const MANIFEST_TMP = "journal.manifest.tmp";
const MAGIC = new TextEncoder().encode("QUIREMAN");
const VERSION = 1;
const MANIFEST_BYTES = 48;

export interface Manifest {
  readonly strandId: string;
  readonly highestSegment: number;
}

function corrupt(dir: string, why: string): LedgerError {
  return new LedgerError("JOURNAL_CORRUPT", `journal manifest ${MANIFEST_FILE} is damaged: ${why}`, {
    file: MANIFEST_FILE,
    offset: 0,
    dir,
  });
}

export function encodeManifest(m: Manifest): Uint8Array {
  const b = new Uint8Array(MANIFEST_BYTES);
  const v = putFilePrefix(b, MAGIC, VERSION, m.strandId);
  v.setUint32(36, m.highestSegment, true);
  v.setUint32(44, crc32c(b, 0, 44), true);
  return b;
}

/** The manifest in `bytes`, or why it is not one. */
export function decodeManifest(bytes: Uint8Array): Manifest | string {
  if (bytes.length !== MANIFEST_BYTES) return `${bytes.length} bytes, not ${MANIFEST_BYTES}`;
  if (!hasMagic(bytes, MAGIC)) return "bad magic";
  const v = new DataView(bytes.buffer, bytes.byteOffset, MANIFEST_BYTES);
  if (v.getUint32(44, true) !== crc32c(bytes, 0, 44)) return "checksum mismatch";
  const version = v.getUint32(8, true);
  if (version !== VERSION) return `unsupported version ${version}`;
  return { strandId: prefixStrandId(bytes), highestSegment: v.getUint32(36, true) };
}

/** The directory's manifest; undefined if it has none. JOURNAL_CORRUPT if it fails its checks. */
export function readManifest(fs: FileLayer, dir: string): Manifest | undefined {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(joinPath(dir, MANIFEST_FILE));
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    if (errorCode(e) === "EISDIR") throw corrupt(dir, "it is a directory");
    if (errorCode(e) === NOT_A_FILE) throw corrupt(dir, "it is not a regular file");
    throw new LedgerError("IO_ERROR", `cannot read journal manifest in ${dir}: ${(e as Error)?.message}`, { dir }, e);
  }
  const m = decodeManifest(bytes);
  if (typeof m === "string") throw corrupt(dir, m);
  return m;
}

/** Replaces the manifest atomically and durably (see the header). Throws the file layer's error. */
export function writeManifest(fs: FileLayer, dir: string, m: Manifest): void {
  const tmp = joinPath(dir, MANIFEST_TMP);
  writeFileDurably(fs, tmp, encodeManifest(m)); // replaces one left by a crash mid-write
  fs.rename(tmp, joinPath(dir, MANIFEST_FILE));
  fs.syncDir(dir);
}
