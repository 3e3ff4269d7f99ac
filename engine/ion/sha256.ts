/**
 * SHA-256 of a byte array, as fast as the runtime allows for the small inputs Ion Hash feeds it
 * (one struct field or one document: typically 20-200 bytes, hashed ~12 times per revision).
 *
 * Measured (ns per hash of 20 / 60 / 200 bytes, this repo's pinned runtimes, x64):
 *   Bun  `Bun.SHA256.hash`            81 / 114 / 174   <- used under Bun
 *   Bun  `Bun.CryptoHasher.hash`     130 / 168 / 212
 *   Bun  `new Bun.CryptoHasher`      237 / 259 / 297
 *   Bun  node:crypto createHash      244 / 295 / 340
 *   Deno node:crypto createHash     2235 / 2584 / 2637
 *   Deno sha256js (pure JS, below)   910 / 1161 / 1719;  512 B: 3033 vs createHash 2174
 * Per-call overhead of node:crypto under Deno dominates small inputs, so Deno (and any other
 * non-Bun runtime) uses the pure-JS loop below 256 bytes and node:crypto above.
 */
import { createHash } from "node:crypto";

type BunSha = { SHA256: { hash(input: Uint8Array, out?: Uint8Array): Uint8Array } };
const bun = (globalThis as { Bun?: BunSha }).Bun;

// Round constants: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Int32Array(64);
const H = new Int32Array(8);
const tail = new Uint8Array(128);

function compress(b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15], y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = H[0], bb = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
  }
  H[0] = (H[0] + a) | 0; H[1] = (H[1] + bb) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
}

/** Pure-JS SHA-256 (FIPS 180-4); exported for tests and for runtimes without a fast native call. */
export function sha256js(bytes: Uint8Array): Uint8Array {
  H[0] = 0x6a09e667; H[1] = 0xbb67ae85 | 0; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a | 0;
  H[4] = 0x510e527f; H[5] = 0x9b05688c | 0; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19;
  const n = bytes.length;
  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) compress(bytes, off);
  const rest = n - full;
  tail.fill(0);
  tail.set(bytes.subarray(full), 0);
  tail[rest] = 0x80;
  const blocks = rest + 9 > 64 ? 2 : 1;
  const end = blocks * 64;
  // Bit length as a 64-bit big-endian integer; inputs here are far below 2^53 bits.
  const bits = n * 8;
  const hi = Math.floor(bits / 0x100000000);
  tail[end - 8] = hi >>> 24; tail[end - 7] = hi >>> 16; tail[end - 6] = hi >>> 8; tail[end - 5] = hi;
  tail[end - 4] = bits >>> 24; tail[end - 3] = bits >>> 16; tail[end - 2] = bits >>> 8; tail[end - 1] = bits;
  compress(tail, 0);
  if (blocks === 2) compress(tail, 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    out[i * 4] = v >>> 24; out[i * 4 + 1] = v >>> 16; out[i * 4 + 2] = v >>> 8; out[i * 4 + 3] = v;
  }
  return out;
}

/**
 * SHA-256 of `bytes` written into `out` (32 bytes), for digests consumed at once (Ion Hash's
 * field hashes): no array per digest.
 */
export const sha256Into: (bytes: Uint8Array, out: Uint8Array) => void = bun
  ? (bytes, out) => void bun.SHA256.hash(bytes, out)
  : (bytes, out) => out.set(bytes.length < 256 ? sha256js(bytes) : createHash("sha256").update(bytes).digest());

/** SHA-256 digest (32 bytes) of `bytes`; a fresh array the caller may keep. */
export const sha256: (bytes: Uint8Array) => Uint8Array = bun
  ? (bytes) => bun.SHA256.hash(bytes, new Uint8Array(32))
  : (bytes) => (bytes.length < 256 ? sha256js(bytes) : new Uint8Array(createHash("sha256").update(bytes).digest()));
