// The catalog a snapshot sees: the store keeps one list per run of snapshots without a catalog
// change, so transactions of different ages, asked in any order, must each still get their own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger, type Transaction } from "../../../../engine/index.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

/** "name:STATUS" for every table the transaction sees, sorted. */
async function catalogOf(tx: Transaction): Promise<string[]> {
  return (await tx.tables()).map((t) => `${t.name}:${t.status}`).sort();
}

test("transactions begun between catalog changes each see the catalog of their snapshot", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  // Each step commits, then a transaction is begun on the result and the catalog it must see recorded.
  const steps: [string, (tx: Transaction) => Promise<unknown>, string[]][] = [
    ["create cars", (tx) => tx.createTable("cars"), ["cars:ACTIVE"]],
    ["insert a car", (tx) => tx.insert("cars", { VIN: "1" }), ["cars:ACTIVE"]],
    ["insert another", (tx) => tx.insert("cars", { VIN: "2" }), ["cars:ACTIVE"]],
    ["create trucks", (tx) => tx.createTable("trucks"), ["cars:ACTIVE", "trucks:ACTIVE"]],
    ["insert a truck", (tx) => tx.insert("trucks", { VIN: "3" }), ["cars:ACTIVE", "trucks:ACTIVE"]],
    ["drop cars", (tx) => tx.dropTable("cars"), ["cars:INACTIVE", "trucks:ACTIVE"]],
    ["insert a truck again", (tx) => tx.insert("trucks", { VIN: "4" }), ["cars:INACTIVE", "trucks:ACTIVE"]],
  ];
  const open: [string, Transaction, string[]][] = [["empty", ledger.begin(), []]];
  for (const [what, op, expected] of steps) {
    await ledger.transaction(op);
    open.push([what, ledger.begin(), expected]);
  }
  // Newest first, then oldest first, then alternating ends: every order the cache could be
  // asked in, with transactions of the same catalog run next to each other and apart.
  const order = [...open].reverse().concat(open, open.flatMap((_, i) => [open[i], open[open.length - 1 - i]]));
  for (const [what, tx, expected] of order) {
    assert.deepEqual(await catalogOf(tx), expected, `a transaction begun after "${what}"`);
  }
  for (const [, tx] of open) tx.abort();
  await ledger.close();
});
