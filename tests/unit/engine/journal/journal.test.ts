import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Journal, type JournalRecord } from "../../../../engine/journal/journal.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { segmentFileName } from "../../../../engine/journal/format.ts";
import { isLedgerError } from "../../../../engine/errors.ts";

function tempDir(): string {
  return nodeFs.mkdtempSync(path.join(os.tmpdir(), "quire-journal-"));
}

function rec(i: number, size = 20): Uint8Array {
  const b = new Uint8Array(size);
  for (let k = 0; k < size; k++) b[k] = (i * 31 + k * 7) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, i);
  return b;
}

function bytesOf(records: JournalRecord[]): Uint8Array[] {
  return records.map((r) => r.bytes);
}

test("append then reopen returns the same records in order (real disk)", () => {
  const dir = path.join(tempDir(), "nested", "journal");
  try {
    const first = Journal.open(dir);
    assert.equal(first.records.length, 0);
    assert.deepEqual(first.report, { segments: 1, frames: 0, records: 0 });
    assert.match(first.journal.strandId, /^[0-9A-Za-z]{22}$/);
    const written: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const batch = Array.from({ length: (i % 4) + 1 }, (_, k) => rec(i * 10 + k, (i * 13 + k) % 300));
      first.journal.append(batch);
      written.push(...batch);
    }
    first.journal.append([]); // nothing to make durable
    first.journal.close();
    first.journal.close();
    assert.throws(() => first.journal.append([rec(1)]), (e) => isLedgerError(e, "LEDGER_CLOSED"));

    const second = Journal.open(dir);
    assert.equal(second.journal.strandId, first.journal.strandId);
    assert.deepEqual(bytesOf(second.records), written);
    assert.equal(second.report.frames, 200);
    assert.equal(second.report.records, written.length);
    assert.equal(second.report.truncatedTail, undefined);
    // Each record's address points at its bytes in the segment file.
    const file = nodeFs.readFileSync(path.join(dir, second.records[7].segment));
    for (const r of second.records.slice(0, 50)) {
      assert.deepEqual(new Uint8Array(file.subarray(r.offset, r.offset + r.bytes.length)), r.bytes);
    }
    assert.deepEqual([...new Set(second.records.map((r) => r.frame))], Array.from({ length: 200 }, (_, i) => i));
    second.journal.append([rec(9999)]);
    second.journal.close();
    assert.equal(Journal.open(dir).records.length, written.length + 1);
  } finally {
    nodeFs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
  }
});

test("segments roll over at segmentBytes and frame indexes continue across them", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, segmentBytes: 1024, preallocateBytes: 256 });
  const written: Uint8Array[] = [];
  for (let i = 0; i < 60; i++) {
    const r = rec(i, 90);
    journal.append([r]);
    written.push(r);
  }
  journal.close();
  const names = fs.readdir("/j").filter((n) => n.endsWith(".qj"));
  assert.ok(names.length >= 6, `expected several segments, got ${names.length}`);
  for (const n of names) assert.ok(fs.contents(`/j/${n}`).length <= 1024);
  fs.crash();
  const again = Journal.open("/j", { fs, segmentBytes: 1024 });
  assert.deepEqual(bytesOf(again.records), written);
  assert.equal(again.report.segments, names.length);
  assert.deepEqual(again.records.map((r) => r.frame), Array.from({ length: 60 }, (_, i) => i));
  assert.equal(again.records[59].segment, segmentFileName(names.length));
});

test("large records: bigger than the preallocation and than a whole segment", () => {
  const dir = tempDir();
  try {
    const big = rec(1, 3 * 1024 * 1024 + 5);
    const small = rec(2, 10);
    const { journal } = Journal.open(dir, { segmentBytes: 1024 * 1024, preallocateBytes: 64 * 1024 });
    journal.append([small]);
    journal.append([big, small]);
    journal.append([small]);
    journal.close();
    const { records, report } = Journal.open(dir, { segmentBytes: 1024 * 1024 });
    assert.deepEqual(bytesOf(records), [small, big, small, small]);
    assert.equal(report.segments, 3);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("preallocation grows in chunks with zero writes, never past the segment size", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, segmentBytes: 64 * 1024, preallocateBytes: 4096 });
  const file = `/j/${segmentFileName(1)}`;
  assert.equal(fs.contents(file).length, 4096);
  const sizes = new Set<number>();
  let syncsAtGrowth = 0;
  for (let i = 0; i < 150; i++) {
    const before = fs.syncs;
    journal.append([rec(i, 300)]);
    const size = fs.contents(file).length;
    if (!sizes.has(size)) syncsAtGrowth += fs.syncs - before - 1;
    sizes.add(size);
    // Everything the journal reports as the file size is durable: no holes, no pending metadata.
    assert.equal(fs.durableContents(file).length, size);
  }
  const grown = [...sizes].sort((a, b) => a - b);
  assert.ok(grown.length > 2, `expected growth steps, got ${grown}`);
  assert.ok(grown.at(-1)! <= 64 * 1024);
  assert.ok(syncsAtGrowth <= grown.length, "one extra sync per growth step, none per ordinary commit");
  journal.close();
});

test("ordinary appends are one write and one sync", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs });
  const w = fs.writes;
  const s = fs.syncs;
  for (let i = 0; i < 20; i++) journal.append([rec(i, 300), rec(i + 1, 50)]);
  assert.equal(fs.writes - w, 20);
  assert.equal(fs.syncs - s, 20);
});

test("a segment missing in the middle is JOURNAL_CORRUPT", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, segmentBytes: 512, preallocateBytes: 128 });
  for (let i = 0; i < 20; i++) journal.append([rec(i, 100)]);
  journal.close();
  fs.unlink(`/j/${segmentFileName(2)}`);
  assert.throws(
    () => Journal.open("/j", { fs, segmentBytes: 512 }),
    (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === segmentFileName(2),
  );
});

test("a segment from another journal is JOURNAL_CORRUPT", () => {
  const fs = new FaultyFileLayer();
  const a = Journal.open("/a", { fs, segmentBytes: 512, preallocateBytes: 128 });
  const b = Journal.open("/b", { fs, segmentBytes: 512, preallocateBytes: 128 });
  for (let i = 0; i < 10; i++) {
    a.journal.append([rec(i, 100)]);
    b.journal.append([rec(i, 100)]);
  }
  const name = segmentFileName(2);
  fs.replace(`/a/${name}`, fs.contents(`/b/${name}`));
  assert.throws(
    () => Journal.open("/a", { fs, segmentBytes: 512 }),
    (e) => isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file === name && e.details.offset === 0,
  );
});

test("bad arguments are INVALID_ARGUMENT", () => {
  const fs = new FaultyFileLayer();
  assert.throws(() => Journal.open("/j", { fs, segmentBytes: 10 }), (e) => isLedgerError(e, "INVALID_ARGUMENT"));
  const { journal } = Journal.open("/j", { fs });
  assert.throws(() => journal.append(["x" as unknown as Uint8Array]), (e) => isLedgerError(e, "INVALID_ARGUMENT"));
  assert.throws(() => journal.append(undefined as unknown as Uint8Array[]), (e) => isLedgerError(e, "INVALID_ARGUMENT"));
});

test("other files in the directory are ignored", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs });
  journal.append([rec(1)]);
  journal.close();
  fs.writeFileExclusive("/j/quire.lock", new Uint8Array([1, 2, 3]));
  fs.writeFileExclusive("/j/journal-1.qj", new Uint8Array([1, 2, 3]));
  assert.equal(Journal.open("/j", { fs }).records.length, 1);
});

test("a new journal in a directory that already exists syncs that directory into its parent", () => {
  // ensureDir syncs the parent only when it makes the directory: one left by an open that failed
  // at that sync (or made by the application) was never synced, and commits were acknowledged
  // in it all the same; a power cut could drop the directory and every one of them.
  const synced: string[] = [];
  const fs = new (class extends FaultyFileLayer {
    override syncDir(d: string): void {
      synced.push(d);
      super.syncDir(d);
    }
  })();
  fs.mkdir("/data");
  fs.mkdir("/data/ledger");
  const { journal } = Journal.open("/data/ledger", { fs });
  journal.close();
  assert.ok(synced.includes("/data"), `synced: ${synced.join(", ")}`);
});
