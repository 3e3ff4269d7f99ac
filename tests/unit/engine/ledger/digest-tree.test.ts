import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DigestTree } from "../../../../engine/ledger/digest-tree.ts";
import { dot } from "../../../../engine/ledger/dot.ts";
import { foldProof } from "../../../../engine/ledger/verify.ts";

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** RFC 6962's recursive definition, as the reference. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return dot(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

function treeOf(leaves: readonly Uint8Array[]): DigestTree {
  const t = new DigestTree();
  for (const l of leaves) t.append(l);
  return t;
}

describe("DigestTree", () => {
  test("root of every prefix equals RFC 6962's recursive root", () => {
    fc.assert(fc.property(fc.array(hash32, { minLength: 1, maxLength: 70 }), (leaves) => {
      const t = treeOf(leaves);
      for (let n = 1; n <= leaves.length; n++) assert.deepEqual(t.root(n), referenceRoot(leaves.slice(0, n)));
    }), { numRuns: 60 });
  });

  test("every leaf's proof against every later tree size folds to that root", () => {
    fc.assert(fc.property(fc.array(hash32, { minLength: 1, maxLength: 40 }), (leaves) => {
      const t = treeOf(leaves);
      for (let n = 1; n <= leaves.length; n++) {
        for (let i = 0; i < n; i++) assert.deepEqual(foldProof(leaves[i], t.proof(i, n)), t.root(n));
      }
    }), { numRuns: 40 });
  });

  test("proofs are O(log n): at most ceil(log2 n) hashes", () => {
    const t = new DigestTree();
    for (let i = 0; i < 1000; i++) t.append(new Uint8Array(32).fill(i % 251));
    for (const i of [0, 1, 511, 512, 999]) assert.ok(t.proof(i).length <= 10);
  });

  test("truncate undoes appends", () => {
    fc.assert(fc.property(fc.array(hash32, { minLength: 2, maxLength: 40 }), fc.nat(), (leaves, k) => {
      const keep = 1 + (k % (leaves.length - 1));
      const t = treeOf(leaves);
      t.truncate(keep);
      assert.equal(t.size, keep);
      assert.deepEqual(t.root(), referenceRoot(leaves.slice(0, keep)));
      t.append(leaves[keep]);
      assert.deepEqual(t.root(), referenceRoot(leaves.slice(0, keep + 1)));
    }), { numRuns: 60 });
  });
});
