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
