/**
 * The journal's on-disk format (version 3). Everything here is little-endian.
 *
 * Version 2 changed no byte layout; it marks journals whose deleted revisions hash as
 * dot(ionHash(metadata), ionHash(null)) (ledger/block.ts says why). A version 1 journal, from
 * development builds before 2026-12, is refused on open rather than read with hashes that no
 * longer verify.
 *
 * Version 3 adds each segment's secret salt (below) to its frame checksums. Version 2 segments
 * (no salt: those bytes are zero) are still read and appended to; every segment created now is
 * version 3, so a journal may hold both, version 2 ones first.
 *
 * A journal is a directory of segment files `journal-000001.qj`, `journal-000002.qj`, … numbered
 * from 1 without gaps (more than six digits once past 999,999), up to the highest number the
 * manifest (manifest.ts) records. Other files in the directory (the lock) are ignored. Each
 * segment is preallocated with zeros, so appending a frame
 * overwrites zeros and never changes file metadata; the first all-zero frame header marks the
 * end of data.
 *
 * Segment header, 64 bytes at offset 0:
 *
 *     0   8  magic "QUIREJNL"
 *     8   4  format version = 2
 *    12  22  strand id, ASCII base62 (the same in every segment of a journal)
 *    34   2  zero
 *    36   4  segment number (equals the number in the file name)
 *    40   4  index of the first frame stored in this segment (frame indexes never restart)
 *    44   8  salt: random bytes (version 3; zero in version 2)
 *    52   8  zero (reserved)
 *    60   4  CRC-32C of bytes 0..60
 *
 * Frames follow from offset 64, each starting at a multiple of 8:
 *
 *     0   4  payload length L (>= 4)
 *     4   4  frame index: 0 for the journal's first frame, then +1 per frame
 *     8   4  body CRC:   CRC-32C(strand id ‖ salt ‖ bytes 0..8 of this header ‖ payload ‖ padding)
 *    12   4  header CRC: CRC-32C(strand id ‖ salt ‖ bytes 0..12 of this header)
 *    (in a version 2 segment, without the salt)
 *    16   L  payload: u32 record count n, n × u32 record length, then the records back to back
 *         …  zero padding to the next multiple of 8
 *
 * A frame is one group commit: every record in it became durable by the same fdatasync, so a
 * torn write can only ever damage the final frame. The header carries its own CRC so that a
 * corrupted length is recognised as a broken header rather than trusted to read a wild payload
 * (and it lets recovery search for intact frames after damage). Seeding both CRCs with the
 * strand id means frames copied from another journal never verify here. Lengths are further
 * bounded by limits.maxFrameBytes and by the file size before anything is read.
 *
 * Why the salt: recovery tells a torn tail from damage by whether an intact frame follows (the
 * rules below), and the strand id is public (every block address carries it). A document with a
 * blob holding a forged frame header then looked like "a valid frame follows" when a crash tore
 * the frame that carried it, and the ledger refused to open after an ordinary power cut. The salt
 * is never shown by any API, so a document cannot hold a header that verifies, short of guessing
 * a 32-bit checksum.
 *
 * Recovery rules, applied by recovery.ts on every open:
 * - Every header field is checked: magic, version, strand, numbering continuous from 1 to at
 *   least the manifest's highest segment, first frame index equal to the previous segment's next
 *   index. A missing or mismatched segment is JOURNAL_CORRUPT.
 * - A frame that fails any check (either CRC, length bound, index, payload shape) is the
 *   journal's tail only when it is in the last segment, no frame header that verifies, with
 *   an index greater than the last good frame's, exists at its own offset (a header with a later
 *   index there: the frames between were removed) or at any byte offset after it, and
 *   the file does not end inside the header of a frame after it (that frame would be the last;
 *   seen when the failing frame's own header verifies and so gives its extent). The
 *   tail is then overwritten with zeros, datasynced, and reported. Otherwise JOURNAL_CORRUPT with
 *   the file and offset. Nothing is ever skipped. A last frame (or frame header) running past the
 *   end of the file is such a tail too, a partial last frame, but never a torn one: the writer
 *   extends a segment with zeros and syncs them before it writes a frame there, so a crash never
 *   leaves one; the file was cut afterwards (the frames after the cut, if there were any, are lost
 *   as with a cut at a frame boundary, below), and it is saved and reported as below. (The
 *   search tries every byte offset, not only the 8-aligned ones frames are written at: bytes
 *   removed from or inserted into a frame by a count that is not a multiple of 8 leave the
 *   frames after it unaligned, and that is damage before them, not a tail.)
 * - Such a tail is classified before it is zeroed. A disk lands each 512-byte sector whole or not
 *   at all (SECTOR_BYTES), frames are written only over zeros, and only one frame is ever in
 *   flight, so a write cut short by a crash leaves at least one sector's share of the frame (its
 *   header and payload, not the padding) still zeros, and nothing beyond the frame's extent (its
 *   header's length, or limits.maxFrameBytes when the header does not verify). A tail that shows
 *   both marks is `torn`. One that does not was damaged after it was written (a bit flip, an
 *   edit, a cut): it is still truncated, as a tail, but its bytes are first saved to a file beside the
 *   segment (`journal-000001.qj.tail-<offset>`, synced, with its directory), and the report says
 *   `torn: false`, so a truncation never destroys what was there and the caller can raise the
 *   alarm. The name carries the offset, with `.2`, `.3`, … when another tail was saved there
 *   before; a copy holding the same bytes or the start of them (an open whose repair or save
 *   failed) is reused. A zero-fill
 *   cut short after the save leaves the tail looking torn; the next open recognises it by its
 *   saved copy (every byte of it still non-zero is the copy's) and reports it torn: false again. A short write (the frame's, or a zero-fill's) stops between pages of the
 *   page cache, so it too leaves whole sectors. Blind spots, where damage still reads as torn: a frame whose
 *   payload holds a whole sector's share of zeros (a blob of zeros) damaged elsewhere, and a
 *   frame whose first or last sector share is a few bytes long with exactly those bytes zeroed
 *   (a frame that starts 8 bytes before a sector boundary, with those 8 bytes zeroed, is what a
 *   write whose first sector never landed leaves, as far as any reader can tell).
 * - The ledger defers every repair (zeroing a torn tail, removing a half-created segment,
 *   updating the manifest) until its replay has checked the hash chain (JournalOptions.
 *   deferRepairs), so an open that fails leaves the files as it found them.
 * - What recovery cannot see: a last segment cut exactly at a frame boundary, or its last frames
 *   overwritten with zeros, reads as a shorter journal (the zeros are what unused space holds).
 *   The manifest catches lost segments, not lost frames; a digest kept by the application
 *   catches both, since the journal's digest then no longer reaches it.
 * - After the end-of-data marker: a verifying frame header with a larger index is
 *   JOURNAL_CORRUPT (a hole in the journal); other non-zero bytes are a tail in the last segment
 *   (JOURNAL_CORRUPT in any earlier one), torn if they lie where the remains of a write whose
 *   header never landed can: after the sectors holding the zero header (those did not land, or
 *   the header would not be zero) and within one frame's reach of it (16 +
 *   limits.maxFrameBytes); anywhere else they are saved and reported as above.
 * - A last segment whose header does not verify and that holds nothing but zeros after its
 *   header is a segment whose creation was cut short (no frame is written into a segment before
 *   its creation is durable, nor is the manifest updated to name it); it is removed and reported,
 *   unless the manifest names it. Any other bad header is corruption.
 */
import { crc32c, crc32cFinish, crc32cUpdate, CRC32C_INIT } from "./crc32c.ts";
import { STRAND_ID_LENGTH } from "./strand-id.ts";

export const SEGMENT_MAGIC = "QUIREJNL";
export const FORMAT_VERSION = 3;
/** Versions open reads (see the header). */
export const READABLE_VERSIONS: readonly number[] = [2, 3];
export const SALT_BYTES = 8;
export const SEGMENT_HEADER_BYTES = 64;
export const FRAME_HEADER_BYTES = 16;
/**
 * The unit a disk writes atomically: after a power cut each 512-byte sector (at a file offset
 * that is a multiple of this) holds all of a write's bytes for it or none. Every disk since the
 * 1980s keeps this for its logical sector, which is 512 bytes or a multiple of it (4Kn drives,
 * ext4's 4 KB pages), so reading torn writes at 512 bytes is the assumption that holds for all
 * of them. Recovery relies on it to tell a torn write from damage (the rules above).
 */
export const SECTOR_BYTES = 512;
/** Largest frame index a u32 can hold. */
export const MAX_FRAME_INDEX = 0xffff_ffff;

const MAGIC_BYTES = new TextEncoder().encode(SEGMENT_MAGIC);

export function segmentFileName(segment: number): string {
  return `journal-${String(segment).padStart(6, "0")}.qj`;
}

/** The segment number of a canonical segment file name, else undefined. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = /^journal-(\d{6,})\.qj$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 1 && segmentFileName(n) === name ? n : undefined;
}

export interface SegmentHeader {
  version: number;
  strandId: string;
  segment: number;
  firstFrame: number;
  /** SALT_BYTES; all zero in a version 2 segment. */
  salt: Uint8Array;
}

/**
 * The 34 bytes every journal file starts with (segment headers here, the manifest in
 * manifest.ts): magic at 0, u32 version at 8, the strand id's ASCII at 12.
 */
export function putFilePrefix(b: Uint8Array, magic: Uint8Array, version: number, strandId: string): DataView {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  b.set(magic, 0);
  v.setUint32(8, version, true);
  for (let i = 0; i < STRAND_ID_LENGTH; i++) b[12 + i] = strandId.charCodeAt(i);
  return v;
}

/** Whether `bytes` start with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/** The strand id a file prefix holds at offset 12 (see putFilePrefix). */
export function prefixStrandId(bytes: Uint8Array): string {
  let strandId = "";
  for (let i = 0; i < STRAND_ID_LENGTH; i++) strandId += String.fromCharCode(bytes[12 + i]);
  return strandId;
}

/** A fresh segment's salt. */
export function newSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_BYTES));
}

export function encodeSegmentHeader(h: Omit<SegmentHeader, "version">): Uint8Array {
  const b = new Uint8Array(SEGMENT_HEADER_BYTES);
  const v = putFilePrefix(b, MAGIC_BYTES, FORMAT_VERSION, h.strandId);
  v.setUint32(36, h.segment, true);
  v.setUint32(40, h.firstFrame, true);
  b.set(h.salt.subarray(0, SALT_BYTES), 44);
  v.setUint32(60, crc32c(b, 0, 60), true);
  return b;
}

/** The header at the start of `bytes`, or why it is not one. */
export function decodeSegmentHeader(bytes: Uint8Array): SegmentHeader | string {
  if (bytes.length < SEGMENT_HEADER_BYTES) return "segment is shorter than its header";
  if (!hasMagic(bytes, MAGIC_BYTES)) return "bad magic";
  const v = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES);
  if (v.getUint32(60, true) !== crc32c(bytes, 0, 60)) return "segment header checksum mismatch";
  const version = v.getUint32(8, true);
  return {
    version,
    strandId: prefixStrandId(bytes),
    segment: v.getUint32(36, true),
    firstFrame: v.getUint32(40, true),
    salt: bytes.slice(44, 44 + SALT_BYTES),
  };
}

/** CRC register after the strand id: where a version 2 segment's frame checksums start. */
export function strandSeed(strandId: string): number {
  const b = new Uint8Array(STRAND_ID_LENGTH);
  for (let i = 0; i < STRAND_ID_LENGTH; i++) b[i] = strandId.charCodeAt(i);
  return crc32cUpdate(CRC32C_INIT, b);
}

/** CRC register every frame checksum of a segment starts from: after the strand id and, from version 3, the salt. */
export function frameSeed(header: Pick<SegmentHeader, "version" | "strandId" | "salt">): number {
  const seed = strandSeed(header.strandId);
  return header.version >= 3 ? crc32cUpdate(seed, header.salt) : seed;
}

export function align8(n: number): number {
  // Not `(n + 7) & ~7`: lengths are u32, and that wraps negative from 2^31 on.
  const r = n % 8;
  return r === 0 ? n : n + 8 - r;
}

/** Payload bytes for a batch of records (before padding). */
export function payloadLength(records: readonly Uint8Array[]): number {
  let n = 4 + 4 * records.length;
  for (const r of records) n += r.length;
  return n;
}

/** Stores `v` little-endian at b[p, p+4). */
function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
}

/**
 * One complete frame, header and padding included, ready to be written at an aligned offset.
 * With `scratch` large enough, the frame is built in it and a view of its start is returned
 * (the journal reuses one buffer: its write is synchronous and the file layer copies or writes
 * the bytes before returning); otherwise in a fresh array.
 */
export function encodeFrame(seed: number, index: number, records: readonly Uint8Array[], scratch?: Uint8Array): Uint8Array {
  const length = payloadLength(records);
  const size = FRAME_HEADER_BYTES + align8(length);
  // Byte stores rather than a DataView: `frame.buffer` on a fresh Uint8Array makes JSC allocate
  // an ArrayBuffer for it (~290 ns, 3.3% of a commit's CPU in the commit benchmark's profile).
  const frame = scratch !== undefined && scratch.length >= size ? scratch.subarray(0, size) : new Uint8Array(size);
  // A reused buffer holds an earlier frame: the padding must be zeros again.
  for (let i = FRAME_HEADER_BYTES + length; i < size; i++) frame[i] = 0;
  putU32(frame, 0, length);
  putU32(frame, 4, index);
  putU32(frame, 16, records.length);
  let p = 20;
  for (const r of records) {
    putU32(frame, p, r.length);
    p += 4;
  }
  for (const r of records) {
    frame.set(r, p);
    p += r.length;
  }
  let body = crc32cUpdate(seed, frame, 0, 8);
  body = crc32cUpdate(body, frame, FRAME_HEADER_BYTES, frame.length);
  putU32(frame, 8, crc32cFinish(body));
  putU32(frame, 12, crc32cFinish(crc32cUpdate(seed, frame, 0, 12)));
  return frame;
}

export interface FrameHeader {
  length: number;
  index: number;
  bodyCrc: number;
}

/** The little-endian u32 at `p` (every header field). */
export function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** True when the 16 bytes at `pos` are all zero: the end-of-data marker. */
export function isZeroHeader(b: Uint8Array, pos: number): boolean {
  for (let i = pos; i < pos + FRAME_HEADER_BYTES; i++) if (b[i] !== 0) return false;
  return true;
}

/** The frame header at `pos` if its own checksum verifies. */
export function readFrameHeader(seed: number, b: Uint8Array, pos: number): FrameHeader | undefined {
  if (pos + FRAME_HEADER_BYTES > b.length) return undefined;
  if (u32(b, pos + 12) !== crc32cFinish(crc32cUpdate(seed, b, pos, pos + 12))) return undefined;
  return { length: u32(b, pos), index: u32(b, pos + 4), bodyCrc: u32(b, pos + 8) };
}

export interface DecodedRecord {
  /** Offset of the record's first byte within the segment. */
  offset: number;
  bytes: Uint8Array;
}

/**
 * Verifies the frame body for a header already checked, and splits it into records. Returns why
 * not, as a string, on failure. The records are views of `b`, not copies: copying each was 4% of
 * a ledger's open (bun:jsc profile), and what reads them (the block decoder) copies out what it
 * keeps, so the segment's bytes go when the records do, at the end of the open.
 */
export function readFrameBody(
  seed: number,
  b: Uint8Array,
  pos: number,
  h: FrameHeader,
  maxLength: number,
): DecodedRecord[] | string {
  if (h.length < 4) return "frame payload shorter than its record count";
  if (h.length > maxLength) return "frame length exceeds limits.maxFrameBytes";
  const end = pos + FRAME_HEADER_BYTES + align8(h.length);
  if (end > b.length) return "frame extends past the end of the segment";
  let body = crc32cUpdate(seed, b, pos, pos + 8);
  body = crc32cUpdate(body, b, pos + FRAME_HEADER_BYTES, end);
  if (crc32cFinish(body) !== h.bodyCrc) return "frame body checksum mismatch";
  const start = pos + FRAME_HEADER_BYTES;
  const count = u32(b, start);
  if (count > (h.length - 4) / 4) return "frame record count exceeds its payload";
  let p = start + 4 + 4 * count;
  let total = 4 + 4 * count;
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const len = u32(b, start + 4 + 4 * i);
    total += len;
    if (total > h.length) return "frame record lengths exceed its payload";
    out.push({ offset: p, bytes: b.subarray(p, p + len) });
    p += len;
  }
  if (total !== h.length) return "frame record lengths do not add up to its payload";
  return out;
}
