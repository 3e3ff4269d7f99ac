import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as fsNode from "node:fs";
import { execFileSync } from "node:child_process";
import { isLedgerError, Ledger, LedgerError, toText, verifyBlock, verifyRevision } from "../../../../engine/index.ts";
import { toJS } from "../../../../engine/ion/js.ts";
import type { IonStruct } from "../../../../engine/ion/value.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { rejectsWith } from "../../../helpers/assert.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

const car = { VIN: "123456789", Manufacturer: "Tesla", Model: "Model S", Year: 2012, Owner: "Maria Garcia" };


/** The seed's story: insert, sell, delete. */
async function carStory(ledger: Ledger): Promise<string> {
  await ledger.transaction((tx) => tx.createTable("cars"));
  const id = await ledger.transaction((tx) => tx.insert("cars", car));
  await ledger.transaction(async (tx) => {
    const current = toJS((await tx.get("cars", id))!) as Record<string, unknown>;
    await tx.update("cars", id, { ...current, Owner: "Richard Roe" });
  });
  await ledger.transaction((tx) => tx.delete("cars", id));
  return id;
}

describe("Ledger", () => {
  test("documents: insert, update, delete; current, committed and history views", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.transaction((tx) => tx.createTable("cars"));
      const id = await ledger.transaction((tx) => tx.insert("cars", car));
      assert.match(id, /^[0-9A-Za-z]{22}$/);
      await ledger.transaction(async (tx) => {
        assert.equal((toJS((await tx.get("cars", id))!) as { Owner: string }).Owner, "Maria Garcia");
        await tx.update("cars", id, { ...car, Owner: "Richard Roe" });
        // read-your-writes inside the transaction
        assert.equal((toJS((await tx.get("cars", id))!) as { Owner: string }).Owner, "Richard Roe");
      });
      const committed = await ledger.transaction((tx) => tx.committed("cars", id));
      assert.equal(committed!.metadata.version, 1);
      await ledger.transaction((tx) => tx.delete("cars", id));
      const [current, rows, history] = await ledger.transaction(async (tx) =>
        [await tx.get("cars", id), await tx.scan("cars"), await tx.history("cars", id)] as const
      );
      assert.equal(current, undefined);
      assert.equal(rows.length, 0);
      assert.deepEqual(history.map((r) => r.metadata.version), [0, 1, 2]);
      assert.equal((toJS(history[1].data!) as { Owner: string }).Owner, "Richard Roe");
      assert.equal(history[2].data, undefined, "a delete's revision has no data");
      assert.ok(history.every((r) => r.metadata.id === id));
      await rejectsWith(ledger.transaction((tx) => tx.update("cars", id, car)), "DOCUMENT_NOT_FOUND");
      await ledger.close();
    }));

  test("every revision's proof verifies against the digest; altered inputs do not", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      const id = await carStory(ledger);
      const digest = await ledger.getDigest();
      assert.equal(digest.digestTipAddress.sequenceNo, 3);
      const history = await ledger.transaction((tx) => tx.history("cars", id));
      for (const r of history) {
        const { revision, proof } = await ledger.getRevision({
          blockAddress: r.blockAddress,
          documentId: id,
          digestTipAddress: digest.digestTipAddress,
        });
        assert.equal(verifyRevision(revision, proof, digest), true);
        const forged = { ...revision, metadata: { ...revision.metadata, version: revision.metadata.version + 1 } };
        assert.equal(verifyRevision(forged, proof, digest), false);
        if (proof.length > 0) {
          const badProof = proof.map((p, i) => (i === 0 ? p.map((b, j) => (j === 0 ? b ^ 1 : b)) : p));
          assert.equal(verifyRevision(revision, badProof, digest), false);
        }
        assert.equal(verifyRevision(revision, proof, { ...digest, digest: digest.digest.map((b) => b ^ 0xff) }), false);
        const { block, proof: bproof } = await ledger.getBlock({ blockAddress: r.blockAddress, digestTipAddress: digest.digestTipAddress });
        assert.equal(verifyBlock(block, bproof, digest), true);
      }
      // A proof against an earlier digest, and a bad tip.
      const first = history[0];
      const early = { strandId: ledger.strandId, sequenceNo: first.blockAddress.sequenceNo };
      const { revision, proof } = await ledger.getRevision({ blockAddress: first.blockAddress, documentId: id, digestTipAddress: early });
      assert.equal(verifyRevision(revision, proof, digest), false, "a proof for an earlier digest does not verify against a later one");
      await rejectsWith(
        ledger.getRevision({ blockAddress: history[2].blockAddress, documentId: id, digestTipAddress: early }),
        "INVALID_ARGUMENT",
      );
      const report = await ledger.verify();
      assert.equal(report.ok, true);
      assert.equal(report.blocks, 4);
      assert.deepEqual(report.digest!.digest, digest.digest);
      await ledger.close();
    }));

  test("reopen restores the same state and digest", () =>
    withTempDir(async (dir) => {
      let ledger = await Ledger.open(dir);
      const id = await carStory(ledger);
      const id2 = await ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: "2" }));
      const before = await ledger.getDigest();
      const history = await ledger.transaction((tx) => tx.history("cars", id));
      await ledger.close();
      ledger = await Ledger.open(dir);
      assert.deepEqual(await ledger.getDigest(), before);
      assert.deepEqual(await ledger.transaction((tx) => tx.history("cars", id)), history);
      assert.equal((await ledger.transaction((tx) => tx.scan("cars"))).map((r) => r.id).join(), id2);
      const id3 = await ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: "3" }));
      assert.notEqual(id3, id2);
      assert.equal((await ledger.verify()).ok, true);
      await ledger.close();
    }));

  test("a second open of the same directory is LEDGER_LOCKED until the first closes", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await rejectsWith(Ledger.open(dir), "LEDGER_LOCKED");
      await ledger.close();
      const again = await Ledger.open(dir);
      await again.close();
    }));

  test("close() is idempotent: a second call resolves only when the first has freed the directory", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      const tx = ledger.begin();
      await tx.insert("t", { a: 1 });
      const commit = tx.commit();
      const first = ledger.close();
      await ledger.close();
      // The commit in flight is durable and the lock released by now.
      const again = await Ledger.open(dir);
      assert.deepEqual(await again.execute("SELECT a FROM t"), [{ a: 1 }]);
      await again.close();
      await first;
      await commit;
    }));

  test("tables: create, duplicate, drop, undrop; history reaches a dropped table by id", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      const tableId = await ledger.transaction((tx) => tx.createTable("cars"));
      await rejectsWith(ledger.transaction((tx) => tx.createTable("cars")), "TABLE_EXISTS");
      await rejectsWith(ledger.transaction((tx) => tx.createTable("bad name")), "INVALID_ARGUMENT");
      // Names of system views: such a table would hide cars' committed view, or be hidden.
      for (const reserved of ["_ql_committed_cars", "_QL_x", "information_schema", "INFORMATION_SCHEMA"]) {
        await rejectsWith(ledger.transaction((tx) => tx.createTable(reserved)), "INVALID_ARGUMENT");
        await rejectsWith(ledger.execute(`CREATE TABLE ${reserved}`), "INVALID_ARGUMENT");
      }
      const id = await ledger.transaction((tx) => tx.insert("cars", car));
      await ledger.transaction((tx) => tx.dropTable("cars"));
      await rejectsWith(ledger.transaction((tx) => tx.insert("cars", car)), "TABLE_NOT_FOUND");
      assert.equal((await ledger.transaction((tx) => tx.history(tableId, id))).length, 1);
      // By name, the error points at the id.
      await assert.rejects(ledger.transaction((tx) => tx.history("cars", id)), (e) =>
        isLedgerError(e, "TABLE_NOT_FOUND") && e.message.includes(tableId) && /dropped/.test(e.message));
      const tables = await ledger.transaction((tx) => tx.tables());
      assert.deepEqual(tables.map((t) => [t.name, t.status]), [["cars", "INACTIVE"]]);
      await ledger.transaction((tx) => tx.undropTable(tableId));
      assert.equal((await ledger.transaction((tx) => tx.scan("cars"))).length, 1);
      await ledger.close();
    }));

  test("OCC: a read-modify-write conflict is OCC_CONFLICT; aborted transactions leave no trace", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.transaction((tx) => tx.createTable("cars"));
      const id = await ledger.transaction((tx) => tx.insert("cars", car));
      const before = await ledger.getDigest();
      const a = ledger.begin();
      const b = ledger.begin();
      await a.get("cars", id);
      await b.get("cars", id);
      await a.update("cars", id, { ...car, Owner: "A" });
      await b.update("cars", id, { ...car, Owner: "B" });
      await a.commit();
      await rejectsWith(b.commit(), "OCC_CONFLICT");
      const after = await ledger.getDigest();
      assert.equal(after.digestTipAddress.sequenceNo, before.digestTipAddress.sequenceNo + 1);
      assert.equal((toJS((await ledger.transaction((tx) => tx.get("cars", id)))!) as { Owner: string }).Owner, "A");
      // transaction() retries and succeeds
      let runs = 0;
      const blocker = ledger.begin();
      await blocker.get("cars", id);
      await blocker.update("cars", id, { ...car, Owner: "C" });
      await ledger.transaction(async (tx) => {
        runs++;
        const cur = await tx.get("cars", id);
        if (runs === 1) await blocker.commit();
        await tx.update("cars", id, { ...(toJS(cur!) as object), Year: 2020 });
      });
      assert.equal(runs, 2);
      assert.equal((await ledger.verify()).ok, true);
      await ledger.close();
    }));

  test("index lookups on different keys do not conflict; scans do", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.transaction(async (tx) => {
        await tx.createTable("cars");
      });
      await ledger.transaction((tx) => tx.createIndex("cars", "VIN"));
      await ledger.transaction(async (tx) => {
        await tx.insert("cars", { ...car, VIN: "A" });
        await tx.insert("cars", { ...car, VIN: "B" });
      });
      const a = ledger.begin();
      const b = ledger.begin();
      const [ra] = await a.findBy("cars", "VIN", "A");
      const [rb] = await b.findBy("cars", "VIN", "B");
      await a.update("cars", ra.id, { ...car, VIN: "A", Owner: "x" });
      await b.update("cars", rb.id, { ...car, VIN: "B", Owner: "y" });
      await a.commit();
      await b.commit();
      // A scan conflicts with any concurrent write to the table.
      const s = ledger.begin();
      await s.scan("cars");
      await s.insert("cars", { ...car, VIN: "C" });
      await ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: "D" }));
      await rejectsWith(s.commit(), "OCC_CONFLICT");
      // A lookup of a key that a concurrent insert creates (a phantom) conflicts.
      const p = ledger.begin();
      assert.equal((await p.findBy("cars", "VIN", "E")).length, 0);
      await p.insert("cars", { ...car, VIN: "E" });
      await ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: "E" }));
      await rejectsWith(p.commit(), "OCC_CONFLICT");
      await ledger.close();
    }));

  test("concurrent committers share syncs but each gets its own block", async () => {
    const fs = new FaultyFileLayer();
    const ledger = await Ledger.open("/group", { fs });
    await ledger.transaction((tx) => tx.createTable("cars"));
    const syncsBefore = fs.syncs;
    const ids = await Promise.all(Array.from({ length: 64 }, (_, i) => ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: String(i) }))));
    const syncs = fs.syncs - syncsBefore;
    assert.equal(new Set(ids).size, 64);
    assert.ok(syncs <= 4, `64 concurrent commits took ${syncs} syncs`);
    const digest = await ledger.getDigest();
    assert.equal(digest.digestTipAddress.sequenceNo, 64, "each transaction is its own block");
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  });

  test("bad input is a LedgerError", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(path.join(dir, "nested", "ledger"));
      await ledger.transaction((tx) => tx.createTable("t"));
      await rejectsWith(ledger.transaction((tx) => tx.insert("t", 5)), "TYPE_ERROR");
      await rejectsWith(ledger.transaction((tx) => tx.insert("t", { f: () => 1 })), "TYPE_ERROR");
      await rejectsWith(ledger.transaction((tx) => tx.insert("t", { n: 2 ** 53 + 1 })), "TYPE_ERROR");
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      await rejectsWith(ledger.transaction((tx) => tx.insert("t", { deep })), "LIMIT_EXCEEDED");
      const id = await ledger.transaction((tx) => tx.insert("t", JSON.parse('{"__proto__": {"x": 1}, "big": 1}')));
      const doc = (await ledger.transaction((tx) => tx.get("t", id))) as IonStruct;
      assert.deepEqual(doc.fields.map((f) => f[0]), ["__proto__", "big"]);
      await rejectsWith(ledger.getRevision({ blockAddress: { strandId: "nope", sequenceNo: 0 }, documentId: id }), "INVALID_ARGUMENT");
      await rejectsWith(ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: 99 } }), "INVALID_ARGUMENT");
      await ledger.close();
      await rejectsWith(ledger.getDigest(), "LEDGER_CLOSED");
    }));
});

describe("documents read from the ledger", () => {
  test("pass back unchanged into update (no re-reading as a plain object)", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.transaction((tx) => tx.createTable("cars"));
      const id = await ledger.transaction((tx) => tx.insert("cars", car));
      await ledger.transaction(async (tx) => tx.update("cars", id, (await tx.get("cars", id))!));
      const history = await ledger.transaction((tx) => tx.history("cars", id));
      assert.deepEqual(history[1].data, history[0].data);
      // A user object that merely looks like an Ion value is an ordinary struct.
      const lookalike = { kind: "string", value: "x" };
      const id2 = await ledger.transaction((tx) => tx.insert("cars", lookalike));
      const doc = (await ledger.transaction((tx) => tx.get("cars", id2)))!;
      assert.deepEqual(doc.fields.map((f) => f[0]), ["kind", "value"]);
      await ledger.close();
    }));
});

describe("verifyRevision with revisions read through PartiQL", () => {
  test("a committed-view row (JavaScript values) verifies with its proof", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE cars");
      await ledger.execute("INSERT INTO cars ?", { ...car, Price: 1.5, Reg: new Uint8Array([1, 2]) });
      const [row] = await ledger.execute("SELECT * FROM _ql_committed_cars");
      const digest = await ledger.getDigest();
      const { proof } = await ledger.getRevision({ blockAddress: row.blockAddress, documentId: row.metadata.id, digestTipAddress: digest.digestTipAddress });
      assert.equal(verifyRevision(row, proof, digest), true);
      assert.equal(verifyRevision({ ...row, data: { ...row.data, Owner: "Mallory" } }, proof, digest), false);
      await ledger.close();
    }));
});

describe("Ledger arguments", () => {
  const fs = () => new FaultyFileLayer();
  /** Options whose every read throws: the error must be INVALID_ARGUMENT, not the trap's own. */
  const throwingProxy = () => new Proxy({}, { get: () => { throw new Error("trap"); } });
  // [what, call, expected code]: each must fail with that LedgerError, never a TypeError.
  const openCases: [string, () => Promise<unknown>, string][] = [
    ["options that are not an object", () => Ledger.open("/l", null as never), "INVALID_ARGUMENT"],
    ["retries that are not a number", () => Ledger.open("/l", { fs: fs(), retries: "x" as never }), "INVALID_ARGUMENT"],
    ["negative retries", () => Ledger.open("/l", { fs: fs(), retries: -1 }), "INVALID_ARGUMENT"],
    ["fractional retries", () => Ledger.open("/l", { fs: fs(), retries: 1.5 }), "INVALID_ARGUMENT"],
    ["infinite retries", () => Ledger.open("/l", { fs: fs(), retries: Infinity }), "INVALID_ARGUMENT"],
    ["retries beyond limits.maxRetries", () => Ledger.open("/l", { fs: fs(), retries: 1_001 }), "LIMIT_EXCEEDED"],
    ["a clock that is not a function", () => Ledger.open("/l", { fs: fs(), clock: 5 as never }), "INVALID_ARGUMENT"],
    ["an fs that is not an object", () => Ledger.open("/l", { fs: "disk" as never }), "INVALID_ARGUMENT"],
    ["options whose Proxy trap throws", () => Ledger.open("/l", throwingProxy() as never), "INVALID_ARGUMENT"],
    ["retries whose toString throws", () => Ledger.open("/l", { fs: fs(), retries: { toString: () => { throw new Error("no"); } } as never }), "INVALID_ARGUMENT"],
    // A misspelt option opened a strict ledger where a permissive one was asked for.
    ["an unknown option", () => Ledger.open("/l", { fs: fs(), typingmode: "permissive" } as never), "INVALID_ARGUMENT"],
    ["options whose keys cannot be listed", () => Ledger.open("/l", new Proxy({}, { ownKeys: () => { throw new Error("trap"); } }) as never), "INVALID_ARGUMENT"],
    // The runtime writes U+FFFD for a lone surrogate: two such paths named one directory.
    ["a path with a lone surrogate", () => Ledger.open("/l/s\uD800", { fs: fs() }), "INVALID_ARGUMENT"],
    ["a path with a NUL", () => Ledger.open("/l/s\0t", { fs: fs() }), "INVALID_ARGUMENT"],
  ];
  test("Ledger.open takes an unknown option set to undefined as no option", async () => {
    const ledger = await Ledger.open("/l", { fs: fs(), typingmode: undefined } as never);
    await ledger.close();
  });

  for (const [what, call, code] of openCases) {
    test(`Ledger.open refuses ${what} with ${code}`, async () => {
      await rejectsWith(call(), code);
    });
  }

  test("transaction() refuses a missing function and bad options, leaving the ledger usable", async () => {
    const ledger = await Ledger.open("/l", { fs: fs() });
    await rejectsWith(ledger.transaction(5 as never), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction(undefined as never), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction((tx) => tx.createTable("t"), null as never), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction((tx) => tx.createTable("t"), { retries: "4" as never }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction((tx) => tx.createTable("t"), throwingProxy() as never), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction((tx) => tx.createTable("t"), { retry: 8 } as never), "INVALID_ARGUMENT");
    // Callables typeof calls functions, that cannot be called.
    const revocable = Proxy.revocable(() => 1, {});
    revocable.revoke();
    await rejectsWith(ledger.transaction(class { constructor(_tx: unknown) {} } as never), "INVALID_ARGUMENT");
    await rejectsWith(ledger.transaction(revocable.proxy as never), "INVALID_ARGUMENT");
    // A TypeError the callback itself throws is the application's, and comes back as it was.
    const own = new TypeError("mine");
    await assert.rejects(ledger.transaction(() => { throw own; }), (e) => e === own);
    await assert.rejects(ledger.transaction(async () => { throw own; }), (e) => e === own);
    await ledger.transaction((tx) => tx.createTable("t"), { retries: 0 });
    await ledger.close();
  });

  test("Ledger.open refuses a bad segmentBytes before it creates the directory or a lock file", () =>
    withTempDir(async (parent) => {
      const dir = path.join(parent, "ledger");
      for (const segmentBytes of [10, -1, 1.5, NaN, "big" as never]) {
        await rejectsWith(Ledger.open(dir, { segmentBytes }), "INVALID_ARGUMENT");
        assert.equal(fsNode.existsSync(dir), false, String(segmentBytes));
      }
      // An existing ledger is left as it was: no lock file created, nothing else touched.
      const ledger = await Ledger.open(dir);
      await ledger.close();
      const before = fsNode.readdirSync(dir).sort();
      await rejectsWith(Ledger.open(dir, { segmentBytes: 10 }), "INVALID_ARGUMENT");
      assert.deepEqual(fsNode.readdirSync(dir).sort(), before);
    }));

  test("a transaction's write set and statements are not reachable from the application", async () => {
    const disk = fs();
    const ledger = await Ledger.open("/l", { fs: disk });
    await ledger.transaction((tx) => tx.createTable("t"));
    await ledger.transaction(async (tx) => {
      await tx.insert("t", { a: 1 });
      const open = tx as unknown as Record<string, unknown>;
      // Before, `tx.writes.set(…)` could queue a write the journal would hold but not replay,
      // and `tx.scanShared(t)` returned the pending write itself (and tablesShared the catalog's
      // own definitions) for the application to change after the write was checked.
      const internal = [
        "writes", "statements", "reads", "undo", "host", "state", "change", "record", "withStatement", "statementWrite",
        "sharedCatalog", "tablesShared", "resolveTableShared", "scanCommittedShared", "committedAmongShared",
        "tableHistoryShared", "lookupIdsShared", "lookupShared", "lookupRangeShared", "lookupOrderedShared", "scanShared",
      ];
      for (const name of internal) {
        assert.equal(open[name], undefined, name);
        assert.equal(Reflect.ownKeys(tx).includes(name), false, name);
      }
      assert.throws(() => { open.snapshot = 99; }, TypeError);
      assert.equal(tx.snapshot, 0);
    });
    assert.equal((await ledger.execute("SELECT a FROM t"))[0].a, 1);
    await ledger.close();
    const reopened = await Ledger.open("/l", { fs: disk });
    assert.equal((await reopened.verify()).ok, true);
    await reopened.close();
  });

  test("the ledger's and a transaction's internals are not reachable, and the engine's calls cannot be shadowed", async () => {
    const disk = fs();
    const ledger = await Ledger.open("/l", { fs: disk });
    const open = ledger as unknown as Record<string, unknown>;
    for (const name of ["journal", "store", "tree", "committer", "lock", "host", "readHost", "active", "closed", "retries"]) {
      assert.equal(open[name], undefined, name);
    }
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t ?", { keep: { deep: 1 }, n: 1 });
    await ledger.transaction(async (tx) => {
      // Before, a shadowed update received the executor's document, sharing the store's values,
      // and a redefined id became the block's transactionId.
      assert.equal(Object.isExtensible(tx), false);
      assert.throws(() => { (tx as unknown as Record<string, unknown>).update = () => {}; }, TypeError);
      assert.throws(() => Object.defineProperty(tx, "id", { value: "same" }), TypeError);
      // executeWith hands out copies, as executeIon does: scribbling on a row changes nothing.
      const [row] = await tx.executeWith("SELECT * FROM t", []);
      ((row as unknown as { fields: [string, { fields: [string, { value: bigint }][] }][] }).fields[0][1].fields[0][1]).value = 666n;
    });
    assert.deepEqual(await ledger.execute("SELECT t.keep.deep AS d FROM t"), [{ d: 1 }]);
    assert.deepEqual(await ledger.execute("SELECT n FROM t WHERE t.keep.deep = 1"), [{ n: 1 }]);
    await ledger.close();
  });

  test("transaction() does not run its callback again once a commit it started went through", async () => {
    const ledger = await Ledger.open("/l", { fs: fs() });
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("CREATE TABLE audit");
    const [{ documentId: counter }] = await ledger.execute("INSERT INTO t ?", { n: 0 });
    let runs = 0;
    await rejectsWith(ledger.transaction(async (tx) => {
      runs++;
      await tx.insert("audit", { run: runs });
      void tx.commit(); // started, not awaited
      // Other work in the callback that fails with a conflict of its own.
      const other = ledger.begin();
      await other.get("t", counter);
      await ledger.execute("UPDATE t SET n = n + 1");
      await other.update("t", counter, { n: 100 });
      await other.commit();
    }, { retries: 3 }), "OCC_CONFLICT");
    assert.equal(runs, 1);
    assert.deepEqual(await ledger.execute("SELECT run FROM audit"), [{ run: 1 }]);
    await ledger.close();
  });

  test("a transaction cannot opt out of its conflict check by redefining its snapshot", async () => {
    const ledger = await Ledger.open("/l", { fs: fs() });
    await ledger.transaction((tx) => tx.createTable("t"));
    const id = await ledger.transaction((tx) => tx.insert("t", { balance: 100 }));
    const a = ledger.begin();
    const seen = toJS((await a.get("t", id))!) as { balance: number };
    await ledger.transaction((tx) => tx.update("t", id, { balance: 50 }));
    // No property can be added to the transaction object, so none shadows a getter (before, this
    // defineProperty succeeded and the commit below overwrote the other update).
    assert.throws(() => Object.defineProperty(a, "snapshot", { value: Number.MAX_SAFE_INTEGER }), TypeError);
    await a.update("t", id, { balance: seen.balance + 10 });
    await rejectsWith(a.commit(), "OCC_CONFLICT");
    assert.equal((await ledger.execute("SELECT balance FROM t"))[0].balance, 50);
    await ledger.close();
  });

  test("a clock reading that is not epoch milliseconds fails the transaction and poisons no later txTime", async () => {
    let reading: unknown = 1_700_000_000_000;
    const ledger = await Ledger.open("/l", { fs: fs(), clock: () => reading as number });
    await ledger.transaction((tx) => tx.createTable("t"));
    for (const bad of [NaN, Infinity, "soon", 1e20, -1e20]) {
      reading = bad;
      await rejectsWith(ledger.transaction((tx) => tx.insert("t", { a: 1 })), "INVALID_ARGUMENT");
    }
    reading = 1_700_000_000_500.7;
    const id = await ledger.transaction((tx) => tx.insert("t", { a: 1 }));
    const r = await ledger.transaction((tx) => tx.committed("t", id));
    assert.deepEqual(
      [r!.metadata.txTime.year, r!.metadata.txTime.second, r!.metadata.txTime.fraction],
      [2023, 20, { coefficient: 500n, exponent: -3 }],
    );
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  });

  test("a new ledger records a clock set before 1970 as it reads, and later txTimes never go below it", async () => {
    let reading = Date.UTC(1969, 6, 20, 20, 17, 40, 5);
    const ledger = await Ledger.open("/l", { fs: fs(), clock: () => reading });
    await ledger.transaction((tx) => tx.createTable("t"));
    const id = await ledger.transaction((tx) => tx.insert("t", { a: 1 }));
    reading -= 1000;
    await ledger.transaction((tx) => tx.update("t", id, { a: 2 }));
    const times = (await ledger.transaction((tx) => tx.history("t", id))).map((r) => toText(r.metadata.txTime));
    assert.deepEqual(times, ["1969-07-20T20:17:40.005Z", "1969-07-20T20:17:40.005Z"]);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  });

  test("a clock that throws fails the transaction with INVALID_ARGUMENT and the ledger goes on", async () => {
    let broken = false;
    const ledger = await Ledger.open("/l", { fs: fs(), clock: () => { if (broken) throw new Error("no time"); return 1_700_000_000_000; } });
    await ledger.transaction((tx) => tx.createTable("t"));
    broken = true;
    await rejectsWith(ledger.transaction((tx) => tx.insert("t", { a: 1 })), "INVALID_ARGUMENT");
    broken = false;
    await ledger.transaction((tx) => tx.insert("t", { a: 2 }));
    assert.deepEqual(await ledger.execute("SELECT VALUE a FROM t"), [2]);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  });
});

describe("Ledger lifecycle races", () => {
  /** Resolves after `k` microtask turns. */
  const turns = async (k: number) => {
    for (let i = 0; i < k; i++) await Promise.resolve();
  };

  test("close() racing transactions: each either commits and survives reopen, or rejects", async () => {
    for (let k = 0; k < 16; k++) {
      const fs = new FaultyFileLayer();
      const ledger = await Ledger.open("/l", { fs });
      await ledger.transaction((tx) => tx.createTable("t"));
      const runs = Array.from({ length: 8 }, (_, i) =>
        ledger.transaction(async (tx) => {
          await turns(i);
          return tx.insert("t", { i });
        }).then((id) => ({ id }), (e: unknown) => ({ error: e }))
      );
      await turns(k);
      await ledger.close();
      const outcomes = await Promise.all(runs);
      const again = await Ledger.open("/l", { fs });
      const present = new Set((await again.transaction((tx) => tx.scan("t"))).map((r) => r.id));
      for (const o of outcomes) {
        if ("id" in o) assert.ok(present.has(o.id), `close after ${k} turns: an acknowledged insert is missing`);
        else assert.ok(o.error instanceof LedgerError, `close after ${k} turns: ${o.error}`);
      }
      assert.equal(present.size, outcomes.filter((o) => "id" in o).length, `close after ${k} turns: an unacknowledged insert is visible`);
      await again.close();
    }
  });

  test("a statement still running when the transaction commits: refused, never partly committed", async () => {
    for (let k = 0; k < 24; k++) {
      const ledger = await Ledger.open("/l", { fs: new FaultyFileLayer() });
      await ledger.execute("CREATE TABLE t");
      for (let i = 0; i < 5; i++) await ledger.execute("INSERT INTO t ?", { i, x: 0 });
      let dangling: Promise<unknown> | undefined;
      const result = await ledger.transaction(async (tx) => {
        dangling = tx.execute("UPDATE t SET x = 1");
        dangling.catch(() => {}); // the application's own bug: it never awaits it
        await turns(k);
      }).then(() => "committed", (e: unknown) => e);
      const updated = (await ledger.execute("SELECT * FROM t WHERE x = 1")).length;
      if (result === "committed") assert.equal(updated, 5, `k=${k}`);
      else {
        assert.ok(result instanceof LedgerError && result.code === "INVALID_ARGUMENT", `k=${k}: ${result}`);
        assert.equal(updated, 0, `k=${k}: part of a statement was committed`);
      }
      await ledger.close();
    }
  });

  test("document ids and table names that are not strings are INVALID_ARGUMENT", async () => {
    const ledger = await Ledger.open("/l", { fs: new FaultyFileLayer() });
    await ledger.transaction((tx) => tx.createTable("t"));
    for (const bad of [Symbol("x"), 5, {}, null, undefined] as never[]) {
      await ledger.transaction(async (tx) => {
        await rejectsWith(tx.get("t", bad), "INVALID_ARGUMENT");
        await rejectsWith(tx.update("t", bad, { a: 1 }), "INVALID_ARGUMENT");
        await rejectsWith(tx.delete("t", bad), "INVALID_ARGUMENT");
        await rejectsWith(tx.committed("t", bad), "INVALID_ARGUMENT");
        await rejectsWith(tx.history("t", bad), "INVALID_ARGUMENT");
        await rejectsWith(tx.resolveTable(bad, false), "INVALID_ARGUMENT");
      });
    }
    await ledger.close();
  });
});

describe("what the ledger hands out", () => {
  // The store's hashes and digest-tree nodes are shared between blocks and proofs: if a caller
  // could reach them, scribbling on one returned hash would break proofs of unrelated revisions.
  test("is a copy: scribbling on every returned hash, proof, block and revision changes nothing", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.transaction((tx) => tx.createTable("cars"));
      const ids: string[] = [];
      // 8 blocks, so the digest is a node of a full tree rather than a freshly combined root.
      for (let i = 0; i < 7; i++) ids.push(await ledger.transaction((tx) => tx.insert("cars", { ...car, VIN: `V${i}` })));
      const digest = await ledger.getDigest();
      assert.equal(digest.digestTipAddress.sequenceNo, 7);
      const saved = { digest: digest.digest.slice(), digestTipAddress: { ...digest.digestTipAddress } };
      const scribble = (bytes: Uint8Array) => bytes.fill(0xaa);

      scribble(digest.digest);
      for (const id of ids) {
        const [r] = await ledger.transaction((tx) => tx.history("cars", id));
        const committed = (await ledger.transaction((tx) => tx.committed("cars", id)))!;
        const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId: id });
        const { block, proof: blockProof } = await ledger.getBlock({ blockAddress: r.blockAddress });
        for (const rev of [r, committed, revision, ...block.revisions]) {
          scribble(rev.hash);
          (rev.data!.fields as unknown as unknown[]).length = 0;
          (rev.metadata as { version: number }).version = 99;
        }
        for (const h of [...proof, ...blockProof, block.blockHash, block.entriesHash, block.previousBlockHash, ...block.entriesHashList]) scribble(h);
        (block.transactionInfo.fields as unknown as unknown[]).length = 0;
      }

      const again = await ledger.getDigest();
      assert.deepEqual(again, saved);
      for (const id of ids) {
        const [r] = await ledger.transaction((tx) => tx.history("cars", id));
        assert.equal(r.metadata.version, 0);
        assert.equal((toJS(r.data!) as { Owner: string }).Owner, "Maria Garcia");
        const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId: id, digestTipAddress: saved.digestTipAddress });
        assert.equal(verifyRevision(revision, proof, saved), true);
        const { block, proof: blockProof } = await ledger.getBlock({ blockAddress: r.blockAddress, digestTipAddress: saved.digestTipAddress });
        assert.equal(verifyBlock(block, blockProof, saved), true);
      }
      const [row] = await ledger.execute("SELECT * FROM _ql_committed_cars WHERE data.VIN = 'V0'");
      scribble(row.hash);
      const [ionRow] = await ledger.executeIon("SELECT * FROM _ql_committed_cars WHERE data.VIN = 'V0'");
      const hashField = ionRow.kind === "struct" ? ionRow.fields.find((f) => f[0] === "hash")?.[1] : undefined;
      assert.equal(hashField?.kind, "blob");
      if (hashField?.kind === "blob") scribble(hashField.bytes);
      const [rowAgain] = await ledger.execute("SELECT * FROM _ql_committed_cars WHERE data.VIN = 'V0'");
      const { proof } = await ledger.getRevision({ blockAddress: rowAgain.blockAddress, documentId: rowAgain.metadata.id });
      assert.equal(verifyRevision(rowAgain, proof, saved), true);
      assert.equal((await ledger.verify()).ok, true);
      await ledger.close();
      const reopened = await Ledger.open(dir);
      assert.deepEqual(await reopened.getDigest(), saved);
      await reopened.close();
    }));
});

describe("an open that fails", () => {
  test("leaves every file as it found it: no tail zeroed, no manifest written, no segment removed", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE cars");
      await ledger.execute("INSERT INTO cars ?", car);
      await ledger.close();
      // A frame whose checksums hold but whose record is no block: the replay, not the frame
      // scan, refuses it.
      const { Journal } = await import("../../../../engine/journal/journal.ts");
      const { journal } = Journal.open(dir);
      journal.append([new TextEncoder().encode("not a block")]);
      journal.close();
      const segment = path.join(dir, "journal-000001.qj");
      const bytes = fsNode.readFileSync(segment);
      // A torn tail after it (repaired on a good open), and no manifest (rewritten on a good open).
      let end = bytes.length - 1;
      while (end > 0 && bytes[end] === 0) end--;
      bytes.set([1, 2, 3, 4, 5, 6, 7, 8, 9], (end + 16) & ~7);
      fsNode.writeFileSync(segment, bytes);
      fsNode.rmSync(path.join(dir, "journal.manifest"));
      const before = new Map(fsNode.readdirSync(dir).map((n) => [n, fsNode.readFileSync(path.join(dir, n))]));
      await rejectsWith(Ledger.open(dir), "JOURNAL_CORRUPT");
      const after = new Map(fsNode.readdirSync(dir).map((n) => [n, fsNode.readFileSync(path.join(dir, n))]));
      assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
      for (const [name, b] of before) assert.ok(Buffer.compare(b, after.get(name)!) === 0, `${name} changed`);
    }));

  for (const name of ["journal-000001.qj", "journal.manifest"]) {
    test(`a directory where ${name} should be is JOURNAL_CORRUPT naming it, not IO_ERROR`, () =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        await ledger.execute("CREATE TABLE cars");
        await ledger.close();
        fsNode.rmSync(path.join(dir, name));
        fsNode.mkdirSync(path.join(dir, name));
        const e = await rejectsWith(Ledger.open(dir), "JOURNAL_CORRUPT");
        assert.equal(e.details.file, name);
      }));
  }

  // Opening a named pipe for reading waits for a writer: open hung forever at each of these names.
  const fifo = (file: string): boolean => {
    try {
      execFileSync("mkfifo", [file]);
      return true;
    } catch {
      return false; // no mkfifo here (Windows): nothing to test
    }
  };
  for (const name of ["journal-000001.qj", "journal.manifest"]) {
    test(`a named pipe where ${name} should be is JOURNAL_CORRUPT naming it, at once`, () =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        await ledger.execute("CREATE TABLE cars");
        await ledger.close();
        fsNode.rmSync(path.join(dir, name));
        if (!fifo(path.join(dir, name))) return;
        const e = await rejectsWith(Ledger.open(dir), "JOURNAL_CORRUPT");
        assert.equal(e.details.file, name);
        assert.match(e.message, /not a regular file/);
      }));
  }

  test("a named pipe at the name a damaged tail would be saved under is passed over", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE cars");
      await ledger.execute("INSERT INTO cars ?", { VIN: "1" });
      await ledger.close();
      const segment = path.join(dir, "journal-000001.qj");
      const bytes = fsNode.readFileSync(segment);
      let end = bytes.length - 1;
      while (end > 0 && bytes[end] === 0) end--;
      bytes[end - 40] ^= 0x10; // inside the last frame: a damaged tail, saved before it is zeroed
      fsNode.writeFileSync(segment, bytes);
      // The name the copy goes under, found by opening a copy of the directory.
      const scratch = `${dir}-copy`;
      fsNode.cpSync(dir, scratch, { recursive: true });
      const first = await Ledger.open(scratch);
      const saved = first.openInfo.truncatedTail?.savedAs;
      await first.close();
      fsNode.rmSync(scratch, { recursive: true, force: true });
      assert.ok(saved !== undefined);
      if (!fifo(path.join(dir, saved))) return;
      const again = await Ledger.open(dir);
      assert.equal(again.openInfo.truncatedTail?.savedAs, `${saved}.2`);
      await again.close();
    }));
});

describe("a failed preallocation", () => {
  test("then a frame torn by a power cut: the reopened ledger drops the torn frame, not the whole ledger", async () => {
    const fs = new FaultyFileLayer();
    const ledger = await Ledger.open("/l", { fs });
    await ledger.execute("CREATE TABLE t");
    const big = { s: "x".repeat(1_500_000) }; // a frame larger than the preallocated zeros
    fs.failSync(1); // the zeros' sync fails: they are not durable
    await rejectsWith(ledger.execute("INSERT INTO t ?", big), "IO_ERROR");
    fs.powerCutAfter(1); // the next frame is written, its sync is not
    await assert.rejects(ledger.execute("INSERT INTO t ?", big));
    const steps = [0.1, 0.8];
    let i = 0;
    fs.crash({ tear: () => steps[i++ % steps.length] }); // 80% of the frame lands
    fs.unlink("/l/quire.lock"); // the dead process's lock
    const again = await Ledger.open("/l", { fs });
    assert.deepEqual(await again.execute("SELECT VALUE COUNT(*) FROM t"), [0]);
    assert.equal((await again.verify()).ok, true);
    await again.close();
  });
});

// From a review of the API's lifecycle: transaction() returned the callback's result while the
// commit the callback had started (and not awaited) was still running, and then failed with
// OCC_CONFLICT: the caller was told of a commit that never happened, and nothing was retried.
test("transaction() awaits a commit its callback started without awaiting, and retries its conflict", async () => {
  const l = await Ledger.open("/l", { fs: new FaultyFileLayer() });
  await l.execute("CREATE TABLE t");
  const [{ documentId: id }] = await l.execute("INSERT INTO t ?", { n: 0 });
  let attempts = 0;
  const result = await l.transaction(async (tx) => {
    attempts++;
    await tx.execute("SELECT * FROM t BY id WHERE id = ?", id);
    if (attempts === 1) await l.execute("UPDATE t SET n = 100"); // a conflicting commit by someone else
    await tx.execute("UPDATE t SET n = n + 1");
    void tx.commit(); // not awaited: an application bug transaction() must still see through
    return "done";
  });
  assert.equal(result, "done");
  assert.equal(attempts, 2);
  assert.deepEqual(await l.execute("SELECT n FROM t"), [{ n: 101 }]);
  // With retries exhausted the conflict is the caller's, not an unhandled rejection.
  await assert.rejects(
    l.transaction(async (tx) => {
      await tx.execute("SELECT * FROM t BY id WHERE id = ?", id);
      await l.execute("UPDATE t SET n = 0");
      await tx.execute("UPDATE t SET n = n + 1");
      void tx.commit();
    }, { retries: 0 }),
    (e: unknown) => isLedgerError(e, "OCC_CONFLICT"),
  );
  await l.close();
});
