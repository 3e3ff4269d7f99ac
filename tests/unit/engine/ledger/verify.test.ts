/**
 * verifyRevision and verifyBlock against forged evidence: what a third party holding only a
 * revision (or block), a proof and a digest must refuse. The forgeries reuse real proofs, moving
 * hashes between the leaf and the proof, which a commutative dot without flags cannot tell apart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ionHash, Ledger, limits, type Revision, revisionToIon, verifyBlock, verifyRevision } from "../../../../engine/index.ts";
import { ion, type IonStruct } from "../../../../engine/ion/value.ts";
import { metadataToIon, revisionHash } from "../../../../engine/ledger/block.ts";
import { dot, merkleRoot } from "../../../../engine/ledger/dot.ts";
import { checkBlockHashes } from "../../../../engine/ledger/verify.ts";
import { crc32c } from "../../../../engine/journal/crc32c.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { rejectsWith } from "../../../helpers/assert.ts";
import { withLedger } from "../../../helpers/ledger.ts";

const car = { VIN: "123456789", Owner: "Maria Garcia" };

async function revisionsOf(ledger: Ledger, id: string): Promise<Revision[]> {
  return ledger.transaction((tx) => tx.history("cars", id));
}

describe("verifyRevision refuses forged evidence", () => {
  test("a live revision shown as a delete (its data hash moved into the proof)", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      const [live] = await revisionsOf(ledger, documentId);
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress: live.blockAddress, documentId });
      assert.equal(verifyRevision(revision, proof, digest), true);
      const forged: Revision = { blockAddress: revision.blockAddress, hash: ionHash(metadataToIon(revision.metadata)), metadata: revision.metadata };
      assert.equal(verifyRevision(forged, [ionHash(revision.data!), ...proof], digest), false);
    }, ["cars"]));

  test("a delete's nodes shown as live revisions (one delete; two deletes in one block)", () =>
    withLedger(async (ledger) => {
      const [{ documentId: a }] = await ledger.execute("INSERT INTO cars ?", car);
      const [{ documentId: b }] = await ledger.execute("INSERT INTO cars ?", { ...car, VIN: "2" });
      const [{ documentId: c }] = await ledger.execute("INSERT INTO cars ?", { ...car, VIN: "3" });
      await ledger.execute("DELETE FROM cars WHERE VIN = ?", car.VIN);
      await ledger.transaction(async (tx) => {
        await tx.delete("cars", b);
        await tx.delete("cars", c);
      });
      const digest = await ledger.getDigest();

      const deleteA = (await revisionsOf(ledger, a)).at(-1)!;
      const one = await ledger.getRevision({ blockAddress: deleteA.blockAddress, documentId: a });
      assert.equal(verifyRevision(one.revision, one.proof, digest), true, "the real delete verifies");
      const { block } = await ledger.getBlock({ blockAddress: deleteA.blockAddress });
      // Under the old rule a delete hashed as ionHash(metadata), so the block's entriesHash was
      // dot(ionHash(M), ionHash(transactionInfo)): a "revision" with that data, one level up.
      // The forger hands over the Ion form, so the data is read as the Ion value it is.
      const asLive: Revision = { ...one.revision, data: block.transactionInfo };
      for (const cut of [0, 1, 2]) assert.equal(verifyRevision(revisionToIon({ ...asLive, hash: hashOfLive(asLive) }), one.proof.slice(cut), digest), false);

      const deleteB = (await revisionsOf(ledger, b)).at(-1)!;
      const deleteC = (await revisionsOf(ledger, c)).at(-1)!;
      const two = await ledger.getRevision({ blockAddress: deleteB.blockAddress, documentId: b });
      assert.equal(verifyRevision(two.revision, two.proof, digest), true);
      const pair: Revision = { ...two.revision, data: metadataToIon(deleteC.metadata) };
      for (const cut of [0, 1, 2]) assert.equal(verifyRevision(revisionToIon({ ...pair, hash: hashOfLive(pair) }), two.proof.slice(cut), digest), false);
    }, ["cars"]));

  test("malformed metadata, addresses and digests are false, never true or an exception", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      await ledger.execute("UPDATE cars SET Owner = 'Richard Roe'");
      const updated = (await revisionsOf(ledger, documentId))[1];
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress: updated.blockAddress, documentId });
      assert.equal(revision.metadata.version, 1);
      assert.equal(verifyRevision(revision, proof, digest), true);
      for (const version of ["1", 1n, true, [1], 1.5, -1]) {
        assert.equal(verifyRevision({ ...revision, metadata: { ...revision.metadata, version: version as number } }, proof, digest), false, String(version));
      }
      for (const sequenceNo of [-1, 0.5, NaN, "2", undefined, Infinity]) {
        const blockAddress = { strandId: revision.blockAddress.strandId, sequenceNo: sequenceNo as number };
        assert.equal(verifyRevision({ ...revision, blockAddress }, proof, digest), false, String(sequenceNo));
      }
      const beyondTip = { ...revision, blockAddress: { ...revision.blockAddress, sequenceNo: digest.digestTipAddress.sequenceNo + 1 } };
      assert.equal(verifyRevision(beyondTip, proof, digest), false);
      assert.equal(verifyRevision(revision, proof, { ...digest, digestTipAddress: { strandId: digest.digestTipAddress.strandId, sequenceNo: -1 } }), false);
      assert.equal(verifyRevision(revision, proof, digest.digest.subarray(0, 31)), false);
      assert.equal(verifyRevision({ ...revision, blockAddress: undefined as never }, proof, digest.digest), false);
    }, ["cars"]));
});

describe("verifyBlock", () => {
  test("refuses a block whose transactionId or blockTimestamp is not its revisions'", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      const [r] = await revisionsOf(ledger, documentId);
      const digest = await ledger.getDigest();
      const { block, proof } = await ledger.getBlock({ blockAddress: r.blockAddress });
      assert.equal(verifyBlock(block, proof, digest), true);
      assert.equal(verifyBlock({ ...block, transactionId: "0".repeat(22) }, proof, digest), false);
      const earlier = { ...block.blockTimestamp, year: 1999 };
      assert.equal(verifyBlock({ ...block, blockTimestamp: earlier }, proof, digest), false);
      assert.equal(verifyBlock({ ...block, blockAddress: { ...block.blockAddress, sequenceNo: NaN } }, proof, digest), false);
    }, ["cars"]));
});

describe("verifyBlock refuses blocks that drop or swap content (proofs review)", () => {
  test("an empty hash, a four-entry list with other hashes, an emptied previousBlockHash; QLDB's form only on request", () =>
    withLedger(async (ledger) => {
      await ledger.transaction(async (tx) => {
        await tx.insert("cars", car);
        await tx.insert("cars", { ...car, VIN: "2" });
      });
      await ledger.execute("INSERT INTO cars ?", { ...car, VIN: "3" });
      const digest = await ledger.getDigest();
      const { block, proof } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: 1 } });
      assert.equal(block.revisions.length, 2);
      assert.equal(verifyBlock(block, proof, digest), true);
      const [h0, h1] = block.revisions.map((r) => r.hash);
      const info = block.entriesHashList[1];
      const empty = new Uint8Array(0);
      // merkleRoot([h0, h1, empty, info]) = dot(dot(h0, h1), info) = the genuine entriesHash.
      const dropped = { ...block, revisions: block.revisions.slice(0, 1), entriesHashList: [h0, h1, empty, info] };
      assert.equal(verifyBlock(dropped, proof, digest), false);
      assert.equal(verifyBlock(dropped, proof, digest, { qldb: true }), false, "an empty hash is refused even in QLDB's form");
      // QLDB's four-entry form: accepted only when asked for, and then its opaque entries are not checked.
      const r0 = block.revisions[0].hash;
      const qldbShaped = { ...block, revisions: block.revisions.slice(1), entriesHashList: [r0, h1, r0, info] };
      assert.equal(verifyBlock(qldbShaped, proof, digest), false);
      // A later block with its previousBlockHash moved into the proof.
      const { block: b2, proof: p2 } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: 2 } });
      assert.equal(verifyBlock(b2, p2, digest), true);
      const unchained = { ...b2, previousBlockHash: empty, blockHash: b2.entriesHash };
      assert.equal(verifyBlock(unchained, [b2.previousBlockHash, ...p2], digest), false);
      // ledger.verify() holds the journal's blocks to the same rules (checkBlockHashes).
      assert.ok(checkBlockHashes(dropped) !== undefined);
      assert.equal(checkBlockHashes(block), undefined);
    }, ["cars"]));

  test("a proof or a document claiming 2^32 - 1 elements is refused at once", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      const [r] = await revisionsOf(ledger, documentId);
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId });
      const huge = <T>(base: T[]) => new Proxy(base, { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)) });
      const started = performance.now();
      assert.equal(verifyRevision(revision, huge([...proof]), digest), false);
      const data = revision.data as IonStruct;
      assert.equal(verifyRevision({ ...revision, data: { kind: "struct", fields: huge([...data.fields]) } }, proof, digest), false);
      assert.ok(performance.now() - started < 5_000);
    }, ["cars"]));
});

describe("getBlock and getRevision read their arguments once, as LedgerErrors", () => {
  test("a throwing getter or Proxy trap is INVALID_ARGUMENT", () =>
    withLedger(async (ledger) => {
      const strandId = ledger.strandId;
      const bad: unknown[] = [
        { blockAddress: { strandId, get sequenceNo(): number { throw new RangeError("no"); } } },
        { blockAddress: { strandId, sequenceNo: 0 }, get digestTipAddress(): unknown { throw new TypeError("no"); } },
        new Proxy({}, { get() { throw new Error("trap"); } }),
      ];
      for (const args of bad) {
        await rejectsWith(ledger.getBlock(args as never), "INVALID_ARGUMENT");
        await rejectsWith(ledger.getRevision(args as never), "INVALID_ARGUMENT");
      }
    }, ["cars"]));
});

describe("revisions read through PartiQL", () => {
  test("an executeIon row verifies as it is; a JavaScript row whose document has kind and fields keys verifies", () =>
    withLedger(async (ledger) => {
      // A document that looks like an engine Ion value must not be read as one.
      await ledger.execute("INSERT INTO cars ?", { kind: "struct", fields: [["a", 1]], VIN: "X" });
      for (const doc of [{ kind: "string", value: "dark" }, { kind: "bool", value: true, name: "x" }]) {
        await ledger.execute("INSERT INTO cars ?", doc);
        const [row] = await ledger.execute("SELECT * FROM _ql_committed_cars AS c WHERE c.data.kind = ?", doc.kind);
        const { proof } = await ledger.getRevision({ blockAddress: row.blockAddress, documentId: row.metadata.id });
        assert.equal(verifyRevision(row, proof, await ledger.getDigest()), true, JSON.stringify(doc));
      }
      await ledger.execute("DELETE FROM cars WHERE kind IN ('string', 'bool')");
      const digest = await ledger.getDigest();
      const [ionRow] = await ledger.executeIon("SELECT * FROM _ql_committed_cars");
      const [jsRow] = await ledger.execute("SELECT * FROM _ql_committed_cars");
      const { proof } = await ledger.getRevision({ blockAddress: jsRow.blockAddress, documentId: jsRow.metadata.id });
      assert.equal(verifyRevision(ionRow as IonStruct, proof, digest), true);
      assert.equal(verifyRevision(jsRow, proof, digest), true);
      const [histRow] = await ledger.executeIon("SELECT * FROM history(cars)");
      assert.equal(verifyRevision(histRow as IonStruct, proof, digest), true);
    }, ["cars"]));
});

describe("ledger arguments and journal versions", () => {
  test("getRevision with a documentId that is not a string is INVALID_ARGUMENT", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      const [r] = await revisionsOf(ledger, documentId);
      const hostile = { toString() { throw new Error("no"); } };
      for (const bad of [Symbol("x"), hostile, 5, null]) {
        await rejectsWith(ledger.getRevision({ blockAddress: r.blockAddress, documentId: bad as never }), "INVALID_ARGUMENT");
      }
    }, ["cars"]));

  test("a format 1 journal (the forgeable delete hash) is refused on open, naming the file", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE cars");
      await ledger.close();
      const segment = path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith(".qj"))!);
      const bytes = fs.readFileSync(segment);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.setUint32(8, 1, true);
      view.setUint32(60, crc32c(bytes, 0, 60), true);
      fs.writeFileSync(segment, bytes);
      const e = await rejectsWith(Ledger.open(dir), "JOURNAL_CORRUPT");
      assert.match(e.message, /format version 1/);
      assert.match(e.message, /journal-000001\.qj/);
    }));
});

/** The hash a forger would attach: what verifyRevision recomputes for a live revision. */
function hashOfLive(r: Revision): Uint8Array {
  return dot(ionHash(metadataToIon(r.metadata)), ionHash(r.data ?? ion.null()));
}

test("a revision or block holding values Ion cannot hold never verifies, though they hash as a committed one", () =>
  withTempDir(async (dir) => {
    // The verifiers took any value of the model's shape. Some malformed ones hash exactly as a
    // different valid value: a decimal with coefficient -5n as 251, a timestamp of an unknown
    // precision as the same time an hour off (its shift to UTC skipped), hour - 256 as hour.
    const { Ledger: L, revisionFromIon } = await import("../../../../engine/index.ts");
    const ledger = await L.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t `{d: 251., ts: 2024-01-01T10:00:00.251+01:00, n: null}`");
    const [row] = await ledger.executeIon("SELECT * FROM _ql_committed_t");
    const committed = revisionFromIon(row as never);
    const digest = await ledger.getDigest();
    const { revision, proof } = await ledger.getRevision({ blockAddress: committed.blockAddress, documentId: committed.metadata.id });
    assert.equal(verifyRevision(revision, proof, digest), true);
    const data = revision.data!;
    const field = (name: string) => data.fields.find((f) => f[0] === name)![1] as unknown as Record<string, unknown>;
    const withField = (name: string, v: unknown) => ({ kind: "struct", fields: data.fields.map(([n, x]) => [n, n === name ? v : x]) });
    const ts = field("ts");
    const forgedData: [string, unknown][] = [
      ["decimal coefficient -5n", withField("d", { kind: "decimal", coefficient: -5n, exponent: 0, negative: false })],
      ["timestamp of precision 'bogus', an hour earlier", withField("ts", { ...ts, precision: "bogus", hour: (ts.hour as number) - 1 })],
      ["fraction coefficient -5n", withField("ts", { ...ts, fraction: { coefficient: -5n, exponent: -3 } })],
      ["hour - 256", withField("ts", { ...ts, hour: (ts.hour as number) - 256 })],
      ["null of no Ion type", withField("n", { kind: "null", of: "no-such-type" })],
    ];
    for (const [name, forged] of forgedData) {
      assert.equal(verifyRevision({ ...revision, data: forged } as never, proof, digest), false, name);
      // The Ion form (a row of _ql_committed_t) with the same data.
      const ionForm = { kind: "struct", fields: (row as unknown as { fields: [string, unknown][] }).fields.map(([n, v]) => [n, n === "data" ? forged : v]) };
      assert.equal(verifyRevision(ionForm as never, proof, digest), false, `${name} (Ion form)`);
    }
    const txTime = revision.metadata.txTime as unknown as Record<string, unknown>;
    const shifted = { ...revision, metadata: { ...revision.metadata, txTime: { ...txTime, hour: (txTime.hour as number) - 256 } } };
    assert.equal(verifyRevision(shifted as never, proof, digest), false, "txTime hour - 256");
    // verifyBlock, with the block's own revision forged the same way.
    const { block, proof: blockProof } = await ledger.getBlock({ blockAddress: committed.blockAddress });
    assert.equal(verifyBlock(block, blockProof, digest), true);
    const forgedBlock = { ...block, transactionInfo: block.transactionInfo, revisions: block.revisions.map((r) => ({ ...r, data: forgedData[0][1] })) };
    assert.equal(verifyBlock(forgedBlock as never, blockProof, digest), false);
    await ledger.close();
  }));

describe("the verifiers read their input once (review of proofs)", () => {
  test("verifyBlock: a blockHash getter cannot pass the checks with one hash and the fold with the digest", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("INSERT INTO t ?", { owner: "Alice" });
      const digest = await ledger.getDigest();
      const { block: genuine } = await ledger.getBlock({ blockAddress: digest.digestTipAddress });
      await ledger.close();
      // A block no ledger holds: the document changed, every hash inside it recomputed.
      const r0 = genuine.revisions[0];
      const data = ion.struct([["owner", ion.string("Mallory")]]);
      const revision = { ...r0, data, hash: revisionHash(r0.metadata, data) };
      const entriesHashList = [merkleRoot([revision.hash]), ionHash(genuine.transactionInfo)];
      const entriesHash = merkleRoot(entriesHashList);
      const consistent = dot(entriesHash, genuine.previousBlockHash);
      let reads = 0;
      const forged = { ...genuine, transactionInfo: genuine.transactionInfo, revisions: [revision], entriesHashList, entriesHash };
      Object.defineProperty(forged, "blockHash", { enumerable: true, get: () => (++reads <= 3 ? consistent : digest.digest) });
      assert.equal(verifyBlock(forged as never, [], digest), false);
      assert.equal(reads, 1);
    }));

  test("verifyRevision: a getter in the data cannot pass the checks with one value and the hash with another", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("INSERT INTO t `{d: 251.}`");
      const [row] = await ledger.execute("SELECT c.blockAddress, c.metadata.id AS id FROM _ql_committed_t AS c");
      const { blockAddress, id } = row as { blockAddress: never; id: string };
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress, documentId: id });
      await ledger.close();
      assert.equal(verifyRevision(revision, proof, digest), true);
      // The checks read 5n; the hash read -5n, which hashes as 251 (the committed value).
      let reads = 0;
      const decimal = { kind: "decimal", exponent: 0, negative: false, get coefficient() { return ++reads <= 4 ? 5n : -5n; } };
      const forged = { ...revision, data: { kind: "struct", fields: [["d", decimal]] } };
      assert.equal(verifyRevision(forged as never, proof, digest), false);
    }));

  test("a proof that checks as hashes and folds a step that is not one is false", () =>
    withLedger(async (ledger) => {
      const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", car);
      await ledger.execute("INSERT INTO cars ?", car);
      const [r] = await revisionsOf(ledger, documentId);
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId });
      assert.equal(verifyRevision(revision, proof, digest), true);
      // An extra element that reads as a hash the first time and as an empty step after.
      const steps: Uint8Array[] = [proof[0], new Uint8Array(32).fill(7), ...proof.slice(1)];
      const seen = new Set<string>();
      const shifty = new Proxy(steps, {
        get(t, k) {
          if (k !== "1") return Reflect.get(t, k);
          const again = seen.has(k);
          seen.add(k);
          return again ? new Uint8Array(0) : t[1];
        },
      });
      assert.equal(verifyRevision(revision, shifty, digest), false);
      const { block, proof: blockProof } = await ledger.getBlock({ blockAddress: r.blockAddress });
      seen.clear();
      const blockSteps = [blockProof[0], new Uint8Array(32).fill(7), ...blockProof.slice(1)];
      const shiftyBlockProof = new Proxy(blockSteps, { get: (t, k) => (k === "1" && seen.has("1") ? new Uint8Array(0) : (seen.add(String(k)), Reflect.get(t, k))) });
      assert.equal(verifyBlock(block, shiftyBlockProof, digest), false);
    }, ["cars"]));
});

describe("the verifiers' copies (review of the read-once change)", () => {
  test("a value whose kind answers the copy and the checks differently is read once, as what it first said", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("INSERT INTO t `{s: {d: 251.}}`");
      const [row] = await ledger.execute("SELECT c.blockAddress, c.metadata.id AS id FROM _ql_committed_t AS c");
      const { blockAddress, id } = row as { blockAddress: never; id: string };
      const digest = await ledger.getDigest();
      const { revision, proof } = await ledger.getRevision({ blockAddress, documentId: id });
      const { block, proof: blockProof } = await ledger.getBlock({ blockAddress });
      await ledger.close();
      // `kind` says "int" to one read and "struct" to the others, and the fields show d = 5 to
      // the checks and -5n (hashed as 251, the committed value) to the hash.
      const shifty = (intAtRead: number) => {
        let kindReads = 0, fieldReads = 0;
        const fields = new Proxy([null], {
          get: (t, k) =>
            k === "0" ? ["d", { kind: "decimal", coefficient: ++fieldReads <= intAtRead ? 5n : -5n, exponent: 0, negative: false }] : Reflect.get(t, k),
        });
        return { get kind() { return ++kindReads === intAtRead ? "int" : "struct"; }, fields };
      };
      for (const at of [1, 2, 3]) {
        assert.equal(verifyRevision({ ...revision, data: { kind: "struct", fields: [["s", shifty(at)]] } } as never, proof, digest), false, `revision, int at read ${at}`);
        const forged = { ...block, transactionInfo: block.transactionInfo, revisions: [{ ...block.revisions[0], data: { kind: "struct", fields: [["s", shifty(at)]] } }] };
        assert.equal(verifyBlock(forged as never, blockProof, digest), false, `block, int at read ${at}`);
      }
    }));

  test("a block of more revisions than maxDocumentsPerTransaction (table definitions do not count toward it) verifies", () =>
    withTempDir(async (dir) => {
      const ledger = await Ledger.open(dir);
      await ledger.execute("CREATE TABLE t");
      await ledger.transaction(async (tx) => {
        for (let i = 0; i < limits.maxDocumentsPerTransaction; i++) await tx.insert("t", { i });
        await tx.createTable("u");
        await tx.createTable("v");
      });
      const digest = await ledger.getDigest();
      const { block, proof } = await ledger.getBlock({ blockAddress: digest.digestTipAddress });
      assert.equal(block.revisions.length, limits.maxDocumentsPerTransaction + 2);
      assert.equal(verifyBlock(block, proof, digest), true);
      await ledger.close();
    }));
});

// From a review of the limits: verifyBlock held the whole block (documents, a node per revision,
// txTimes, transactionInfo) to the one maxValueNodes allowance the writer gives the documents
// alone, so an honest block whose documents were within 25 or so values of it did not verify.
test("verifyBlock accepts a committed block whose documents hold exactly limits.maxValueNodes values", { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const l = await Ledger.open(dir);
    await l.execute("CREATE TABLE t");
    // Each document {a: [0, …]} is a struct, a list and its ints.
    const k1 = Math.floor(limits.maxValueNodes / 2) - 2;
    const k2 = limits.maxValueNodes - 4 - k1;
    const [id] = await l.transaction(async (tx) => [await tx.insert("t", { a: new Array(k1).fill(0) }), await tx.insert("t", { a: new Array(k2).fill(0) })]);
    const digest = await l.getDigest();
    const [first] = await l.transaction((tx) => tx.history("t", id));
    const { block, proof } = await l.getBlock({ blockAddress: first.blockAddress, digestTipAddress: digest.digestTipAddress });
    assert.equal(verifyBlock(block, proof, digest), true);
    await l.close();
  }));
