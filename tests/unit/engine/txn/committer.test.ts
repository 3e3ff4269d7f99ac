// Commit validation: reads of documents and tables are checked against an index of the newest
// write to each; that index must forget discarded blocks and keep what a running snapshot needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError, Ledger } from "../../../../engine/index.ts";
import { storeOf } from "../../../../engine/api/ledger.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

async function open(): Promise<{ ledger: Ledger; fs: FaultyFileLayer }> {
  const fs = new FaultyFileLayer();
  const ledger = await Ledger.open("/ledger", { fs });
  await ledger.transaction((tx) => tx.createTable("cars"));
  return { ledger, fs };
}

/** `n` one-insert commits, one after another. */
async function fill(ledger: Ledger, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) await ledger.transaction((tx) => tx.insert("cars", { VIN: `${tag}${i}` }));
}

test("a document read is a conflict when a later block wrote it; the error names the block and document", async () => {
  const { ledger } = await open();
  const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: "1" }));
  const a = ledger.begin();
  await a.get("cars", id);
  await a.insert("cars", { VIN: "2" });
  await ledger.transaction((tx) => tx.update("cars", id, { VIN: "1", Owner: "B" }));
  const tip = (await ledger.getDigest()).digestTipAddress.sequenceNo;
  await assert.rejects(a.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.sequenceNo === tip && e.details?.documentId === id);
  await ledger.close();
});

test("a table scan conflicts with any later insert into the table, naming the inserted document", async () => {
  const { ledger } = await open();
  const a = ledger.begin();
  await a.scan("cars");
  await a.insert("cars", { VIN: "a" });
  const other = await ledger.transaction((tx) => tx.insert("cars", { VIN: "b" }));
  await assert.rejects(a.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === other);
  await ledger.close();
});

test("a block whose write failed leaves no write behind: reading its document later is no conflict", async () => {
  // With 300 commits between, the document's own insert is no longer among the summaries the
  // write index is rebuilt from after the failure.
  for (const between of [0, 300]) {
    const { ledger, fs } = await open();
    const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: "1" }));
    await fill(ledger, between, "a");
    fs.failWrite(1);
    await assert.rejects(ledger.transaction((tx) => tx.update("cars", id, { VIN: "1", Owner: "lost" })), (e) => isLedgerError(e, "IO_ERROR"));
    // The failed block's sequence number is reused; a transaction from the same snapshot must not
    // see a phantom write there.
    await ledger.transaction(async (tx) => {
      assert.deepEqual((await tx.get("cars", id))?.fields.map(([k]) => k), ["VIN"]);
      await tx.update("cars", id, { VIN: "1", Owner: "kept" });
    }, { retries: 0 });
    await ledger.close();
  }
});

test("a long-running snapshot still sees conflicts after hundreds of later commits", async () => {
  const { ledger } = await open();
  const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: "old" }));
  const a = ledger.begin();
  await a.get("cars", id);
  await a.insert("cars", { VIN: "mine" });
  for (let i = 0; i < 300; i++) await ledger.transaction((tx) => tx.insert("cars", { VIN: `n${i}` }));
  await ledger.transaction((tx) => tx.update("cars", id, { VIN: "old", Owner: "changed" }));
  for (let i = 0; i < 300; i++) await ledger.transaction((tx) => tx.insert("cars", { VIN: `m${i}` }));
  await assert.rejects(a.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === id);
  // Once no snapshot needs them, old writes are forgotten: a fresh transaction commits.
  await ledger.transaction(async (tx) => {
    await tx.get("cars", id);
    await tx.insert("cars", { VIN: "after" });
  }, { retries: 0 });
  await ledger.close();
});

test("a stream of commits lets the event loop turn: timers and other tasks still run", async () => {
  const { ledger } = await open();
  let fired = 0;
  const timer = setInterval(() => fired++, 5);
  let commits = 0;
  const started = performance.now();
  try {
    // Each commit awaited before the next: without yielding, this chain never leaves the
    // microtask queue and the timer would not fire until it ends. The committer yields every
    // 50 ms (YIELD_AFTER_MS); 600 ms give it a dozen chances, of which a loaded machine was seen
    // to take only 2 in 300 ms.
    while (performance.now() - started < 600) {
      await ledger.transaction((tx) => tx.insert("cars", { n: commits }));
      commits++;
    }
    const during = fired;
    assert.ok(during >= 3, `the 5 ms timer fired ${during} times during 600 ms of ${commits} commits`);
    assert.equal((await ledger.transaction((tx) => tx.scan("cars"))).length, commits);
  } finally {
    clearInterval(timer);
    await ledger.close();
  }
});

test("validation keeps every write a snapshot needs while the write index drops generations it no longer needs", async () => {
  // The index forgets whole generations of writes once no snapshot can conflict with them (a
  // generation turns over every few hundred writes). A reader that began before the write must
  // conflict wherever the write falls among the turnovers; one that began after must not.
  for (const at of [0, 150, 300, 700, 1100]) {
    const { ledger } = await open();
    const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: "watched" }));
    const early = ledger.begin();
    await early.get("cars", id);
    await early.insert("cars", { VIN: "early" });
    let late: ReturnType<Ledger["begin"]> | undefined;
    // 16 writers at a time, so blocks also queue behind one another's syncs.
    for (let round = 0; round < 1200 / 16; round++) {
      await Promise.all(Array.from({ length: 16 }, (_, k) => {
        const i = round * 16 + k;
        return i === at
          ? ledger.transaction((tx) => tx.update("cars", id, { VIN: "watched", Owner: `changed at ${i}` }))
          : ledger.transaction((tx) => tx.insert("cars", { VIN: `n${i}` }));
      }));
      if (round * 16 > at + 16 && late === undefined) {
        late = ledger.begin();
        await late.get("cars", id);
        await late.insert("cars", { VIN: "late" });
      }
    }
    await assert.rejects(early.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === id, `write ${at}`);
    await late!.commit();
    await ledger.close();
  }
});


test("a generation of the write index whose newest block is one past the oldest snapshot is kept", async () => {
  const { ledger } = await open();
  const x = await ledger.transaction((tx) => tx.insert("cars", { VIN: "x" }));
  const pin = ledger.begin(); // keeps the summaries growing past the point where pruning starts
  await fill(ledger, 300, "a");
  pin.abort();
  const t = ledger.begin();
  await t.get("cars", x);
  await t.insert("cars", { VIN: "t" });
  // Block t.snapshot + 1 writes x and 300 new documents; the prune after it turns the generation
  // over, so the older generation's newest block is exactly t.snapshot + 1.
  await ledger.transaction(async (tx) => {
    await tx.update("cars", x, { VIN: "x", Owner: "changed" });
    for (let i = 0; i < 300; i++) await tx.insert("cars", { VIN: `bulk${i}` });
  });
  await fill(ledger, 600, "b");
  await assert.rejects(t.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === x);
  await ledger.close();
});

test("a table conflict names the inserting document while a long snapshot keeps thousands of summaries", async () => {
  // The document is found by the block's position among the kept summaries (queued or published).
  const { ledger } = await open();
  const pin = ledger.begin();
  await pin.scan("cars");
  await fill(ledger, 1000, "p");
  const t = ledger.begin();
  await t.scan("cars");
  await t.insert("cars", { VIN: "t" });
  const published = await ledger.transaction((tx) => tx.insert("cars", { VIN: "published" }));
  await assert.rejects(t.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === published);
  // And against a block still queued: both commits are made before either is flushed.
  const u = ledger.begin();
  await u.scan("cars");
  await u.insert("cars", { VIN: "u" });
  const other = ledger.begin();
  const queuedId = await other.insert("cars", { VIN: "queued" });
  const queued = other.commit();
  await assert.rejects(u.commit(), (e) => isLedgerError(e, "OCC_CONFLICT") && e.details?.documentId === queuedId);
  await queued;
  pin.abort();
  await ledger.close();
});

test("a durable block that cannot be published fails its commit and every later one with LEDGER_FAILED, never an uncaught error", async () => {
  const { ledger } = await open();
  // Nothing a valid transaction writes makes publishing throw (replay refuses journals that
  // would: txn/table-rules.ts), so the store is made to, once.
  const store = storeOf(ledger) as unknown as { apply: (...args: unknown[]) => void };
  const apply = store.apply;
  store.apply = function () {
    store.apply = apply;
    throw new Error("the store refused the block");
  };
  const settled = (p: Promise<unknown>) =>
    Promise.race([p.then(() => "resolved", (e) => e), new Promise((resolve) => setTimeout(() => resolve("still pending"), 2_000))]);
  const first = await settled(ledger.transaction((tx) => tx.insert("cars", { VIN: "1" })));
  assert.ok(isLedgerError(first, "LEDGER_FAILED"), String(first));
  const later = await settled(ledger.transaction((tx) => tx.insert("cars", { VIN: "2" })));
  assert.ok(isLedgerError(later, "LEDGER_FAILED"), String(later));
  await ledger.close();
});

test("when a later block of a group commit cannot be published, the earlier ones commit, and the ledger then refuses reads", async () => {
  const { ledger, fs } = await open();
  const store = storeOf(ledger) as unknown as { apply: (...args: unknown[]) => void };
  const apply = store.apply;
  let calls = 0;
  store.apply = function (...args: unknown[]) {
    if (++calls === 2) throw new Error("the store refused the block");
    return apply.apply(store, args);
  };
  // Three commits in one frame: the first is published, the second fails, the third is never reached.
  const outcomes = await Promise.all(["0", "1", "2"].map((vin) => ledger.transaction((tx) => tx.insert("cars", { VIN: vin })).then(() => "ok", (e) => e)));
  assert.equal(outcomes[0], "ok");
  for (const o of outcomes.slice(1)) assert.ok(isLedgerError(o, "LEDGER_FAILED"), String(o));
  // Memory no longer follows the journal: reads are refused rather than served half published.
  await assert.rejects(ledger.execute("SELECT * FROM cars"), (e) => isLedgerError(e, "LEDGER_FAILED"));
  await assert.rejects(ledger.getDigest(), (e) => isLedgerError(e, "LEDGER_FAILED"));
  await ledger.close();
  // All three were durable: the reopened ledger holds them, and verifies.
  const again = await Ledger.open("/ledger", { fs });
  const rows = await again.execute("SELECT c.VIN FROM cars AS c");
  assert.deepEqual(rows.map((r) => (r as { VIN: string }).VIN).sort(), ["0", "1", "2"]);
  assert.equal((await again.verify()).ok, true);
  await again.close();
});
