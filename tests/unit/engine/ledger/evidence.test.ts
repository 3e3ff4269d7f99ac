/**
 * Evidence handed to a third party as Ion text or binary: a digest, a revision and its proof
 * survive the trip and verify; anything else is INVALID_ARGUMENT, never a half-read proof.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeBinary,
  digestFromIon,
  digestToIon,
  encodeBinary,
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
