// Replaced revisions are packed (kept as their Ion encoding) once no running snapshot can read
// them as current (txn/store.ts). Over generated workloads of updates, deletes and transactions
// left open across them: every transaction still reads the documents of its own snapshot; every
// revision's history data, read back packed, is the value written at that version, and its
// proof still verifies; at most one batch of replaced revisions is left unpacked; and a reopen
// (which packs every replaced revision) gives back the same histories.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ledger, type Transaction, verifyRevision } from "../../engine/index.ts";
import { storeOf } from "../../engine/api/ledger.ts";
import { toJS } from "../../engine/ion/js.ts";
import { FaultyFileLayer } from "../../engine/journal/faulty-file-layer.ts";

const DOCS = 3;

type Op =
  | { kind: "update"; doc: number; value: Record<string, unknown> }
  | { kind: "delete"; doc: number }
  | { kind: "begin" }
  | { kind: "end"; which: number };

const valueArb = fc.record({
  n: fc.integer(),
  big: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  s: fc.string({ maxLength: 12 }),
  // fromJS refuses an integral number beyond 2^53 (it may have lost digits).
  f: fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
  l: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("update" as const), doc: fc.nat(DOCS - 1), value: valueArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), doc: fc.nat(DOCS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "begin" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("end" as const), which: fc.nat() }) },
);

/** What a test can see of a stored revision's keeping (StoredRevisionRecord.packed). */
type Kept = { readonly packed: boolean; readonly data?: unknown };

/** A value as JSON, bigints that fit a number as numbers (as toJS returns them), so values compare as written. */
function plain(v: unknown): unknown {
  const safe = (x: bigint) => x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER);
  return JSON.parse(JSON.stringify(v, (_, x) => (typeof x === "bigint" ? (safe(x) ? Number(x) : `${x}n`) : x)));
}

interface OpenTx {
  readonly tx: Transaction;
  /** Each document's data at the transaction's snapshot (undefined: absent or deleted). */
  readonly seen: (unknown | undefined)[];
  /** Each document's revision count at the snapshot. */
  readonly versions: number[];
}

async function checkOpen(ledger: Ledger, o: OpenTx, ids: (string | undefined)[]): Promise<void> {
  for (let d = 0; d < DOCS; d++) {
    const id = ids[d];
    if (id === undefined) continue;
    // Reads would decode a packed revision all the same; packing one a running snapshot reads
    // as current would make every such read decode, so it is checked here directly.
    const revisions = storeOf(ledger).docs.get(id)!.revisions as unknown as (Kept & { blockAddress: { sequenceNo: number } })[];
    const visible = revisions.findLast((r) => r.blockAddress.sequenceNo <= o.tx.snapshot);
    assert.equal(visible?.packed ?? false, false, `document ${d}'s revision at a running snapshot is packed`);
    const data = await o.tx.get("cars", id);
    assert.deepEqual(data === undefined ? undefined : plain(toJS(data)), o.seen[d], `document ${d} at the transaction's snapshot`);
    assert.equal((await o.tx.history("cars", id)).length, o.versions[d]);
  }
}

test("replaced revisions read back exactly once packed, and never while a running snapshot reads them", async () => {
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 60, maxLength: 160 }), async (ops) => {
    const fs = new FaultyFileLayer();
    let ledger = await Ledger.open("/ledger", { fs });
    await ledger.transaction((tx) => tx.createTable("cars"));
    const ids: (string | undefined)[] = new Array(DOCS).fill(undefined);
    // Every version's data as written (null for a deletion), per document.
    const written: (unknown | null)[][] = Array.from({ length: DOCS }, () => []);
    const open: OpenTx[] = [];
    const current = (d: number) => {
      const w = written[d];
      return w.length === 0 || w[w.length - 1] === null ? undefined : w[w.length - 1];
    };
    for (const op of ops) {
      if (op.kind === "begin") {
        open.push({ tx: ledger.begin(), seen: written.map((_, d) => current(d)), versions: written.map((w) => w.length) });
      } else if (op.kind === "end") {
        if (open.length === 0) continue;
        const [o] = open.splice(op.which % open.length, 1);
        await checkOpen(ledger, o, ids);
        o.tx.abort();
      } else if (op.kind === "update") {
        const id = ids[op.doc];
        if (id !== undefined && current(op.doc) === undefined) continue; // deleted: ids are never reused
        await ledger.transaction(async (tx) => {
          if (id === undefined) ids[op.doc] = await tx.insert("cars", op.value);
          else await tx.update("cars", id, op.value);
        });
        written[op.doc].push(plain(op.value));
      } else {
        const id = ids[op.doc];
        if (id === undefined || current(op.doc) === undefined) continue;
        await ledger.transaction((tx) => tx.delete("cars", id));
        written[op.doc].push(null);
      }
    }
    for (const o of open.splice(0)) {
      await checkOpen(ledger, o, ids);
      o.tx.abort();
    }
    // One more commit, with nothing running: it packs whatever a running snapshot held back.
    await ledger.transaction((tx) => tx.insert("cars", { last: true }));

    const replaced = written.reduce((n, w) => n + Math.max(0, w.filter((v) => v !== null).length - (w[w.length - 1] === null ? 0 : 1)), 0);
    const keptOf = (l: Ledger) => ids.flatMap((id) => (id === undefined ? [] : storeOf(l).docs.get(id)!.revisions as unknown as Kept[]));
    const packed = keptOf(ledger).filter((r) => r.packed).length;
    assert.ok(packed >= replaced - 63 && packed <= replaced, `${packed} of ${replaced} replaced revisions packed`);

    const histories = async (l: Ledger) => {
      const digest = await l.getDigest();
      const out: unknown[][] = [];
      for (let d = 0; d < DOCS; d++) {
        const id = ids[d];
        if (id === undefined) continue;
        const history = await l.transaction((tx) => tx.history("cars", id));
        assert.deepEqual(history.map((r) => (r.data === undefined ? null : plain(toJS(r.data)))), written[d]);
        for (const r of history) {
          const { revision, proof } = await l.getRevision({ blockAddress: r.blockAddress, documentId: id });
          assert.deepEqual(revision.data === undefined ? null : plain(toJS(revision.data)), written[d][r.metadata.version]);
          assert.equal(verifyRevision(revision, proof, digest), true);
        }
        // history() through PartiQL reads the same revisions.
        const rows = await l.execute("SELECT VALUE h.data FROM history(cars) AS h WHERE h.metadata.id = ?", id);
        assert.deepEqual(rows.map((x) => (x === undefined ? null : plain(x))), written[d].filter((v) => v !== null));
        out.push(history.map((r) => [r.metadata.version, r.data === undefined ? null : plain(toJS(r.data))]));
      }
      return out;
    };
    const before = await histories(ledger);
    await ledger.close();
    ledger = await Ledger.open("/ledger", { fs });
    try {
      assert.equal(keptOf(ledger).filter((r) => r.packed).length, replaced, "a reopen packs every replaced revision");
      assert.deepEqual(await histories(ledger), before);
    } finally {
      await ledger.close();
    }
  }), { numRuns: 25 });
});
