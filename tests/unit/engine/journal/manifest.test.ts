// The manifest remembers the highest segment the journal reached, so losing the newest segment
// files whole is caught on open; it only ever lags the segments, and open brings it up to date.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Journal } from "../../../../engine/journal/journal.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { segmentFileName } from "../../../../engine/journal/format.ts";
import { decodeManifest, encodeManifest, MANIFEST_FILE } from "../../../../engine/journal/manifest.ts";
import { isLedgerError } from "../../../../engine/errors.ts";

const OPTS = { segmentBytes: 512, preallocateBytes: 128 };

function rec(i: number, size = 100): Uint8Array {
  return new Uint8Array(size).fill(i & 0xff);
}

/** A journal of several segments, closed; returns its layer and its segment count. */
function build(appends = 20): { fs: FaultyFileLayer; segments: number; strandId: string } {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, ...OPTS });
  for (let i = 0; i < appends; i++) journal.append([rec(i)]);
  const strandId = journal.strandId;
  journal.close();
  const segments = fs.readdir("/j").filter((n) => n.endsWith(".qj")).length;
  assert.ok(segments >= 4, `expected several segments, got ${segments}`);
  return { fs, segments, strandId };
}

function highest(fs: FaultyFileLayer): number {
  const m = decodeManifest(fs.contents(`/j/${MANIFEST_FILE}`));
  if (typeof m === "string") throw new Error(m);
  return m.highestSegment;
}

const corruptNaming = (file: string) => (e: unknown) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === file;

test("the manifest follows every rollover", () => {
  const { fs, segments } = build();
  assert.equal(highest(fs), segments);
});

for (const lost of [1, 2, 3]) {
  test(`the newest ${lost} segment file(s) deleted whole is JOURNAL_CORRUPT naming the first missing`, () => {
    const { fs, segments } = build();
    for (let n = segments - lost + 1; n <= segments; n++) fs.unlink(`/j/${segmentFileName(n)}`);
    assert.throws(() => Journal.open("/j", { fs, ...OPTS }), corruptNaming(segmentFileName(segments - lost + 1)));
  });
}

test("every segment deleted, the manifest left: JOURNAL_CORRUPT, not a new empty journal", () => {
  const { fs, segments } = build();
  for (let n = 1; n <= segments; n++) fs.unlink(`/j/${segmentFileName(n)}`);
  assert.throws(() => Journal.open("/j", { fs, ...OPTS }), corruptNaming(segmentFileName(1)));
});

test("a newest segment with a damaged header is JOURNAL_CORRUPT once the manifest names it", () => {
  const { fs, segments } = build();
  const name = segmentFileName(segments);
  const bytes = fs.contents(`/j/${name}`);
  bytes.fill(0, 0, 64); // a header gone, as a creation cut short would leave it
  bytes.fill(0, 64);
  fs.replace(`/j/${name}`, bytes);
  assert.throws(() => Journal.open("/j", { fs, ...OPTS }), corruptNaming(name));
});

test("a journal without a manifest (older, or a crash before it was written) opens and gets one", () => {
  const { fs, segments } = build();
  fs.unlink(`/j/${MANIFEST_FILE}`);
  const { records, journal } = Journal.open("/j", { fs, ...OPTS });
  journal.close();
  assert.equal(records.length, 20);
  assert.equal(highest(fs), segments);
});

test("a lagging manifest (a crash between a segment's creation and the manifest) is brought up to date", () => {
  const { fs, segments, strandId } = build();
  fs.replace(`/j/${MANIFEST_FILE}`, encodeManifest({ strandId, highestSegment: segments - 1 }));
  const { records, journal } = Journal.open("/j", { fs, ...OPTS });
  journal.close();
  assert.equal(records.length, 20);
  assert.equal(highest(fs), segments);
});

const damaged: [string, (b: Uint8Array, strandId: string) => Uint8Array][] = [
  ["a flipped bit", (b) => b.map((x, i) => (i === 37 ? x ^ 1 : x))],
  ["cut short", (b) => b.subarray(0, 30)],
  ["empty", () => new Uint8Array(0)],
  ["another journal's strand", (_b) => encodeManifest({ strandId: "0".repeat(22), highestSegment: 1 })],
];
for (const [what, damage] of damaged) {
  test(`a manifest ${what} is JOURNAL_CORRUPT naming it`, () => {
    const { fs, strandId } = build();
    fs.replace(`/j/${MANIFEST_FILE}`, damage(fs.contents(`/j/${MANIFEST_FILE}`), strandId));
    assert.throws(() => Journal.open("/j", { fs, ...OPTS }), corruptNaming(MANIFEST_FILE));
  });
}

test("a power cut at any point of a rollover leaves a journal that opens with every acknowledged record", () => {
  // Count the operations of a run, then cut the power after each one in turn.
  const run = (fs: FaultyFileLayer, acked: Uint8Array[]) => {
    const { journal } = Journal.open("/j", { fs, ...OPTS });
    for (let i = 0; i < 12; i++) {
      const r = rec(i);
      journal.append([r]);
      acked.push(r);
    }
    journal.close();
  };
  const probe = new FaultyFileLayer();
  run(probe, []);
  const ops = probe.writes + probe.syncs;
  for (let k = 0; k <= ops; k++) {
    const fs = new FaultyFileLayer();
    const acked: Uint8Array[] = [];
    fs.powerCutAfter(k);
    try {
      run(fs, acked);
    } catch { /* the cut */ }
    fs.crash();
    const { records, journal } = Journal.open("/j", { fs, ...OPTS });
    journal.close();
    assert.deepEqual(records.map((r) => r.bytes).slice(0, acked.length), acked, `power cut after operation ${k}`);
  }
});

test("a fresh journal whose first manifest write fails: IO_ERROR, and no file handle left open", () => {
  for (let n = 1; n <= 6; n++) {
    const fs = new FaultyFileLayer();
    // Creating segment 1 takes one sync, its directory one more; the manifest's follow.
    fs.failSync(n);
    let opened: ReturnType<typeof Journal.open> | undefined;
    try {
      opened = Journal.open("/j", { fs, ...OPTS });
    } catch (e) {
      assert.ok(isLedgerError(e, "IO_ERROR"), String(e));
    }
    opened?.journal.close();
    assert.equal(fs.openHandles, 0, `sync ${n} failing left a handle open`);
  }
});
