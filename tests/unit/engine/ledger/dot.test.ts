import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { sha256 } from "../../../../engine/ion/sha256.ts";
import { compareHashes, dot, dotPairInto, EMPTY_HASH, merklePath, merkleRoot } from "../../../../engine/ledger/dot.ts";
import { foldProof } from "../../../../engine/ledger/verify.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const h = (s: string) => sha256(utf8(s));
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("dot (qldb-vectors.md)", () => {
  test("sha256 vectors", () => {
    assert.equal(hex(h("1")), "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b");
    assert.equal(hex(h("2")), "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35");
  });
  test("dot(sha256('1'), sha256('2')) in both orders", () => {
    const expected = "940ed9abddfb5ef28004408546bc5043cda391232b6afe07267f9f8ed2b500c9";
    assert.equal(hex(dot(h("1"), h("2"))), expected);
    assert.equal(hex(dot(h("2"), h("1"))), expected);
  });
  test("an empty side yields the other", () => {
    assert.deepEqual(dot(EMPTY_HASH, h("1")), h("1"));
    assert.deepEqual(dot(h("1"), EMPTY_HASH), h("1"));
  });
  test("commutative, and the order compares signed bytes from the last", () => {
    fc.assert(fc.property(hash32, hash32, (a, b) => assert.deepEqual(dot(a, b), dot(b, a))));
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    a[31] = 0x7f; // +127
    b[31] = 0x80; // -128 as a signed byte: sorts first
    assert.ok(compareHashes(b, a) < 0);
    const joined = new Uint8Array(64);
    joined.set(b, 0);
    joined.set(a, 32);
    assert.deepEqual(dot(a, b), sha256(joined));
  });
});

describe("merkleRoot (qldb-vectors.md)", () => {
  test("five leaves", () => {
    assert.equal(hex(merkleRoot(["a", "b", "c", "d", "e"].map(h))), "869854614f8b6a93b7f3469f8cb942cf303b8ce626ee04fc4b290c71b04870d8");
  });
  test("three leaves", () => {
    assert.equal(hex(merkleRoot(["a", "b", "c"].map(h))), "aea2dd4249dcecf97ca6a1556db7f21ebd6a40bbec0243ca61b717146a08c347");
  });
  test("one leaf is its own root; none is empty", () => {
    assert.deepEqual(merkleRoot([h("a")]), h("a"));
    assert.equal(merkleRoot([]).length, 0);
  });
  test("every leaf's path folds to the root", () => {
    fc.assert(fc.property(fc.array(hash32, { minLength: 1, maxLength: 40 }), fc.nat(), (leaves, k) => {
      const i = k % leaves.length;
      assert.deepEqual(foldProof(leaves[i], merklePath(leaves, i)), merkleRoot(leaves));
    }));
  });
});

test("dotPairInto (two hashes side by side, written into a slot) equals dot, whichever sorts first", () => {
  const check = (a: Uint8Array, b: Uint8Array) => {
    const pair = new Uint8Array(64);
    pair.set(a, 0);
    pair.set(b, 32);
    // The slot is a view inside a larger array, as the digest tree's columns hand out.
    const host = new Uint8Array(96).fill(0xaa);
    dotPairInto(pair, host.subarray(32, 64));
    assert.equal(hex(host.subarray(32, 64)), hex(dot(a, b)));
    assert.ok(host.subarray(0, 32).every((x) => x === 0xaa) && host.subarray(64).every((x) => x === 0xaa), "wrote outside its slot");
  };
  fc.assert(fc.property(hash32, hash32, (a, b) => check(a, b)), { numRuns: 300 });
  // Equal hashes, and pairs that differ only in one byte whose sign decides the order.
  const base = h("x");
  check(base, base.slice());
  for (const at of [0, 15, 31]) {
    for (const [x, y] of [[0x7f, 0x80], [0x80, 0x7f], [0x00, 0xff], [0xff, 0x00]]) {
      const a = base.slice(), b = base.slice();
      a[at] = x;
      b[at] = y;
      check(a, b);
    }
  }
});
