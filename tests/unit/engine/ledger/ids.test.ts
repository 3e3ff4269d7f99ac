import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { idOfBytes, isId, newId } from "../../../../engine/ledger/ids.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Reference: BigInt base conversion. */
function reference(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 22; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

test("ids are the base62 form of 128 bits, as the BigInt reference computes it", () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => assert.equal(idOfBytes(b), reference(b))));
  assert.equal(idOfBytes(new Uint8Array(16).fill(0xff)), reference(new Uint8Array(16).fill(0xff)));
  assert.equal(idOfBytes(new Uint8Array(16)), "0".repeat(22));
});

test("fresh ids are valid and distinct", () => {
  const ids = new Set(Array.from({ length: 1000 }, newId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.ok(isId(id));
});
