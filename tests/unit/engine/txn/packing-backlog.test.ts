// While a transaction stays open, the revisions it may still read
// are not packed, and the backlog grows with every update. When it ends, the next commit's prune
// packed the whole backlog at once, inside the publish and before that commit resolved: 300,000
// replaced revisions held the event loop (and that commit) for ~370 ms under Bun, ~1.2 µs each,
// against the committer's own 50 ms bound on not letting the loop turn (YIELD_AFTER_MS). The
// backlog should be packed a bounded amount per commit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger } from "../../../../engine/index.ts";
import { storeOf } from "../../../../engine/api/ledger.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

type Kept = { readonly packed: boolean };

test("the commit after a long reader ends packs a bounded part of the backlog it held back, and later commits the rest", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE cars");
    const ids: string[] = [];
    await ledger.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++) ids.push(await tx.insert("cars", { VIN: `v${i}`, n: 0 }));
    });
    const reader = ledger.begin();
    const rounds = 20;
    for (let r = 1; r <= rounds; r++) {
      await ledger.transaction(async (tx) => {
        for (const id of ids) await tx.update("cars", id, { VIN: id, n: r });
      });
    }
    const packedCount = () => {
      let n = 0;
      for (const id of ids) for (const r of storeOf(ledger).docs.get(id)!.revisions as unknown as Kept[]) if (r.packed) n++;
      return n;
    };
    assert.equal(packedCount(), 0, "the reader's snapshot holds every replaced revision as a struct");
    reader.abort();
    await ledger.transaction((tx) => tx.update("cars", ids[0], { VIN: "x", n: -1 }));
    const first = packedCount();
    assert.ok(first > 0 && first <= 8192, `one commit packed ${first} of the ${rounds * 1000} held-back revisions`);
    for (let i = 0; i < 10; i++) await ledger.transaction((tx) => tx.update("cars", ids[1], { VIN: "y", n: -i }));
    assert.ok(packedCount() >= rounds * 1000 - 64, `${packedCount()} packed after ten more commits`);
  } finally {
    await ledger.close();
  }
});
