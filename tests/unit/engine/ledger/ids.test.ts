import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isId, newId, RandomBytes, sampleId } from "../../../../engine/ledger/ids.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TWO_128 = 1n << 128n;

/** Reference: the number an id's base62 digits spell. */
function valueOf(id: string): bigint {
  let n = 0n;
  for (const ch of id) n = n * 62n + BigInt(ALPHABET.indexOf(ch));
  return n;
}

/** Reference: the id of a number below 62^22. */
function idOf(n: bigint): string {
  let out = "";
  for (let i = 0; i < 22; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/** Random bytes that replay `stream` (then zeros), as sampleId's source. */
function replay(stream: readonly number[]): RandomBytes {
  let at = 0;
  return new RandomBytes((b) => {
    for (let i = 0; i < b.length; i++) b[i] = at < stream.length ? stream[at++] : 0;
  }, 16);
}

/** The bytes sampleId reads to draw the id of `n` (n < 8 × 62^21): its digits, one byte each. */
function bytesFor(n: bigint): number[] {
  return Array.from(idOf(n), (ch) => ALPHABET.indexOf(ch));
}

test("fresh ids are valid, distinct and the base62 form of a 128-bit value", () => {
  const ids = new Set(Array.from({ length: 10_000 }, newId));
  assert.equal(ids.size, 10_000);
  for (const id of ids) {
    assert.ok(isId(id), id);
    assert.ok(valueOf(id) < TWO_128, id);
  }
});

test("any random bytes give an id below 2^128, and the bytes read choose it exactly", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 200 }), (stream) => {
    const id = sampleId(replay(stream));
    assert.ok(isId(id));
    assert.ok(valueOf(id) < TWO_128);
  }));
  // Digits are bytes mod 62; bytes from 248 are skipped; the first digit takes three bits.
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: TWO_128 - 1n }), (n) => {
    const digits = bytesFor(n);
    assert.equal(sampleId(replay(digits)), idOf(n));
    const shifted = [digits[0] + 8 * 5, ...digits.slice(1).flatMap((d, i) => (i % 3 === 0 ? [250, d + 62 * (i % 4)] : [d]))];
    assert.equal(sampleId(replay(shifted)), idOf(n));
  }));
});

test("draws at or above 2^128 are drawn again, so every 128-bit value stays equally likely", () => {
  const limit = bytesFor(TWO_128);
  assert.equal(limit[0], 7);
  const below = bytesFor(TWO_128 - 1n);
  // 2^128 itself and the largest 22-digit value with a leading 7 are refused: the next draw is taken.
  const next = bytesFor(12345n);
  assert.equal(sampleId(replay([...limit, ...next])), idOf(12345n));
  assert.equal(sampleId(replay([7, ...Array(21).fill(61), ...next])), idOf(12345n));
  assert.equal(sampleId(replay([...below, ...next])), idOf(TWO_128 - 1n));
});

test("each position of fresh ids is spread evenly over its digits", () => {
  const n = 62 * 400;
  const counts = Array.from({ length: 22 }, () => new Array<number>(62).fill(0));
  for (let i = 0; i < n; i++) {
    const id = newId();
    for (let p = 0; p < 22; p++) counts[p][ALPHABET.indexOf(id[p])]++;
  }
  // The first digit is 0..7: 0..6 each with probability 62^21 / 2^128, 7 with the rest.
  assert.ok(counts[0].slice(8).every((c) => c === 0));
  const p = Number((62n ** 21n * 1_000_000n) / TWO_128) / 1_000_000;
  for (let d = 0; d < 8; d++) {
    const expected = n * (d < 7 ? p : 1 - 7 * p);
    assert.ok(Math.abs(counts[0][d] - expected) < 8 * Math.sqrt(expected), `first digit ${d}: ${counts[0][d]}, expected ${expected}`);
  }
  // The others about 400 per digit (position 1 a little uneven: 359-411, from the cutoff at
  // 2^128); 160 is about 8 standard deviations, far beyond chance.
  for (let p = 1; p < 22; p++) {
    for (let d = 0; d < 62; d++) assert.ok(Math.abs(counts[p][d] - 400) < 160, `position ${p} digit ${d}: ${counts[p][d]}`);
  }
});

test("a byte below 248 is the digit byte mod 62, and a byte from 248 on is skipped", () => {
  for (let b = 0; b < 256; b++) {
    const id = sampleId(replay([0, b, ...Array(21).fill(1)]));
    assert.equal(id[1], b < 248 ? ALPHABET[b % 62] : "1", `byte ${b}`);
  }
});
