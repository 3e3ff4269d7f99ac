// Model-based check of OCC validation: every commit's outcome (conflict or not) is compared with
// a brute-force model: conflict iff some live block (queued or published, not discarded by a
// failed flush) with sequence number > tx.snapshot wrote a document in readsOf(tx).docs or any
// document of a table in readsOf(tx).tables. Long-lived transactions in a few slots interleave with
// bursts of unawaited commits (blocks queue behind one another's syncs), hundreds of filler
// commits (so the committer's write index turns over its generations), and failed writes and
// syncs (queued blocks are discarded and their sequence numbers reused). At the end the journal
// must hold exactly the model's blocks, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isLedgerError, Ledger, type Transaction } from "../../engine/index.ts";
import { FaultyFileLayer } from "../../engine/journal/faulty-file-layer.ts";
import { readsOf, writesOf } from "../../engine/txn/transaction.ts";

const S = 4; // long-lived slots
const PER_TABLE = 8;

type Op =
  | { k: "read"; slot: number; doc: number }
  | { k: "scan"; slot: number; table: number }
  | { k: "update"; slot: number; doc: number }
  | { k: "insert"; slot: number; table: number }
  | { k: "commit"; slot: number }
  | { k: "abort"; slot: number }
  | { k: "yield"; n: number; immediate: boolean }
  | { k: "settle" }
  | { k: "poke"; doc: number }
  | { k: "failBurst"; slots: number[]; sync: boolean; nth: number }
  | { k: "filler"; n: number; group: number; seed: number; readPct: number; updPct: number; scanPct: number };

const slot = fc.nat(S - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("read" as const), slot, doc: fc.nat(2 * PER_TABLE - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("scan" as const), slot, table: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("update" as const), slot, doc: fc.nat(2 * PER_TABLE - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("insert" as const), slot, table: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("commit" as const), slot }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("abort" as const), slot }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("yield" as const), n: fc.nat(6), immediate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("settle" as const) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("poke" as const), doc: fc.nat(2 * PER_TABLE - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("failBurst" as const), slots: fc.subarray([0, 1, 2, 3]), sync: fc.boolean(), nth: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("filler" as const),
      n: fc.integer({ min: 1, max: 400 }),
      group: fc.integer({ min: 1, max: 40 }),
      seed: fc.integer(),
      readPct: fc.integer({ min: 0, max: 100 }),
      updPct: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 100 })),
      scanPct: fc.integer({ min: 0, max: 10 }),
    }),
  },
);

interface LiveBlock {
  readonly txId: string;
  readonly docs: ReadonlySet<string>;
  readonly tables: ReadonlySet<string>;
}

async function run(ops: Op[]): Promise<void> {
  const fs = new FaultyFileLayer();
  const ledger = await Ledger.open("/ledger", { fs });
  const pool: { table: string; id: string }[] = [];
  await ledger.transaction(async (tx) => {
    await tx.createTable("t0");
    await tx.createTable("t1");
  });
  await ledger.transaction(async (tx) => {
    for (const table of ["t0", "t1"]) for (let i = 0; i < PER_TABLE; i++) pool.push({ table, id: await tx.insert(table, { n: i }) });
  });
  const base = (await ledger.getDigest()).digestTipAddress.sequenceNo + 1;
  const live: LiveBlock[] = [];
  const failures: string[] = [];
  const outstanding: Promise<void>[] = [];
  const slots: (Transaction | undefined)[] = new Array(S).fill(undefined);
  let commits = 0, conflicts = 0, ioErrors = 0;

  const commitTx = (tx: Transaction, label: string): void => {
    if (writesOf(tx).size === 0) {
      tx.abort();
      return;
    }
    const snap = tx.snapshot;
    const rd = new Set(readsOf(tx).docs);
    const rt = new Set(readsOf(tx).tables);
    let expected: number | undefined;
    for (let i = Math.max(0, snap + 1 - base); i < live.length; i++) {
      const b = live[i];
      let hit = false;
      for (const d of b.docs) if (rd.has(d)) hit = true;
      for (const t of b.tables) if (rt.has(t)) hit = true;
      if (hit) expected = base + i;
    }
    const entry: LiveBlock = {
      txId: tx.id,
      docs: new Set([...writesOf(tx).values()].map((w) => w.id)),
      tables: new Set([...writesOf(tx).values()].map((w) => w.tableId)),
    };
    const p = tx.commit(); // validation is synchronous
    if (expected === undefined) live.push(entry);
    outstanding.push(p.then(
      () => {
        commits++;
        if (expected !== undefined) failures.push(`LOST CONFLICT: ${label} (snapshot ${snap}) committed; block ${expected} wrote what it read`);
      },
      (e) => {
        if (isLedgerError(e, "OCC_CONFLICT")) {
          conflicts++;
          if (/table/.test(e.message)) stats.tableConflicts++;
          if (expected === undefined) failures.push(`SPURIOUS CONFLICT: ${label} (snapshot ${snap}): ${e.message}`);
          const d = e.details as { sequenceNo: number; documentId: string };
          if (!(d.sequenceNo > snap)) failures.push(`conflict names block ${d.sequenceNo} <= snapshot ${snap}`);
          if (typeof d.documentId !== "string" || d.documentId.length === 0) failures.push(`conflict without a document: ${e.message}`);
          else {
            const b = live[d.sequenceNo - base];
            if (b !== undefined && !b.docs.has(d.documentId)) failures.push(`conflict names document ${d.documentId} that block ${d.sequenceNo} did not write`);
          }
        } else if (isLedgerError(e, "IO_ERROR")) {
          ioErrors++;
          if (expected !== undefined) failures.push(`${label}: IO_ERROR but it should have conflicted`);
          const at = live.indexOf(entry);
          if (at >= 0) live.splice(at, 1);
        } else failures.push(`${label}: unexpected ${String(e)}`);
      },
    ));
  };
  const settle = async () => {
    while (outstanding.length > 0) await outstanding.splice(0).reduce((a, b) => a.then(() => b), Promise.resolve());
  };
  const slotTx = (s: number) => (slots[s] ??= ledger.begin());
  const docOf = (i: number) => pool[i];

  let opIndex = 0;
  for (const op of ops) {
    opIndex++;
    if (failures.length > 0) break;
    switch (op.k) {
      case "read": {
        const d = docOf(op.doc);
        await slotTx(op.slot).get(d.table, d.id);
        break;
      }
      case "scan":
        await slotTx(op.slot).scan(`t${op.table}`);
        break;
      case "update": {
        const d = docOf(op.doc);
        await slotTx(op.slot).update(d.table, d.id, { n: op.doc, by: `slot${op.slot}` });
        break;
      }
      case "insert":
        await slotTx(op.slot).insert(`t${op.table}`, { slot: op.slot });
        break;
      case "commit": {
        const tx = slots[op.slot];
        slots[op.slot] = undefined;
        if (tx) commitTx(tx, `op ${opIndex} slot ${op.slot}`);
        break;
      }
      case "abort":
        slots[op.slot]?.abort();
        slots[op.slot] = undefined;
        break;
      case "yield":
        for (let i = 0; i < op.n; i++) await (op.immediate ? new Promise((r) => setImmediate(r)) : Promise.resolve());
        break;
      case "settle":
        await settle();
        break;
      case "poke": {
        const d = docOf(op.doc);
        const tx = ledger.begin();
        await tx.update(d.table, d.id, { n: op.doc, poke: opIndex });
        commitTx(tx, `op ${opIndex} poke`);
        break;
      }
      case "failBurst": {
        // Settle first so the model's liveness is exact, then arm and make sure a flush happens.
        await settle();
        const sure = ledger.begin();
        await sure.insert("t0", { sure: true });
        if (op.sync) fs.failSync(op.nth);
        else fs.failWrite(op.nth);
        for (const s of op.slots) {
          const tx = slots[s];
          slots[s] = undefined;
          if (tx) commitTx(tx, `op ${opIndex} failBurst slot ${s}`);
        }
        commitTx(sure, `op ${opIndex} failBurst sure`);
        await settle();
        // Burn any armed failures not yet consumed (nth > 1) with settled single commits.
        for (let i = 0; i < 3; i++) {
          const tx = ledger.begin();
          await tx.insert("t1", { burn: i });
          commitTx(tx, `op ${opIndex} burn ${i}`);
          await settle();
        }
        break;
      }
      case "filler": {
        let r = op.seed >>> 0;
        const rnd = (m: number) => {
          r = (Math.imul(r, 1103515245) + 12345) >>> 0;
          return (r >>> 8) % m;
        };
        for (let done = 0; done < op.n; ) {
          const group: Transaction[] = [];
          for (let g = 0; g < op.group && done < op.n; g++, done++) {
            const tx = ledger.begin();
            if (rnd(100) < op.readPct) {
              const d = docOf(rnd(pool.length));
              await tx.get(d.table, d.id);
            }
            if (rnd(100) < op.scanPct) await tx.scan(`t${rnd(2)}`);
            await tx.insert(`t${rnd(2)}`, { f: done });
            if (rnd(100) < op.updPct) {
              const i = rnd(pool.length);
              await tx.update(pool[i].table, pool[i].id, { n: i, f: done });
            }
            group.push(tx);
          }
          for (const tx of group) commitTx(tx, `op ${opIndex} filler`);
          if (rnd(4) === 0) await settle();
        }
        break;
      }
    }
  }
  await settle();
  for (const tx of slots) if (tx) commitTx(tx, "final");
  await settle();
  if (failures.length === 0) {
    const tip = (await ledger.getDigest()).digestTipAddress.sequenceNo;
    assert.equal(tip, base + live.length - 1, "the model's live blocks are the journal's");
    for (let s = base; s <= tip; s++) {
      const { block } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: s } });
      assert.equal(block.transactionId, live[s - base].txId, `block ${s}`);
    }
  }
  await ledger.close();
  stats.commits += commits;
  stats.conflicts += conflicts;
  stats.io += ioErrors;
  assert.deepEqual(failures.slice(0, 3), []);
}

const stats = { commits: 0, conflicts: 0, io: 0, tableConflicts: 0 };

test("OCC validation agrees with a brute-force model over random interleavings", async () => {
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 80 }), run), { numRuns: 60 });
  // The runs must have exercised what they are for: commits, both kinds of conflict, failed writes.
  assert.ok(stats.commits > 1000 && stats.conflicts > 0 && stats.tableConflicts > 0 && stats.io > 0, JSON.stringify(stats));
});
