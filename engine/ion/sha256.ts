/**
 * SHA-256 of a byte array, as fast as the runtime allows for the small inputs Ion Hash feeds it
 * (one struct field or one document: typically 20-200 bytes, hashed ~20 times per one-document
 * commit).
 *
 * Measured (ns per hash of 20 / 60 / 200 bytes, this repo's pinned runtimes, x64):
 *   Bun  `Bun.SHA256.hash`            81 / 114 / 174   <- used under Bun
 *   Bun  `Bun.CryptoHasher.hash`     130 / 168 / 212
 *   Bun  `new Bun.CryptoHasher`      237 / 259 / 297
 *   Bun  node:crypto createHash      244 / 295 / 340
 *   Bun  sha256-wasm.ts               494 / 784 / 1549
 *   Deno node:crypto createHash     2235 / 2584 / 2637
 *   Deno sha256js (pure JS, below)   910 / 1161 / 1719
 *   Deno sha256-wasm.ts               320 / 492 / 1095  <- used under Deno below 1 KiB
 * Larger inputs under Deno (ns): 512 B wasm 1,724, createHash 2,573; 2 KiB wasm 5,567,
 * createHash 3,760; 64 KiB wasm 190,000, createHash 44,000. Per-call overhead of node:crypto
 * under Deno dominates small inputs, its native speed large ones, so Deno (and any other non-Bun
 * runtime) uses the WebAssembly module below WASM_BELOW bytes and node:crypto from there. Where
 * WebAssembly is unavailable the pure-JS loop takes the WebAssembly's place below 256 bytes.
 */
import { createHash } from "node:crypto";
import { makeWasmSha256, SHA256_K } from "./sha256-wasm.ts";

type BunSha = { SHA256: { hash(input: Uint8Array, out?: Uint8Array): Uint8Array } };
const bun = (globalThis as { Bun?: BunSha }).Bun;

const K = new Int32Array(SHA256_K);
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

/** Inputs below this many bytes go to the WebAssembly module (when there is one) rather than node:crypto. */
const WASM_BELOW = 1024;
/** Likewise for the pure-JS loop, where WebAssembly is unavailable. */
const JS_BELOW = 256;

/**
 * The non-Bun hash into `out`. The WebAssembly module is assembled on the first call (about 10
 * ms under Deno), so Bun, which never calls this, never pays for it.
 */
let portableInto = (bytes: Uint8Array, out: Uint8Array): void => {
  const wasm = makeWasmSha256();
  portableInto = wasm === undefined
    ? (b, o) => o.set(b.length < JS_BELOW ? sha256js(b) : createHash("sha256").update(b).digest())
    : (b, o) => (b.length < WASM_BELOW ? wasm(b, o) : o.set(createHash("sha256").update(b).digest()));
  portableInto(bytes, out);
};

/**
 * SHA-256 of `bytes` written into `out` (32 bytes), for digests consumed at once (Ion Hash's
 * field hashes): no array per digest.
 */
export const sha256Into: (bytes: Uint8Array, out: Uint8Array) => void = bun
  ? (bytes, out) => void bun.SHA256.hash(bytes, out)
  : (bytes, out) => portableInto(bytes, out);

/**
 * Where the non-Bun `sha256` puts its digests: 32-byte views of a shared 1 KiB array. Deno pays
 * about 1.25 µs for every new ArrayBuffer, however small (new Uint8Array(32) measured 1,253 ns,
 * a view of an existing buffer 19-26 ns; Bun 10 ns), and a one-document commit made 16 digests:
 * the slab took Deno's commit with syncs skipped from 61 to 40-46 µs. Size: about one in five
 * digests of a commit is kept (a revision's hash, a block's hash, a digest-tree node) and keeps
 * its slab alive; at 1 KiB that costs about what an array of its own does under Deno (~240 bytes
 * per kept digest), where 2 KiB slabs measured 383 bytes per digest with one in eight kept.
 */
const SLAB_BYTES = 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * SHA-256 digest (32 bytes) of `bytes`, an array the caller may keep. Outside Bun it is a view of
 * a slab shared with other digests (above): read it through its byteOffset, and never transfer
 * or detach its buffer. Public entry points hand out `ownDigest` copies instead.
 */
export const sha256: (bytes: Uint8Array) => Uint8Array = bun
  ? (bytes) => bun.SHA256.hash(bytes, new Uint8Array(32))
  : (bytes) => {
    const out = slabSlot();
    portableInto(bytes, out);
    return out;
  };

/** The next 32 bytes of the current slab (a new slab when it is full). */
function slabSlot(): Uint8Array {
  if (slabUsed === slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + 32);
  slabUsed += 32;
  return out;
}

/**
 * A copy of the 32-byte digest at `bytes[at…]`, kept as `sha256`'s digests are: outside Bun a
 * view of the same slabs. A replayed ledger reads about six hashes a block, and under Deno each
 * array of its own cost ~1.25 µs (above), about a fifth of its open.
 */
export const keepDigest: (bytes: Uint8Array, at: number) => Uint8Array = bun
  ? (bytes, at) => bytes.slice(at, at + 32)
  : (bytes, at) => {
    const out = slabSlot();
    out.set(bytes.subarray(at, at + 32));
    return out;
  };

/**
 * `h` if it is the whole of its buffer, else a copy that is: what public functions return, so an
 * application may transfer or detach a digest's buffer without touching the digests the engine
 * keeps (a slab view's buffer holds 31 others).
 */
export function ownDigest(h: Uint8Array): Uint8Array {
  // new Uint8Array(h) copies whatever h is: a Buffer's slice() would be another view.
  return h.byteOffset === 0 && h.byteLength === h.buffer.byteLength ? h : new Uint8Array(h);
}
