/**
 * Ion 1.0 binary writer for the value model, written for speed on the commit path
 * (ion-js's writer builds a tree of node objects per value).
 *
 * Layout: IVM `E0 01 00 EA`, one local symbol table `$ion_symbol_table::{symbols:[...]}`
 * holding every field name, annotation and symbol text of the batch (local SIDs from 10), then
 * the values. The body is written first (interning symbols as they appear) so the table can be
 * emitted in front of it with a single copy.
 *
 * Containers and annotation wrappers reserve one header byte, write their content, and shift
 * the content right only when its length needs a VarUInt (>= 14 bytes). Timestamps are written
 * as UTC fields plus the offset (unknown offset = VarInt -0, `C0`), floats as 8 bytes except
 * +0e0 (zero-length), decimals as VarInt exponent + signed-magnitude Int coefficient (`-0` kept).
 */
import { LedgerError } from "../errors.ts";
import { MAX_DEPTH, depthError } from "./depth.ts";
import { shiftMinutes } from "./utc.ts";
import type { IonDecimal, IonTimestamp, IonType, IonValue } from "./value.ts";

const TYPE_CODE: Record<IonType, number> = {
  null: 0, bool: 1, int: 2, float: 4, decimal: 5, timestamp: 6, symbol: 7, string: 8,
  clob: 9, blob: 10, list: 11, sexp: 12, struct: 13,
};
const FIRST_LOCAL_SID = 10;
const textEncoder = new TextEncoder();

let buf = new Uint8Array(1 << 16);
let pos = 0;
let symbols = new Map<string, number>();
let symbolList: string[] = [];
const f64 = new DataView(new ArrayBuffer(8));

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
}

function sid(text: string): number {
  let id = symbols.get(text);
  if (id === undefined) {
    id = FIRST_LOCAL_SID + symbolList.length;
    symbols.set(text, id);
    symbolList.push(text);
  }
  return id;
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
  const len = varUIntLength(n);
  for (let i = len - 1; i >= 0; i--) {
    buf[pos + i] = (n & 0x7f) | (i === len - 1 ? 0x80 : 0);
    n = Math.floor(n / 128);
  }
  pos += len;
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

/** Reserves one header byte at `start`; after the content is written, fixes the header. */
function closeHeader(start: number, typeCode: number): void {
  const len = pos - start - 1;
  if (len < 14) {
    buf[start] = (typeCode << 4) | len;
    return;
  }
  const extra = varUIntLength(len);
  ensure(extra);
  buf.copyWithin(start + 1 + extra, start + 1, pos);
  buf[start] = (typeCode << 4) | 0x0e;
  let n = len;
  for (let i = extra - 1; i >= 0; i--) {
    buf[start + 1 + i] = (n & 0x7f) | (i === extra - 1 ? 0x80 : 0);
    n = Math.floor(n / 128);
  }
  pos += extra;
}

function loneSurrogate(): LedgerError {
  return new LedgerError("TYPE_ERROR", "string contains a lone surrogate, which UTF-8 cannot encode");
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
    closeHeader(start, typeCode);
    return;
  }
  ensure(n * 3 + 2);
  const start = pos++;
  let p = pos;
  const out = buf;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) out[p++] = c;
    else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) throw loneSurrogate();
      i++;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      out[p++] = 0xf0 | (c >> 18);
      out[p++] = 0x80 | ((c >> 12) & 63);
      out[p++] = 0x80 | ((c >> 6) & 63);
      out[p++] = 0x80 | (c & 63);
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 63);
      out[p++] = 0x80 | (c & 63);
    }
  }
  pos = p;
  closeHeader(start, typeCode);
}

function writeDecimal(d: IonDecimal): void {
  const start = pos;
  ensure(1);
  pos++;
  if (d.coefficient !== 0n || d.exponent !== 0 || d.negative) {
    writeVarInt(d.exponent, d.exponent < 0);
    if (d.coefficient !== 0n || d.negative) writeMagnitude(d.coefficient, true, d.negative);
  }
  closeHeader(start, 5);
}

function writeTimestamp(t: IonTimestamp): void {
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
  closeHeader(start, 6);
}

function writeBytes(typeCode: number, bytes: Uint8Array): void {
  const start = pos;
  ensure(bytes.length + 1);
  pos++;
  buf.set(bytes, pos);
  pos += bytes.length;
  closeHeader(start, typeCode);
}

function writeSid(typeCode: number, id: number): void {
  const start = pos;
  ensure(1);
  pos++;
  if (id !== 0) writeMagnitude(BigInt(id), false, false);
  closeHeader(start, typeCode);
}

function write(v: IonValue, depth: number): void {
  if (depth > MAX_DEPTH) throw depthError();
  const ann = v.annotations;
  let wrapStart = -1;
  if (ann !== undefined && ann.length > 0) {
    wrapStart = pos;
    ensure(1);
    pos++;
    // annot_length is a VarUInt in front of the SIDs; SIDs are usually 1 byte each, so write
    // them first and shift in the length (rarely more than one byte).
    const lenAt = pos;
    for (let i = 0; i < ann.length; i++) writeVarUInt(sid(ann[i]));
    const annLen = pos - lenAt;
    const extra = varUIntLength(annLen);
    ensure(extra);
    buf.copyWithin(lenAt + extra, lenAt, pos);
    let n = annLen;
    for (let i = extra - 1; i >= 0; i--) {
      buf[lenAt + i] = (n & 0x7f) | (i === extra - 1 ? 0x80 : 0);
      n = Math.floor(n / 128);
    }
    pos += extra;
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
      const neg = v.value < 0n;
      const m = neg ? -v.value : v.value;
      const len = magnitudeLength(m);
      if (len < 14) {
        ensure(1);
        buf[pos++] = (neg ? 0x30 : 0x20) | len;
        writeMagnitude(m, false, false);
      } else {
        const start = pos;
        ensure(1);
        pos++;
        writeMagnitude(m, false, false);
        closeHeader(start, neg ? 3 : 2);
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
      const start = pos;
      ensure(1);
      pos++;
      const items = v.items;
      for (let i = 0; i < items.length; i++) write(items[i], depth + 1);
      closeHeader(start, v.kind === "list" ? 11 : 12);
      break;
    }
    case "struct": {
      const start = pos;
      ensure(1);
      pos++;
      const fields = v.fields;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        writeVarUInt(sid(f[0]));
        write(f[1], depth + 1);
      }
      closeHeader(start, 13);
      break;
    }
    default:
      throw new LedgerError("TYPE_ERROR", `not an Ion value (kind ${String((v as { kind?: unknown }).kind)})`);
  }
  if (wrapStart >= 0) closeHeader(wrapStart, 14);
}

/** `$ion_symbol_table::{symbols:[...]}` for the symbols interned while writing the body. */
function writeSymbolTable(): void {
  // SIDs 3 ($ion_symbol_table) and 7 (symbols) come from the system table.
  const outer = pos;
  ensure(4);
  pos++;
  buf[pos++] = 0x81; // annot_length 1
  buf[pos++] = 0x83; // $ion_symbol_table
  const struct = pos;
  pos++;
  writeVarUInt(7);
  const list = pos;
  ensure(1);
  pos++;
  for (const s of symbolList) writeText(8, s);
  closeHeader(list, 11);
  closeHeader(struct, 13);
  closeHeader(outer, 14);
}

/**
 * Encodes one value or a sequence of top-level values as a complete Ion 1.0 binary stream
 * (IVM, local symbol table, values). Throws TYPE_ERROR for a lone surrogate and
 * LIMIT_EXCEEDED for nesting deeper than limits.maxValueDepth.
 */
export function encodeBinary(values: readonly IonValue[] | IonValue): Uint8Array {
  const list: readonly IonValue[] = Array.isArray(values) ? values : [values as IonValue];
  pos = 0;
  symbols = new Map();
  symbolList = [];
  for (let i = 0; i < list.length; i++) write(list[i], 1);
  const bodyLength = pos;
  const body = buf.slice(0, bodyLength);
  pos = 0;
  ensure(4);
  buf[0] = 0xe0; buf[1] = 0x01; buf[2] = 0x00; buf[3] = 0xea;
  pos = 4;
  if (symbolList.length > 0) writeSymbolTable();
  const out = new Uint8Array(pos + bodyLength);
  out.set(buf.subarray(0, pos));
  out.set(body, pos);
  return out;
}
