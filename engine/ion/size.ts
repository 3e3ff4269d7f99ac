/**
 * A cheap upper bound on a value's Ion binary size (including what its symbols add to the local
 * symbol table), so that size limits can be checked without encoding every document twice: the
 * commit path encodes each document once, inside its block. Only when the bound exceeds a limit
 * does a caller need the exact size (encodeBinary(v).length).
 */
import { MAX_DEPTH, MAX_DOCUMENT_DEPTH, depthError, documentDepthError } from "./depth.ts";
import type { IonValue } from "./value.ts";

/** Type descriptor plus the largest length field a value of up to 2^35 bytes needs. */
const HEADER = 6;

function intBytes(n: bigint): number {
  const m = n < 0n ? -n : n;
  return m < 0x1_0000_0000n ? 5 : (m.toString(16).length >> 1) + 2;
}

/** Bytes a symbol text can cost: its symbol-table entry plus the symbol id where it is used. */
function symbolCost(text: string | null): number {
  return text === null ? 5 : 3 * text.length + HEADER + 5;
}

/** An upper bound on `encodeBinary(v).length - 4` (the version marker is not counted). */
export function encodedSizeUpperBound(v: IonValue, depth = 1): number {
  if (depth > MAX_DEPTH) throw depthError();
  let n = HEADER;
  if (v.annotations !== undefined && v.annotations.length > 0) {
    n += HEADER + 5;
    for (const a of v.annotations) n += symbolCost(a);
  }
  switch (v.kind) {
    case "null":
    case "bool":
      return n;
    case "int":
      return n + intBytes(v.value);
    case "float":
      return n + 8;
    case "decimal":
      return n + 5 + intBytes(v.coefficient);
    case "timestamp":
      return n + 30 + (v.fraction === null ? 0 : 5 + intBytes(v.fraction.coefficient));
    case "symbol":
      return n + symbolCost(v.text);
    case "string":
      return n + 3 * v.value.length;
    case "clob":
    case "blob":
      return n + v.bytes.length;
    case "list":
    case "sexp":
      for (const item of v.items) n += encodedSizeUpperBound(item, depth + 1);
      return n;
    case "struct":
      for (const [name, value] of v.fields) n += symbolCost(name) + encodedSizeUpperBound(value, depth + 1);
      return n;
  }
}

/** What a written document costs at least: Ion bytes, and values held in memory. */
export interface WriteCost {
  /**
   * A lower bound on its Ion binary size: a byte for each value's type descriptor, a byte for
   * each struct field's name, and a string's or lob's bytes (UTF-8 never takes fewer bytes than
   * UTF-16 takes code units). A limit this passes is certainly passed by the encoding.
   */
  readonly bytes: number;
  /** Its values, scalars and containers, counted wherever they appear. */
  readonly values: number;
}

let bytes = 0;
let values = 0;

/**
 * The WriteCost of `v`, in one walk. A document (`isDocument`) is also held to
 * MAX_DOCUMENT_DEPTH: this walk is the one every written document passes through.
 */
export function writeCostOf(v: IonValue, isDocument = false): WriteCost {
  bytes = 0;
  values = 0;
  maxCostDepth = isDocument ? MAX_DOCUMENT_DEPTH : MAX_DEPTH;
  walkCost(v, 1);
  return { bytes, values };
}

let maxCostDepth = MAX_DEPTH;

function walkCost(v: IonValue, depth: number): void {
  if (depth > maxCostDepth) throw maxCostDepth === MAX_DEPTH ? depthError() : documentDepthError();
  values++;
  bytes++;
  switch (v.kind) {
    case "string":
      bytes += v.value.length;
      return;
    case "clob":
    case "blob":
      bytes += v.bytes.length;
      return;
    case "list":
    case "sexp":
      for (const item of v.items) walkCost(item, depth + 1);
      return;
    case "struct":
      for (const [, value] of v.fields) {
        bytes++;
        walkCost(value, depth + 1);
      }
      return;
  }
}
