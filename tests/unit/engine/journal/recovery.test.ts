import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { Journal } from "../../../../engine/journal/journal.ts";
import { scanSegment } from "../../../../engine/journal/recovery.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import {
  decodeSegmentHeader,
  encodeFrame,
  encodeSegmentHeader,
  frameSeed,
  SECTOR_BYTES,
  type SegmentHeader,
  segmentFileName,
  strandSeed,
} from "../../../../engine/journal/format.ts";
import { crc32c } from "../../../../engine/journal/crc32c.ts";
import { isLedgerError, LedgerError } from "../../../../engine/errors.ts";

const OPTS = { segmentBytes: 2048, preallocateBytes: 512 };

function rec(i: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let k = 0; k < size; k++) b[k] = (i * 131 + k * 17 + 1) & 0xff;
  return b;
}

/** A journal of `frames` frames with 1-3 records each; returns its batches and frame positions. */
function build(frames: number, opts = OPTS) {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, ...opts });
  const batches: Uint8Array[][] = [];
  const positions: { file: string; start: number; end: number }[] = [];
  for (let i = 0; i < frames; i++) {
    const batch = Array.from({ length: (i % 3) + 1 }, (_, k) => rec(i * 3 + k, 15 + ((i * 7 + k * 11) % 60)));
    journal.append(batch);
    batches.push(batch);
  }
  journal.close();
  const reopened = Journal.open("/j", { fs, ...opts });
  reopened.journal.close();
  // Frame boundaries from the record addresses: a frame spans its header to its padded end.
  let prevEnd = 64;
  let prevFile = "";
  for (let f = 0; f < frames; f++) {
    const rs = reopened.records.filter((r) => r.frame === f);
    const file = rs[0].segment;
    if (file !== prevFile) prevEnd = 64;
    const last = rs[rs.length - 1];
    const end = (last.offset + last.bytes.length + 7) & ~7;
    positions.push({ file, start: prevEnd, end });
    prevEnd = end;
    prevFile = file;
  }
  return { fs, batches, positions };
}

/** Puts the directory back exactly as snapshotted, removing segments created since. */
function restore(fs: FaultyFileLayer, snapshot: Map<string, Uint8Array>): void {
  for (const name of fs.readdir("/j")) if (!snapshot.has(name)) fs.unlink(`/j/${name}`);
  for (const [name, bytes] of snapshot) fs.replace(`/j/${name}`, bytes);
  fs.syncDir("/j");
}

function snapshot(fs: FaultyFileLayer): Map<string, Uint8Array> {
  return new Map(fs.readdir("/j").map((n) => [n, fs.contents(`/j/${n}`)]));
}

function open(fs: FaultyFileLayer) {
  return Journal.open("/j", { fs, ...OPTS });
}

function flat(batches: Uint8Array[][]): Uint8Array[] {
  return batches.flat();
}

/** The sector shares of bytes [from, to): one [start, end) per SECTOR_BYTES sector they touch. */
function sectorShares(from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = from; s < to;) {
    const e = Math.min(to, (Math.floor(s / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    out.push([s, e]);
    s = e;
  }
  return out;
}

/** build(12) and then one frame of a 1,500-byte record: a last frame over several sectors. */
function buildWithLongLastFrame() {
  const { fs, batches } = build(12);
  const { journal } = Journal.open("/j", { fs, ...OPTS });
  const long = [rec(77, 1500)];
  journal.append(long);
  journal.close();
  const { records } = Journal.open("/j", { fs, ...OPTS });
  const last = records[records.length - 1];
  assert.deepEqual(last.bytes, long[0]);
  const start = last.offset - 16 - 8; // frame header, record count, one record length
  // Its header and payload, not the padding after them.
  return { fs, batches: [...batches, long], file: last.segment, start, dataEnd: last.offset + last.bytes.length };
}

test("a last frame torn by a crash (any of its sectors never landed) is truncated, reported, and the journal goes on", () => {
  const { fs, batches, file, start, dataEnd } = buildWithLongLastFrame();
  const path = `/j/${file}`;
  const pristine = fs.contents(path);
  const all = snapshot(fs);
  const shares = sectorShares(start, dataEnd);
  assert.ok(shares.length >= 4, `the frame spans ${shares.length} sectors`);
  assert.ok(shares.every(([s, e]) => pristine.subarray(s, e).some((b) => b !== 0)), "every share of the intact frame holds data");
  // Every pattern of landed sectors but "all of them".
  for (let landed = 0; landed < (1 << shares.length) - 1; landed++) {
    restore(fs, all);
    const damaged = pristine.slice();
    shares.forEach(([s, e], i) => {
      if ((landed & (1 << i)) === 0) damaged.fill(0, s, e);
    });
    fs.replace(path, damaged);
    const { journal, records, report } = open(fs);
    const kept = batches.slice(0, -1);
    assert.deepEqual(records.map((r) => r.bytes), flat(kept), `landed ${landed.toString(2)}`);
    if (landed !== 0) {
      assert.equal(report.truncatedTail?.offset, start, `landed ${landed.toString(2)}`);
      assert.equal(report.truncatedTail?.torn, true, `landed ${landed.toString(2)}`);
      assert.equal(report.truncatedTail?.savedAs, undefined);
    }
    const extra = rec(999, 40);
    journal.append([extra]);
    journal.close();
    fs.crash();
    const again = open(fs);
    assert.equal(again.report.truncatedTail, undefined);
    assert.deepEqual(again.records.map((r) => r.bytes), [...flat(kept), extra]);
    again.journal.close();
  }
});

test("a last frame damaged after it was written (every sector landed) is truncated as torn: false, its bytes saved first", () => {
  const { fs, batches, file, start, dataEnd } = buildWithLongLastFrame();
  const path = `/j/${file}`;
  const pristine = fs.contents(path);
  const all = snapshot(fs);
  const padded = start + 16 + ((dataEnd - start - 16 + 7) & ~7);
  const check = (damaged: Uint8Array, what: string) => {
    const { journal, records, report } = open(fs);
    journal.close();
    assert.deepEqual(records.map((r) => r.bytes), flat(batches.slice(0, -1)), what);
    const t = report.truncatedTail;
    assert.equal(t?.offset, start, what);
    assert.equal(t?.torn, false, what);
    assert.equal(t?.savedAs, `${file}.tail-${start}`, what);
    // The damaged frame, as it was, is in the saved file; the segment holds zeros there now.
    assert.deepEqual(fs.contents(`/j/${t!.savedAs}`), damaged.subarray(start, start + t!.bytes), what);
    assert.ok(fs.contents(path).subarray(start, start + t!.bytes).every((b) => b === 0), what);
  };
  // One flipped bit at every byte of the frame, its padding included.
  for (let k = start; k < padded; k++) {
    restore(fs, all);
    for (const n of fs.readdir("/j")) if (n.includes(".tail-")) fs.unlink(`/j/${n}`);
    const damaged = pristine.slice();
    damaged[k] ^= 1 << (k % 8);
    fs.replace(path, damaged);
    check(damaged, `bit flip at ${k}`);
  }
  // Garbage from an offset on.
  for (let k = start; k < padded; k += 97) {
    restore(fs, all);
    const damaged = pristine.slice();
    for (let i = k; i < padded; i++) damaged[i] = ((i * 97 + 13) & 0xff ^ pristine[i]) | 1;
    fs.replace(path, damaged);
    check(damaged, `garbage from ${k}`);
  }
  // A saved file left by a repair that failed after saving is replaced, and the next open is clean.
  const again = open(fs);
  again.journal.close();
  assert.equal(again.report.truncatedTail, undefined);
});

test("a second damaged tail at the same offset is saved beside the first; a retry reuses its own copy", () => {
  const { fs, file, start } = buildWithLongLastFrame();
  const path = `/j/${file}`;
  const base = `${file}.tail-${start}`;
  const damage = (at: number) => {
    const bytes = fs.contents(path);
    bytes[at] ^= 0x10;
    fs.replace(path, bytes);
    return bytes;
  };
  const first = damage(start + 300);
  let r = open(fs);
  r.journal.append([rec(78, 1500)]); // the next frame goes where the damaged one was
  r.journal.close();
  assert.equal(r.report.truncatedTail?.savedAs, base);
  damage(start + 700);
  r = open(fs);
  r.journal.close();
  assert.equal(r.report.truncatedTail?.savedAs, `${base}.2`);
  assert.deepEqual(fs.contents(`/j/${base}`), first.subarray(start, start + r.report.truncatedTail!.bytes));
  // An open whose repair saved the bytes and then failed keeps the saved copy; a retry that finds
  // the tail unchanged reuses it rather than saving another.
  r = open(fs);
  r.journal.append([rec(79, 1500)]);
  r.journal.close();
  const third = damage(start + 16 + 8 + 5);
  fs.failSync(1); // the saved file's sync: the save fails, nothing is zeroed
  assert.throws(() => open(fs), (e) => isLedgerError(e, "IO_ERROR"));
  assert.ok(fs.contents(path).subarray(start, start + 64).every((b, i) => b === third[start + i]), "the tail is untouched");
  r = open(fs);
  r.journal.close();
  assert.equal(r.report.truncatedTail?.savedAs, `${base}.3`);
  assert.deepEqual(fs.contents(`/j/${base}.3`), third.subarray(start, start + r.report.truncatedTail!.bytes));
  assert.deepEqual(fs.readdir("/j").filter((n) => n.includes(".tail-")).sort(), [base, `${base}.2`, `${base}.3`]);
});

test("a save of a damaged tail cut short by a failed write is replaced by the retry, not left beside it", () => {
  const { fs, file, start } = buildWithLongLastFrame();
  const path = `/j/${file}`;
  const bytes = fs.contents(path);
  bytes[start + 700] ^= 0x10;
  fs.replace(path, bytes);
  fs.failWrite(1); // the saved copy's write: it stops short, and the open fails with the segment untouched
  assert.throws(() => open(fs), (e) => isLedgerError(e, "IO_ERROR"));
  const saved = fs.readdir("/j").filter((n) => n.includes(".tail-"));
  assert.deepEqual(saved, [`${file}.tail-${start}`]);
  assert.ok(fs.contents(`/j/${saved[0]}`).length < 1500, "the first save is partial");
  const { journal, report } = open(fs);
  journal.close();
  assert.equal(report.truncatedTail?.savedAs, `${file}.tail-${start}`);
  assert.deepEqual(fs.readdir("/j").filter((n) => n.includes(".tail-")), saved);
  assert.deepEqual(fs.contents(`/j/${saved[0]}`), bytes.subarray(start, start + report.truncatedTail!.bytes));
});

test("a damaged tail whose zero-fill a failed open left half done is reported as damaged again (torn: false, the same saved copy), not as torn", () => {
  const { fs, file, start } = buildWithLongLastFrame();
  const path = `/j/${file}`;
  const bytes = fs.contents(path);
  bytes[start + 40] ^= 0x10;
  fs.replace(path, bytes);
  fs.failWrite(2); // the save lands whole; the zero-fill's write stops halfway and the open fails
  assert.throws(() => open(fs), (e) => isLedgerError(e, "IO_ERROR"));
  const now = fs.contents(path);
  assert.ok(now.subarray(start, start + 16).every((b) => b === 0) && now.subarray(start + 1024, start + 1500).some((b) => b !== 0), "half zeroed");
  const { journal, report } = open(fs);
  journal.close();
  assert.equal(report.truncatedTail?.torn, false);
  assert.equal(report.truncatedTail?.savedAs, `${file}.tail-${start}`);
  assert.deepEqual(fs.readdir("/j").filter((n) => n.includes(".tail-")), [`${file}.tail-${start}`]);
  assert.deepEqual(fs.contents(`/j/${file}.tail-${start}`).subarray(0, 1500), bytes.subarray(start, start + 1500));
});

test("a last segment cut inside its last frame opens without it: a partial last frame, saved and reported torn: false, and the journal goes on", () => {
  const { fs, batches, positions } = build(12);
  const last = positions[positions.length - 1];
  const path = `/j/${last.file}`;
  const pristine = fs.contents(path);
  const all = snapshot(fs);
  for (let k = last.start; k < last.end; k++) {
    restore(fs, all);
    for (const n of fs.readdir("/j")) if (n.includes(".tail-")) fs.unlink(`/j/${n}`);
    fs.replace(path, pristine.slice(0, k));
    const { journal, records, report } = open(fs);
    assert.deepEqual(records.map((r) => r.bytes), flat(batches.slice(0, -1)), `cut at ${k}`);
    const t = report.truncatedTail;
    if (k === last.start) {
      // Cut exactly at the frame's start it cannot be told from a shorter journal (format.ts).
      assert.equal(t, undefined);
    } else {
      // Frames are only ever written over zeros already durable, so no crash leaves a file that
      // ends inside one: the tail is reported as not torn, and what was left of it is kept.
      assert.deepEqual({ offset: t?.offset, bytes: t?.bytes, torn: t?.torn }, { offset: last.start, bytes: k - last.start, torn: false }, `cut at ${k}`);
      assert.equal(t?.savedAs, `${last.file}.tail-${last.start}`);
      assert.deepEqual(fs.contents(`/j/${t!.savedAs}`), pristine.subarray(last.start, k), `cut at ${k}`);
    }
    // The next frame goes where the partial one was, past the end of the cut file.
    const extra = rec(500 + k, 300);
    journal.append([extra]);
    journal.close();
    const again = open(fs);
    again.journal.close();
    assert.equal(again.report.truncatedTail, undefined, `cut at ${k}`);
    assert.deepEqual(again.records.map((r) => r.bytes), [...flat(batches.slice(0, -1)), extra], `cut at ${k}`);
  }
});

test("a cut file whose failing frame is not the last one is JOURNAL_CORRUPT: bytes cut from inside a frame with intact frames after it, or damage before a frame whose header the cut ends in", () => {
  // Bytes removed from the middle of a long frame (the file then ending at the data's end): the
  // frame runs past the end of the file, yet the two frames after it are intact and 8-aligned.
  {
    const { fs, file, start } = buildWithLongLastFrame();
    const { journal } = Journal.open("/j", { fs, ...OPTS });
    journal.append([rec(90, 40)]);
    journal.append([rec(91, 40)]);
    journal.close();
    const bytes = fs.contents(`/j/${file}`);
    let dataEnd = bytes.length;
    while (bytes[dataEnd - 1] === 0) dataEnd--;
    const untouched = snapshot(fs);
    // Any count, not only multiples of 8: the frames after the cut are then unaligned, and still
    // found. Inserted bytes too (negative counts here: that many bytes of 0x5a put in).
    for (const removed of [1200, 1, 3, 7, 9, 13, 1199, 1201, -1, -5, -8, -300]) {
      restore(fs, untouched);
      const cutAt = start + 104;
      const spliced = removed > 0
        ? [...bytes.subarray(0, cutAt), ...bytes.subarray(cutAt + removed, (dataEnd + 7) & ~7)]
        : [...bytes.subarray(0, cutAt), ...new Uint8Array(-removed).fill(0x5a), ...bytes.subarray(cutAt, (dataEnd + 7) & ~7)];
      fs.replace(`/j/${file}`, new Uint8Array(spliced));
      assert.throws(
        () => open(fs),
        (e: unknown) => isLedgerError(e, "JOURNAL_CORRUPT") && /valid frame follows/.test((e as Error).message) && (e as LedgerError).details.offset === start,
        `${removed > 0 ? "removed" : "inserted"} ${Math.abs(removed)} bytes`,
      );
    }
  }
  // A flipped bit in the second-to-last frame, and the file cut inside the last frame's header.
  {
    const { fs, positions } = build(12);
    const [prev, last] = positions.slice(-2);
    assert.equal(prev.file, last.file);
    const bytes = fs.contents(`/j/${last.file}`);
    bytes[prev.start + 20] ^= 4;
    for (const cut of [last.start + 1, last.start + 8, last.start + 15]) {
      fs.replace(`/j/${last.file}`, bytes.slice(0, cut));
      assert.throws(() => open(fs), (e: unknown) => isLedgerError(e, "JOURNAL_CORRUPT") && (e as LedgerError).details.offset === prev.start, `cut at ${cut}`);
    }
  }
});

test("bytes removed across many frames bring a far intact frame near: still found, still JOURNAL_CORRUPT", () => {
  // 104 frames of 600-byte records filling most of one segment; 92 frames' worth of bytes cut
  // from inside frame 10. Frame 103 is intact right after the cut, though its index is far more
  // than the bytes left after the damage could hold from frame 10 on.
  const fs = new FaultyFileLayer();
  const opts = { segmentBytes: 64 * 1024 };
  const { journal } = Journal.open("/j", { fs, ...opts });
  for (let i = 0; journal.nextFrameIndex < 104; i++) journal.append([new Uint8Array(600).map((_, k) => (i * 31 + k * 7) & 0xff)]);
  journal.close();
  const file = "/j/journal-000001.qj";
  const bytes = fs.contents(file);
  const frame = 16 + 608;
  const from = 64 + 10 * frame + 100;
  for (const removed of [92 * frame, 92 * frame + 3, 60 * frame - 5]) {
    fs.replace(file, new Uint8Array([...bytes.subarray(0, from), ...bytes.subarray(from + removed)]));
    assert.throws(
      () => Journal.open("/j", { fs, ...opts }),
      (e: unknown) => isLedgerError(e, "JOURNAL_CORRUPT") && /valid frame follows/.test((e as Error).message) && (e as LedgerError).details.offset === 64 + 10 * frame,
      `removed ${removed}`,
    );
  }
});

test("single-byte damage before the last frame is JOURNAL_CORRUPT; in it or after it, a reported tail (torn: false unless it looks torn)", () => {
  const { fs, batches, positions } = build(40);
  const files = [...new Set(positions.map((p) => p.file))];
  assert.ok(files.length >= 3);
  const lastFile = files[files.length - 1];
  const pristine = new Map(files.map((f) => [f, fs.contents(`/j/${f}`)]));
  const all = snapshot(fs);
  const ends = new Map(files.map((f) => [f, Math.max(...positions.filter((p) => p.file === f).map((p) => p.end))]));
  const lastFrame = positions[positions.length - 1];
  const lastBytes = pristine.get(lastFile)!;
  // The last frame holds no all-zero sector share of its own (else damage to it could read as torn).
  assert.ok(sectorShares(lastFrame.start, lastFrame.end).every(([s, e]) => lastBytes.subarray(s, e).some((b) => b !== 0)));
  // Where the remains of a torn write may lie: past the sectors of the zero header at the end of data.
  const remainsFrom = Math.ceil((lastFrame.end + 16) / SECTOR_BYTES) * SECTOR_BYTES;
  fc.assert(
    fc.property(fc.nat(files.length - 1), fc.nat(), fc.integer({ min: 1, max: 255 }), (fi, at, xor) => {
      const file = files[fi];
      // The written region and some of the zeros after it (into the next sector, for the last segment).
      const region = Math.min(pristine.get(file)!.length, ends.get(file)! + 600);
      const pos = at % region;
      restore(fs, all);
      const damaged = pristine.get(file)!.slice();
      damaged[pos] ^= xor;
      fs.replace(`/j/${file}`, damaged);
      let result;
      try {
        result = open(fs);
      } catch (e) {
        assert.ok(e instanceof LedgerError, String(e));
        assert.equal(e.code, "JOURNAL_CORRUPT", e.message);
        assert.equal(e.details.file, file);
        assert.equal(typeof e.details.offset, "number");
        assert.ok((e.details.offset as number) <= pos, `offset ${e.details.offset} after damage at ${pos}`);
        return;
      }
      result.journal.close();
      const got = result.records.map((r) => r.bytes);
      const t = result.report.truncatedTail;
      assert.ok(t, `damage at ${file}:${pos} went unreported`);
      assert.equal(file, lastFile);
      assert.equal(t.file, lastFile);
      assert.ok(pos >= lastFrame.start, `damage at ${pos} before the last frame was taken for a tail`);
      if (pos < lastFrame.end) assert.deepEqual(got, flat(batches.slice(0, -1)));
      else assert.deepEqual(got, flat(batches));
      // Only remains where a torn write can leave them read as torn; a changed byte of the frame never does.
      assert.equal(t.torn, pos >= remainsFrom, `damage at ${pos} (end of data ${lastFrame.end})`);
      assert.equal(t.savedAs !== undefined, !t.torn);
    }),
    { numRuns: 400 },
  );
  // Every byte of the last segment's header and of the first frame's header, exhaustively.
  for (const file of [files[0], lastFile]) {
    for (let pos = 0; pos < 64 + 16; pos++) {
      restore(fs, all);
      const damaged = pristine.get(file)!.slice();
      damaged[pos] ^= 0x40;
      fs.replace(`/j/${file}`, damaged);
      assert.throws(() => open(fs), (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === file, `${file}:${pos}`);
    }
  }
});

test("a valid frame after a zeroed one is corruption, not a tail", () => {
  const { fs, positions } = build(6);
  const victim = positions[3];
  assert.equal(victim.file, positions[5].file);
  const bytes = fs.contents(`/j/${victim.file}`);
  bytes.fill(0, victim.start, victim.end);
  fs.replace(`/j/${victim.file}`, bytes);
  assert.throws(
    () => open(fs),
    (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === victim.file && e.details.offset === victim.start,
  );
  // The same hole with only its header zeroed: the damaged body must not be mistaken for a tail either.
  const { fs: fs2, positions: p2 } = build(6);
  const b2 = fs2.contents(`/j/${p2[3].file}`);
  b2[p2[3].start + 20] ^= 1;
  fs2.replace(`/j/${p2[3].file}`, b2);
  assert.throws(() => open(fs2), (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.offset === p2[3].start);
});

test("non-zero bytes after the end of data are zeroed in the last segment, corruption elsewhere", () => {
  const { fs, batches, positions } = build(30);
  const last = positions[positions.length - 1];
  // In a sector after the one holding the zero header: what a torn write can leave.
  const remains = Math.ceil((last.end + 16) / SECTOR_BYTES) * SECTOR_BYTES + 40;
  // Zeros preallocated that far (the file may be shorter than that).
  const pristine = new Uint8Array(Math.max(remains + 64, fs.contents(`/j/${last.file}`).length));
  pristine.set(fs.contents(`/j/${last.file}`));
  fs.replace(`/j/${last.file}`, pristine);
  const all = snapshot(fs);
  const bytes = pristine.slice();
  bytes.set([1, 2, 3, 4, 5], remains);
  fs.replace(`/j/${last.file}`, bytes);
  const { journal, records, report } = open(fs);
  assert.deepEqual(records.map((r) => r.bytes), flat(batches));
  assert.deepEqual(report.truncatedTail, { file: last.file, offset: last.end, bytes: remains + 8 - last.end, torn: true });
  journal.close();
  assert.equal(open(fs).report.truncatedTail, undefined);
  // In the header's own sector, from just after the header to the sector's end: not a torn write.
  for (const at of [last.end + 16, Math.ceil((last.end + 16) / SECTOR_BYTES) * SECTOR_BYTES - 1]) {
    restore(fs, all);
    const b = pristine.slice();
    b[at] = 9;
    fs.replace(`/j/${last.file}`, b);
    const { journal: j, report: r } = open(fs);
    j.close();
    assert.equal(r.truncatedTail?.torn, false, `byte at ${at}`);
    assert.equal(fs.contents(`/j/${r.truncatedTail!.savedAs}`)[at - last.end], 9);
  }
  restore(fs, all);

  const first = positions.filter((p) => p.file === positions[0].file).at(-1)!;
  const b1 = fs.contents(`/j/${first.file}`);
  assert.ok(b1.length > first.end + 16, "the first segment has room after its last frame");
  b1[b1.length - 1] = 7;
  fs.replace(`/j/${first.file}`, b1);
  assert.throws(() => open(fs), (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === first.file);
});

test("a huge length field is rejected without a huge allocation", () => {
  const { fs, positions } = build(3);
  const last = positions[2];
  const bytes = fs.contents(`/j/${last.file}`);
  // A frame whose header verifies but whose length claims 4 GiB: a crafted, not a random, fault.
  const frame = encodeFrame(frameSeed(decodeSegmentHeader(bytes) as SegmentHeader), 2, [rec(1, 8)]);
  const v = new DataView(frame.buffer);
  v.setUint32(0, 0xffff_fff0, true);
  bytes.set(frame.subarray(0, 16), last.start);
  fs.replace(`/j/${last.file}`, bytes);
  const { report } = open(fs);
  assert.equal(report.truncatedTail?.offset, last.start);
  assert.equal(report.truncatedTail?.torn, false);
});

test("a zero frame header across a sector boundary: remains in either of its sectors are not torn, after them they are", () => {
  // One record of r bytes puts the end of data at 64 + 16 + 8 + r (a multiple of 8).
  for (const [r, end] of [[416, 504], [408, 496]] as const) {
    const fs = new FaultyFileLayer();
    const { journal } = Journal.open("/j", { fs, segmentBytes: 1 << 20, preallocateBytes: 4096 });
    journal.append([rec(1, r)]);
    journal.close();
    const file = `/j/${segmentFileName(1)}`;
    const pristine = fs.contents(file);
    const headerSectorsEnd = Math.ceil((end + 16) / SECTOR_BYTES) * SECTOR_BYTES; // 1024 for 504, 512 for 496
    for (const at of [end + 16, headerSectorsEnd - 1, headerSectorsEnd, headerSectorsEnd + 100]) {
      const b = pristine.slice();
      b[at] = 5;
      fs.replace(file, b);
      const { journal: j, report } = Journal.open("/j", { fs, segmentBytes: 1 << 20, preallocateBytes: 4096, deferRepairs: true });
      j.close();
      assert.equal(report.truncatedTail?.offset, end, `end ${end}, byte ${at}`);
      // Torn only past the sectors of the zero header (a byte of the header itself makes it a damaged header).
      assert.equal(report.truncatedTail?.torn, at >= headerSectorsEnd, `end ${end}, byte ${at}`);
    }
  }
});

test("a torn frame whose header crosses a sector boundary is torn whichever of its sectors landed; damage is not", () => {
  const fs = new FaultyFileLayer();
  const opts = { segmentBytes: 1 << 20, preallocateBytes: 4096 };
  const { journal } = Journal.open("/j", { fs, ...opts });
  journal.append([rec(1, 416)]); // the next frame's header is [504, 520)
  journal.append([rec(2, 700)]);
  journal.close();
  const file = `/j/${segmentFileName(1)}`;
  const pristine = fs.contents(file);
  const frameEnd = 504 + 16 + 8 + 700;
  for (const [what, holes] of [
    ["only its first sector", [[512, frameEnd]]],
    ["all but its first sector", [[504, 512]]],
    ["its first and last sectors", [[512, 1024]]],
  ] as const) {
    const b = pristine.slice();
    for (const [from, to] of holes) b.fill(0, from, to);
    fs.replace(file, b);
    const { journal: j, records, report } = Journal.open("/j", { fs, ...opts, deferRepairs: true });
    j.close();
    assert.equal(records.length, 1, what);
    assert.equal(report.truncatedTail?.offset, 504, what);
    assert.equal(report.truncatedTail?.torn, true, what);
  }
  // Every sector landed, one byte changed: damage; and a torn frame with non-zero bytes past
  // its end is not what one write in flight leaves. Both are tails, torn: false.
  const b = pristine.slice();
  b[900] ^= 1;
  const c = pristine.slice();
  c.fill(0, 1024, 1536);
  c[frameEnd + 40] = 1;
  for (const [what, bytes] of [["a flipped bit", b], ["bytes past the frame", c]] as const) {
    fs.replace(file, bytes);
    const { journal: j, report } = Journal.open("/j", { fs, ...opts, deferRepairs: true });
    j.close();
    assert.equal(report.truncatedTail?.offset, 504, what);
    assert.equal(report.truncatedTail?.torn, false, what);
  }
});

test("the remains of a torn write lie within one frame's reach of the end of data; bytes further on are not torn (scanSegment)", () => {
  const { fs, positions } = build(3);
  const last = positions[2];
  const b = new Uint8Array(last.end + 4096);
  b.set(fs.contents(`/j/${last.file}`).subarray(0, last.end));
  const expectation = { file: last.file, segment: 1, firstFrame: 0, isLast: true, maxFrameBytes: 1024 };
  const reach = last.end + 16 + 1024;
  b[reach - 1] = 1; // the last byte a frame at the end of data could have written
  const verdict = scanSegment(b, expectation);
  assert.equal(verdict.kind === "segment" && verdict.tail?.offset, last.end);
  assert.equal(verdict.kind === "segment" && verdict.tail?.torn, true);
  b[reach] = 1;
  const further = scanSegment(b, expectation);
  assert.equal(further.kind === "segment" && further.tail?.torn, false);
});

test("a half-created last segment is removed and reported", () => {
  const { fs, batches, positions } = build(30);
  const lastNo = Number(positions.at(-1)!.file.slice(8, 14));
  const name = segmentFileName(lastNo + 1);
  fs.writeFileExclusive(`/j/${name}`, new Uint8Array(100)); // name durable, header never landed
  fs.syncDir("/j");
  const { journal, records, report } = open(fs);
  assert.deepEqual(records.map((r) => r.bytes), flat(batches));
  assert.deepEqual(report.truncatedTail, { file: name, offset: 0, bytes: 100, torn: true });
  journal.append([rec(5, 5)]);
  journal.close();
  assert.equal(open(fs).records.length, flat(batches).length + 1);
});

test("an empty journal whose first segment was cut short starts afresh", () => {
  const fs = new FaultyFileLayer();
  fs.mkdir("/j");
  fs.writeFileExclusive(`/j/${segmentFileName(1)}`, new Uint8Array(10));
  const { journal, records, report } = open(fs);
  assert.equal(records.length, 0);
  assert.equal(report.truncatedTail?.file, segmentFileName(1));
  journal.append([rec(1, 3)]);
  journal.close();
  assert.equal(open(fs).records.length, 1);
});

test("a torn tail is zero-filled on the real disk", () => {
  const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), "quire-journal-"));
  try {
    const { journal } = Journal.open(dir);
    for (let i = 0; i < 5; i++) journal.append([rec(i, 600)]);
    journal.close();
    const file = path.join(dir, segmentFileName(1));
    const bytes = nodeFs.readFileSync(file);
    // Frames of 16 + 8 + 600 bytes: the fifth is [2560, 3184). Its second sector never landed.
    bytes.fill(0, 3072, 3184);
    nodeFs.writeFileSync(file, bytes);
    const again = Journal.open(dir);
    assert.deepEqual(again.report.truncatedTail, { file: segmentFileName(1), offset: 2560, bytes: 512, torn: true });
    assert.equal(again.records.length, 4);
    again.journal.close();
    const after = nodeFs.readFileSync(file);
    assert.ok(after.subarray(2560).every((b) => b === 0));
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the segment salt (format version 3) ---------------------------------------------------------

/** 16-byte frame headers that verify with `seed`, index 0xffffffff, at every offset mod 8. */
function forgedHeaders(seed: number): Uint8Array {
  const h = encodeFrame(seed, 0xffff_ffff, [new Uint8Array(4)]).slice(0, 16);
  const out = new Uint8Array(25 * 8);
  for (let j = 0; j < 8; j++) out.set(h, 25 * j);
  return out;
}

// The frame is [256, 1784); its write is 1,528 bytes. The scripts land sectors [512, 1536) (its
// header's sector lost) and [256, 1024) (its last two sectors lost).
for (const [tear, script] of [["its middle", [0.9, 0.1963, 0.7323]], ["its start", [0.1, 0.262]]] as const) {
  test(`a torn frame whose record holds forged frame headers is still a torn tail (the write tore at ${tear})`, () => {
    const fs = new FaultyFileLayer();
    // Room preallocated, so the next append is the frame's write and its sync, nothing else.
    const opts = { segmentBytes: 64 * 1024, preallocateBytes: 16 * 1024 };
    const { journal } = Journal.open("/j", { fs, ...opts });
    for (let i = 0; i < 3; i++) journal.append([rec(i, 40)]);
    // What anyone could forge from the public strand id alone (format version 2's seed).
    const strand = (decodeSegmentHeader(fs.contents(`/j/${segmentFileName(1)}`)) as SegmentHeader).strandId;
    // Non-zero throughout, so that no part of the frame that misses the disk matches the zeros there.
    const payload = new Uint8Array(1500).fill(0x5a);
    payload.set(forgedHeaders(strandSeed(strand)), 100);
    fs.powerCutAfter(1); // the frame's write reaches the cache; its sync finds the power gone
    assert.throws(() => journal.append([payload]));
    let k = 0;
    fs.crash({ tear: () => script[k++] ?? 0.5 });
    const { records, report } = Journal.open("/j", { fs, ...opts });
    assert.equal(records.length, 3);
    assert.equal(report.truncatedTail?.file, segmentFileName(1));
  });
}

test("version 2 segments (no salt) are read and appended to; the next segment is version 3", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, ...OPTS });
  journal.append([rec(0, 30)]);
  journal.close();
  // Rewrite segment 1 as version 2 wrote it: version 2, zero salt, frames seeded by the strand alone.
  const name = segmentFileName(1);
  const bytes = fs.contents(`/j/${name}`);
  const header = decodeSegmentHeader(bytes) as SegmentHeader;
  const v2 = encodeSegmentHeader({ ...header, salt: new Uint8Array(8) });
  const view = new DataView(v2.buffer);
  view.setUint32(8, 2, true);
  view.setUint32(60, crc32c(v2, 0, 60), true);
  const frame = encodeFrame(strandSeed(header.strandId), 0, [rec(0, 30)]);
  const out = new Uint8Array(bytes.length);
  out.set(v2, 0);
  out.set(frame, 64);
  fs.replace(`/j/${name}`, out);

  const again = Journal.open("/j", { fs, ...OPTS });
  assert.equal(again.records.length, 1);
  for (let i = 1; i < 40; i++) again.journal.append([rec(i, 90)]); // past segmentBytes: a rollover
  again.journal.close();
  const third = Journal.open("/j", { fs, ...OPTS });
  assert.equal(third.records.length, 40);
  assert.equal((decodeSegmentHeader(fs.contents(`/j/${segmentFileName(1)}`)) as SegmentHeader).version, 2);
  const second = decodeSegmentHeader(fs.contents(`/j/${segmentFileName(2)}`)) as SegmentHeader;
  assert.equal(second.version, 3);
  assert.ok(second.salt.some((b) => b !== 0));
  assert.equal(third.journal.readAll().length, 40);
  third.journal.close();
});

test("a second-to-last frame removed whole, or all but 1-7 of its bytes, is JOURNAL_CORRUPT, not a tail", () => {
  // The last frame then starts at, or 1-7 bytes after, the failing offset. Its header verified
  // with a later index at the failing offset itself, and the search for a later frame began 8
  // bytes on: both read as the journal's tail, and the intact last frame was zeroed with it
  // (two acknowledged transactions gone, reported torn: false).
  const { fs, positions } = build(6);
  const [prev, last] = positions.slice(-2);
  assert.equal(prev.file, last.file);
  const file = `/j/${last.file}`;
  const bytes = fs.contents(file);
  const untouched = snapshot(fs);
  for (const keep of [0, 1, 2, 3, 4, 5, 6, 7, 8, 16]) {
    restore(fs, untouched);
    fs.replace(file, new Uint8Array([...bytes.subarray(0, prev.start + keep), ...bytes.subarray(last.start)]));
    assert.throws(
      () => open(fs),
      (e: unknown) => isLedgerError(e, "JOURNAL_CORRUPT") && (e as LedgerError).details.offset === prev.start,
      `kept ${keep} bytes of the frame`,
    );
    // Nothing was zeroed or saved by the failed open.
    assert.deepEqual(fs.contents(file).subarray(0, prev.start + keep + 16), new Uint8Array([...bytes.subarray(0, prev.start + keep), ...bytes.subarray(last.start, last.start + 16)]));
  }
});
