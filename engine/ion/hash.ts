/**
 * Amazon Ion Hash 1.0 with SHA-256, byte-identical to ion-hash-js
 * (`cryptoHasherProvider("SHA-256")`), written directly against the value model.
 *
 * Why not ion-hash-js: it serializes every scalar through a fresh ion-js binary writer and
 * hashes through a stack of objects (~5-9k documents/s); QLDB-style revision hashing happens on
 * every write and on every verify, so it must run at >= 100k revisions/s.
 *
 * How: s(value) is built in a byte buffer. A struct computes each field hash
 * H(s(name) || s(value)) in the buffer of the next struct nesting level, where every field's
 * serialization starts at offset 0, then writes B, TQ, the escaped sorted field hashes and E into
 * its own level's buffer. Lists, sexps and annotation wrappers are serialized inline (their
 * children are not escaped, per the spec). Only scalar representations and struct field hashes
 * pass through escape().
 *
 * Rules checked against ion-hash-js (tests/unit/engine/ion/hash.test.ts keeps them as vectors):
 * - TQ = binary type code << 4; Q = 0xF for any null, 0/1 for bool, 0 otherwise except that a
 *   negative int keeps type code 3 (0x30). Symbols always use 0x70 (text hashed as UTF-8).
 * - int: big-endian magnitude, 0 is empty. float: 8-byte binary64, +0e0 is empty, -0e0 is not,
 *   NaN is 7ff8000000000000. decimal: VarInt exponent + Int coefficient; 0d0 is empty, a zero
 *   coefficient is omitted unless negative (-0 is 0x80), so 0.00 is `c2` and -0.00 is `c2 80`.
 * - timestamp: Ion binary content: offset VarInt (unknown = 0xC0), UTC fields down to the
 *   precision, then fraction exponent VarInt + coefficient Int (coefficient omitted when 0).
 * - symbol with unknown text ($0): not expressible through ion-hash-js (its reader throws);
 *   hashed per the spec's convention as TQ 0x71 with an empty representation.
 */
import { LedgerError } from "../errors.ts";
import { writeUtf8 } from "./utf8.ts";
import { MAX_DEPTH, MAX_NODES, depthError, expansionError } from "./depth.ts";
import { sha256, sha256Into } from "./sha256.ts";
import { shiftMinutes } from "./utc.ts";
import type { IonDecimal, IonField, IonTimestamp, IonType, IonValue } from "./value.ts";

const B = 0x0b;
const E = 0x0e;
const ESC = 0x0c;

/** Ion binary type codes, which are also the high nibble of Ion Hash's TQ byte. */
const TYPE_CODE: Record<IonType, number> = {
  null: 0, bool: 1, int: 2, float: 4, decimal: 5, timestamp: 6, symbol: 7, string: 8,
  clob: 9, blob: 10, list: 11, sexp: 12, struct: 13,
};

/**
 * One buffer per struct nesting level, and views of its prefixes. Every SHA-256 input starts at
 * offset 0 of its level's buffer, so it is hashed through a cached view `buf[0, n)` instead of a
 * fresh subarray (an allocation plus a slow species lookup, ~27 ns of each ~100 ns hash): block
 * building 5.8 µs → 5.0 µs for a one-insert block.
 */
interface Level {
  buf: Uint8Array;
  prefixes: (Uint8Array | undefined)[];
  /**
   * The field hashes of the struct being hashed at this level, in 32-byte arrays reused from
   * call to call (the caller escapes them into the enclosing level's buffer before this level
   * is used again), and the array that holds them for sorting: 7 fewer short-lived objects per
   * 6-field document hashed (with the other garbage cuts of the same change, GC pauses over 128k
   * commits went from ~290 ms to ~230 ms).
   */
  fieldOut: Uint8Array[];
  fieldHashes: Uint8Array[];
}
/** Inputs longer than this are hashed through a subarray rather than a cached view. */
const MAX_CACHED_PREFIX = 1024;
const levels: Level[] = [];
let levelIndex = 0;
let level: Level;
let buf: Uint8Array;
let pos = 0;
const f64 = new DataView(new ArrayBuffer(8));
enterLevel(0);

function enterLevel(i: number): void {
  levelIndex = i;
  if (i === levels.length) levels.push({ buf: new Uint8Array(i === 0 ? 8192 : 1024), prefixes: [], fieldOut: [], fieldHashes: [] });
  level = levels[i];
  buf = level.buf;
  pos = 0;
}

function grow(need: number): void {
  let size = buf.length * 2;
  while (size < pos + need) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = level.buf = next;
  level.prefixes = [];
}

/** buf[0, pos), through a cached view when short. */
function content(): Uint8Array {
  const n = pos;
  if (n > MAX_CACHED_PREFIX) return buf.subarray(0, n);
  let view = level.prefixes[n];
  if (view === undefined) view = level.prefixes[n] = new Uint8Array(buf.buffer, 0, n);
  return view;
}

/** SHA-256 of buf[0, pos). */
function digest(): Uint8Array {
  return sha256(content());
}

/** Appends one byte of a representation, escaping the three marker bytes. */
function esc(b: number): void {
  if (pos + 2 > buf.length) grow(2);
  if (b === B || b === E || b === ESC) buf[pos++] = ESC;
  buf[pos++] = b;
}

function escBytes(bytes: Uint8Array): void {
  if (pos + bytes.length * 2 > buf.length) grow(bytes.length * 2);
  const out = buf;
  let p = pos;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    // One test for the bytes >= 0x10 (nearly all of a hash), then the three markers.
    if (b < 0x10 && (b === B || b === E || b === ESC)) out[p++] = ESC;
    out[p++] = b;
  }
  pos = p;
}

/** UTF-8 of `s`, escaped (see utf8.ts). */
function escUtf8(s: string): void {
  const n = s.length;
  if (pos + n * 4 > buf.length) grow(n * 4);
  // ASCII inline (no escape callback per character); writeUtf8 for anything else. With the
  // escBytes test above: buildBlock of a one-insert block 4.9 µs → 4.15 µs.
  const out = buf;
  let p = pos, i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    if (c < 0x10 && (c === B || c === E || c === ESC)) out[p++] = ESC;
    out[p++] = c;
  }
  pos = i === n ? p : writeUtf8(s, out, pos, needsEscape, ESC);
}

function needsEscape(b: number): boolean {
  return b === B || b === E || b === ESC;
}

function escVarUInt(n: number): void {
  // Ion VarUInt: 7-bit groups, most significant first, stop bit on the last byte.
  if (n < 0x80) return esc(0x80 | n);
  let shift = 7;
  while (n >= 2 ** (shift + 7)) shift += 7;
  for (; shift > 0; shift -= 7) esc(Math.floor(n / 2 ** shift) & 0x7f);
  esc(0x80 | (n & 0x7f));
}

function escVarInt(n: number, negativeZero = false): void {
  // Ion VarInt: like VarUInt but the first byte spends bit 0x40 on the sign.
  const neg = n < 0 || negativeZero;
  const m = Math.abs(n);
  if (m < 0x40) return esc(0x80 | (neg ? 0x40 : 0) | m);
  let shift = 7;
  while (m >= 2 ** (shift + 6)) shift += 7;
  esc((neg ? 0x40 : 0) | (Math.floor(m / 2 ** shift) & 0x3f));
  for (shift -= 7; shift > 0; shift -= 7) esc(Math.floor(m / 2 ** shift) & 0x7f);
  esc(0x80 | (m & 0x7f));
}

/** Big-endian magnitude bytes of a non-negative bigint (empty for zero). */
function escMagnitude(m: bigint, signed: boolean, negative: boolean): void {
  // signed = Ion "Int" field: the top bit of the first byte is the sign, so a magnitude whose
  // top bit is set gets an extra leading byte.
  if (m <= 0xffffffffn) {
    const n = Number(m);
    const len = n === 0 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    if (signed) {
      const top = len === 0 ? 0x80 : (n >>> ((len - 1) * 8)) & 0xff;
      if (len === 0 || top & 0x80) esc(negative ? 0x80 : 0x00);
      else if (negative) {
        esc(top | 0x80);
        for (let i = len - 2; i >= 0; i--) esc((n >>> (i * 8)) & 0xff);
        return;
      }
    }
    for (let i = len - 1; i >= 0; i--) esc((n >>> (i * 8)) & 0xff);
    return;
  }
  let hex = m.toString(16);
  if (hex.length & 1) hex = "0" + hex;
  let first = parseInt(hex.slice(0, 2), 16);
  if (signed) {
    if (first & 0x80) esc(negative ? 0x80 : 0x00);
    else if (negative) first |= 0x80;
  }
  esc(first);
  for (let i = 2; i < hex.length; i += 2) esc(parseInt(hex.slice(i, i + 2), 16));
}

function put(b: number): void {
  if (pos + 1 > buf.length) grow(1);
  buf[pos++] = b;
}

/** s(v) of a text value (symbol 0x70, string 0x80): B, TQ, escaped UTF-8, E. */
function textValue(tq: number, text: string): void {
  put(B);
  put(tq);
  escUtf8(text);
  put(E);
}

/** s(v) of a lob (clob 0x90, blob 0xA0): B, TQ, escaped bytes, E. */
function bytesValue(tq: number, bytes: Uint8Array): void {
  put(B);
  put(tq);
  escBytes(bytes);
  put(E);
}

function symbol(text: string): void {
  textValue(0x70, text);
}

function decimalRepr(d: IonDecimal): void {
  if (d.coefficient === 0n && d.exponent === 0 && !d.negative) return;
  escVarInt(d.exponent);
  if (d.coefficient === 0n && !d.negative) return;
  escMagnitude(d.coefficient, true, d.negative);
}

function timestampRepr(t: IonTimestamp): void {
  const p = t.precision;
  if (t.offset === null) esc(0xc0);
  else escVarInt(t.offset);
  let { year, month, day, hour, minute } = t;
  if ((p === "minute" || p === "second") && t.offset) {
    [year, month, day, hour, minute] = shiftMinutes(year, month, day, hour, minute, -t.offset);
  }
  escVarUInt(year);
  if (p === "year") return;
  escVarUInt(month);
  if (p === "month") return;
  escVarUInt(day);
  if (p === "day") return;
  escVarUInt(hour);
  escVarUInt(minute);
  if (p === "minute") return;
  escVarUInt(t.second);
  const f = t.fraction;
  if (f) {
    escVarInt(f.exponent);
    if (f.coefficient !== 0n) escMagnitude(f.coefficient, true, false);
  }
}

/**
 * The hashes of a struct's fields, in the next level's reused arrays (see Level): valid until
 * the next struct is hashed at that depth, so the caller escapes them at once.
 */
function fieldHashes(fields: readonly IonField[], depth: number): Uint8Array[] {
  const outer = levelIndex, outerPos = pos;
  enterLevel(outer + 1);
  const inner = level;
  const out = inner.fieldHashes;
  out.length = fields.length;
  for (let i = 0; i < fields.length; i++) {
    enterLevel(outer + 1);
    const f = fields[i];
    symbol(f[0]);
    value(f[1], depth);
    const h = inner.fieldOut[i] ??= new Uint8Array(32);
    sha256Into(content(), h);
    out[i] = h;
  }
  enterLevel(outer);
  pos = outerPos;
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Sorts field hashes in place (unsigned lexicographic order, as the spec requires). Insertion
 * sort for the usual handful of fields: Array.prototype.sort with a comparator was 7% of a
 * commit's CPU in the commit benchmark's profile (6-field documents).
 */
function sortHashes(hashes: Uint8Array[]): void {
  const n = hashes.length;
  if (n > 24) {
    hashes.sort(compareBytes);
    return;
  }
  for (let i = 1; i < n; i++) {
    const h = hashes[i];
    let j = i - 1;
    while (j >= 0 && compareBytes(hashes[j], h) > 0) {
      hashes[j + 1] = hashes[j];
      j--;
    }
    hashes[j + 1] = h;
  }
}

/**
 * Values the hash in progress may still visit (limits.maxValueNodes): a value that repeats a
 * subtree is hashed once per place it appears, so 30 doublings would take 2^30 steps (a revision
 * handed to verifyRevision by a third party, say). Reset by each entry point below.
 */
let left = 0;

function value(v: IonValue, depth: number): void {
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  const ann = v.annotations;
  const annotated = ann !== undefined && ann.length > 0;
  if (annotated) {
    put(B);
    put(0xe0);
    for (let i = 0; i < ann.length; i++) symbol(ann[i]);
  }
  switch (v.kind) {
    case "null":
      put(B);
      put((TYPE_CODE[v.of] << 4) | 0x0f);
      put(E);
      break;
    case "bool":
      put(B);
      put(v.value ? 0x11 : 0x10);
      put(E);
      break;
    case "int": {
      const neg = v.value < 0n;
      put(B);
      put(neg ? 0x30 : 0x20);
      escMagnitude(neg ? -v.value : v.value, false, false);
      put(E);
      break;
    }
    case "float": {
      put(B);
      put(0x40);
      const x = v.value;
      if (x !== x) {
        esc(0x7f); esc(0xf8);
        for (let i = 0; i < 6; i++) esc(0);
      } else if (!(x === 0 && 1 / x > 0)) {
        f64.setFloat64(0, x);
        for (let i = 0; i < 8; i++) esc(f64.getUint8(i));
      }
      put(E);
      break;
    }
    case "decimal":
      put(B);
      put(0x50);
      decimalRepr(v);
      put(E);
      break;
    case "timestamp":
      put(B);
      put(0x60);
      timestampRepr(v);
      put(E);
      break;
    case "symbol":
      if (v.text === null) {
        put(B);
        put(0x71);
        put(E);
      } else symbol(v.text);
      break;
    case "string":
      textValue(0x80, v.value);
      break;
    case "clob":
    case "blob":
      bytesValue(v.kind === "clob" ? 0x90 : 0xa0, v.bytes);
      break;
    case "list":
    case "sexp": {
      put(B);
      put(v.kind === "list" ? 0xb0 : 0xc0);
      const items = v.items;
      for (let i = 0; i < items.length; i++) value(items[i], depth + 1);
      put(E);
      break;
    }
    case "struct": {
      const hashes = fieldHashes(v.fields, depth + 1);
      if (hashes.length > 1) sortHashes(hashes);
      put(B);
      put(0xd0);
      for (let i = 0; i < hashes.length; i++) escBytes(hashes[i]);
      put(E);
      break;
    }
    default:
      throw new LedgerError("TYPE_ERROR", `not an Ion value (kind ${String((v as { kind?: unknown }).kind)})`);
  }
  if (annotated) put(E);
}

/**
 * Ion Hash (SHA-256) of `v`: 32 bytes, equal to ion-hash-js's digest of the same Ion value.
 * Throws LedgerError LIMIT_EXCEEDED when `v` nests deeper than limits.maxValueDepth and
 * TYPE_ERROR for a string with a lone surrogate.
 */
export function ionHash(v: IonValue): Uint8Array {
  if (v === null || typeof v !== "object") throw new LedgerError("TYPE_ERROR", "ionHash takes an Ion value (use fromJS for a JavaScript value)");
  enterLevel(0);
  left = MAX_NODES;
  value(v, 1);
  return digest();
}

/** The serialized bytes s(v) that ionHash digests; for tests and debugging. */
export function ionHashSerialization(v: IonValue): Uint8Array {
  enterLevel(0);
  left = MAX_NODES;
  value(v, 1);
  return buf.slice(0, pos);
}

// ---- composing hashes ---------------------------------------------------------------------
// For callers that hash the same shapes over and over (block building: revision metadata and
// transactionInfo) and can reuse the hashes of fields that repeat between blocks. Each gives
// exactly what ionHash computes for the corresponding part of a value.

function structFromHashes(hashes: Uint8Array[]): void {
  if (hashes.length > 1) sortHashes(hashes);
  put(B);
  put(0xd0);
  for (let i = 0; i < hashes.length; i++) escBytes(hashes[i]);
  put(E);
}

/** The hash of the struct field `name: v` as ionHash computes it inside a struct: H(s(name) || s(v)). */
export function ionFieldHash(name: string, v: IonValue, depth = 2): Uint8Array {
  enterLevel(0);
  symbol(name);
  left = MAX_NODES;
  value(v, depth);
  return digest();
}

/** ionFieldHash(name, ion.string(text)), without making the value. */
export function ionFieldHashOfString(name: string, text: string): Uint8Array {
  enterLevel(0);
  symbol(name);
  textValue(0x80, text);
  return digest();
}

/** ionFieldHash(name, ion.blob(bytes)), without making the value. */
export function ionFieldHashOfBlob(name: string, bytes: Uint8Array): Uint8Array {
  enterLevel(0);
  symbol(name);
  bytesValue(0xa0, bytes);
  return digest();
}

/** ionFieldHash of `name: {…}` for a struct given by its field hashes; sorts `hashes` in place. */
export function ionFieldHashOfStruct(name: string, hashes: Uint8Array[]): Uint8Array {
  enterLevel(0);
  symbol(name);
  structFromHashes(hashes);
  return digest();
}

/**
 * ionFieldHash of `name: [{…}, …]`, a list of structs each given by its field hashes (list
 * items are serialized inline, unescaped); sorts each `structs[i]` in place. Written straight
 * into the hash buffer: no intermediate serializations.
 */
export function ionFieldHashOfStructList(name: string, structs: readonly Uint8Array[][]): Uint8Array {
  enterLevel(0);
  symbol(name);
  put(B);
  put(0xb0);
  for (let i = 0; i < structs.length; i++) structFromHashes(structs[i]);
  put(E);
  return digest();
}

/** Like ionFieldHash, for a value given as its serialization s(v) (ionHashSerialization). */
export function ionFieldHashOfSerialized(name: string, serialized: Uint8Array): Uint8Array {
  enterLevel(0);
  symbol(name);
  if (pos + serialized.length > buf.length) grow(serialized.length);
  buf.set(serialized, pos);
  pos += serialized.length;
  return digest();
}

/** ionHash of a struct whose field hashes (ionFieldHash) are `hashes`; sorts `hashes` in place. */
export function ionStructHash(hashes: Uint8Array[]): Uint8Array {
  enterLevel(0);
  structFromHashes(hashes);
  return digest();
}

