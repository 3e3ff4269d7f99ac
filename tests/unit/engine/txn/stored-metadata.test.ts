// A stored revision keeps its metadata as fields and makes the objects on read (txn/store.ts):
// what reads give back must be exactly what was journaled, whether or not the commit clock made
// the txTime (a journal may hold one of another precision, and replay keeps it as it is).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger, parseText, toText } from "../../../../engine/index.ts";
import { editJournal, setPath } from "../../../helpers/journal-edit.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

test("metadata, block address and hash read back as journaled, before and after reopen", () =>
  withTempDir(async (dir) => {
    let ms = Date.UTC(2025, 0, 15, 10, 30, 45, 291);
    const ledger = await Ledger.open(dir, { clock: () => (ms += 7) });
    await ledger.execute("CREATE TABLE cars");
    const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: "1" }));
    await ledger.transaction((tx) => tx.update("cars", id, { VIN: "1", n: 2 }));
    const seen = async (l: Ledger) => {
      const history = await l.transaction((tx) => tx.history("cars", id));
      return history.map((r) => ({
        at: `${r.blockAddress.strandId}/${r.blockAddress.sequenceNo}`,
        hash: Buffer.from(r.hash).toString("hex"),
        metadata: `${r.metadata.id} ${r.metadata.version} ${toText(r.metadata.txTime)} ${r.metadata.txId}`,
      }));
    };
    const before = await seen(ledger);
    const [t0, t1] = before.map((r) => r.metadata.split(" ")[2]);
    assert.match(t0, /^2025-01-15T10:30:45\.\d{3}Z$/);
    assert.ok(t0 < t1, "two commits, two txTimes");
    // Each read is the reader's own object: changing one changes no later read.
    const [first] = await ledger.transaction((tx) => tx.history("cars", id));
    (first.metadata as { version: number }).version = 99;
    assert.deepEqual(await seen(ledger), before);
    await ledger.close();
    const again = await Ledger.open(dir);
    assert.deepEqual(await seen(again), before);
    await again.close();
  }));

test("a txTime the clock would not write (microseconds) is kept exactly through replay and reads", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE cars");
    await ledger.execute("INSERT INTO cars ?", { VIN: "1" });
    await ledger.close();
    const odd = parseText("2099-01-15T10:30:45.291001Z")[0];
    editJournal(dir, (blocks) => {
      const last = blocks.length - 1;
      // The block's timestamp and its revision's txTime agree, as verify() requires.
      let b = setPath(blocks[last], ["revisions", 0, "metadata", "txTime"], odd);
      b = setPath(b, ["blockTimestamp"], odd);
      blocks[last] = b as typeof blocks[number];
      return blocks;
    });
    const reopened = await Ledger.open(dir);
    try {
      const rows = await reopened.executeIon("SELECT VALUE h.metadata.txTime FROM history(cars) AS h");
      assert.equal(rows.map((v) => toText(v)).join(), "2099-01-15T10:30:45.291001Z");
      const report = await reopened.verify();
      assert.equal(report.ok, true, report.problem?.message);
    } finally {
      await reopened.close();
    }
  }));
