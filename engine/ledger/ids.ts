/**
 * Document, transaction and strand ids: 22 base62 characters holding 128 random bits,
 * as QLDB's are (62^22 > 2^128, so every 128-bit value has a distinct id).
 *
 * The base conversion uses small-number long division rather than a BigInt: a BigInt version
 * cost 3–10% of a whole durable commit in the commit benchmark's profile.
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_LENGTH = 22;

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Random words fetched 256 ids at a time: one getRandomValues call per id cost more than the rest. */
const pool = new Uint32Array(4 * 256);
let poolAt = pool.length;
const limbs = new Float64Array(8);
const chars = new Array<number>(ID_LENGTH).fill(0);
/** 62^6: six digits per division pass; a remainder times 2^16 stays below 2^53. */
const CHUNK = 62 ** 6;
const INVERSE_CHUNK = 1 / CHUNK;
/** 62^3: a six-digit remainder splits into two halves that int32 arithmetic can take apart. */
const HALF = 62 ** 3;

/** The id of the 128-bit value held big-endian in words[at..at+4). */
function encode(words: Uint32Array, at: number): string {
  // Long division of the number (as eight 16-bit limbs) by 62^6, six digits a pass, skipping
  // the limbs that have become zero; every intermediate is below 2^53, so double arithmetic is
  // exact. A multiply by the reciprocal (then a ±1 correction) replaces each division, and the
  // string is made by one fromCharCode call with 22 arguments rather than fromCharCode.apply:
  // 630 ns → 323 ns per id (62^5 passes over all limbs, divisions, apply).
  for (let k = 0; k < 4; k++) {
    const w = words[at + k];
    limbs[2 * k] = w >>> 16;
    limbs[2 * k + 1] = w & 0xffff;
  }
  let first = 0;
  let i = ID_LENGTH - 1;
  while (i >= 0) {
    while (first < 8 && limbs[first] === 0) first++;
    let rem = 0;
    for (let k = first; k < 8; k++) {
      const cur = rem * 0x1_0000 + limbs[k];
      let q = Math.floor(cur * INVERSE_CHUNK);
      let r = cur - q * CHUNK;
      if (r < 0) {
        q--;
        r += CHUNK;
      } else if (r >= CHUNK) {
        q++;
        r -= CHUNK;
      }
      limbs[k] = q;
      rem = r;
    }
    let hi = Math.floor(rem / HALF);
    let lo = rem - hi * HALF;
    for (let d = 0; d < 3 && i >= 0; d++) {
      const q = (lo / 62) | 0;
      chars[i--] = CODES[lo - q * 62];
      lo = q;
    }
    for (let d = 0; d < 3 && i >= 0; d++) {
      const q = (hi / 62) | 0;
      chars[i--] = CODES[hi - q * 62];
      hi = q;
    }
  }
  const c = chars;
  return String.fromCharCode(
    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
    c[11], c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], c[20], c[21],
  );
}

/** A fresh random id. */
export function newId(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const id = encode(pool, poolAt);
  poolAt += 4;
  return id;
}

/** The id of a 16-byte value (for tests: ids are a bijection of 128-bit values). */
export function idOfBytes(bytes: Uint8Array): string {
  const words = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    words[k] = ((bytes[4 * k] << 24) | (bytes[4 * k + 1] << 16) | (bytes[4 * k + 2] << 8) | bytes[4 * k + 3]) >>> 0;
  }
  return encode(words, 0);
}

/** True for a syntactically valid id. */
export function isId(s: unknown): s is string {
  return typeof s === "string" && s.length === ID_LENGTH && /^[0-9A-Za-z]+$/.test(s);
}
