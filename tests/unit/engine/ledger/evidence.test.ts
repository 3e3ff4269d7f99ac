/**
 * Evidence handed to a third party as Ion text or binary: a digest, a revision and its proof
 * survive the trip and verify; anything else is INVALID_ARGUMENT, never a half-read proof.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  blockAddressToIon,
  blockToIon,
  decodeBinary,
  digestFromIon,
  digestToIon,
  encodeBinary,
  evidenceFromIon,
  isLedgerError,
  getField,
  ion,
  Ledger,
  parseText,
  proofFromIon,
  proofToIon,
  revisionFromIon,
  revisionToIon,
  toText,
  verifyRevision,
} from "../../../../engine/index.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

test("digest, revision and proof round-trip through Ion text and binary and verify", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE cars");
    const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", { VIN: "1", Price: 1.5, Tags: ["a"], When: 2n ** 70n });
    await ledger.execute("UPDATE cars SET Owner = 'Roe'");
    await ledger.execute("DELETE FROM cars");
    const digest = await ledger.getDigest();
    const savedDigest = toText(digestToIon(digest));
    const history = await ledger.transaction((tx) => tx.history("cars", documentId));
    assert.equal(history.length, 3);
    for (const r of history) {
      const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId });
      const evidence = ion.struct([["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]]);
      for (const [label, back] of [["text", parseText(toText(evidence))[0]], ["binary", decodeBinary(encodeBinary(evidence))[0]]] as const) {
        assert.equal(back.kind, "struct");
        if (back.kind !== "struct") continue;
        const rev = revisionFromIon(getField(back, "revision")!);
        const pr = proofFromIon(getField(back, "proof")!);
        const dg = digestFromIon(parseText(savedDigest)[0]);
        assert.deepEqual(dg, digest);
        assert.equal(verifyRevision(rev, pr, dg), true, `${label}, version ${r.metadata.version}`);
        assert.equal(verifyRevision(rev, pr.slice(1), dg), false);
      }
    }
    await ledger.close();
  }));

const bad: readonly [string, () => unknown][] = [
  ["a digest that is a list", () => digestFromIon(parseText("[1]")[0])],
  ["a digest of 31 bytes", () => digestFromIon(parseText(`{digest: {{${btoa("x".repeat(31))}}}, digestTipAddress: {strandId: "a", sequenceNo: 1}}`)[0])],
  ["a digest without its tip", () => digestFromIon(parseText(`{digest: {{${btoa("x".repeat(32))}}}}`)[0])],
  ["a tip with a negative sequence number", () => digestFromIon(parseText(`{digest: {{${btoa("x".repeat(32))}}}, digestTipAddress: {strandId: "a", sequenceNo: -1}}`)[0])],
  ["a proof holding a string", () => proofFromIon(parseText(`[{{${btoa("x".repeat(32))}}}, "x"]`)[0])],
  ["a proof that is a struct", () => proofFromIon(parseText("{}")[0])],
  ["a revision without metadata", () => revisionFromIon(parseText(`{blockAddress: {strandId: "a", sequenceNo: 1}, hash: {{${btoa("x".repeat(32))}}}}`)[0])],
  ["a revision whose data is a list", () => revisionFromIon(parseText(`{blockAddress: {strandId: "a", sequenceNo: 1}, hash: {{${btoa("x".repeat(32))}}}, data: [], metadata: {id: "i", version: 0, txTime: 2020T, txId: "t"}}`)[0])],
  ["a JavaScript object", () => revisionFromIon({ blockAddress: {} } as never)],
];
for (const [what, read] of bad) {
  test(`reading ${what} is INVALID_ARGUMENT`, () => {
    assert.throws(read, (e: unknown) => (e as { code?: string }).code === "INVALID_ARGUMENT");
  });
}

test("evidence with a repeated, unknown or annotated field, or a malformed value, is INVALID_ARGUMENT", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE cars");
    const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", { VIN: "1", Owner: "Maria Garcia" });
    const [row] = await ledger.execute("SELECT c.blockAddress FROM _ql_committed_cars AS c");
    const { revision, proof } = await ledger.getRevision({ blockAddress: (row as { blockAddress: never }).blockAddress, documentId });
    const text = toText(ion.struct([["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]]));
    assert.equal(evidenceFromIon(parseText(text)[0]).revision.metadata.id, documentId);
    // Another Ion reader takes the last of a repeated field where Quire took the first: so refuse it.
    const edits: [string, (t: string) => string][] = [
      ["a second data", (t) => t.replace("data:{", 'data:{Owner:"Mallory"},data:{')],
      ["a second metadata id", (t) => t.replace("metadata:{", 'metadata:{id:"AAAAAAAAAAAAAAAAAAAAAA",')],
      ["an unknown metadata field", (t) => t.replace("metadata:{", 'metadata:{owner:"Mallory",')],
      ["an annotated metadata", (t) => t.replace("metadata:{", "metadata:forged::{")],
      ["a second revision", (t) => t.replace("{revision:", "{revision:{},revision:")],
      ["an unknown evidence field", (t) => t.replace("{revision:", "{note:1,revision:")],
    ];
    for (const [what, edit] of edits) {
      const edited = edit(text.replace(/ /g, ""));
      assert.notEqual(edited, text.replace(/ /g, ""), `${what}: the edit applies`);
      assert.throws(() => evidenceFromIon(parseText(edited)[0]), (e) => isLedgerError(e, "INVALID_ARGUMENT"), what);
    }
    const malformed: unknown[] = [null, { kind: "list" }, { kind: "list", items: [null] }, { kind: "struct", fields: [null] },
      new Proxy({ kind: "struct" }, { get() { throw new Error("trap"); } })];
    for (const [i, v] of malformed.entries()) {
      for (const read of [proofFromIon, digestFromIon, revisionFromIon, evidenceFromIon]) {
        assert.throws(() => read(v as never), (e) => isLedgerError(e, "INVALID_ARGUMENT"), `${read.name}(malformed[${i}])`);
      }
    }
    await ledger.close();
  }));

test("the readers refuse what only code can build, and never let another error escape (review of proofs)", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE cars");
    const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", { VIN: "1" });
    const [row] = await ledger.execute("SELECT c.blockAddress FROM _ql_committed_cars AS c");
    const { revision, proof } = await ledger.getRevision({ blockAddress: (row as { blockAddress: never }).blockAddress, documentId });
    await ledger.close();
    const invalid = (e: unknown) => isLedgerError(e, "INVALID_ARGUMENT");
    // Whatever a trap throws (an object without a prototype, an Error whose message getter throws).
    const badError = Object.defineProperty(new Error("x"), "message", { get() { throw 1; } });
    for (const thrown of [Object.create(null), badError]) {
      const v = new Proxy({}, { get() { throw thrown; } });
      for (const read of [proofFromIon, digestFromIon, revisionFromIon, evidenceFromIon]) assert.throws(() => read(v as never), invalid, read.name);
    }
    // Whatever is thrown, even something that cannot say what it is an instance of.
    const unclassifiable = new Proxy({}, { getPrototypeOf() { throw 42; } });
    const v = { get kind() { throw unclassifiable; } };
    for (const read of [proofFromIon, digestFromIon, revisionFromIon, evidenceFromIon]) assert.throws(() => read(v as never), invalid, `${read.name}, unclassifiable`);
    // A list claiming 2^32 - 1 hashes is refused before it is walked.
    const huge = new Proxy({ kind: "list", items: [] as unknown[] }, {
      get: (t, k) => (k === "items" ? new Proxy([], { get: (a, i) => (i === "length" ? 2 ** 32 - 1 : Reflect.get(a, i)) }) : Reflect.get(t, k)),
    });
    const started = performance.now();
    assert.throws(() => proofFromIon(huge as never), invalid);
    assert.ok(performance.now() - started < 1_000);
    // Annotations on the scalar fields were dropped, though the header promises INVALID_ARGUMENT.
    const text = toText(ion.struct([["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]])).replace(/ /g, "");
    for (const field of ["id", "version", "txId", "strandId", "sequenceNo"]) {
      const edited = text.replace(`${field}:`, `${field}:forged::`);
      assert.notEqual(edited, text, field);
      assert.throws(() => evidenceFromIon(parseText(edited)[0]), invalid, field);
    }
    // Model values no Ion text or binary can hold, read as a version 1.5, 7, a strand id 42.
    const ionForm = revisionToIon(revision);
    const replace = (path: string[], value: unknown): unknown => {
      const edit = (s: { fields: [string, unknown][] }, i: number): unknown => ({
        ...s,
        fields: s.fields.map(([n, x]) => [n, n !== path[i] ? x : i === path.length - 1 ? value : edit(x as never, i + 1)]),
      });
      return edit(ionForm as never, 0);
    };
    const malformed: [string, unknown][] = [
      ["version 1.5", replace(["metadata", "version"], { kind: "int", value: 1.5 })],
      ["version '7'", replace(["metadata", "version"], { kind: "int", value: "7" })],
      ["sequenceNo 2.5", replace(["blockAddress", "sequenceNo"], { kind: "int", value: 2.5 })],
      ["strandId 42", replace(["blockAddress", "strandId"], { kind: "string", value: 42 })],
      ["txTime of precision 'bogus'", replace(["metadata", "txTime"], { ...(revision.metadata.txTime as object), precision: "bogus", year: -5 })],
    ];
    for (const [what, v] of malformed) assert.throws(() => revisionFromIon(v as never), invalid, what);
  }));

test("the writers take what the ledger hands out, and refuse anything else with INVALID_ARGUMENT", () =>
  withTempDir(async (dir) => {
    // They read fields blindly: proofToIon({}) was "TypeError: proof.map is not a function", and
    // a hash of 31 bytes was written as evidence no reader accepts.
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    // A block larger than one document's worth of Ion: two documents of 5 MB.
    const big = "x".repeat(5 * 1024 * 1024);
    const [{ documentId }] = await ledger.transaction((tx) => tx.execute("INSERT INTO t << ?, ? >>", { big, n: 1 }, { big, n: 2 }));
    const digest = await ledger.getDigest();
    const { revision, proof } = await ledger.getRevision({ blockAddress: digest.digestTipAddress, documentId });
    const { block } = await ledger.getBlock({ blockAddress: digest.digestTipAddress });
    const { block: first } = await ledger.getBlock({ blockAddress: { ...digest.digestTipAddress, sequenceNo: 0 } });
    assert.deepEqual(digestFromIon(digestToIon(digest)), digest);
    assert.deepEqual(proofFromIon(proofToIon(proof)), proof);
    assert.equal(verifyRevision(revisionFromIon(revisionToIon(revision)), proof, digest), true);
    assert.equal(getField(revisionToIon(revision, false), "blockAddress"), undefined);
    assert.deepEqual(blockAddressToIon(digest.digestTipAddress), ion.struct([["strandId", ion.string(digest.digestTipAddress.strandId)], ["sequenceNo", ion.int(digest.digestTipAddress.sequenceNo)]]));
    for (const b of [block, first]) for (const withAddresses of [false, true]) assert.equal(blockToIon(b, withAddresses).kind, "struct");
    const hash31 = new Uint8Array(31);
    const writers: [string, (x: never) => unknown, unknown[]][] = [
      ["digestToIon", digestToIon, [{ ...digest, digest: hash31 }, { ...digest, digest: "x" }, { digest: digest.digest }]],
      ["proofToIon", proofToIon, [{}, [hash31], ["x"], [null]]],
      ["revisionToIon", revisionToIon, [{ ...revision, hash: hash31 }, { ...revision, metadata: { ...revision.metadata, version: 1.5 } }, { ...revision, data: { kind: "list", items: [] } }]],
      ["blockToIon", blockToIon, [{ ...block, revisions: "x" }, { ...block, blockTimestamp: 1 }]],
      ["blockAddressToIon", blockAddressToIon, [{ strandId: "a", sequenceNo: 1.5 }, { strandId: 1, sequenceNo: 1 }, { strandId: "a", sequenceNo: -1 }]],
    ];
    for (const [name, write, extra] of writers) {
      for (const input of [undefined, null, 1, "x", {}, { kind: "struct", fields: [] }, ...extra]) {
        assert.throws(() => write(input as never), (e: unknown) => isLedgerError(e, "INVALID_ARGUMENT"), `${name}(${String(JSON.stringify(input, (_, v) => (typeof v === "bigint" ? String(v) : v))).slice(0, 60)})`);
      }
    }
    await ledger.close();
  }));
