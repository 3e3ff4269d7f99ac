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
const chars = new Array<number>(ID_LENGTH);
/** 62^5: five digits per division pass. */
const CHUNK = 916_132_832;

/** The id of the 128-bit value held big-endian in words[at..at+4). */
function encode(words: Uint32Array, at: number): string {
  // Long division of the number (as eight 16-bit limbs) by 62^5, five digits a pass; every
  // intermediate is below 2^46, so double arithmetic is exact.
  for (let k = 0; k < 4; k++) {
    const w = words[at + k];
    limbs[2 * k] = w >>> 16;
    limbs[2 * k + 1] = w & 0xffff;
  }
  let i = ID_LENGTH - 1;
  for (let pass = 0; pass < 5; pass++) {
    let rem = 0;
    for (let k = 0; k < 8; k++) {
      const cur = rem * 0x1_0000 + limbs[k];
      const q = Math.floor(cur / CHUNK);
      limbs[k] = q;
      rem = cur - q * CHUNK;
    }
    for (let d = 0; d < 5 && i >= 0; d++) {
      const q = Math.floor(rem / 62);
      chars[i--] = CODES[rem - q * 62];
      rem = q;
    }
  }
  return String.fromCharCode.apply(null, chars);
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
