import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError } from "../../../../engine/index.ts";
import { MAX_DOCUMENT_DEPTH } from "../../../../engine/ion/depth.ts";
import { type IonStruct, type IonValue, ion } from "../../../../engine/ion/value.ts";
import { type EditStep, insertAtPath, removePath, setPath } from "../../../../engine/query/dml.ts";
import { rejectsWith } from "../../../helpers/assert.ts";
import { withLedger } from "../../../helpers/ledger.ts";

const field = (name: string): EditStep => ({ kind: "field", name, caseSensitive: true });
/** `s` then `n - 1` steps `y`. */
const path = (n: number): EditStep[] => [field("s"), ...Array.from({ length: n - 1 }, () => field("y"))];
const doc: IonStruct = ion.struct([["k", ion.int(1)], ["s", ion.struct([])]]);

/** Levels of nesting of `v` (a scalar is 1), counted without recursion. */
function depthOf(v: IonValue): number {
  let depth = 1;
  while (v.kind === "struct" && v.fields.length > 0) {
    v = v.fields[v.fields.length - 1][1];
    depth++;
  }
  return depth;
}

test("a path as deep as a document may nest is edited; one step more is LIMIT_EXCEEDED, at any length, for SET, REMOVE and INSERT INTO", () => {
  // n steps reach level n + 1 (the document is level 1).
  const deepest = setPath(doc, path(MAX_DOCUMENT_DEPTH - 1), ion.int(7));
  assert.equal(depthOf(deepest), MAX_DOCUMENT_DEPTH);
  assert.deepEqual(removePath(deepest, path(MAX_DOCUMENT_DEPTH - 1)).fields[0], doc.fields[0]);
  for (const n of [MAX_DOCUMENT_DEPTH, 15_000, 100_000]) {
    const tooLong = path(n);
    const limit = (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.steps === n;
    // Linear in n too: copying the rest of the path at every step took 4.5 s for 10,000 steps.
    assert.throws(() => setPath(doc, tooLong, ion.int(1)), limit);
    assert.throws(() => removePath(doc, tooLong), limit);
    assert.throws(() => insertAtPath(doc, tooLong, ion.int(1), undefined), limit);
  }
});

test("UPDATE with a path of 100,000 steps is LIMIT_EXCEEDED, not a stack overflow, and changes nothing", async () => {
  await withLedger(async (ledger) => {
    await ledger.execute("INSERT INTO t ?", { k: 1, s: {} });
    for (const n of [15_000, 100_000]) {
      const steps = ".y".repeat(n - 1);
      await rejectsWith(ledger.execute(`UPDATE t SET s${steps} = 1 WHERE k = 1`), "LIMIT_EXCEEDED");
      await rejectsWith(ledger.execute(`UPDATE t INSERT INTO s${steps} VALUE 1 WHERE k = 1`), "LIMIT_EXCEEDED");
      await rejectsWith(ledger.execute(`UPDATE t REMOVE s${steps} WHERE k = 1`), "LIMIT_EXCEEDED");
    }
    assert.deepEqual(await ledger.execute("SELECT * FROM t"), [{ k: 1, s: {} }]);
    // The deepest path a document can hold still works through the ledger.
    const deepest = ".y".repeat(MAX_DOCUMENT_DEPTH - 2);
    await ledger.execute(`UPDATE t SET s${deepest} = 1 WHERE k = 1`);
    const [row] = await ledger.execute(`SELECT VALUE s${deepest} FROM t`);
    assert.equal(row, 1);
    assert.equal((await ledger.verify()).ok, true);
  }, ["t"]);
});

test("an UPDATE makes at most limits.maxUpdateEdits edits: one more is LIMIT_EXCEEDED before any document changes", () =>
  withLedger(async (ledger) => {
    // Each edit copies the document: 20,000 SETs on one document took 3.4 s (Bun) and 13.6 s
    // (Deno), and 40,000 ran into the statement's time limit.
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t << {'a': 1}, {'a': 2} >>");
    const sets = (n: number) => Array.from({ length: n }, (_, i) => `f${i} = ${i}`).join(", ");
    await assert.rejects(ledger.execute(`UPDATE t SET ${sets(1_001)}`), (e) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxUpdateEdits");
    await assert.rejects(ledger.execute(`UPDATE t AS x SET ${sets(1_000)} REMOVE x.a`), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
    assert.deepEqual(await ledger.execute("SELECT VALUE a FROM t ORDER BY a"), [1, 2]);
    await ledger.execute(`UPDATE t SET ${sets(1_000)}`);
    assert.deepEqual(await ledger.execute("SELECT VALUE x.f999 FROM t AS x"), [999, 999]);
  }));
