/**
 * The journal: a durable, append-only sequence of frames, each a batch of opaque records.
 *
 * The ledger hands `append` one group commit at a time; `append` returns only once the frame is
 * on disk (one positioned write over preallocated zeros, made durable as by fdatasync: through an
 * O_DSYNC descriptor where the file layer has one, file-layer.ts), and throws if it
 * could not be made durable. The format and recovery rules are in format.ts.
 *
 * Failure discipline: a frame whose write or sync failed was not acknowledged, so it must never
 * become durable later. After such a failure the region is overwritten with zeros and synced
 * before anything else is written; if even that fails, nothing can be promised about the disk
 * and the journal refuses every further append (LEDGER_FAILED) until it is reopened, which
 * re-verifies the files from scratch.
 *
 * The caller is expected to hold `acquireLock(dir)` for as long as the journal is open.
 */
import { LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import { ensureDir, errorCode, type FileHandle, type FileLayer, joinPath, NOT_A_FILE, nodeFileLayer, parentDir, writeDurably, writeFileDurably } from "./file-layer.ts";
import {
  align8,
  encodeFrame,
  encodeSegmentHeader,
  FORMAT_VERSION,
  frameSeed,
  newSalt,
  FRAME_HEADER_BYTES,
  MAX_FRAME_INDEX,
  parseSegmentFileName,
  payloadLength,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
  segmentFileName,
} from "./format.ts";
import { MANIFEST_FILE, readManifest, writeManifest } from "./manifest.ts";
import { scanSegment } from "./recovery.ts";
import { newStrandId } from "./strand-id.ts";

export interface JournalOptions {
  /** Disk access; tests pass a FaultyFileLayer. Default: node:fs. */
  fs?: FileLayer;
  /** A new segment starts when the next frame would not fit. Default limits.segmentBytes. */
  segmentBytes?: number;
  /** Zeros written ahead of the tail at a time, and a new segment's initial size.
   *  Default limits.journalPreallocateBytes. */
  preallocateBytes?: number;
  /**
   * Leave the files untouched until `completeOpen()`: removing a half-created segment, bringing
   * the manifest up to date and zero-filling a torn tail wait until the caller has checked the
   * records (the ledger replays the hash chain first), so an open that then fails changes
   * nothing on disk. Default false: repairs happen in open.
   */
  deferRepairs?: boolean;
}

/** Where append put a frame's records: their segment's number, and each one's offset in it. */
export interface AppendedFrame {
  readonly segment: number;
  readonly offsets: readonly number[];
}

/** Read-only handles on earlier segments a journal keeps open for readRecord. */
const READ_HANDLES = 4;

export interface JournalRecord {
  readonly bytes: Uint8Array;
  /** Segment file name (not a path). */
  readonly segment: string;
  /** The segment's number (what readRecord takes). */
  readonly segmentNo: number;
  /** Offset of the record's first byte within the segment file. */
  readonly offset: number;
  /** Index of the frame (group commit) holding the record; consecutive across segments. */
  readonly frame: number;
}

export interface OpenReport {
  segments: number;
  frames: number;
  records: number;
  /**
   * Set when the last frame failed its checks and was zero-filled (or a half-created segment
   * removed, offset 0). `torn`: it looked like a write cut short by a crash. If it did not (a bit
   * flip, an edit: every sector of it landed; a cut inside it), its bytes were first saved to `savedAs`, a file
   * beside the segment, so a truncation never destroys what was there (format.ts).
   */
  truncatedTail?: { file: string; offset: number; bytes: number; torn: boolean; savedAs?: string };
}


const ZEROS = new Uint8Array(1024 * 1024);

/**
 * The copies of damaged tails saved at one offset are named `base`, `base.2`, `base.3`, … in
 * turn. The first existing, readable one whose bytes `accept` takes, or else the first free name.
 */
function findTailCopy(fs: FileLayer, dir: string, base: string, accept: (held: Uint8Array) => boolean): { name: string; found: boolean } {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}.${i}`;
    const path = joinPath(dir, name);
    if (!fs.exists(path)) return { name, found: false };
    let held: Uint8Array | undefined;
    try {
      held = fs.readFile(path);
    } catch { /* unreadable: not this one */ }
    if (held !== undefined && accept(held)) return { name, found: true };
  }
}

/**
 * A name for saving `bytes` under: `base`, unless a file of that name holds other bytes (an
 * earlier damaged tail at the same offset, since appended over), then `base.2`, `base.3`, … A
 * file already holding these bytes, or the start of them, is reused (and replaced): an earlier
 * open whose repair did not finish, or whose save stopped short. Retries then neither pile up
 * copies nor leave a partial one looking like a saved tail. (An earlier tail, appended over since,
 * is never a prefix of a later one: the frame written over it differs in its txId at least.)
 */
function freeTailName(fs: FileLayer, dir: string, base: string, bytes: Uint8Array): string {
  return findTailCopy(fs, dir, base, (held) => held.length <= bytes.length && held.every((b, k) => b === bytes[k])).name;
}

/**
 * The saved copy (`base`, `base.2`, …) of a damaged tail whose zero-fill a failed open left half
 * done, if `tail` is one: every byte of it still non-zero is the copy's byte there. Such a tail
 * reads as torn (some of its sectors are zeros now), but it is the damaged one, and is reported as
 * that again. A tail torn by a crash does not match an earlier copy: the frame written over that
 * offset since differs from the one saved (its txId, and with it its header's checksums). Only
 * if its header never landed, and the sectors that did hold the saved frame's bytes at the same
 * offsets, would it match: an alarm raised for a torn write, never a loss passed over.
 */
function earlierSaveOf(fs: FileLayer, dir: string, base: string, tail: Uint8Array): string | undefined {
  const copy = findTailCopy(fs, dir, base, (held) => {
    let nonZero = false;
    for (let k = 0; k < tail.length; k++) {
      if (tail[k] === 0) continue;
      if (k >= held.length || tail[k] !== held[k]) return false;
      nonZero = true;
    }
    return nonZero;
  });
  return copy.found ? copy.name : undefined;
}

/**
 * Writes a damaged tail's bytes to `name` in `dir`, name included durably, before the tail is
 * zero-filled. A file of that name (freeTailName chose it: an earlier attempt at this very tail)
 * is replaced.
 */
function saveTail(fs: FileLayer, dir: string, name: string, bytes: Uint8Array): void {
  writeFileDurably(fs, joinPath(dir, name), bytes);
  fs.syncDir(dir);
}

function ioError(message: string, details: Record<string, unknown>, cause: unknown): LedgerError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new LedgerError("IO_ERROR", `${message}: ${why}`, details, cause);
}

function writeZeros(fs: FileLayer, h: FileHandle, from: number, to: number): void {
  for (let p = from; p < to; p += ZEROS.length) fs.write(h, ZEROS.subarray(0, Math.min(ZEROS.length, to - p)), p);
}

function readWhole(fs: FileLayer, path: string): Uint8Array {
  const h = fs.open(path, "read");
  try {
    const size = fs.size(h);
    // Rounded up to a whole word so recovery can scan zeros a word at a time.
    const buf = new Uint8Array(align8(size));
    const n = fs.read(h, buf.subarray(0, size), 0);
    return buf.subarray(0, n);
  } finally {
    fs.close(h);
  }
}

function positiveInt(name: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new LedgerError("INVALID_ARGUMENT", `${name} must be an integer >= ${min}`, { [name]: v });
  }
  return v;
}

interface Tail {
  handle: FileHandle;
  segment: number;
  name: string;
  /** Offset where the next frame goes. */
  end: number;
  /** Current file size: preallocated zeros extend to here. */
  size: number;
  /** The segment grows up to this size, then the next frame goes to a new segment. */
  capacity: number;
  frames: number;
  /** CRC register the segment's frame checksums start from (format.ts frameSeed). */
  seed: number;
}

export class Journal {
  private state: "open" | "failed" | "closed" = "open";
  /** Repairs open found and deferred (JournalOptions.deferRepairs); run by completeOpen. */
  private pendingRepairs: (() => void)[] = [];
  /** Where frames are built; reused, since a frame is written before append returns. */
  private frameScratch = new Uint8Array(64 * 1024);
  /** Read-only handles on earlier segments (readRecord), least recently used first. */
  private readonly readHandles = new Map<number, FileHandle>();

  private constructor(
    private readonly fs: FileLayer,
    private readonly dir: string,
    private readonly strand: string,
    private readonly segmentBytes: number,
    private readonly preallocateBytes: number,
    private tail: Tail,
    private nextFrame: number,
  ) {}

  /**
   * The sizes `options` asks for, or INVALID_ARGUMENT. Touches no file, so a caller can refuse
   * bad options before it creates the directory or takes the lock.
   */
  static checkOptions(options: JournalOptions): { segmentBytes: number; preallocateBytes: number } {
    return {
      segmentBytes: positiveInt("segmentBytes", options.segmentBytes, limits.segmentBytes, SEGMENT_HEADER_BYTES + 64),
      preallocateBytes: positiveInt("preallocateBytes", options.preallocateBytes, limits.journalPreallocateBytes, 0),
    };
  }

  /**
   * Opens (creating if needed) the journal in `dir`, verifies every segment, repairs only a
   * torn tail, and returns every record in order. Throws JOURNAL_CORRUPT or IO_ERROR.
   */
  static open(dir: string, options: JournalOptions = {}): { journal: Journal; records: JournalRecord[]; report: OpenReport } {
    const fs = options.fs ?? nodeFileLayer;
    const { segmentBytes, preallocateBytes } = Journal.checkOptions(options);
    try {
      ensureDir(fs, dir);
    } catch (e) {
      throw ioError(`cannot create journal directory ${dir}`, { dir }, e);
    }
    let names: string[];
    try {
      names = fs.readdir(dir);
    } catch (e) {
      throw ioError(`cannot list journal directory ${dir}`, { dir }, e);
    }
    const numbers = names.map(parseSegmentFileName).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
    const manifest = readManifest(fs, dir);
    // Segments 1..highest must all be there: the manifest counts the ones beyond the last file.
    const expected = Math.max(numbers.length, manifest?.highestSegment ?? 0);
    for (let i = 0; i < expected; i++) {
      if (numbers[i] !== i + 1) {
        const missing = segmentFileName(i + 1);
        throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${missing} is missing`, {
          file: missing,
          offset: 0,
          dir,
        });
      }
    }

    const records: JournalRecord[] = [];
    const report: OpenReport = { segments: 0, frames: 0, records: 0 };
    const repairs: (() => void)[] = [];
    const repair = (fn: () => void) => (options.deferRepairs === true ? repairs.push(fn) : fn());
    let strand: string | undefined;
    let nextFrame = 0;
    let last: { segment: number; name: string; end: number; frames: number; header: SegmentHeader } | undefined;
    /** A tail that is not a torn write: saved before it is zero-filled. */
    let damagedTail: Uint8Array | undefined;
    for (const n of numbers) {
      const name = segmentFileName(n);
      const path = joinPath(dir, name);
      const isLast = n === numbers.length;
      let bytes: Uint8Array;
      try {
        bytes = readWhole(fs, path);
      } catch (e) {
        // A directory (or a pipe…) where a segment should be is damage to the journal, not a failing disk.
        if (errorCode(e) === "EISDIR" || errorCode(e) === NOT_A_FILE) {
          const what = errorCode(e) === "EISDIR" ? "a directory" : "not a regular file";
          throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${name} is ${what}`, { file: name, offset: 0, dir });
        }
        throw ioError(`cannot read journal segment ${name}`, { file: name, dir }, e);
      }
      const verdict = scanSegment(bytes, {
        file: name,
        segment: n,
        strandId: strand,
        firstFrame: nextFrame,
        isLast,
        maxFrameBytes: limits.maxFrameBytes,
        previousVersion: last?.header.version,
      });
      if (verdict.kind === "unfinished") {
        // A creation cut short comes before the manifest names the segment; once named, the
        // segment was complete, so a bad header now is damage.
        if (manifest !== undefined && n <= manifest.highestSegment) {
          throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${name} has a damaged header`, { file: name, offset: 0, dir });
        }
        repair(() => {
          try {
            fs.unlink(path);
            fs.syncDir(dir);
          } catch (e) {
            throw ioError(`cannot remove unfinished journal segment ${name}`, { file: name, dir }, e);
          }
        });
        report.truncatedTail = { file: name, offset: 0, bytes: bytes.length, torn: true };
        break;
      }
      strand = verdict.header.strandId;
      for (const f of verdict.frames) {
        for (const r of f.records) records.push({ bytes: r.bytes, segment: name, segmentNo: n, offset: r.offset, frame: f.index });
      }
      nextFrame += verdict.frames.length;
      report.segments++;
      report.frames += verdict.frames.length;
      if (verdict.tail) {
        const tail = verdict.tail;
        const base = `${name}.tail-${tail.offset}`;
        const savedBefore = tail.torn ? earlierSaveOf(fs, dir, base, bytes.subarray(tail.offset, tail.offset + tail.bytes)) : undefined;
        if (savedBefore !== undefined) report.truncatedTail = { file: name, ...tail, torn: false, savedAs: savedBefore };
        else if (tail.torn) report.truncatedTail = { file: name, ...tail };
        else {
          damagedTail = bytes.slice(tail.offset, tail.offset + tail.bytes);
          report.truncatedTail = { file: name, ...tail, savedAs: freeTailName(fs, dir, base, damagedTail) };
        }
      }
      last = { segment: n, name, end: verdict.end, frames: verdict.frames.length, header: verdict.header };
    }
    report.records = records.length;

    if (manifest !== undefined && strand !== undefined && manifest.strandId !== strand) {
      throw new LedgerError("JOURNAL_CORRUPT", `journal manifest ${MANIFEST_FILE} names strand ${manifest.strandId}, not ${strand}`, {
        file: MANIFEST_FILE,
        offset: 0,
        dir,
      });
    }

    if (strand === undefined || last === undefined) {
      // Nothing to replay, so nothing to check first: a half-created segment 1 must go now.
      for (const fn of repairs.splice(0)) fn();
      // A new ledger: its directory's own name must be durable before any commit is acknowledged.
      // ensureDir syncs the parent only when it creates the directory, and a directory made
      // by an open that then failed (its parent's sync refused), or by the application, was never
      // synced into its parent: a power cut could drop it and every commit in it.
      const parent = parentDir(dir);
      if (parent !== dir) {
        try {
          fs.syncDir(parent);
        } catch (e) {
          throw ioError(`cannot sync the directory holding ${dir}`, { dir }, e);
        }
      }
      const id = newStrandId();
      const tail = Journal.createSegment(fs, dir, id, 1, 0, segmentBytes, preallocateBytes, 0);
      try {
        Journal.recordHighest(fs, dir, id, 1);
      } catch (e) {
        try {
          fs.close(tail.handle);
        } catch { /* already failing */ }
        throw e;
      }
      report.segments = 1;
      return { journal: new Journal(fs, dir, id, segmentBytes, preallocateBytes, tail, 0), records, report };
    }
    if (manifest === undefined || manifest.highestSegment < last.segment) {
      const [id, highest] = [strand, last.segment];
      repair(() => Journal.recordHighest(fs, dir, id, highest));
    }

    const path = joinPath(dir, last.name);
    let handle: FileHandle;
    try {
      handle = fs.open(path, "readwrite");
    } catch (e) {
      throw ioError(`cannot open journal segment ${last.name}`, { file: last.name, dir }, e);
    }
    const t = report.truncatedTail;
    if (t && t.file === last.name && t.bytes > 0) {
      const lastName = last.name;
      const saved = damagedTail;
      repair(() => {
        try {
          if (saved !== undefined && t.savedAs !== undefined) saveTail(fs, dir, t.savedAs, saved);
          writeZeros(fs, handle, t.offset, t.offset + t.bytes);
          fs.datasync(handle);
        } catch (e) {
          throw ioError(`cannot repair the tail of journal segment ${lastName}`, { file: lastName, dir }, e);
        }
      });
    }
    try {
      const size = fs.size(handle);
      const tail: Tail = {
        handle,
        segment: last.segment,
        name: last.name,
        end: last.end,
        size,
        capacity: Math.max(segmentBytes, size),
        frames: last.frames,
        seed: frameSeed(last.header),
      };
      const journal = new Journal(fs, dir, strand, segmentBytes, preallocateBytes, tail, nextFrame);
      journal.pendingRepairs = repairs;
      return { journal, records, report };
    } catch (e) {
      try {
        fs.close(handle);
      } catch { /* already failing */ }
      throw ioError(`cannot repair the tail of journal segment ${last.name}`, { file: last.name, dir }, e);
    }
  }

  /**
   * Runs the repairs open deferred (JournalOptions.deferRepairs), in the order open found them.
   * Call once the records have been checked; appends are refused until then. If a repair fails
   * the journal is closed and the error (IO_ERROR) thrown: nothing was acknowledged on top of it.
   */
  completeOpen(): void {
    const repairs = this.pendingRepairs;
    this.pendingRepairs = [];
    try {
      for (const fn of repairs) fn();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The journal's strand id (22 base62 characters), the same in every segment header. */
  get strandId(): string {
    return this.strand;
  }

  /** Index the next appended frame will get (= number of frames in the journal). */
  get nextFrameIndex(): number {
    return this.nextFrame;
  }

  /**
   * Appends one frame holding `records` (one group commit) and returns once it is durable, with
   * where each record now lies (for readRecord). Throws IO_ERROR if it is not durable (the frame
   * is then guaranteed absent after a restart), LEDGER_FAILED after an unrecoverable failure,
   * LEDGER_CLOSED after close().
   */
  append(records: readonly Uint8Array[]): AppendedFrame {
    if (this.state === "closed") throw new LedgerError("LEDGER_CLOSED", "the journal is closed");
    if (this.state === "failed") {
      throw new LedgerError("LEDGER_FAILED", "the journal failed to restore its tail after an I/O error; reopen it");
    }
    if (!Array.isArray(records) || records.some((r) => !(r instanceof Uint8Array))) {
      throw new LedgerError("INVALID_ARGUMENT", "append takes an array of Uint8Array records");
    }
    if (this.pendingRepairs.length > 0) {
      throw new LedgerError("INVALID_ARGUMENT", "the journal's open has repairs to finish: call completeOpen() before appending");
    }
    if (records.length === 0) return { segment: this.tail.segment, offsets: [] };
    const length = payloadLength(records);
    if (length > limits.maxFrameBytes) {
      throw new LedgerError("LIMIT_EXCEEDED", `a journal frame of ${length} bytes exceeds limits.maxFrameBytes`, {
        limit: "maxFrameBytes",
        value: length,
      });
    }
    if (this.nextFrame > MAX_FRAME_INDEX) {
      throw new LedgerError("LIMIT_EXCEEDED", "the journal has reached its maximum number of frames", {
        limit: "frames",
      });
    }
    if (length + 64 > this.frameScratch.length) this.frameScratch = new Uint8Array(Math.max(length + 64, this.frameScratch.length * 2));
    const frameBytes = FRAME_HEADER_BYTES + align8(length);
    if (this.tail.frames > 0 && this.tail.end + frameBytes > this.tail.capacity) this.rollover(frameBytes);
    const t = this.tail;
    if (t.end + frameBytes > t.capacity) t.capacity = t.end + frameBytes;
    if (t.end + frameBytes > t.size) this.grow(t.end + frameBytes);
    // Encoded for the segment it goes into: each segment has its own salt (format.ts).
    const frame = encodeFrame(t.seed, this.nextFrame, records, this.frameScratch);

    try {
      writeDurably(this.fs, t.handle, frame, t.end);
    } catch (e) {
      this.restore(t, t.end, t.end + frame.length, e);
    }
    // Record i follows the frame header, the record count, every record's length and records
    // 0…i-1 (format.ts).
    const offsets = new Array<number>(records.length);
    let at = t.end + FRAME_HEADER_BYTES + 4 + 4 * records.length;
    for (let i = 0; i < records.length; i++) {
      offsets[i] = at;
      at += records[i].length;
    }
    t.end += frame.length;
    t.frames++;
    this.nextFrame++;
    return { segment: t.segment, offsets };
  }

  /**
   * The `length` bytes at `offset` of segment number `segment`, read from disk: a record that
   * append placed there or open listed. Not checksummed again: the caller checks what it decodes
   * (readAll re-verifies whole frames). IO_ERROR if the file cannot be read, JOURNAL_CORRUPT if it
   * ends before the record does.
   */
  readRecord(segment: number, offset: number, length: number): Uint8Array {
    if (this.state === "closed") throw new LedgerError("LEDGER_CLOSED", "the journal is closed");
    const name = segmentFileName(segment);
    const out = new Uint8Array(length);
    let n: number;
    try {
      n = this.fs.read(this.readHandle(segment), out, offset);
    } catch (e) {
      throw ioError(`cannot read journal segment ${name}`, { file: name, dir: this.dir }, e);
    }
    if (n !== length) {
      throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${name} ends inside the record at offset ${offset}`, { file: name, offset });
    }
    return out;
  }

  /**
   * A handle to read `segment` through: the tail's own, or one of a few kept open on earlier
   * segments (a reader of old blocks tends to stay in one segment; an open is a system call).
   */
  private readHandle(segment: number): FileHandle {
    if (segment === this.tail.segment) return this.tail.handle;
    let h = this.readHandles.get(segment);
    if (h !== undefined) {
      // Most recently used last.
      this.readHandles.delete(segment);
      this.readHandles.set(segment, h);
      return h;
    }
    h = this.fs.open(joinPath(this.dir, segmentFileName(segment)), "read");
    this.readHandles.set(segment, h);
    if (this.readHandles.size > READ_HANDLES) {
      const [oldest, handle] = this.readHandles.entries().next().value!;
      this.readHandles.delete(oldest);
      try {
        this.fs.close(handle);
      } catch { /* read only */ }
    }
    return h;
  }

  /**
   * Reads every record back from disk, verifying every checksum again, without repairing
   * anything: what `ledger.verify()` re-hashes, so damage done to the files while the ledger is
   * open is found too. Any frame that fails — including one at the tail, which was sound when it
   * was written — is JOURNAL_CORRUPT with the file and offset.
   */
  readAll(): JournalRecord[] {
    if (this.state === "closed") throw new LedgerError("LEDGER_CLOSED", "the journal is closed");
    const records: JournalRecord[] = [];
    let nextFrame = 0;
    let previousVersion: number | undefined;
    for (let n = 1; n <= this.tail.segment; n++) {
      const name = segmentFileName(n);
      let bytes: Uint8Array;
      try {
        bytes = readWhole(this.fs, joinPath(this.dir, name));
      } catch (e) {
        throw ioError(`cannot read journal segment ${name}`, { file: name, dir: this.dir }, e);
      }
      const verdict = scanSegment(bytes, {
        file: name,
        segment: n,
        strandId: this.strand,
        firstFrame: nextFrame,
        isLast: n === this.tail.segment,
        maxFrameBytes: limits.maxFrameBytes,
        previousVersion,
      });
      if (verdict.kind === "unfinished") {
        throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${name} has a damaged header`, { file: name, offset: 0 });
      }
      if (verdict.tail !== undefined) {
        throw new LedgerError("JOURNAL_CORRUPT", `journal segment ${name} is damaged at offset ${verdict.tail.offset}`, {
          file: name,
          offset: verdict.tail.offset,
        });
      }
      for (const f of verdict.frames) {
        for (const r of f.records) records.push({ bytes: r.bytes, segment: name, segmentNo: n, offset: r.offset, frame: f.index });
      }
      nextFrame += verdict.frames.length;
      previousVersion = verdict.header.version;
    }
    if (nextFrame !== this.nextFrame) {
      throw new LedgerError("JOURNAL_CORRUPT", `the journal holds ${nextFrame} frames on disk; ${this.nextFrame} were written`, {
        file: this.tail.name,
        offset: this.tail.end,
      });
    }
    return records;
  }

  /** Releases the file handles. Every appended frame is already durable. Idempotent. */
  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const h of this.readHandles.values()) {
      try {
        this.fs.close(h);
      } catch { /* read only */ }
    }
    this.readHandles.clear();
    try {
      this.fs.close(this.tail.handle);
    } catch { /* nothing left to lose: every frame was synced by append */ }
  }

  /**
   * Zero-fills a failed frame and syncs, so it can never surface; else the journal fails, and the
   * frame is in doubt: it was written, so a crash may still land it whole, and the reopened
   * journal then holds it (IO_ERROR with details.failed tells the caller; README, Transactions).
   */
  private restore(t: Tail, from: number, to: number, cause: unknown): never {
    const details = { file: t.name, offset: from, dir: this.dir };
    try {
      writeZeros(this.fs, t.handle, from, to);
      this.fs.datasync(t.handle);
    } catch (e2) {
      this.state = "failed";
      throw ioError(`journal append failed and the tail could not be restored (journal failed)`, {
        ...details,
        failed: true,
        restoreError: e2 instanceof Error ? e2.message : String(e2),
      }, cause);
    }
    throw ioError("journal append failed; nothing was written", details, cause);
  }

  /**
   * Extends the preallocated zeros to cover at least `needed` bytes.
   *
   * The zeros cost about as many disk bytes as the frames they make room for: measured with 64
   * writers, a ledger whose whole segment was zero-filled before the run committed 12-16% more
   * per second. Moving the work off the commit path did not recover it: preparing the next
   * segment with promises never ran, since writers awaiting commit after commit keep the event
   * loop in microtasks (committer.ts); preparing it in a worker thread measured 0.95-1.09x,
   * the zeros still sharing the disk with the commits' syncs.
   */
  private grow(needed: number): void {
    const t = this.tail;
    const step = Math.max(this.preallocateBytes, Math.floor(t.size / 4));
    const target = align8(Math.min(t.capacity, Math.max(needed, t.size + step)));
    try {
      writeZeros(this.fs, t.handle, t.size, target);
      this.fs.datasync(t.handle);
      t.size = target;
    } catch (e) {
      // Only zeros beyond the end of data were at stake; the next append grows again. The size
      // stays where the zeros were last synced, whatever the file now says: a frame must never be
      // written over zeros that are not durable, or a crash could leave it running past the end
      // of the file, which recovery takes for a cut (torn: false, format.ts), not a torn write.
      throw ioError(`cannot preallocate journal segment ${t.name}`, { file: t.name, dir: this.dir }, e);
    }
  }

  /** Writes the manifest at open (IO_ERROR if the disk refuses). */
  private static recordHighest(fs: FileLayer, dir: string, strandId: string, highestSegment: number): void {
    try {
      writeManifest(fs, dir, { strandId, highestSegment });
    } catch (e) {
      throw ioError(`cannot write journal manifest ${MANIFEST_FILE}`, { file: MANIFEST_FILE, dir }, e);
    }
  }

  private rollover(frameBytes: number): void {
    const t = this.tail;
    const next = Journal.createSegment(
      this.fs,
      this.dir,
      this.strand,
      t.segment + 1,
      this.nextFrame,
      this.segmentBytes,
      this.preallocateBytes,
      frameBytes,
      () => {
        this.state = "failed";
      },
    );
    try {
      this.fs.close(t.handle);
    } catch { /* every frame in it is already durable */ }
    this.tail = next;
    try {
      writeManifest(this.fs, this.dir, { strandId: this.strand, highestSegment: next.segment });
    } catch {
      // The manifest only ever lags the segments (the next open brings it up to date), and a
      // failing disk shows itself on the frame's own write and sync next.
    }
  }

  /**
   * Creates a segment durably (header, preallocated zeros, datasync, then its directory entry)
   * before any frame goes into it, so recovery can treat a bad header over zeros as a creation
   * cut short. On failure removes it again; if that fails, calls `onStuck`.
   */
  private static createSegment(
    fs: FileLayer,
    dir: string,
    strandId: string,
    segment: number,
    firstFrame: number,
    segmentBytes: number,
    preallocateBytes: number,
    frameBytes: number,
    onStuck?: () => void,
  ): Tail {
    const name = segmentFileName(segment);
    const path = joinPath(dir, name);
    const capacity = Math.max(segmentBytes, SEGMENT_HEADER_BYTES + frameBytes);
    const size = align8(Math.min(capacity, Math.max(preallocateBytes, SEGMENT_HEADER_BYTES + frameBytes + FRAME_HEADER_BYTES)));
    let handle: FileHandle | undefined;
    try {
      handle = fs.open(path, "create");
      const salt = newSalt();
      fs.write(handle, encodeSegmentHeader({ strandId, segment, firstFrame, salt }), 0);
      writeZeros(fs, handle, SEGMENT_HEADER_BYTES, size);
      fs.datasync(handle);
      fs.syncDir(dir);
      const seed = frameSeed({ version: FORMAT_VERSION, strandId, salt });
      return { handle, segment, name, end: SEGMENT_HEADER_BYTES, size, capacity, frames: 0, seed };
    } catch (e) {
      try {
        if (handle !== undefined) fs.close(handle);
        if (fs.exists(path)) {
          fs.unlink(path);
          fs.syncDir(dir);
        }
      } catch {
        onStuck?.();
      }
      throw ioError(`cannot create journal segment ${name}`, { file: name, dir }, e);
    }
  }
}
