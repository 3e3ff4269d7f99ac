/**
 * SHA-256 (FIPS 180-4) as a WebAssembly module that this file assembles itself, byte by byte, and
 * compiles synchronously when first asked for: no binary checked in, no async start-up, and the
 * engine stays a synchronous module.
 *
 * Why: Deno has no fast native call for the short inputs Ion Hash feeds SHA-256 (one struct
 * field or one document, hashed ~20 times per one-document commit). Its node:crypto costs about
 * 2.2 µs per call whatever the size, and the pure-JS loop in sha256.ts about 0.9 µs per 64-byte
 * block; this module is measured against both in sha256.ts's header. node:crypto stays the
 * test oracle (tests/unit/engine/ion/sha256.test.ts).
 *
 * Memory (one 64 KiB page, never grown, so a view of it stays valid):
 *   [0, 32)           the chaining state H0..H7, native (little-endian) i32s
 *   [32, 64)          the digest, big-endian, written by `finish`
 *   [64, 64 + WINDOW) the message window: the caller copies bytes here
 *   then 128 bytes    room for `finish` to pad the last block(s) in place
 *
 * Exports: `memory`; `reset()` loads the initial hash values; `blocks(ptr, n)` compresses n
 * 64-byte blocks at ptr; `finish(len, bitsHi, bitsLo)` compresses the whole blocks of the `len`
 * bytes in the window, pads the rest in place with the message's total length in bits (two
 * 32-bit halves), compresses it and writes the digest.
 */

/** Bytes of message the window takes per call; a multiple of 64. */
export const WINDOW_BYTES = 65536 - 64 - 128;
const STATE = 0;
const DIGEST = 32;
const WINDOW = 64;

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
/** Round constants: first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
export const SHA256_K: readonly number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

// ---- a minimal WebAssembly assembler: only what the three functions below use -----------------

const enum Op {
  Block = 0x02, Loop = 0x03, Br = 0x0c, BrIf = 0x0d, End = 0x0b, Call = 0x10,
  LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22,
  I32Load = 0x28, I32Store = 0x36, I32Store8 = 0x3a, I32Const = 0x41,
  I32Eqz = 0x45, I32Add = 0x6a, I32Sub = 0x6b, I32And = 0x71, I32Or = 0x72, I32Xor = 0x73,
  I32Shl = 0x74, I32ShrU = 0x76, I32Rotl = 0x77, I32Rotr = 0x78,
}
const VOID = 0x40;
const I32 = 0x7f;

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** One function body under construction. */
class Body {
  readonly code: number[] = [];
  op(...ops: number[]): this {
    this.code.push(...ops);
    return this;
  }
  /** An instruction taking one unsigned immediate: a local's or a function's index. */
  private indexed(op: Op, index: number): this {
    this.code.push(op);
    uleb(index, this.code);
    return this;
  }
  get(l: number): this {
    return this.indexed(Op.LocalGet, l);
  }
  set(l: number): this {
    return this.indexed(Op.LocalSet, l);
  }
  tee(l: number): this {
    return this.indexed(Op.LocalTee, l);
  }
  i32(v: number): this {
    this.code.push(Op.I32Const);
    sleb(v, this.code);
    return this;
  }
  /** A memory access with alignment hint `align` (log2) and a constant offset. */
  mem(op: number, align: number, offset: number): this {
    this.code.push(op, align);
    uleb(offset, this.code);
    return this;
  }
  /** memory.fill (bulk memory): dest, value, count on the stack. */
  fill(): this {
    this.code.push(0xfc, 0x0b, 0x00);
    return this;
  }
  call(fn: number): this {
    return this.indexed(Op.Call, fn);
  }
  /** The value on the stack with its bytes reversed (big-endian <-> little-endian). */
  byteSwap(tmp: number): this {
    return this.tee(tmp).i32(8).op(Op.I32Rotl).i32(0x00ff00ff).op(Op.I32And)
      .get(tmp).i32(8).op(Op.I32Rotr).i32(0xff00ff00 | 0).op(Op.I32And).op(Op.I32Or);
  }
  rotrXor3(x: number, r1: number, r2: number, r3: number): this {
    return this.get(x).i32(r1).op(Op.I32Rotr).get(x).i32(r2).op(Op.I32Rotr).op(Op.I32Xor).get(x).i32(r3).op(Op.I32Rotr).op(Op.I32Xor);
  }
  rotrShrXor(x: number, r1: number, r2: number, s: number): this {
    return this.get(x).i32(r1).op(Op.I32Rotr).get(x).i32(r2).op(Op.I32Rotr).op(Op.I32Xor).get(x).i32(s).op(Op.I32ShrU).op(Op.I32Xor);
  }
}

/** `blocks(ptr, n)`: params 0-1; locals a..h 2-9, t1 10, w0..w15 11-26. Fully unrolled rounds. */
function blocksBody(): { locals: number; code: number[] } {
  const P = 0, N = 1, T = 10, W0 = 11;
  const reg = [2, 3, 4, 5, 6, 7, 8, 9];
  const b = new Body();
  b.op(Op.Block, VOID).op(Op.Loop, VOID);
  b.get(N).op(Op.I32Eqz).op(Op.BrIf, 1);
  for (let i = 0; i < 16; i++) b.get(P).mem(Op.I32Load, 0, i * 4).byteSwap(W0 + i).set(W0 + i);
  for (let i = 0; i < 8; i++) b.i32(0).mem(Op.I32Load, 2, STATE + i * 4).set(reg[i]);
  for (let i = 0; i < 64; i++) {
    // The registers rotate by name rather than by moves: round i's a is reg[(8 - i % 8) % 8].
    const r = (k: number) => reg[(k - i % 8 + 8) % 8];
    const a = r(0), bb = r(1), c = r(2), d = r(3), e = r(4), f = r(5), g = r(6), h = r(7);
    const w = W0 + (i % 16);
    if (i >= 16) {
      // w[i] = w[i-16] + s0(w[i-15]) + w[i-7] + s1(w[i-2]), in a ring of 16 locals.
      b.get(w).rotrShrXor(W0 + ((i - 15) % 16), 7, 18, 3).op(Op.I32Add)
        .get(W0 + ((i - 7) % 16)).op(Op.I32Add)
        .rotrShrXor(W0 + ((i - 2) % 16), 17, 19, 10).op(Op.I32Add).set(w);
    }
    // t1 = h + S1(e) + ch(e, f, g) + K[i] + w[i]; ch = g ^ (e & (f ^ g))
    b.get(h).rotrXor3(e, 6, 11, 25).op(Op.I32Add)
      .get(g).get(e).get(f).get(g).op(Op.I32Xor).op(Op.I32And).op(Op.I32Xor).op(Op.I32Add)
      .i32(SHA256_K[i]).op(Op.I32Add).get(w).op(Op.I32Add).set(T);
    // d += t1
    b.get(d).get(T).op(Op.I32Add).set(d);
    // h = t1 + S0(a) + maj(a, b, c); maj = (a & b) | (c & (a | b))
    b.get(T).rotrXor3(a, 2, 13, 22).op(Op.I32Add)
      .get(a).get(bb).op(Op.I32And).get(c).get(a).get(bb).op(Op.I32Or).op(Op.I32And).op(Op.I32Or).op(Op.I32Add)
      .set(h);
  }
  // After 64 rounds (a multiple of 8) the names are back where they started.
  for (let i = 0; i < 8; i++) b.i32(0).i32(0).mem(Op.I32Load, 2, STATE + i * 4).get(reg[i]).op(Op.I32Add).mem(Op.I32Store, 2, STATE + i * 4);
  b.get(P).i32(64).op(Op.I32Add).set(P);
  b.get(N).i32(1).op(Op.I32Sub).set(N);
  b.op(Op.Br, 0).op(Op.End).op(Op.End).op(Op.End);
  return { locals: 25, code: b.code };
}

/** `reset()`: no params or locals. */
function resetBody(): { locals: number; code: number[] } {
  const b = new Body();
  for (let i = 0; i < 8; i++) b.i32(0).i32(IV[i]).mem(Op.I32Store, 2, STATE + i * 4);
  b.op(Op.End);
  return { locals: 0, code: b.code };
}

/** `finish(len, bitsHi, bitsLo)`: params 0-2; locals p 3, rest 4, padEnd 5, tmp 6. */
function finishBody(blocksFn: number): { locals: number; code: number[] } {
  const LEN = 0, HI = 1, LO = 2, P = 3, REST = 4, END = 5, TMP = 6;
  const b = new Body();
  // The whole blocks first; p = WINDOW + (len & ~63) is where the rest starts, rest = len & 63.
  b.i32(WINDOW).get(LEN).i32(6).op(Op.I32ShrU).call(blocksFn);
  b.i32(WINDOW).get(LEN).i32(~63).op(Op.I32And).op(Op.I32Add).set(P);
  b.get(LEN).i32(63).op(Op.I32And).set(REST);
  // The 0x80 marker after the message.
  b.get(P).get(REST).op(Op.I32Add).i32(0x80).mem(Op.I32Store8, 0, 0);
  // The padded tail is one block if the marker and the 8-byte length fit after the rest, else
  // two: padEnd = 64 << ((rest + 8) >> 6), since rest + 8 < 128.
  b.i32(64).get(REST).i32(8).op(Op.I32Add).i32(6).op(Op.I32ShrU).op(Op.I32Shl).set(END);
  // Zeros from after the marker up to the length field: padEnd - 9 - rest bytes.
  b.get(P).get(REST).op(Op.I32Add).i32(1).op(Op.I32Add)
    .i32(0)
    .get(END).i32(9).op(Op.I32Sub).get(REST).op(Op.I32Sub)
    .fill();
  // The message length in bits, big-endian, in the last 8 bytes of the tail.
  b.get(P).get(END).op(Op.I32Add).i32(8).op(Op.I32Sub).get(HI).byteSwap(TMP).mem(Op.I32Store, 0, 0);
  b.get(P).get(END).op(Op.I32Add).i32(4).op(Op.I32Sub).get(LO).byteSwap(TMP).mem(Op.I32Store, 0, 0);
  b.get(P).get(END).i32(6).op(Op.I32ShrU).call(blocksFn);
  // The digest: H0..H7 as big-endian words.
  for (let i = 0; i < 8; i++) b.i32(0).i32(0).mem(Op.I32Load, 2, STATE + i * 4).byteSwap(TMP).mem(Op.I32Store, 2, DIGEST + i * 4);
  b.op(Op.End);
  return { locals: 4, code: b.code };
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function name(s: string, out: number[]): void {
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** The module's bytes: types, functions (blocks 0, reset 1, finish 2), one page of memory, exports. */
export function sha256Module(): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Types: 0 (i32, i32) -> (), 1 () -> (), 2 (i32, i32, i32) -> ()
  section(1, [3, 0x60, 2, I32, I32, 0, 0x60, 0, 0, 0x60, 3, I32, I32, I32, 0], out);
  section(3, [3, 0, 1, 2], out);
  // Memory: one page, no maximum growth is ever asked for.
  section(5, [1, 0x01, 1, 1], out);
  const exports: number[] = [4];
  name("blocks", exports); exports.push(0x00, 0);
  name("reset", exports); exports.push(0x00, 1);
  name("finish", exports); exports.push(0x00, 2);
  name("memory", exports); exports.push(0x02, 0);
  section(7, exports, out);
  const code: number[] = [3];
  for (const body of [blocksBody(), resetBody(), finishBody(0)]) {
    const fn: number[] = [];
    if (body.locals === 0) fn.push(0);
    else {
      fn.push(1);
      uleb(body.locals, fn);
      fn.push(I32);
    }
    fn.push(...body.code);
    uleb(fn.length, code);
    code.push(...fn);
  }
  section(10, code, out);
  return new Uint8Array(out);
}

interface Sha256Exports {
  readonly memory: WebAssembly.Memory;
  blocks(ptr: number, n: number): void;
  reset(): void;
  finish(len: number, bitsHi: number, bitsLo: number): void;
}

/**
 * The compiled module's SHA-256, or undefined where WebAssembly is missing or refused (a runtime
 * run without a JIT compiler, as V8's --jitless, has no WebAssembly): the caller falls back to
 * the pure-JS loop.
 */
export function makeWasmSha256(): ((bytes: Uint8Array, out: Uint8Array) => void) | undefined {
  let x: Sha256Exports;
  try {
    if (typeof WebAssembly !== "object") return undefined;
    x = new WebAssembly.Instance(new WebAssembly.Module(sha256Module())).exports as unknown as Sha256Exports;
  } catch {
    return undefined;
  }
  const mem = new Uint8Array(x.memory.buffer);
  const digest = mem.subarray(DIGEST, DIGEST + 32);
  return (bytes, out) => {
    const n = bytes.length;
    x.reset();
    let at = 0;
    // Longer messages pass through the window in whole blocks; the last part goes to finish.
    while (n - at > WINDOW_BYTES) {
      mem.set(bytes.subarray(at, at + WINDOW_BYTES), WINDOW);
      x.blocks(WINDOW, WINDOW_BYTES / 64);
      at += WINDOW_BYTES;
    }
    if (at === 0) mem.set(bytes, WINDOW);
    else mem.set(bytes.subarray(at), WINDOW);
    // n * 8 is exact below 2^53; its high 32 bits are n / 2^29.
    x.finish(n - at, Math.floor(n / 0x20000000), (n * 8) >>> 0);
    out.set(digest);
  };
}
