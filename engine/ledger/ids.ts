/**
 * Document, transaction and strand ids: 22 base62 characters holding 128 random bits,
 * as QLDB's are (62^22 > 2^128, so every 128-bit value has a distinct id). An id is drawn digit
 * by digit (sampleId) rather than converted from 16 random bytes: a BigInt conversion cost
 * 3-10% of a durable commit, and small-number long division still 370 ns per id.
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_LENGTH = 22;

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const chars = new Array<number>(ID_LENGTH).fill(0);

/**
 * The characters of the id of 2^128 (its base62 digits), most significant first. ALPHABET is
 * in character-code order, so comparing characters compares digits: a 22-character id is the
 * base62 form of a 128-bit value exactly when it is below this.
 */
const LIMIT = (() => {
  const out = new Array<number>(ID_LENGTH);
  let n = 1n << 128n;
  for (let i = ID_LENGTH - 1; i >= 0; i--) {
    out[i] = CODES[Number(n % 62n)];
    n /= 62n;
  }
  return out;
})();

/** The character a random byte stands for as a digit: its value mod 62, or -1 from 248 = 4 × 62 on. */
const CHAR_OF_BYTE = Int16Array.from({ length: 256 }, (_, b) => (b < 248 ? CODES[b % 62] : -1));

/** Random bytes, fetched a block at a time by `fill` (one getRandomValues call per id cost more than the rest). */
export class RandomBytes {
  readonly bytes: Uint8Array;
  at: number;
  constructor(private readonly fill: (bytes: Uint8Array) => void, size = 4096) {
    this.bytes = new Uint8Array(size);
    this.at = size;
  }

  next(): number {
    if (this.at === this.bytes.length) {
      this.fill(this.bytes);
      this.at = 0;
    }
    return this.bytes[this.at++];
  }
}

const systemRandom = new RandomBytes((b) => crypto.getRandomValues(b));

/**
 * An id drawn from uniform random bytes, uniform over the ids of all 128-bit values: the base62
 * form of a uniform 128-bit value, without converting one.
 *
 * Characters 1-21 are uniform digits (a byte below 248 = 4 × 62, taken mod 62) and the first a
 * uniform digit in 0..7 (three bits), so the 22 digits are uniform over [0, 8 × 62^21); 2^128
 * lies in that range (8 × 62^21 ≈ 1.02 × 2^128), and drawing again whenever the digits read as
 * 2^128 or more (2.6% of draws) leaves a uniform value below 2^128. Against encoding 16
 * random bytes by long division (newId before): 370 → ~125 ns per id (Bun and Deno, 1M ids after warm-up), and newId was 4.3%
 * of a commit's CPU with 64 writers (two ids per commit: the document's and the transaction's).
 */
export function sampleId(random: RandomBytes): string {
  const c = chars;
  for (;;) {
    c[0] = CODES[random.next() & 7];
    for (let i = 1; i < ID_LENGTH; i++) {
      let ch = CHAR_OF_BYTE[random.next()];
      while (ch < 0) ch = CHAR_OF_BYTE[random.next()];
      c[i] = ch;
    }
    if (c[0] < LIMIT[0] || belowLimit(c)) break;
  }
  return String.fromCharCode(
    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
    c[11], c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], c[20], c[21],
  );
}

/** True when the id characters `c` read as a number below 2^128. */
function belowLimit(c: readonly number[]): boolean {
  for (let i = 0; i < ID_LENGTH; i++) if (c[i] !== LIMIT[i]) return c[i] < LIMIT[i];
  return false;
}

/** A fresh random id. */
export function newId(): string {
  return sampleId(systemRandom);
}

/** True for a syntactically valid id. */
export function isId(s: unknown): s is string {
  return typeof s === "string" && s.length === ID_LENGTH && /^[0-9A-Za-z]+$/.test(s);
}
