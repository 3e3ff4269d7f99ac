/**
 * Rewrites a ledger's journal as someone with write access to its directory could: blocks
 * decoded, edited, every hash inside them and the chain recomputed, frames re-sealed with the
 * segment's own seed. For tests of what open and verify() must refuse when checksums and hashes
 * all hold. One segment, one block per frame.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  align8,
  decodeSegmentHeader,
  encodeFrame,
  FRAME_HEADER_BYTES,
  frameSeed,
  isZeroHeader,
  readFrameBody,
  readFrameHeader,
  SEGMENT_HEADER_BYTES,
} from "../../engine/journal/format.ts";
import { decodeBinary, encodeBinary } from "../../engine/ion/binary.ts";
import { ionHash } from "../../engine/ion/hash.ts";
import { getField, ion, type IonStruct, type IonValue } from "../../engine/ion/value.ts";
import { BLOCK_SYMBOL_CATALOG, BLOCK_SYMBOLS, metadataFromIon } from "../../engine/ledger/block-codec.ts";
import { revisionHash } from "../../engine/ledger/block.ts";
import { dot, merkleRoot } from "../../engine/ledger/dot.ts";

/** The first segment of the ledger in `dir`. */
export function firstSegment(dir: string): string {
  return path.join(dir, "journal-000001.qj");
}

/** The blocks of a segment, decoded, in journal order. */
export function readBlocks(file: string): IonStruct[] {
  const b = new Uint8Array(fs.readFileSync(file));
  const header = decodeSegmentHeader(b);
  if (typeof header === "string") throw new Error(header);
  const seed = frameSeed(header);
  const blocks: IonStruct[] = [];
  let pos = SEGMENT_HEADER_BYTES;
  while (pos + FRAME_HEADER_BYTES <= b.length && !isZeroHeader(b, pos)) {
    const fh = readFrameHeader(seed, b, pos);
    if (!fh) throw new Error(`no frame header at ${pos}`);
    const records = readFrameBody(seed, b, pos, fh, 1 << 30);
    if (typeof records === "string") throw new Error(records);
    for (const r of records) blocks.push(decodeBinary(r.bytes, BLOCK_SYMBOL_CATALOG)[0] as IonStruct);
    pos += FRAME_HEADER_BYTES + align8(fh.length);
  }
  return blocks;
}

/** Replaces the segment's frames with one frame per block, zeros after them as before. */
export function writeBlocks(file: string, blocks: readonly IonStruct[]): void {
  const old = new Uint8Array(fs.readFileSync(file));
  const header = decodeSegmentHeader(old);
  if (typeof header === "string") throw new Error(header);
  const seed = frameSeed(header);
  const frames = blocks.map((v, i) => encodeFrame(seed, i, [encodeBinary(v, BLOCK_SYMBOLS)]).slice());
  const used = frames.reduce((n, f) => n + f.length, SEGMENT_HEADER_BYTES);
  const out = new Uint8Array(Math.max(old.length, used + 4096));
  out.set(old.subarray(0, SEGMENT_HEADER_BYTES));
  let pos = SEGMENT_HEADER_BYTES;
  for (const f of frames) {
    out.set(f, pos);
    pos += f.length;
  }
  fs.writeFileSync(file, out);
}

/** `s` with field `name` set to `v` (in place of the first such field, else appended). */
export function withField(s: IonStruct, name: string, v: IonValue): IonStruct {
  const i = s.fields.findIndex(([n]) => n === name);
  const fields = [...s.fields];
  if (i >= 0) fields[i] = [name, v];
  else fields.push([name, v]);
  return { ...s, fields };
}

export function field(s: IonValue, name: string): IonValue {
  const v = getField(s as IonStruct, name);
  if (v === undefined) throw new Error(`no field ${name}`);
  return v;
}

/** The block with every hash in it recomputed, on top of `previous` (a block hash, or empty). */
export function rehash(block: IonStruct, previous: Uint8Array): IonStruct {
  const revs = (field(block, "revisions") as unknown as { items: IonStruct[] }).items.map((r) => {
    const data = getField(r, "data") as IonStruct | undefined;
    return withField(r, "hash", ion.blob(revisionHash(metadataFromIon(field(r, "metadata")), data)));
  });
  const list = [merkleRoot(revs.map((r) => (field(r, "hash") as { bytes: Uint8Array }).bytes)), ionHash(field(block, "transactionInfo"))];
  const entriesHash = merkleRoot(list);
  let out = withField(block, "revisions", ion.list(revs));
  out = withField(out, "entriesHashList", ion.list(list.map((h) => ion.blob(h))));
  out = withField(out, "entriesHash", ion.blob(entriesHash));
  out = withField(out, "previousBlockHash", ion.blob(previous));
  return withField(out, "blockHash", ion.blob(dot(entriesHash, previous)));
}

/** Rewrites the ledger in `dir` with `edit`'s blocks, the hash chain recomputed throughout. */
export function editJournal(dir: string, edit: (blocks: IonStruct[]) => IonStruct[]): void {
  const file = firstSegment(dir);
  let previous: Uint8Array = new Uint8Array(0);
  const blocks = edit(readBlocks(file)).map((b) => {
    const out = rehash(b, previous);
    previous = (field(out, "blockHash") as { bytes: Uint8Array }).bytes;
    return out;
  });
  writeBlocks(file, blocks);
}

/** `v` with the value at `at` (field names and list positions) replaced by `nv`. */
export function setPath(v: IonValue, at: readonly (string | number)[], nv: IonValue): IonValue {
  if (at.length === 0) return nv;
  const [head, ...rest] = at;
  if (typeof head === "number") {
    const list = v as unknown as { items: IonValue[] };
    const items = [...list.items];
    items[head] = setPath(items[head], rest, nv);
    return { ...list, items } as unknown as IonValue;
  }
  return withField(v as IonStruct, head, setPath(field(v, head), rest, nv));
}

export function getPath(v: IonValue, at: readonly (string | number)[]): IonValue {
  for (const k of at) v = typeof k === "number" ? (v as unknown as { items: IonValue[] }).items[k] : field(v, k);
  return v;
}
