// Whatever mix of DDL and writes the API accepts, in transactions of any shape, leaves a journal
// that opens again, verifies, and replays to the same tables and documents: the rules open and
// verify() apply to journals (txn/table-rules.ts) never refuse one the ledger wrote itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isLedgerError, Ledger, type Transaction } from "../../engine/index.ts";
import { toJS } from "../../engine/ion/js.ts";
import { withTempDir } from "../helpers/tmp.ts";

const NAMES = ["a", "b", "c"] as const;

type Op =
  | { readonly kind: "create" | "drop"; readonly name: number }
  | { readonly kind: "undrop"; readonly pick: number }
  | { readonly kind: "index" | "dropIndex"; readonly name: number; readonly field: number }
  | { readonly kind: "insert"; readonly name: number; readonly k: number }
  | { readonly kind: "update" | "delete"; readonly pick: number; readonly k: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("create" as const, "drop" as const), name: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant("undrop" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom("index" as const, "dropIndex" as const), name: fc.nat({ max: 2 }), field: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant("insert" as const), name: fc.nat({ max: 2 }), k: fc.nat({ max: 5 }) }),
  fc.record({ kind: fc.constantFrom("update" as const, "delete" as const), pick: fc.nat(), k: fc.nat({ max: 5 }) }),
);

/** Runs `op`; a refusal of the op itself (no such table, already exists…) is ignored. */
async function run(tx: Transaction, op: Op, docs: { table: string; id: string }[]): Promise<void> {
  try {
    switch (op.kind) {
      case "create": await tx.createTable(NAMES[op.name]); break;
      case "drop": await tx.dropTable(NAMES[op.name]); break;
      case "undrop": {
        const dropped = (await tx.tables()).filter((t) => t.status === "INACTIVE");
        if (dropped.length > 0) await tx.undropTable(dropped[op.pick % dropped.length].tableId);
        break;
      }
      case "index": await tx.createIndex(NAMES[op.name], `f${op.field}`); break;
      case "dropIndex": {
        const def = (await tx.tables()).find((t) => t.status === "ACTIVE" && t.name === NAMES[op.name]);
        const ix = def?.indexes.find((i) => i.field === `f${op.field}`);
        if (ix !== undefined) await tx.dropIndex(NAMES[op.name], ix.indexId);
        break;
      }
      case "insert": docs.push({ table: NAMES[op.name], id: await tx.insert(NAMES[op.name], { f0: op.k, f1: `v${op.k}` }) }); break;
      case "update":
      case "delete": {
        if (docs.length === 0) break;
        const d = docs[op.pick % docs.length];
        if (op.kind === "update") await tx.update(d.table, d.id, { f0: op.k, f1: "u" });
        else await tx.delete(d.table, d.id);
        break;
      }
    }
  } catch (e) {
    if (!isLedgerError(e)) throw e;
  }
}

/** Every table (by id) with its status, indexes and current documents, as the ledger shows them. */
async function state(ledger: Ledger): Promise<unknown> {
  return ledger.transaction(async (tx) => {
    const out: Record<string, unknown> = {};
    for (const t of await tx.tables()) {
      const rows = t.status === "ACTIVE" ? (await tx.scan(t.name)).map((r) => [r.id, toJS(r.data)]) : [];
      rows.sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      out[t.tableId] = { name: t.name, status: t.status, indexes: t.indexes.map((i) => i.field).sort(), rows };
    }
    return out;
  });
}

test("any accepted mix of DDL and writes reopens, verifies and replays to the same state", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }), (txs) =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        const docs: { table: string; id: string }[] = [];
        for (const ops of txs) {
          const tx = ledger.begin();
          const added = docs.length;
          for (const op of ops) await run(tx, op, docs);
          try {
            await tx.commit();
          } catch (e) {
            if (!isLedgerError(e)) throw e;
            docs.length = added;
          }
        }
        const before = await state(ledger);
        assert.equal((await ledger.verify()).ok, true);
        await ledger.close();
        const again = await Ledger.open(dir);
        try {
          assert.deepEqual(await state(again), before);
          assert.equal((await again.verify()).ok, true);
        } finally {
          await again.close();
        }
      })
    ),
    { numRuns: 60 },
  );
});
