// Tampering: altering any single byte of the journal is detected — by a frame or header checksum
// when the ledger opens (JOURNAL_CORRUPT before the last frame; in it, a tail reported as not torn,
// its bytes saved), or, for an edit that also fixes up the checksums, by `ledger.verify()`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { Ledger, LedgerError } from "../../engine/index.ts";
import { decodeBinary, encodeBinary } from "../../engine/ion/binary.ts";
import type { IonStruct, IonValue } from "../../engine/ion/value.ts";
import { BLOCK_SYMBOL_CATALOG, BLOCK_SYMBOLS } from "../../engine/ledger/block-codec.ts";
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  readFrameBody,
  readFrameHeader,
  SECTOR_BYTES,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
  decodeSegmentHeader,
  frameSeed,
  type SegmentHeader,
  align8,
} from "../../engine/journal/format.ts";
import { tempDir, withTempDir } from "../helpers/tmp.ts";

async function makeLedger(dir: string): Promise<void> {
  const ledger = await Ledger.open(dir);
  await ledger.transaction((tx) => tx.createTable("cars"));
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await ledger.transaction((tx) => tx.insert("cars", { VIN: `V${i}`, Owner: "Maria Garcia", Year: 2012 + i })));
  await ledger.transaction((tx) => tx.update("cars", ids[0], { VIN: "V0", Owner: "Richard Roe", Year: 2012 }));
  await ledger.transaction((tx) => tx.delete("cars", ids[1]));
  await ledger.close();
}

/** Offset just past the last non-zero byte: the written part of a preallocated segment. */
function writtenLength(bytes: Uint8Array): number {
  let n = bytes.length;
  while (n > 0 && bytes[n - 1] === 0) n--;
  return n;
}

/** Offsets of a segment's frames, then the offset just past the last one. */
function frameBounds(bytes: Uint8Array): number[] {
  const seed = frameSeed(decodeSegmentHeader(bytes) as SegmentHeader);
  const bounds = [SEGMENT_HEADER_BYTES];
  let pos = SEGMENT_HEADER_BYTES;
  for (let h = readFrameHeader(seed, bytes, pos); h !== undefined; h = readFrameHeader(seed, bytes, pos)) {
    pos += FRAME_HEADER_BYTES + align8(h.length);
    bounds.push(pos);
  }
  return bounds;
}

/** Offset just past the last frame of a segment. */
function endOfFrames(bytes: Uint8Array): number {
  return frameBounds(bytes).at(-1)!;
}

type Outcome = "corrupt-on-open" | "tail-truncated" | "damaged-tail-saved" | "verify-failed" | "undetected";

async function reopenOutcome(dir: string): Promise<Outcome> {
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(dir);
  } catch (e) {
    assert.ok(e instanceof LedgerError, `a damaged journal gives a LedgerError, not ${e}`);
    assert.equal(e.code, "JOURNAL_CORRUPT");
    assert.ok(typeof e.details.file === "string" && typeof e.details.offset === "number", "names file and offset");
    return "corrupt-on-open";
  }
  try {
    const t = ledger.openInfo.truncatedTail;
    if (t !== undefined) {
      if (t.torn) return "tail-truncated";
      // Damage that does not look torn is reported so, and its bytes are kept beside the segment.
      assert.ok(t.savedAs !== undefined && fs.existsSync(path.join(dir, t.savedAs)), "the damaged tail was saved");
      return "damaged-tail-saved";
    }
    return (await ledger.verify()).ok ? "undetected" : "verify-failed";
  } finally {
    await ledger.close();
  }
}

describe("tampering", () => {
  test("altering any single byte of the journal is detected", async () => {
    const { dir: pristine, cleanup } = tempDir();
    try {
      await makeLedger(pristine);
      const segment = path.join(pristine, segmentFileName(1));
      const original = fs.readFileSync(segment);
      const written = writtenLength(original);
      // Where the frames end, and from where a torn write's remains could lie (format.ts): past
      // the sectors of the zero header that marks the end of data. Damage before that is refused.
      const end = endOfFrames(new Uint8Array(original));
      const remainsFrom = Math.ceil((end + FRAME_HEADER_BYTES) / SECTOR_BYTES) * SECTOR_BYTES;
      await fc.assert(fc.asyncProperty(fc.nat({ max: Math.max(written + 64, remainsFrom + 64) }), fc.integer({ min: 1, max: 255 }), (pos, mask) =>
        withTempDir(async (dir) => {
          fs.cpSync(pristine, dir, { recursive: true });
          const bytes = new Uint8Array(original);
          bytes[pos] ^= mask;
          fs.writeFileSync(path.join(dir, segmentFileName(1)), bytes);
          const outcome = await reopenOutcome(dir);
          assert.notEqual(outcome, "undetected", `byte ${pos} ^ ${mask} went unnoticed`);
          // A changed byte of a committed frame is never taken for a torn write.
          if (outcome === "tail-truncated") assert.ok(pos >= remainsFrom, `byte ${pos} ^ ${mask} (frames end at ${end}) was taken for a torn write`);
        })
      ), { numRuns: 120 });
    } finally {
      cleanup();
    }
  });

  test("a journal file cut inside its last frame opens without that transaction, reported torn: false with what was left saved, and goes on", async () => {
    const { dir: pristine, cleanup } = tempDir();
    try {
      await makeLedger(pristine);
      const original = new Uint8Array(fs.readFileSync(path.join(pristine, segmentFileName(1))));
      const bounds = frameBounds(original);
      const [start, end] = bounds.slice(-2);
      for (const cut of [start + 1, start + FRAME_HEADER_BYTES - 1, start + FRAME_HEADER_BYTES, (start + end) >> 1, end - 1]) {
        await withTempDir(async (dir) => {
          fs.cpSync(pristine, dir, { recursive: true });
          fs.writeFileSync(path.join(dir, segmentFileName(1)), original.subarray(0, cut));
          let ledger = await Ledger.open(dir);
          const t = ledger.openInfo.truncatedTail;
          assert.deepEqual({ offset: t?.offset, bytes: t?.bytes, torn: t?.torn }, { offset: start, bytes: cut - start, torn: false }, `cut at ${cut}`);
          assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, t!.savedAs!))), original.subarray(start, cut));
          // The last transaction (the delete) is gone; the ledger takes the next one where it was.
          assert.equal(ledger.openInfo.blocks, bounds.length - 2);
          const rows = await ledger.execute("SELECT VIN FROM cars");
          assert.equal(rows.length, 4, `cut at ${cut}`);
          await ledger.execute("INSERT INTO cars ?", { VIN: "V9" });
          await ledger.close();
          ledger = await Ledger.open(dir);
          assert.equal(ledger.openInfo.truncatedTail, undefined);
          assert.equal((await ledger.execute("SELECT VIN FROM cars")).length, 5);
          assert.equal((await ledger.verify()).ok, true);
          await ledger.close();
        });
      }
    } finally {
      cleanup();
    }
  });

  test("an edit that recomputes the frame checksums is caught by ledger.verify()", () =>
    withTempDir(async (dir) => {
      await makeLedger(dir);
      const file = path.join(dir, segmentFileName(1));
      const bytes = new Uint8Array(fs.readFileSync(file));
      // The forger can read the files, salt included: only verify() stands in the way.
      const seed = frameSeed(decodeSegmentHeader(bytes) as SegmentHeader);
      // Read every frame, change one owner in block 1, and write the segment back with valid CRCs.
      const frames: Uint8Array[][] = [];
      let pos = SEGMENT_HEADER_BYTES;
      for (;;) {
        const h = readFrameHeader(seed, bytes, pos);
        if (h === undefined) break;
        const body = readFrameBody(seed, bytes, pos, h, 1 << 30);
        assert.ok(typeof body !== "string");
        frames.push(body.map((r) => r.bytes));
        pos += FRAME_HEADER_BYTES + align8(h.length);
      }
      assert.ok(frames.length >= 5);
      const forge = (v: IonValue): IonValue => {
        if (v.kind === "string" && v.value === "Maria Garcia") return { kind: "string", value: "Mallory" };
        if (v.kind === "struct") return { ...v, fields: v.fields.map(([k, x]) => [k, forge(x)] as const) };
        if (v.kind === "list") return { ...v, items: v.items.map(forge) };
        return v;
      };
      const block = decodeBinary(frames[1][0], BLOCK_SYMBOL_CATALOG)[0] as IonStruct;
      frames[1][0] = encodeBinary(forge(block), BLOCK_SYMBOLS);
      const out = new Uint8Array(bytes.length);
      out.set(bytes.subarray(0, SEGMENT_HEADER_BYTES));
      let p = SEGMENT_HEADER_BYTES;
      frames.forEach((records, i) => {
        const f = encodeFrame(seed, i, records);
        out.set(f, p);
        p += f.length;
      });
      fs.writeFileSync(file, out);
      const ledger = await Ledger.open(dir);
      const report = await ledger.verify();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.sequenceNo, 1);
      assert.match(report.problem!.message, /revisions\[0\]\.hash/);
      await ledger.close();
    }));
});

describe("tampering while the ledger is open", () => {
  test("ledger.verify() reads the journal back from disk", () =>
    withTempDir(async (dir) => {
      await makeLedger(dir);
      const ledger = await Ledger.open(dir);
      assert.equal((await ledger.verify()).ok, true);
      const file = path.join(dir, segmentFileName(1));
      const bytes = new Uint8Array(fs.readFileSync(file));
      bytes[SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 40] ^= 0x20;
      fs.writeFileSync(file, bytes);
      const report = await ledger.verify();
      assert.equal(report.ok, false);
      assert.match(report.problem!.message, /journal-000001\.qj/);
      await ledger.close();
    }));
});
