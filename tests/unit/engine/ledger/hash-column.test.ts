// HashColumn: flat 32-byte hashes in chunks; views handed out stay valid as the column grows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HashColumn } from "../../../../engine/ledger/hash-column.ts";

const hashOf = (i: number) => new Uint8Array(32).map((_, k) => (i * 7 + k * 13 + (i >> 8)) & 255);

test("every hash reads back as pushed, across the first chunk's growth and later chunks", () => {
  const col = new HashColumn();
  const early: Uint8Array[] = [];
  const n = 2048 * 2 + 5;
  for (let i = 0; i < n; i++) {
    col.push(hashOf(i));
    // Views taken while the first chunk is still short must keep reading the same bytes.
    if (i < 40) early.push(col.at(i));
  }
  assert.equal(col.length, n);
  for (let i = 0; i < n; i++) assert.deepEqual(col.at(i), hashOf(i), `hash ${i}`);
  early.forEach((v, i) => assert.deepEqual(v, hashOf(i), `early view ${i}`));
  assert.deepEqual(col.views(2046, 2050), [2046, 2047, 2048, 2049].map(hashOf));
});

test("push copies: changing the pushed array later changes nothing stored", () => {
  const col = new HashColumn();
  const h = hashOf(1);
  col.push(h);
  h.fill(0);
  assert.deepEqual(col.at(0), hashOf(1));
});

test("a hash of another length is refused", () => {
  const col = new HashColumn();
  assert.throws(() => col.push(new Uint8Array(31)));
  assert.equal(col.length, 0);
});

test("truncate drops the tail; later pushes take its place", () => {
  const col = new HashColumn();
  for (let i = 0; i < 100; i++) col.push(hashOf(i));
  col.truncate(60);
  assert.equal(col.length, 60);
  col.push(hashOf(1000));
  assert.deepEqual(col.at(60), hashOf(1000));
  assert.deepEqual(col.at(59), hashOf(59));
});
