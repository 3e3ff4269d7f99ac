/**
 * Ion 1.0 binary reader into the value model, our own (see binary.ts for why and the figures).
 *
 * Reads any Ion 1.0 binary stream, not just our writer's: IVMs, local symbol tables (fresh or
 * appended via `imports: $ion_symbol_table`), NOP padding, sorted structs (L=1), float32,
 * VarUInt lengths. Shared-table imports are resolved against the catalog the caller passes; an
 * import the catalog lacks gives its `max_id` symbols unknown text (reading one is an error), or
 * without a `max_id` is rejected.
 * Every read is bounds-checked so malformed input is ION_PARSE_ERROR, never a TypeError or a
 * value read past the end; nesting is bounded by limits.maxValueDepth (LIMIT_EXCEEDED).
 * Timestamps arrive as UTC fields and are turned back into local fields at their offset.
 */
import { Buffer } from "node:buffer";
import { LedgerError, isLedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import { MAX_DEPTH, depthError } from "./depth.ts";
import type { SharedSymbolTable, SymbolCatalog } from "./shared-symbols.ts";
import { keepDigest } from "./sha256.ts";
import { daysInMonth, shiftMinutes } from "./utc.ts";
import type { IonField, IonTimestamp, IonType, IonValue, TimestampPrecision } from "./value.ts";

const SYSTEM_SYMBOLS: (string | null)[] = [
  null, "$ion", "$ion_1_0", "$ion_symbol_table", "name", "version", "imports", "symbols", "max_id",
  "$ion_shared_symbol_table",
];
const TYPE_NAME: IonType[] = [
  "null", "bool", "int", "int", "float", "decimal", "timestamp", "symbol", "string", "clob", "blob",
  "list", "sexp", "struct",
];
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class ParseFailure extends Error {}
const fail = (msg: string): never => {
  throw new ParseFailure(msg);
};

/** What `bytes` holds between decodes, so the input is not kept alive (one array: Deno pays ~1 µs per new one). */
const NO_BYTES = new Uint8Array(0);
let bytes: Uint8Array = NO_BYTES;
let pos = 0;
let table: (string | null)[] = SYSTEM_SYMBOLS;
const f32 = new DataView(new ArrayBuffer(8));

function byte(end: number): number {
  if (pos >= end) fail("unexpected end of data");
  return bytes[pos++];
}

function varUInt(end: number): number {
  let n = 0;
  for (let i = 0; ; i++) {
    const b = byte(end);
    n = n * 128 + (b & 0x7f);
    if (b & 0x80) return n;
    if (i > 6) fail("VarUInt too large");
  }
}

/** VarInt as [magnitude, negative]; the sign is separate so `-0` (unknown offset) is visible. */
function varInt(end: number): [number, boolean] {
  const first = byte(end);
  const negative = (first & 0x40) !== 0;
  let n = first & 0x3f;
  if (first & 0x80) return [n, negative];
  for (let i = 0; ; i++) {
    const b = byte(end);
    n = n * 128 + (b & 0x7f);
    if (b & 0x80) return [n, negative];
    if (i > 6) fail("VarInt too large");
  }
}

function uintBig(len: number, end: number): bigint {
  if (pos + len > end) fail("unexpected end of data");
  if (len <= 6) {
    let n = 0;
    for (let i = 0; i < len; i++) n = n * 256 + bytes[pos++];
    return BigInt(n);
  }
  let hex = "0x";
  for (let i = 0; i < len; i++) {
    const b = bytes[pos++];
    hex += (b < 16 ? "0" : "") + b.toString(16);
  }
  return BigInt(hex);
}

/** Ion "Int" field (sign bit + magnitude) as [magnitude, negative]. */
function intField(len: number, end: number): [bigint, boolean] {
  if (len === 0) return [0n, false];
  if (pos + len > end) fail("unexpected end of data");
  const first = bytes[pos++];
  const negative = (first & 0x80) !== 0;
  if (len <= 6) {
    let n = first & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + bytes[pos++];
    return [BigInt(n), negative];
  }
  let hex = "0x" + (first & 0x7f).toString(16).padStart(2, "0");
  for (let i = 1; i < len; i++) {
    const b = bytes[pos++];
    hex += (b < 16 ? "0" : "") + b.toString(16);
  }
  return [BigInt(hex), negative];
}

function text(sid: number): string | null {
  if (sid >= table.length) fail(`symbol ID ${sid} is not in the symbol table`);
  return table[sid];
}

function knownText(sid: number): string {
  const t = text(sid);
  if (t === null) fail(`symbol ID ${sid} has unknown text`);
  return t as string;
}

const codes: number[] = [];

/** `bytes` as a Buffer (same memory), made on the first short string of a decode. */
let bytesAsBuffer: Buffer | undefined;

/**
 * Shortest ASCII string read through Buffer's latin1 decoding rather than char codes. ns per
 * string of 6 / 22 / 32 bytes (this repo's pinned runtimes, 2-core VM):
 *   Bun   fromCharCode.apply 70-81 / 100-103 / 128-133;  buf.toString("latin1") 36 / 39 / 38
 *   Deno  fromCharCode.apply 44 / 62-68 / 83-84;          buf.toString("latin1") 56 / 56 / 56
 * Strings are 12% of a ledger's open under Bun (profile of a 120,000-revision replay).
 */
const LATIN1_FROM = typeof (globalThis as { Bun?: unknown }).Bun === "object" ? 3 : 16;

function decodeString(start: number, end: number): string {
  const len = end - start;
  if (len <= 32) {
    // Short ASCII (ids, field names, most values) without TextDecoder's per-call cost. Built as
    // one flat string, not by `+=`, which leaves rope strings of one node per character that
    // tripled the heap after a replay. Latin-1 decodes ASCII exactly as UTF-8 does.
    for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return utf8.decode(bytes.subarray(start, end));
    if (len >= LATIN1_FROM) {
      bytesAsBuffer ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return bytesAsBuffer.toString("latin1", start, end);
    }
    switch (len) {
      case 0: return "";
      case 1: return String.fromCharCode(bytes[start]);
      case 2: return String.fromCharCode(bytes[start], bytes[start + 1]);
      default: {
        codes.length = len;
        for (let i = 0; i < len; i++) codes[i] = bytes[start + i];
        return String.fromCharCode.apply(null, codes);
      }
    }
  }
  return utf8.decode(bytes.subarray(start, end));
}

function timestamp(end: number): IonValue {
  const [offMag, offNeg] = varInt(end);
  let offset: number | null = offNeg && offMag === 0 ? null : offNeg ? -offMag : offMag;
  const year = varUInt(end);
  let month = 1, day = 1, hour = 0, minute = 0, second = 0;
  let precision: TimestampPrecision = "year";
  let fraction: { coefficient: bigint; exponent: number } | null = null;
  if (pos < end) { month = varUInt(end); precision = "month"; }
  if (pos < end) { day = varUInt(end); precision = "day"; }
  if (pos < end) {
    hour = varUInt(end);
    minute = varUInt(end);
    precision = "minute";
  }
  if (pos < end) { second = varUInt(end); precision = "second"; }
  if (pos < end) {
    const [e, en] = varInt(end);
    const exponent = en ? -e : e;
    const [c, cn] = intField(end - pos, end);
    if (cn && c !== 0n) fail("negative fractional seconds");
    if (exponent >= 0) {
      if (c !== 0n) fail("fractional seconds >= 1");
    } else {
      if (c >= 10n ** BigInt(-exponent)) fail("fractional seconds >= 1");
      fraction = { coefficient: c, exponent };
    }
  }
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    fail("timestamp date out of range");
  }
  if (hour > 23 || minute > 59 || second > 59) fail("timestamp time out of range");
  if (offset !== null && (offset <= -1440 || offset >= 1440)) fail("timestamp offset out of range");
  if (precision === "year" || precision === "month" || precision === "day") offset = null;
  else if (offset) {
    const local = shiftMinutes(year, month, day, hour, minute, offset);
    if (local[0] < 1 || local[0] > 9999) fail("timestamp year out of range");
    return {
      kind: "timestamp", precision, offset,
      year: local[0], month: local[1], day: local[2], hour: local[3], minute: local[4], second, fraction,
    };
  }
  return { kind: "timestamp", precision, offset, year, month, day, hour, minute, second, fraction };
}

/** Reads one value (the type descriptor at `pos`), or returns null for a NOP pad. */
function value(end: number, depth: number): IonValue | null {
  if (depth > MAX_DEPTH) throw depthError();
  const td = byte(end);
  const t = td >> 4;
  let len = td & 0x0f;
  if (t === 15) fail("reserved type code 0xF");
  if (len === 15) {
    if (t === 14) fail("annotation wrapper cannot be null");
    if (t === 0) return { kind: "null", of: "null" };
    return { kind: "null", of: TYPE_NAME[t] };
  }
  if (t === 1) {
    if (len > 1) fail("invalid bool length");
    return { kind: "bool", value: len === 1 };
  }
  if (len === 14 || (t === 13 && len === 1)) {
    len = varUInt(end);
    if (t === 13 && td === 0xd1 && len === 0) fail("sorted struct cannot be empty");
  }
  const vend = pos + len;
  if (vend > end) fail("value length runs past its container");
  switch (t) {
    case 0:
      pos = vend;
      return null;
    case 2:
    case 3: {
      const m = uintBig(len, vend);
      if (t === 3 && m === 0n) fail("negative zero int");
      return { kind: "int", value: t === 3 ? -m : m };
    }
    case 4: {
      if (len === 0) return { kind: "float", value: 0 };
      if (len !== 4 && len !== 8) fail("float length must be 0, 4 or 8");
      for (let i = 0; i < len; i++) f32.setUint8(i, bytes[pos + i]);
      pos = vend;
      return { kind: "float", value: len === 4 ? f32.getFloat32(0) : f32.getFloat64(0) };
    }
    case 5: {
      if (len === 0) return { kind: "decimal", coefficient: 0n, exponent: 0, negative: false };
      const [e, en] = varInt(vend);
      const [c, negative] = intField(vend - pos, vend);
      return { kind: "decimal", coefficient: c, exponent: en ? -e : e, negative };
    }
    case 6: {
      const v = timestamp(vend);
      if (pos !== vend) fail("timestamp length mismatch");
      return v;
    }
    case 7: {
      const sid = Number(uintBig(len, vend));
      return { kind: "symbol", text: sid === 0 ? null : text(sid) };
    }
    case 8: {
      const s = decodeString(pos, vend);
      pos = vend;
      return { kind: "string", value: s };
    }
    case 9:
    case 10: {
      // Short lobs (the journal's hashes) by a loop: TypedArray slice's generic path cost more.
      const n = vend - pos;
      let b: Uint8Array;
      if (n <= 64) {
        b = new Uint8Array(n);
        for (let i = 0; i < n; i++) b[i] = bytes[pos + i];
      } else b = bytes.slice(pos, vend);
      pos = vend;
      return { kind: t === 9 ? "clob" : "blob", bytes: b };
    }
    case 11:
    case 12: {
      const items: IonValue[] = [];
      while (pos < vend) {
        const item = value(vend, depth + 1);
        if (item !== null) items.push(item);
      }
      return { kind: t === 11 ? "list" : "sexp", items };
    }
    case 13: {
      const fields: IonField[] = [];
      while (pos < vend) {
        const sid = varUInt(vend);
        const item = value(vend, depth + 1);
        if (item !== null) fields.push([knownText(sid), item]);
      }
      return { kind: "struct", fields };
    }
    case 14: {
      if (len < 3) fail("annotation wrapper too short");
      const annLen = varUInt(vend);
      const annEnd = pos + annLen;
      if (annLen === 0 || annEnd > vend) fail("bad annotation length");
      const annotations: string[] = [];
      while (pos < annEnd) annotations.push(knownText(varUInt(annEnd)));
      if (pos >= vend) fail("annotation wrapper without a value");
      const inner = bytes[pos] >> 4;
      if (inner === 14 || (inner === 0 && (bytes[pos] & 0x0f) !== 0x0f)) fail("invalid value in annotation wrapper");
      const v = value(vend, depth) as IonValue;
      if (pos !== vend) fail("annotation wrapper length mismatch");
      return { ...v, annotations };
    }
  }
  return fail("unreachable");
}

/** Applies a top-level `$ion_symbol_table::{...}` struct to the current table. */
function loadSymbolTable(st: IonValue, catalog: SymbolCatalog): void {
  if (st.kind !== "struct") return;
  let next: (string | null)[] = SYSTEM_SYMBOLS.slice();
  for (const [name, v] of st.fields) {
    if (name === "imports") {
      if (v.kind === "symbol" && v.text === "$ion_symbol_table") next = table.slice();
      else if (v.kind === "list") for (const item of v.items) importShared(next, item, catalog);
    }
  }
  for (const [name, v] of st.fields) {
    if (name === "symbols" && v.kind === "list") {
      for (const s of v.items) next.push(s.kind === "string" ? s.value : null);
    }
  }
  table = next;
}

/** Appends the symbols of one `imports` entry `{name, version, max_id}` to `next`. */
function importShared(next: (string | null)[], entry: IonValue, catalog: SymbolCatalog): void {
  if (entry.kind !== "struct") return;
  let name: string | undefined;
  let version = 1;
  let maxId: number | undefined;
  for (const [field, v] of entry.fields) {
    if (field === "name" && v.kind === "string") name = v.value;
    else if (field === "version" && v.kind === "int" && v.value >= 1n) version = Number(v.value);
    else if (field === "max_id" && v.kind === "int" && v.value >= 0n) {
      if (v.value > BigInt(limits.maxImportedSymbols)) fail(`an import's max_id of ${v.value} exceeds limits.maxImportedSymbols`);
      maxId = Number(v.value);
    }
  }
  // Imports without a name (or of the system table) are ignored, as the spec says.
  if (name === undefined || name === "$ion") return;
  const found = catalog.find((t) => t.name === name && t.version === version);
  if (found === undefined && maxId === undefined) fail(`shared symbol table ${name} version ${version} is not in the catalog`);
  const count = maxId ?? found!.symbols.length;
  // The bound is on every import of the table together: many imports must not add up to a hang.
  if (next.length + count > SYSTEM_SYMBOLS.length + limits.maxImportedSymbols) {
    fail(`the imports of a symbol table declare more than limits.maxImportedSymbols symbols`);
  }
  const texts = importedTexts(found, count);
  for (let i = 0; i < texts.length; i++) next.push(texts[i]);
}

/**
 * The texts an import of `count` symbols of `table` brings (null past the table's end, or for a
 * table not in the catalog), kept per table and count: every journal record imports the block
 * symbols, and building the list per record was 7% of a ledger's open (bun:jsc profile).
 */
const importedByTable = new WeakMap<SharedSymbolTable, Map<number, readonly (string | null)[]>>();

function importedTexts(table: SharedSymbolTable | undefined, count: number): readonly (string | null)[] {
  if (table === undefined) return new Array<null>(count).fill(null);
  let byCount = importedByTable.get(table);
  if (byCount === undefined) {
    byCount = new Map();
    importedByTable.set(table, byCount);
  }
  let texts = byCount.get(count);
  if (texts === undefined) {
    texts = Array.from({ length: count }, (_, i) => (i < table.symbols.length ? table.symbols[i] : null));
    // A few counts per table in practice; a hostile stream could ask for many.
    if (byCount.size < 16) byCount.set(count, texts);
  }
  return texts;
}

/**
 * Decodes an Ion 1.0 binary stream into its top-level values, resolving shared-table imports
 * against `catalog`. Throws LedgerError ION_PARSE_ERROR for malformed input (with the byte
 * offset) and LIMIT_EXCEEDED for nesting deeper than limits.maxValueDepth.
 */
export function decodeBinary(input: Uint8Array, catalog: SymbolCatalog = []): IonValue[] {
  if (!(input instanceof Uint8Array)) throw new LedgerError("TYPE_ERROR", "decodeBinary takes the bytes as a Uint8Array");
  bytes = input;
  bytesAsBuffer = undefined;
  pos = 0;
  table = SYSTEM_SYMBOLS;
  const end = input.length;
  const out: IonValue[] = [];
  try {
    if (end < 4 || input[0] !== 0xe0 || input[1] !== 0x01 || input[2] !== 0x00 || input[3] !== 0xea) {
      fail("missing Ion 1.0 binary version marker");
    }
    while (pos < end) {
      if (bytes[pos] === 0xe0) {
        if (pos + 4 > end || bytes[pos + 1] !== 0x01 || bytes[pos + 2] !== 0x00 || bytes[pos + 3] !== 0xea) {
          fail("unsupported Ion version marker");
        }
        pos += 4;
        table = SYSTEM_SYMBOLS;
        continue;
      }
      const v = value(end, 1);
      if (v === null) continue;
      if (v.kind === "struct" && v.annotations !== undefined && v.annotations[0] === "$ion_symbol_table") {
        loadSymbolTable(v, catalog);
        continue;
      }
      out.push(v);
    }
    return out;
  } catch (e) {
    if (isLedgerError(e)) throw e;
    if (e instanceof ParseFailure || e instanceof TypeError || e instanceof RangeError) {
      throw new LedgerError("ION_PARSE_ERROR", `invalid Ion binary at byte ${pos}: ${e.message}`, { offset: pos }, e);
    }
    throw e;
  } finally {
    bytes = NO_BYTES;
    bytesAsBuffer = undefined;
  }
}

/**
 * Direct access to the reader for decoders of one fixed layout (the journal's blocks,
 * ledger/block-decode.ts) that would otherwise build a value tree only to take it apart. Each
 * read checks the type it expects and gives `undefined` (or -1) when the bytes hold something
 * else; the caller then hands the whole input to decodeBinary, so malformed input is still
 * reported by one reader, with its messages. Bounds are checked as everywhere in this file; a
 * read past `end` throws, and the caller treats a throw like a mismatch. Not reentrant: no
 * decodeBinary call may happen between begin() and end().
 */
export const binaryCursor = {
  /** Starts reading `input` at its first byte, with the system symbol table. */
  begin(input: Uint8Array): void {
    bytes = input;
    bytesAsBuffer = undefined;
    pos = 0;
    table = SYSTEM_SYMBOLS;
  },
  /** Lets go of the input. */
  end(): void {
    bytes = NO_BYTES;
    bytesAsBuffer = undefined;
    table = SYSTEM_SYMBOLS;
  },
  get pos(): number {
    return pos;
  },
  /** Consumes `expected` if the input continues with exactly those bytes, all before `end`. */
  match(expected: Uint8Array, end: number): boolean {
    if (pos + expected.length > end || !binaryCursor.sameBytes(pos, pos + expected.length, expected)) return false;
    pos += expected.length;
    return true;
  },
  /**
   * The symbol table for what follows: the system symbols, then `shared`'s texts from SID 10,
   * then `local`'s. The array is kept for the next call with the same `shared` (a fresh one per
   * journal record was a tenth of a ledger's open); nothing outside a decode holds it.
   */
  useSymbols(shared: readonly string[], local: readonly string[]): void {
    if (cursorShared !== shared) {
      cursorShared = shared;
      cursorTable = SYSTEM_SYMBOLS.concat(shared);
    }
    const base = SYSTEM_SYMBOLS.length + shared.length;
    cursorTable.length = base;
    for (let i = 0; i < local.length; i++) cursorTable.push(local[i]);
    table = cursorTable;
  },
  /** The text of a symbol ID in the current table (undefined: unknown text or out of range). */
  symbolText(sid: number): string | undefined {
    return sid < table.length ? table[sid] ?? undefined : undefined;
  },
  varUInt(end: number): number {
    return varUInt(end);
  },
  /**
   * A non-null container of type code `t` (11 list, 13 struct, 14 annotation wrapper): the
   * position its content ends at, with `pos` at its first byte; -1 for anything else (a sorted
   * struct included, which only a writer other than Quire's would produce).
   */
  container(t: number, end: number): number {
    if (t === 13 && pos < end && bytes[pos] === 0xd1) return -1;
    return scalar(t, end);
  },
  /**
   * A string (type 8, not null, no annotations). When its bytes spell `likely` (an ASCII text
   * the caller expects, such as the previous record's), that string is returned, not a new one:
   * the same texts recur in every journal record, and decoding them was a sixth of an open.
   */
  string(end: number, likely?: string): string | undefined {
    const vend = scalar(8, end);
    if (vend < 0) return undefined;
    const n = vend - pos;
    if (likely !== undefined && likely.length === n) {
      let i = 0;
      while (i < n && bytes[pos + i] < 0x80 && likely.charCodeAt(i) === bytes[pos + i]) i++;
      if (i === n) {
        pos = vend;
        return likely;
      }
    }
    const s = decodeString(pos, vend);
    pos = vend;
    return s;
  },
  /**
   * For a non-null scalar of type code `t` (no annotations): its content's end, with `pos` at
   * its first content byte (read it with sameBytes, then skip to the end); -1 for anything else.
   */
  scalar(t: number, end: number): number {
    return scalar(t, end);
  },
  /** Whether the input's bytes [start, end) equal `other`. */
  sameBytes(start: number, end: number, other: Uint8Array): boolean {
    if (end - start !== other.length) return false;
    for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false;
    return true;
  },
  /** Whether the input's bytes [start, end) equal its bytes [otherStart, otherEnd). */
  sameSpans(start: number, end: number, otherStart: number, otherEnd: number): boolean {
    if (end - start !== otherEnd - otherStart) return false;
    for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false;
    return true;
  },
  /** A copy of the input's bytes [start, end). */
  copy(start: number, end: number): Uint8Array {
    return bytes.slice(start, end);
  },
  /** Moves to `at` (within the input). */
  seek(at: number): void {
    pos = at;
  },
  /**
   * A blob (type 10, not null, no annotations), copied out of the input. One of 32 bytes, a
   * SHA-256 hash as every blob of a block is, is copied by keepDigest (outside Bun, a view of a
   * shared slab: an ArrayBuffer each cost Deno ~1.25 µs, a fifth of an open).
   */
  blob(end: number): Uint8Array | undefined {
    const vend = scalar(10, end);
    if (vend < 0) return undefined;
    const start = pos;
    pos = vend;
    return vend - start === 32 ? keepDigest(bytes, start) : bytes.slice(start, vend);
  },
  /** A non-negative int (type 2) up to Number.MAX_SAFE_INTEGER; -1 for anything else. */
  uint(end: number): number {
    const vend = scalar(2, end);
    if (vend < 0 || vend - pos > 7) return -1;
    let n = 0;
    while (pos < vend) n = n * 256 + bytes[pos++];
    // Above 2^53 the sum rounds, but never below 2^53, so nothing unsafe passes.
    return n <= Number.MAX_SAFE_INTEGER ? n : -1;
  },
  /** A timestamp (type 6, not null, no annotations), validated as decodeBinary validates it. */
  timestamp(end: number): IonTimestamp | undefined {
    const vend = scalar(6, end);
    if (vend < 0) return undefined;
    const v = timestamp(vend);
    if (pos !== vend) fail("timestamp length mismatch");
    return v as IonTimestamp;
  },
  /** Any one value, as decodeBinary reads it (null for a NOP pad). */
  value(end: number, depth: number): IonValue | null {
    return value(end, depth);
  },
};

/** binaryCursor.useSymbols' table, and the shared texts it was made for. */
let cursorTable: (string | null)[] = [];
let cursorShared: readonly string[] | undefined;

/** For a value of type code `t` at `pos` (not null): its end, with `pos` at its content; else -1. */
function scalar(t: number, end: number): number {
  if (pos >= end || bytes[pos] >> 4 !== t) return -1;
  let len = bytes[pos] & 0x0f;
  if (len === 15) return -1;
  pos++;
  if (len === 14) len = varUInt(end);
  const vend = pos + len;
  return vend > end ? -1 : vend;
}
