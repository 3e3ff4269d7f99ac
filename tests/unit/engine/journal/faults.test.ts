import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Journal } from "../../../../engine/journal/journal.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { isLedgerError, LedgerError } from "../../../../engine/errors.ts";

const OPTS = { segmentBytes: 1024, preallocateBytes: 256 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct, recognisable record contents. */
function rec(batch: number, k: number, size: number): Uint8Array {
  const b = new Uint8Array(Math.max(size, 3));
  b[0] = batch;
  b[1] = batch >> 8;
  b[2] = k;
  for (let i = 3; i < b.length; i++) b[i] = (batch * 7 + k * 13 + i) & 0xff;
  return b;
}

type Outcome = { acked: Uint8Array[][]; failed: Uint8Array[][] };

/** Runs appends, classifying each as acknowledged (returned) or failed (threw). */
function runAppends(fs: FaultyFileLayer, sizes: number[][], outcome: Outcome, base = 0): void {
  let journal: Journal;
  try {
    journal = Journal.open("/j", { fs, ...OPTS }).journal;
  } catch (e) {
    assert.ok(isLedgerError(e, "IO_ERROR"), String(e));
    return;
  }
  sizes.forEach((batchSizes, i) => {
    const batch = batchSizes.map((s, k) => rec(base + i, k, s));
    try {
      journal.append(batch);
      outcome.acked.push(batch);
    } catch (e) {
      assert.ok(e instanceof LedgerError, String(e));
      assert.ok(e.code === "IO_ERROR" || e.code === "LEDGER_FAILED", e.message);
      outcome.failed.push(batch);
    }
  });
  journal.close();
}

/** After a crash: every acknowledged batch in order; no failed one (but `inFlight` may have landed). */
function checkRecovered(fs: FaultyFileLayer, outcome: Outcome, inFlightMayLand: boolean): void {
  const { journal, records } = Journal.open("/j", { fs, ...OPTS });
  const got = records.map((r) => r.bytes);
  const want = outcome.acked.flat();
  const extended = outcome.failed.length > 0 ? [...want, ...outcome.failed[0]] : want;
  if (inFlightMayLand && got.length !== want.length) assert.deepEqual(got, extended);
  else assert.deepEqual(got, want);
  const extra = rec(60_000 & 0xffff, 9, 33);
  journal.append([extra]);
  journal.close();
  fs.crash();
  const again = Journal.open("/j", { fs, ...OPTS });
  assert.deepEqual(again.records.map((r) => r.bytes).slice(-1), [extra]);
  assert.equal(again.records.length, got.length + 1);
  again.journal.close();
}

const batchesArb = fc.array(fc.array(fc.nat(200), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 14 });

test("an injected write or sync failure, then a crash: acknowledged appends survive, failed ones never appear", () => {
  fc.assert(
    fc.property(
      batchesArb,
      fc.constantFrom("write", "sync", "write+restore", "sync+restore"),
      fc.nat(40),
      fc.option(fc.integer(), { nil: undefined }),
      (sizes, kind, at, tearSeed) => {
        const fs = new FaultyFileLayer();
        const outcome: Outcome = { acked: [], failed: [] };
        // Start with some durable history so failures also hit a reopened journal.
        runAppends(fs, sizes.slice(0, 2), outcome);
        outcome.failed = [];
        const n = at + 1;
        if (kind === "write") fs.failWrite(n);
        if (kind === "sync") fs.failSync(n);
        // The failure, and then the restore's own zero-fill fails too (when the n-th op is a
        // frame's): the journal must give up rather than risk the frame surfacing.
        if (kind === "write+restore") fs.failWrite(n, n + 1);
        if (kind === "sync+restore") fs.failSync(n, n + 1);
        runAppends(fs, sizes, outcome, 100);
        fs.crash({ tear: tearSeed === undefined ? undefined : mulberry32(tearSeed) });
        checkRecovered(fs, outcome, false);
      },
    ),
    { numRuns: 300 },
  );
});

test("after a failed restore every later append is LEDGER_FAILED until reopened", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, ...OPTS });
  journal.append([rec(1, 0, 10)]);
  fs.failSync(1); // the frame's sync fails…
  fs.failWrite(2); // …and so does the zero-fill meant to withdraw it
  assert.throws(() => journal.append([rec(2, 0, 10)]), (e) => isLedgerError(e, "IO_ERROR") && e.details.failed === true);
  const syncs = fs.syncs;
  assert.throws(() => journal.append([rec(3, 0, 10)]), (e) => isLedgerError(e, "LEDGER_FAILED"));
  assert.equal(fs.syncs, syncs, "a failed journal issues no sync that could persist the withdrawn frame");
  journal.close();
  fs.crash();
  const { journal: j2, records } = Journal.open("/j", { fs, ...OPTS });
  assert.deepEqual(records.map((r) => r.bytes), [rec(1, 0, 10)]);
  j2.append([rec(4, 0, 10)]);
  j2.close();
});

test("a sync failure withdraws the frame before any later sync could persist it", () => {
  const fs = new FaultyFileLayer();
  const { journal } = Journal.open("/j", { fs, ...OPTS });
  fs.failSync(1);
  assert.throws(() => journal.append([rec(1, 0, 50)]), (e) => isLedgerError(e, "IO_ERROR"));
  journal.append([rec(2, 0, 50)]);
  journal.close();
  fs.crash();
  assert.deepEqual(Journal.open("/j", { fs, ...OPTS }).records.map((r) => r.bytes), [rec(2, 0, 50)]);

  // Even if the cached frame reaches the disk anyway (here: the whole pending write lands at
  // the crash), it was overwritten with zeros and synced first.
  const fs2 = new FaultyFileLayer();
  const j2 = Journal.open("/j", { fs: fs2, ...OPTS }).journal;
  fs2.failSync(1);
  assert.throws(() => j2.append([rec(1, 0, 50)]), (e) => isLedgerError(e, "IO_ERROR"));
  j2.close();
  const wholeWrite = [0.1, 0.9999];
  fs2.crash({ tear: () => wholeWrite.shift() ?? 0.5 });
  assert.deepEqual(Journal.open("/j", { fs: fs2, ...OPTS }).records, []);
});

test("power cut after every single operation, with and without torn writes", () => {
  const sizes = [[10], [150, 3], [300], [40, 40, 40], [500], [7], [200, 200], [1], [90]];
  // Count the operations of a clean run (open included).
  const probe = new FaultyFileLayer();
  runAppends(probe, sizes, { acked: [], failed: [] });
  const total = probe.ops;
  assert.ok(total > 20);
  for (let k = 0; k <= total; k++) {
    for (const tear of [undefined, 1, 2, 3]) {
      const fs = new FaultyFileLayer();
      fs.powerCutAfter(k);
      const outcome: Outcome = { acked: [], failed: [] };
      runAppends(fs, sizes, outcome);
      fs.crash({ tear: tear === undefined ? undefined : mulberry32(k * 10 + tear) });
      // The append in flight when the power went may or may not have landed — never a later one.
      checkRecovered(fs, outcome, tear !== undefined);
    }
  }
});

test("power cut while recovery zero-fills a torn tail: the next open recovers the same", () => {
  const base = new FaultyFileLayer();
  const outcome: Outcome = { acked: [], failed: [] };
  runAppends(base, [[50], [60], [700]], outcome);
  const name = base.readdir("/j").find((n) => n.endsWith(".qj"))!;
  const torn = base.contents(`/j/${name}`);
  torn.fill(0, 512, 64 + 80 + 88 + 728); // the third frame's second sector never landed
  for (let k = 0; k < 8; k++) {
    const fs = new FaultyFileLayer();
    fs.mkdir("/j");
    fs.writeFileExclusive(`/j/${name}`, new Uint8Array(0));
    fs.syncDir("/j");
    fs.replace(`/j/${name}`, torn);
    fs.powerCutAfter(k);
    try {
      Journal.open("/j", { fs, ...OPTS }).journal.close();
    } catch (e) {
      assert.ok(isLedgerError(e, "IO_ERROR"), String(e));
    }
    fs.crash({ tear: mulberry32(k) });
    const { records, journal } = Journal.open("/j", { fs, ...OPTS });
    assert.deepEqual(records.map((r) => r.bytes), outcome.acked.slice(0, 2).flat());
    journal.close();
  }
});

test("FaultyFileLayer: only synced data and synced names survive a crash", () => {
  const fs = new FaultyFileLayer();
  fs.mkdir("/d");
  const b = fs.open("/d/b", "create");
  fs.write(b, new Uint8Array([4, 5]), 0);
  fs.syncDir("/d"); // name durable, contents not
  fs.write(b, new Uint8Array([6]), 5);
  const a = fs.open("/d/a", "create");
  fs.write(a, new Uint8Array([1, 2, 3]), 0);
  fs.datasync(a); // contents durable, name not
  fs.crash();
  assert.equal(fs.exists("/d/a"), false);
  assert.deepEqual(fs.contents("/d/b"), new Uint8Array(0));
  assert.throws(() => fs.write(b, new Uint8Array([1]), 0), /EBADF/);

  const c = fs.open("/d/b", "readwrite");
  fs.write(c, new Uint8Array([9, 9, 9, 9]), 0);
  fs.datasync(c);
  fs.unlink("/d/b"); // removal never synced: the file comes back
  fs.crash();
  assert.deepEqual(fs.contents("/d/b"), new Uint8Array([9, 9, 9, 9]));

  const d = fs.open("/d/b", "readwrite");
  fs.write(d, new Uint8Array([1, 1, 1, 1]), 0);
  const rng = mulberry32(7);
  fs.crash({ tear: rng });
  const torn = fs.contents("/d/b");
  assert.ok(torn.every((x) => x === 1 || x === 9), "a torn write lands a contiguous part of itself, nothing else");

  fs.powerCutAfter(1);
  const e = fs.open("/d/b", "readwrite");
  fs.write(e, new Uint8Array([2]), 0);
  assert.throws(() => fs.datasync(e), /EIO/);
  assert.throws(() => fs.readdir("/d"), /EIO/);
  fs.crash();
  assert.deepEqual(fs.contents("/d/b"), torn);
});

// A short write stops between sectors (FaultyFileLayer), so a frame the restore could only
// partly zero is still recognisably torn: the journal reopens, in the same process, without a crash.
test("a failed sync whose zero-fill is then a short write: the journal still reopens, the frame whole or absent", () => {
  for (const prior of [0, 3, 5, 6, 9]) {
    const fs = new FaultyFileLayer();
    const opts = { segmentBytes: 64 * 1024, preallocateBytes: 16 * 1024 };
    const { journal } = Journal.open("/j", { fs, ...opts });
    const acked: Uint8Array[] = [];
    for (let i = 0; i < prior; i++) {
      acked.push(rec(i, 0, 70 + 37 * i));
      journal.append([acked[i]]);
    }
    const failed = rec(99, 0, 1500);
    fs.failSync(1); // the frame's sync
    fs.failWrite(2); // the zero-fill that withdraws it
    assert.throws(() => journal.append([failed]), (e) => isLedgerError(e, "IO_ERROR") && (e as LedgerError).details.failed === true);
    journal.close();
    const again = Journal.open("/j", { fs, ...opts });
    const got = again.records.map((r) => r.bytes);
    assert.ok(
      JSON.stringify(got) === JSON.stringify(acked) || JSON.stringify(got) === JSON.stringify([...acked, failed]),
      `prior ${prior}: ${got.length} records`,
    );
    again.journal.close();
  }
});

test("a crash tears a frame, then the open's repair is a short write: the retried open recovers the same", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const fs = new FaultyFileLayer();
    const opts = { segmentBytes: 64 * 1024, preallocateBytes: 16 * 1024 };
    const { journal } = Journal.open("/j", { fs, ...opts });
    const acked = [rec(1, 0, 300), rec(2, 0, 90)];
    for (const r of acked) journal.append([r]);
    fs.powerCutAfter(1); // the next frame's write lands in the cache; its sync finds the power gone
    assert.throws(() => journal.append([rec(3, 0, 1400)]));
    fs.crash({ tear: mulberry32(seed) });
    fs.failWrite(1); // the repair's zero-fill
    try {
      Journal.open("/j", { fs, ...opts }).journal.close();
    } catch (e) {
      assert.ok(isLedgerError(e, "IO_ERROR"), String(e));
    }
    const { records, journal: j2 } = Journal.open("/j", { fs, ...opts });
    assert.deepEqual(records.map((r) => r.bytes), acked, `seed ${seed}`);
    j2.close();
  }
});
