/**
 * Ion 1.0 binary writer for the value model, written for speed on the commit path
 * (ion-js's writer builds a tree of node objects per value).
 *
 * Layout: IVM `E0 01 00 EA`, one local symbol table `$ion_symbol_table::{symbols:[...]}`
 * holding every field name, annotation and symbol text of the batch (local SIDs from 10), then
 * the values. A stream begun with a shared symbol table (binaryStream.begin) imports it
 * instead: `$ion_symbol_table::{imports:[{name, version, max_id}], symbols:[...]}`, its texts
 * taking SIDs 10.., the local ones after them. The body is written first (interning symbols as they appear), then the table after
 * it; both are copied into the output, table first, in one pass.
 *
 * Containers and annotation wrappers reserve one header byte and write their content; a length
 * that needs a VarUInt (>= 14 bytes) is inserted during that final copy (see "deferred
 * lengths"). Timestamps are written as UTC fields plus the offset (unknown offset = VarInt -0, `C0`), floats as 8 bytes except
 * +0e0 (zero-length), decimals as VarInt exponent + signed-magnitude Int coefficient (`-0` kept).
 */
import { LedgerError } from "../errors.ts";
import { loneSurrogate, writeUtf8 } from "./utf8.ts";
import { MAX_DEPTH, MAX_NODES, depthError, expansionError } from "./depth.ts";
import { shiftMinutes, timestampRangeError } from "./utc.ts";
import type { SharedSymbolTable } from "./shared-symbols.ts";
import type { IonDecimal, IonTimestamp, IonType, IonValue } from "./value.ts";

const TYPE_CODE: Record<IonType, number> = {
  null: 0, bool: 1, int: 2, float: 4, decimal: 5, timestamp: 6, symbol: 7, string: 8,
  clob: 9, blob: 10, list: 11, sexp: 12, struct: 13,
};
const FIRST_LOCAL_SID = 10;
const textEncoder = new TextEncoder();

let buf = new Uint8Array(1 << 16);
let pos = 0;
const f64 = new DataView(new ArrayBuffer(8));

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
}

// ---- symbols ------------------------------------------------------------------------------
// One Map from text to a slot outlives the calls; a slot's SID counts only when it was given in
// the current call (`slotCall[slot] === call`). A fresh Map per call, filled with ~35 names a
// block, was 27% of encodeBinary's time (and `sid` 9.7% of a commit's CPU in the commit
// benchmark's profile, 3.7% after). With the deferred lengths below, encodeBinary of a
// one-insert block went 3.5 µs → 2.95 µs.
const MAX_REMEMBERED_SYMBOLS = 4096;
const slotOf = new Map<string, number>();
let slotCall = new Int32Array(256);
let slotSid = new Int32Array(256);
let call = 0;
/** The shared table this call imports, and the SID of its first local symbol. */
let shared: SharedSymbolTable | undefined;
let localBase = FIRST_LOCAL_SID;
/** Pin tokens of each shared table's texts, in table order (see importing). */
const sharedTokens = new Map<SharedSymbolTable, number[]>();

/** Texts of the SIDs given in this call, in SID order (SID = localBase + index). */
const symbolList: string[] = [];
let symbolCount = 0;

/** Next free slot (slots are never reused until the map is cleared). */
let nextSlot = 0;
/** Pinned texts (see pinSymbol) and their current slots, by token. */
const pinnedTexts: string[] = [];
const pinnedSlots: number[] = [];

function resetSymbols(): void {
  call = (call + 1) | 0;
  if (slotOf.size >= MAX_REMEMBERED_SYMBOLS || call === 0) {
    slotOf.clear();
    slotCall.fill(0);
    call = 1;
    nextSlot = 0;
    for (let i = 0; i < pinnedTexts.length; i++) {
      const slot = newSlot();
      slotOf.set(pinnedTexts[i], slot);
      pinnedSlots[i] = slot;
    }
  }
  symbolCount = 0;
}

function newSlot(): number {
  const slot = nextSlot++;
  if (slot === slotCall.length) {
    const calls = new Int32Array(slot * 2), sids = new Int32Array(slot * 2);
    calls.set(slotCall);
    sids.set(slotSid);
    slotCall = calls;
    slotSid = sids;
  }
  return slot;
}

function sid(text: string): number {
  let slot = slotOf.get(text);
  if (slot === undefined) {
    slot = newSlot();
    slotOf.set(text, slot);
  }
  return sidAt(slot, text);
}

/** The SID of the text in `slot`, given now if it has none in this call. */
function sidAt(slot: number, text: string): number {
  if (slotCall[slot] === call) return slotSid[slot];
  const id = localBase + symbolCount;
  slotCall[slot] = call;
  slotSid[slot] = id;
  symbolList[symbolCount++] = text;
  return id;
}

/**
 * A token for a text that keeps its slot for good, so a fixed-shape encoder can name a field
 * without a Map lookup (binaryStream.pinnedField). SIDs are still given in order of
 * appearance, so the bytes do not change.
 */
function pinSymbol(text: string): number {
  // One token per text: a text pinned twice would get two slots when the map is cleared.
  const existing = pinnedTexts.indexOf(text);
  if (existing >= 0) return existing;
  let slot = slotOf.get(text);
  if (slot === undefined) {
    slot = newSlot();
    slotOf.set(text, slot);
  }
  pinnedTexts.push(text);
  pinnedSlots.push(slot);
  return pinnedTexts.length - 1;
}

// ---- deferred lengths -----------------------------------------------------------------------
// A container (or string, timestamp, ...) whose length is not known up front gets a one-byte
// type descriptor; if its content turns out to be 14 bytes or more, the VarUInt length that
// belongs after the descriptor is not shifted in (that was one copyWithin per container, ~34%
// of encodeBinary, and a body copy) but recorded as a fixup and inserted when the body is copied into the output,
// which happens anyway. Fixups are numbered in opening order, i.e. by position.
let fixAt = new Int32Array(64); // position of the type descriptor
let fixLen = new Float64Array(64); // length to insert after it, 0 for none
let fixInserted = new Float64Array(64); // `inserted` when the container opened
let fixCount = 0;
/** Total VarUInt bytes recorded by fixups so far: the body grows by this much when copied out. */
let inserted = 0;

/** Reserves the type descriptor byte at `pos`; returns the fixup to pass to close(). */
function open(): number {
  ensure(1);
  return open0(pos++);
}

function open0(at: number): number {
  if (fixCount === fixAt.length) {
    const at = new Int32Array(fixCount * 2), len = new Float64Array(fixCount * 2), ins = new Float64Array(fixCount * 2);
    at.set(fixAt);
    len.set(fixLen);
    ins.set(fixInserted);
    fixAt = at;
    fixLen = len;
    fixInserted = ins;
  }
  fixAt[fixCount] = at;
  fixLen[fixCount] = 0;
  fixInserted[fixCount] = inserted;
  return fixCount++;
}

/** Sets the descriptor of fixup `k` now that its content ends at `pos`. */
function close(k: number, typeCode: number): void {
  const at = fixAt[k];
  const len = pos - at - 1 + (inserted - fixInserted[k]);
  if (len < 14) {
    buf[at] = (typeCode << 4) | len;
    return;
  }
  buf[at] = (typeCode << 4) | 0x0e;
  fixLen[k] = len;
  inserted += varUIntLength(len);
}

/**
 * Sets the descriptor at `at` for a scalar (string, timestamp, ...) that ends at `pos`. No
 * container opens inside a scalar, so its fixup, pushed now, still lands in position order.
 */
function closeScalar(at: number, typeCode: number): void {
  const len = pos - at - 1;
  if (len < 14) {
    buf[at] = (typeCode << 4) | len;
    return;
  }
  const k = open0(at);
  buf[at] = (typeCode << 4) | 0x0e;
  fixLen[k] = len;
  inserted += varUIntLength(len);
}

/** A type descriptor (and length) for content whose length is known before it is written. */
function writeHeader(typeCode: number, len: number): void {
  ensure(1);
  if (len < 14) buf[pos++] = (typeCode << 4) | len;
  else {
    buf[pos++] = (typeCode << 4) | 0x0e;
    writeVarUInt(len);
  }
}

function putVarUInt(out: Uint8Array, at: number, n: number): number {
  const len = varUIntLength(n);
  for (let i = len - 1; i >= 0; i--) {
    out[at + i] = (n & 0x7f) | (i === len - 1 ? 0x80 : 0);
    n = Math.floor(n / 128);
  }
  return at + len;
}

/** Copies buf[from, to) to out at `o`, inserting the lengths of fixups [k, fixCount) inside it. */
function copyOut(out: Uint8Array, o: number, from: number, to: number, k: number): number {
  let src = from;
  for (; k < fixCount && fixAt[k] < to; k++) {
    if (fixLen[k] === 0) continue;
    const cut = fixAt[k] + 1;
    o = copyBytes(out, o, src, cut);
    o = putVarUInt(out, o, fixLen[k]);
    src = cut;
  }
  return copyBytes(out, o, src, to);
}

function copyBytes(out: Uint8Array, o: number, from: number, to: number): number {
  // A byte loop beats subarray + set (an allocation and a native call) for the runs between
  // fixups, which are rarely long: 3.15 µs → 2.95 µs per block with set() above 64 bytes.
  const b = buf;
  if (to - from > 256) out.set(b.subarray(from, to), o);
  else for (let i = from, j = o; i < to; i++, j++) out[j] = b[i];
  return o + to - from;
}

function varUIntLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarUInt(n: number): void {
  ensure(8);
  if (n < 0x80) {
    buf[pos++] = 0x80 | n;
    return;
  }
  pos = putVarUInt(buf, pos, n);
}

function writeVarInt(n: number, negative: boolean): void {
  ensure(8);
  let m = Math.abs(n);
  if (m < 0x40) {
    buf[pos++] = 0x80 | (negative ? 0x40 : 0) | m;
    return;
  }
  let len = 1;
  for (let x = m / 64; x >= 1; x = x / 128) len++;
  for (let i = len - 1; i > 0; i--) {
    buf[pos + i] = (m & 0x7f) | (i === len - 1 ? 0x80 : 0);
    m = Math.floor(m / 128);
  }
  buf[pos] = (negative ? 0x40 : 0) | (m & 0x3f);
  pos += len;
}

/** Writes a non-negative bigint big-endian; `signed` reserves the top bit for `negative`. */
function writeMagnitude(m: bigint, signed: boolean, negative: boolean): void {
  if (m <= 0xffffffffn) {
    const n = Number(m);
    const len = n === 0 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    ensure(5);
    let shift = (len - 1) * 8;
    if (signed) {
      const top = len === 0 ? 0x80 : (n >>> shift) & 0xff;
      if (top & 0x80) buf[pos++] = negative ? 0x80 : 0;
      else {
        buf[pos++] = top | (negative ? 0x80 : 0);
        shift -= 8;
      }
    }
    for (; shift >= 0; shift -= 8) buf[pos++] = (n >>> shift) & 0xff;
    return;
  }
  let hex = m.toString(16);
  if (hex.length & 1) hex = "0" + hex;
  ensure(hex.length / 2 + 1);
  let first = parseInt(hex.slice(0, 2), 16);
  if (signed) {
    if (first & 0x80) buf[pos++] = negative ? 0x80 : 0;
    else if (negative) first |= 0x80;
  }
  buf[pos++] = first;
  for (let i = 2; i < hex.length; i += 2) buf[pos++] = parseInt(hex.slice(i, i + 2), 16);
}

function magnitudeLength(m: bigint): number {
  if (m === 0n) return 0;
  if (m <= 0xffffffffn) {
    const n = Number(m);
    return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
  }
  return (m.toString(16).length + 1) >> 1;
}


/** Writes type header + UTF-8 of `s`. Short strings are encoded inline; long ones by TextEncoder. */
function writeText(typeCode: number, s: string): void {
  const n = s.length;
  if (n > 64) {
    if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) throw loneSurrogate();
    const start = pos;
    ensure(n * 3 + 1);
    pos++;
    pos += textEncoder.encodeInto(s, buf.subarray(pos)).written;
    closeScalar(start, typeCode);
    return;
  }
  ensure(n * 3 + 2);
  const start = pos++;
  // ASCII inline; writeUtf8 from the first other unit. Symbol-table names and most document
  // strings are ASCII: encodeBlock of a one-insert block 2.93 µs → 2.75 µs.
  const b = buf;
  let p = pos, i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    b[p++] = c;
  }
  pos = i === n ? p : writeUtf8(s, b, pos);
  closeScalar(start, typeCode);
}

function writeDecimal(d: IonDecimal): void {
  // The last line of defence, as for timestamps: a non-integer exponent would loop forever or
  // write a VarInt with no end bit (values from outside are checked earlier, in fromJS).
  if (!Number.isSafeInteger(d.exponent) || typeof d.coefficient !== "bigint" || d.coefficient < 0n) {
    throw new LedgerError("TYPE_ERROR", "a decimal cannot be written as Ion: its exponent must be an integer and its coefficient a bigint ≥ 0");
  }
  const start = pos;
  ensure(1);
  pos++;
  if (d.coefficient !== 0n || d.exponent !== 0 || d.negative) {
    writeVarInt(d.exponent, d.exponent < 0);
    if (d.coefficient !== 0n || d.negative) writeMagnitude(d.coefficient, true, d.negative);
  }
  closeScalar(start, 5);
}

/**
 * The last frozen timestamps checked: a frozen one cannot have changed since. The commit clock's
 * timestamps are frozen and shared by every block of a millisecond (ledger/clock.ts); checking
 * each of a block's three again was 5% of a commit's CPU with 64 writers (bun:jsc profile).
 * Two slots, not a WeakSet: the store keeps every block's txTime, so a set would gain an entry
 * per millisecond committed in for good, and V8 aborts the process once a weak table passes
 * about 2^25 entries.
 */
let checkedFrozenA: IonTimestamp | undefined;
let checkedFrozenB: IonTimestamp | undefined;

function writeTimestamp(t: IonTimestamp): void {
  // The last line of defence: binary Ion that no reader accepts must never reach the journal.
  if (t !== checkedFrozenA && t !== checkedFrozenB) {
    const why = timestampRangeError(t);
    if (why !== undefined) throw new LedgerError("TYPE_ERROR", `a timestamp cannot be written as Ion: ${why}`);
    if (Object.isFrozen(t) && (t.fraction === null || Object.isFrozen(t.fraction))) {
      checkedFrozenB = checkedFrozenA;
      checkedFrozenA = t;
    }
  }
  const start = pos;
  ensure(1);
  pos++;
  const p = t.precision;
  if (t.offset === null) writeVarInt(0, true);
  else writeVarInt(t.offset, t.offset < 0);
  let { year, month, day, hour, minute } = t;
  if ((p === "minute" || p === "second") && t.offset) {
    [year, month, day, hour, minute] = shiftMinutes(year, month, day, hour, minute, -t.offset);
  }
  writeVarUInt(year);
  if (p !== "year") {
    writeVarUInt(month);
    if (p !== "month") {
      writeVarUInt(day);
      if (p !== "day") {
        writeVarUInt(hour);
        writeVarUInt(minute);
        if (p === "second") {
          writeVarUInt(t.second);
          const f = t.fraction;
          if (f) {
            writeVarInt(f.exponent, f.exponent < 0);
            if (f.coefficient !== 0n) writeMagnitude(f.coefficient, true, false);
          }
        }
      }
    }
  }
  closeScalar(start, 6);
}

function writeBytes(typeCode: number, bytes: Uint8Array): void {
  const n = bytes.length;
  writeHeader(typeCode, n);
  ensure(n);
  // Most blobs here are 32-byte hashes (seven per block), where set()'s native call cost more
  // than a byte loop: 2.0% of a commit's CPU in the 64-writer profile.
  if (n > 64) buf.set(bytes, pos);
  else for (let i = 0, b = buf, p = pos; i < n; i++) b[p + i] = bytes[i];
  pos += n;
}

function writeSid(typeCode: number, id: number): void {
  const m = BigInt(id);
  writeHeader(typeCode, magnitudeLength(m));
  writeMagnitude(m, false, false);
}

/**
 * Values encodeBinary may still write (limits.maxValueNodes): a value that repeats a subtree is
 * written once per place it appears, so 26 doublings made a 220 MB stream from a few objects.
 * binaryStream's callers (the block encoder) write documents a transaction was already held to
 * that budget for, plus the block around them, and are not counted.
 */
let left = Infinity;

function write(v: IonValue, depth: number): void {
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  const ann = v.annotations;
  let wrap = -1;
  if (ann !== undefined && ann.length > 0) {
    wrap = open();
    // annot_length (a VarUInt) comes before the SIDs.
    let annLen = 0;
    for (let i = 0; i < ann.length; i++) annLen += varUIntLength(sid(ann[i]));
    writeVarUInt(annLen);
    for (let i = 0; i < ann.length; i++) writeVarUInt(sid(ann[i]));
  }
  switch (v.kind) {
    case "null":
      ensure(1);
      buf[pos++] = (TYPE_CODE[v.of] << 4) | 0x0f;
      break;
    case "bool":
      ensure(1);
      buf[pos++] = v.value ? 0x11 : 0x10;
      break;
    case "int": {
      if (typeof v.value !== "bigint") throw new LedgerError("TYPE_ERROR", "an int cannot be written as Ion: its value is not a bigint");
      const neg = v.value < 0n;
      const m = neg ? -v.value : v.value;
      const len = magnitudeLength(m);
      if (len < 14) {
        ensure(1);
        buf[pos++] = (neg ? 0x30 : 0x20) | len;
        writeMagnitude(m, false, false);
      } else {
        writeHeader(neg ? 3 : 2, len);
        writeMagnitude(m, false, false);
      }
      break;
    }
    case "float": {
      const x = v.value;
      ensure(9);
      if (x === 0 && 1 / x > 0) buf[pos++] = 0x40;
      else {
        buf[pos++] = 0x48;
        if (x !== x) {
          buf[pos] = 0x7f; buf[pos + 1] = 0xf8;
          for (let i = 2; i < 8; i++) buf[pos + i] = 0;
        } else {
          f64.setFloat64(0, x);
          for (let i = 0; i < 8; i++) buf[pos + i] = f64.getUint8(i);
        }
        pos += 8;
      }
      break;
    }
    case "decimal": writeDecimal(v); break;
    case "timestamp": writeTimestamp(v); break;
    case "symbol": writeSid(7, v.text === null ? 0 : sid(v.text)); break;
    case "string": writeText(8, v.value); break;
    case "clob": writeBytes(9, v.bytes); break;
    case "blob": writeBytes(10, v.bytes); break;
    case "list":
    case "sexp": {
      const k = open();
      const items = v.items;
      for (let i = 0; i < items.length; i++) write(items[i], depth + 1);
      close(k, v.kind === "list" ? 11 : 12);
      break;
    }
    case "struct": {
      const k = open();
      const fields = v.fields;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        writeVarUInt(sid(f[0]));
        write(f[1], depth + 1);
      }
      close(k, 13);
      break;
    }
    default:
      throw new LedgerError("TYPE_ERROR", `not an Ion value (kind ${String((v as { kind?: unknown }).kind)})`);
  }
  if (wrap >= 0) close(wrap, 14);
}

/** `$ion_symbol_table::{imports:[…]?, symbols:[...]}` for the symbols interned while writing the body. */
function writeSymbolTable(): void {
  // SIDs 3 ($ion_symbol_table), 4 (name), 5 (version), 6 (imports), 7 (symbols) and 8 (max_id)
  // come from the system table.
  const outer = open();
  ensure(2);
  buf[pos++] = 0x81; // annot_length 1
  buf[pos++] = 0x83; // $ion_symbol_table
  const struct = open();
  if (shared !== undefined) {
    writeVarUInt(6);
    const imports = open();
    const entry = open();
    writeVarUInt(4);
    writeText(8, shared.name);
    writeVarUInt(5);
    writeUint(shared.version);
    writeVarUInt(8);
    writeUint(shared.symbols.length);
    close(entry, 13);
    close(imports, 11);
  }
  if (symbolCount > 0) {
    writeVarUInt(7);
    const list = open();
    for (let i = 0; i < symbolCount; i++) writeText(8, symbolList[i]);
    close(list, 11);
  }
  close(struct, 13);
  close(outer, 14);
}

/** A non-negative int below 2^32, as `ion.int(n)` is written. */
function writeUint(n: number): void {
  const len = n === 0 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
  ensure(5);
  buf[pos++] = 0x20 | len;
  for (let shift = (len - 1) * 8; shift >= 0; shift -= 8) buf[pos++] = (n >>> shift) & 0xff;
}

/** Gives the shared table's texts their fixed SIDs (10..) for this call. */
function importing(table: SharedSymbolTable): void {
  let tokens = sharedTokens.get(table);
  if (tokens === undefined) {
    tokens = table.symbols.map((text) => pinSymbol(text));
    sharedTokens.set(table, tokens);
  }
  for (let i = 0; i < tokens.length; i++) {
    const slot = pinnedSlots[tokens[i]];
    slotCall[slot] = call;
    slotSid[slot] = FIRST_LOCAL_SID + i;
  }
  shared = table;
  localBase = FIRST_LOCAL_SID + tokens.length;
}

/**
 * Encodes one value or a sequence of top-level values as a complete Ion 1.0 binary stream
 * (IVM, local symbol table, values), importing `shared` if given. Throws TYPE_ERROR for a lone surrogate and
 * LIMIT_EXCEEDED for nesting deeper than limits.maxValueDepth or more than limits.maxValueNodes
 * values in all (a shared subtree counts wherever it appears).
 */
export function encodeBinary(values: readonly IonValue[] | IonValue, shared?: SharedSymbolTable): Uint8Array {
  if (values === null || typeof values !== "object") throw new LedgerError("TYPE_ERROR", "encodeBinary takes an Ion value or an array of them");
  const list: readonly IonValue[] = Array.isArray(values) ? values : [values as IonValue];
  begin(shared);
  left = MAX_NODES;
  try {
    for (let i = 0; i < list.length; i++) write(list[i], 1);
  } finally {
    left = Infinity;
  }
  return finish();
}

/** Starts a stream; with `table`, one that imports it (see the file header). */
function begin(table?: SharedSymbolTable): void {
  pos = 0;
  fixCount = 0;
  inserted = 0;
  resetSymbols();
  shared = undefined;
  localBase = FIRST_LOCAL_SID;
  if (table !== undefined) importing(table);
}

/**
 * Ends the stream and returns its bytes, in a fresh array or in `alloc(length)` (which must
 * return an array of exactly that length).
 */
function finish(alloc?: (length: number) => Uint8Array): Uint8Array {
  // The symbol table goes in front of the body in the output, so it is written after it here.
  const bodyEnd = pos;
  const bodyFixups = fixCount;
  const bodyInserted = inserted;
  if (symbolCount > 0 || shared !== undefined) writeSymbolTable();
  const length = 4 + (pos - bodyEnd) + (inserted - bodyInserted) + bodyEnd + bodyInserted;
  const out = alloc === undefined ? new Uint8Array(length) : alloc(length);
  out[0] = 0xe0; out[1] = 0x01; out[2] = 0x00; out[3] = 0xea;
  const o = copyOut(out, 4, bodyEnd, pos, bodyFixups);
  copyOut(out, o, 0, bodyEnd, 0);
  if (symbolList.length > MAX_REMEMBERED_SYMBOLS) symbolList.length = 0;
  return out;
}

/**
 * Streaming access to the writer for encoders of fixed shapes (the journal's block encoder in
 * ledger/block-codec.ts) that would otherwise build an IonStruct tree only to have encodeBinary
 * walk it. Calls between begin() and finish() write one Ion stream exactly as encodeBinary
 * would for the equivalent value tree: symbols are interned in the same order of appearance,
 * so the bytes are identical. Not reentrant: no encodeBinary call may happen in between.
 */
export const binaryStream = {
  begin,
  finish,
  /** Opens a struct or list; pass the result to endStruct / endList. */
  open,
  endStruct(k: number): void {
    close(k, 13);
  },
  endList(k: number): void {
    close(k, 11);
  },
  /** A struct field's name (the value follows). */
  field(name: string): void {
    writeVarUInt(sid(name));
  },
  pinSymbol,
  /** A struct field's name given as a pinSymbol token. */
  pinnedField(token: number): void {
    writeVarUInt(sidAt(pinnedSlots[token], pinnedTexts[token]));
  },
  string(s: string): void {
    writeText(8, s);
  },
  blob(bytes: Uint8Array): void {
    writeBytes(10, bytes);
  },
  /** A non-negative safe integer, as `ion.int(n)` would be written. */
  uint(n: number): void {
    if (n < 0x100000000) {
      writeUint(n);
      return;
    }
    const m = BigInt(n);
    ensure(1);
    buf[pos++] = 0x20 | magnitudeLength(m);
    writeMagnitude(m, false, false);
  },
  /** Any value, at nesting depth `depth` (1 = top level) for the depth limit. */
  value(v: IonValue, depth: number): void {
    write(v, depth);
  },
};
