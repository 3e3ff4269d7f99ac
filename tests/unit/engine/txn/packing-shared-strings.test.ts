// An UPDATE that changes one small field keeps sharing the
// document's other values with the revision it replaces — a long string field is one JS string
// referenced by every revision. Packing a replaced revision wrote that string into its own Ion
// encoding, once per revision, so a document with a 200,000-character text updated 300 times
// held ~50 MB more heap than before packing (2.7 MB before 9977f78), and it grows with every
// update: packing multiplied the memory it was meant to save.
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import v8 from "node:v8";
import { Ledger, toJS } from "../../../../engine/index.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

/** A full collection, under Bun or Deno (node:vm hands out V8's gc once it is exposed). */
function collect(): void {
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  if (bun !== undefined) {
    bun.gc(true);
    bun.gc(true);
    return;
  }
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  gc();
}

/** Heap plus memory outside it (V8 keeps a Uint8Array's bytes outside its heap; JSC counts them in). */
function heldBytes(): number {
  const m = process.memoryUsage();
  return (globalThis as { Bun?: unknown }).Bun !== undefined ? m.heapUsed : m.heapUsed + m.external;
}

test("packing replaced revisions does not copy a long string they share with the current one into each of them", async () => {
  await withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    try {
      await ledger.execute("CREATE TABLE docs");
      const text = "x".repeat(200_000) + "!";
      await ledger.execute("INSERT INTO docs ?", { k: 1, n: 0, text });
      collect();
      const before = heldBytes();
      const updates = 300;
      for (let i = 1; i <= updates; i++) await ledger.execute("UPDATE docs SET n = n + 1 WHERE k = 1");
      collect();
      const grown = heldBytes() - before;
      // Each packed revision held its own copy of the text: 300 × 200 KB ≈ 50 MB after the packing.
      // Shared, the revisions cost a few kilobytes each.
      assert.ok(grown < 15_000_000, `the heap grew by ${(grown / 1e6).toFixed(1)} MB over ${updates} one-field updates`);
      // And the history still reads back exactly.
      const history = await ledger.execute("SELECT VALUE h.data FROM history(docs) AS h");
      assert.equal(history.length, updates + 1);
      assert.deepEqual(toJS(await ledger.executeIon("SELECT VALUE h.data.n FROM history(docs) AS h WHERE h.metadata.version = 5").then((r) => r[0])), 5);
      assert.ok(history.every((d: { text: string }) => d.text === text));
    } finally {
      await ledger.close();
    }
  });
});
