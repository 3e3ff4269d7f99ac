/**
 * Values that hold the same subtree in many places — a JS object referenced twice per level, a
 * model value built the same way, a PartiQL LET that doubles a list — stand for 2^n values in a
 * few hundred bytes. Walking one in full (converting, checking, copying, encoding, returning it)
 * took many GB and tens of seconds before it was refused under Bun and killed Deno (out of
 * memory). Each walk now counts what it visits (limits.maxValueNodes, and for stored values a
 * lower bound on their Ion bytes against maxDocumentBytes), so these are LIMIT_EXCEEDED and the
 * ledger is unchanged. Sharing itself stays legal: a small shared subtree is stored as copies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeBinary, ion, ionEquals, ionLiteral, isLedgerError, Ledger, parseText, toText, verifyRevision } from "../../../../engine/index.ts";
import type { IonValue } from "../../../../engine/ion/value.ts";
import { withLedger } from "../../../helpers/ledger.ts";

/**
 * Cases that walk millions of nodes before they are refused take seconds on a loaded 2-core
 * machine: more than `bun test`'s own 5 s default when it is run without npm test's --timeout.
 */
const SLOW = { timeout: 60_000 };

/** `levels` doublings of a small JS object: 2^levels references to its leaf. */
function jsDoubling(levels: number, leaf: unknown = { x: 1 }): unknown {
  let o = leaf;
  for (let i = 0; i < levels; i++) o = { a: o, b: o };
  return o;
}

/** The same as a model value. */
function modelDoubling(levels: number): IonValue {
  let o: IonValue = ion.struct([["x", ion.int(1)]]);
  for (let i = 0; i < levels; i++) o = ion.struct([["a", o], ["b", o]]);
  return o;
}

/** A query whose one row is `levels` doublings of a short string (about 20 characters of text per level). */
function letDoubling(levels: number): string {
  const lets = Array.from({ length: levels }, (_, i) => `[x${i}, x${i}] AS x${i + 1}`).join(", ");
  return `SELECT VALUE x${levels} FROM <<'abcdefghij'>> AS x0 LET ${lets}`;
}

/** Runs `fn` on a ledger with an empty table t, which must still be empty, and verify, afterwards. */
function withTable(fn: (ledger: Ledger) => Promise<void>): Promise<void> {
  return withLedger(async (ledger) => {
    await fn(ledger);
    // Nothing was written, and what is there still verifies.
    assert.deepEqual(await ledger.execute("SELECT COUNT(*) AS n FROM t"), [{ n: 0 }]);
    assert.equal((await ledger.verify()).ok, true);
  }, ["t"]);
}

async function refused(what: Promise<unknown>, limit: string): Promise<void> {
  await assert.rejects(what, (e: unknown) => {
    assert.ok(isLedgerError(e, "LIMIT_EXCEEDED"), `expected LIMIT_EXCEEDED, got ${String(e)}`);
    assert.equal(e.details.limit, limit);
    return true;
  });
}

test("a JS document doubling one object 26 times is LIMIT_EXCEEDED", SLOW, async () => {
  await withTable((l) => refused(l.transaction((tx) => tx.insert("t", jsDoubling(26))), "maxDocumentBytes"));
});

test("a document sharing a 1 MB string 2^20 times is refused by its bytes, not encoded", async () => {
  await withTable((l) => refused(l.transaction((tx) => tx.insert("t", jsDoubling(20, "s".repeat(1 << 20)))), "maxDocumentBytes"));
});

test("a model value (ionLiteral) doubling one struct 26 times is LIMIT_EXCEEDED", SLOW, async () => {
  await withTable((l) => refused(l.transaction((tx) => tx.insert("t", ionLiteral(modelDoubling(26)))), "maxDocumentBytes"));
});

test("a statement parameter doubling one object 26 times is LIMIT_EXCEEDED", SLOW, async () => {
  await withTable((l) => refused(l.execute("INSERT INTO t VALUE {'a': ?}", jsDoubling(26)), "maxDocumentBytes"));
});

test("a query row made of 26 LET doublings is LIMIT_EXCEEDED from executeIon and execute", SLOW, async () => {
  await withTable(async (l) => {
    await refused(l.executeIon(letDoubling(26)), "maxValueNodes");
    await refused(l.execute(letDoubling(26)), "maxValueNodes");
  });
});

test("inserting a value made of 26 LET doublings is LIMIT_EXCEEDED", SLOW, async () => {
  await withTable((l) => refused(l.execute(`INSERT INTO t VALUE {'a': (${letDoubling(26)})}`), "maxValueNodes"));
});

test("a small shared subtree is stored as copies and reads back equal", async () => {
  await withLedger(async (ledger) => {
    const doc = jsDoubling(3, { x: 1, s: "leaf" });
    const id = await ledger.transaction((tx) => tx.insert("t", doc));
    const [row] = await ledger.execute("SELECT VALUE d FROM t AS d BY id WHERE id = ?", id);
    assert.deepEqual(row, JSON.parse(JSON.stringify(doc)));
    // 26 LET doublings are refused; 2 are a row of two lists of two strings.
    assert.deepEqual(await ledger.execute(letDoubling(2)), [[["abcdefghij", "abcdefghij"], ["abcdefghij", "abcdefghij"]]]);
  }, ["t"]);
});

test("equality, IN, GROUP BY and DISTINCT over 30 LET doublings are LIMIT_EXCEEDED, not hours", SLOW, async () => {
  await withTable(async (l) => {
    const lets = letDoubling(30).replace(/^SELECT VALUE x30 /, "");
    for (const q of [
      `SELECT VALUE 1 ${lets} WHERE x30 = x30`,
      `SELECT VALUE 1 ${lets} WHERE x30 IN [x30]`,
      `SELECT COUNT(*) AS c ${lets} GROUP BY x30`,
      `SELECT VALUE 1 FROM (SELECT DISTINCT x30 AS v ${lets}) AS y`,
    ]) {
      await refused(l.execute(q), "maxValueNodes");
    }
    // ORDER BY of one row and SIZE never walk the value.
    assert.deepEqual(await l.execute(`SELECT VALUE size(x30) ${lets} ORDER BY x30`), [2]);
  });
});

test("a revision whose data doubles one struct 30 times does not verify, and says so at once", () => {
  let data = ion.struct([["x", ion.int(1)]]);
  for (let i = 0; i < 30; i++) data = ion.struct([["a", data], ["b", data]]);
  const address = { strandId: "ABCDEFGHIJKLMNOPQRSTUV", sequenceNo: 0 };
  const txTime = { kind: "timestamp", precision: "second", offset: 0, year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: null } as const;
  const revision = { blockAddress: address, hash: new Uint8Array(32), data, metadata: { id: "i", version: 0, txTime, txId: "t" } };
  const t0 = performance.now();
  assert.equal(verifyRevision(revision, [], { digest: new Uint8Array(32), digestTipAddress: address }), false);
  assert.ok(performance.now() - t0 < 30_000, "bounded, not 2^30 steps");
});

test("the exported encoders and ionEquals refuse a model value doubling 40 times after maxValueNodes visits, not minutes; a small shared one is written in full", SLOW, () => {
  // Before: encodeBinary made 220 MB from 26 doublings, toText took 40 s and 9 GB (a RangeError
  // under Deno), and ionEquals of two 40-doubling values ran for minutes.
  const limit = (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxValueNodes";
  const [a, b] = [modelDoubling(40), modelDoubling(40)];
  assert.throws(() => encodeBinary(a), limit);
  assert.throws(() => encodeBinary([ion.int(1), a]), limit);
  assert.throws(() => toText(a), limit);
  assert.throws(() => ionEquals(a, b), limit);
  // The same struct in many places, below the limit: every place is written, and reads back equal.
  const small = modelDoubling(3);
  const text = toText(small);
  assert.equal(text.match(/x: ?1/g)?.length, 8, text);
  assert.equal(ionEquals(parseText(text)[0], small), true);
  assert.equal(ionEquals(small, modelDoubling(3)), true);
  assert.ok(encodeBinary(small).length > 8 * 2);
});

test("an ordinary oversized document is LIMIT_EXCEEDED with its size (a lower bound) in details", async () => {
  await withTable(async (l) => {
    await assert.rejects(l.transaction((tx) => tx.insert("t", { big: "x".repeat(9 * 1024 * 1024) })), (e: unknown) => {
      assert.ok(isLedgerError(e, "LIMIT_EXCEEDED"));
      assert.equal(e.details.limit, "maxDocumentBytes");
      assert.ok((e.details.size as number) > 9 * 1024 * 1024, String(e.details.size));
      return true;
    });
  });
});
