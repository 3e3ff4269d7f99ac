/**
 * Ion text: parsing (through ion-js's reader) and an exact writer of our own.
 *
 * toText writes the shortest text that reads back as the same Ion value, so precision survives:
 * decimals keep their exponent (`1.0`, `-0.`, `1d5`, `0.00`), floats always carry an exponent
 * (`1e0`, `-0e0`, `nan`, `+inf`), timestamps keep precision, offset (`-00:00` when unknown) and
 * fraction digits. Output is compact (no newlines), one value per call.
 *
 * Lone surrogates: Ion strings are Unicode scalar values, so text that decodes to one is not
 * Ion (ION_PARSE_ERROR), and a model value holding one cannot be written (TYPE_ERROR).
 * Limitation: a symbol with unknown text is written as `$0`, which ion-js cannot read back.
 */
import { makeReader } from "ion-js";
import { LedgerError } from "../errors.ts";
import { MAX_DEPTH, MAX_NODES, depthError, expansionError } from "./depth.ts";
import { readAllFrom } from "./ionjs-reader.ts";
import { lineEnd, respellForIonJs, VERSION_MARKER_TEXT } from "./text-respell.ts";
import type { IonDecimal, IonTimestamp, IonValue } from "./value.ts";

/**
 * Parses Ion text into values. Throws LedgerError ION_PARSE_ERROR for invalid text and
 * LIMIT_EXCEEDED for nesting deeper than limits.maxValueDepth.
 */
export function parseText(text: string): IonValue[] {
  if (typeof text !== "string") throw new LedgerError("TYPE_ERROR", "parseText takes Ion text as a string");
  // ion-js's parser keeps a container stack of its own; bound nesting before handing it over so
  // hostile depth fails as LIMIT_EXCEEDED even if ion-js would recurse.
  if (maxBracketDepth(text) > MAX_DEPTH) throw depthError();
  // Valid Ion that ion-js refuses or misreads is respelled first (text-respell.ts).
  const { text: readable, versionMarkerStandIn: standIn } = respellForIonJs(text);
  const values = readAllFrom(() => makeReader(readable), "text");
  if (standIn === undefined) return values;
  return values.map((v) => (v.kind === "symbol" && v.text === standIn ? { ...v, text: VERSION_MARKER_TEXT } : v));
}

/**
 * Upper bound of container nesting in `text`, ignoring brackets inside strings, quoted symbols,
 * blobs/clobs and comments. Over-counting is harmless (it only triggers the limit earlier for
 * text that also nests that deep); under-counting cannot happen for valid Ion.
 */
function maxBracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x28 /* ( */ || c === 0x7b /* { */) {
      if (c === 0x7b && text.charCodeAt(i + 1) === 0x7b) {
        // blob or clob: skip to the closing }}
        const end = text.indexOf("}}", i + 2);
        i = end < 0 ? n : end + 1;
        continue;
      }
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x29 || c === 0x7d) {
      depth--;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const long = c === 0x27 && text.charCodeAt(i + 1) === 0x27 && text.charCodeAt(i + 2) === 0x27;
      if (long) {
        const end = text.indexOf("'''", i + 3);
        i = end < 0 ? n : end + 2;
        continue;
      }
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === c) break;
      }
    } else if (c === 0x2f /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x2f) {
        i = lineEnd(text, i + 2) - 1; // a line comment ends at \r too, as ion-js reads it
      } else if (d === 0x2a) {
        const end = text.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 1;
      }
    }
  }
  return max;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(["null", "true", "false", "nan"]);

function noLoneSurrogate(s: string): string {
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new LedgerError("TYPE_ERROR", "string contains a lone surrogate, which Ion cannot represent");
  }
  return s;
}

function escapeChars(s: string, quote: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c < 0x20 || c === 0x7f) {
      rep = c === 0x0a ? "\\n" : c === 0x09 ? "\\t" : c === 0x0d ? "\\r" : "\\x" + c.toString(16).padStart(2, "0");
    } else if (c === 0x5c) rep = "\\\\";
    else if (c === quote.charCodeAt(0)) rep = "\\" + quote;
    if (rep !== null) {
      out += s.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** A symbol token as Ion text: bare when it is an identifier, otherwise single-quoted. */
export function symbolText(s: string): string {
  noLoneSurrogate(s);
  // `$ion_1_0` bare at top level is a version marker, not a symbol (other versions fail to read).
  if (IDENT.test(s) && !KEYWORDS.has(s) && !/^\$\d+$/.test(s) && !/^\$ion_\d+_\d+$/.test(s)) return s;
  return "'" + escapeChars(s, "'") + "'";
}

function decimalText(d: IonDecimal): string {
  const sign = d.negative ? "-" : "";
  const digits = d.coefficient.toString();
  const e = d.exponent;
  if (e === 0) return `${sign}${digits}.`;
  if (e > 0 || -e > digits.length + 6) return `${sign}${digits}d${e}`;
  const padded = digits.padStart(-e + 1, "0");
  const point = padded.length + e;
  return `${sign}${padded.slice(0, point)}.${padded.slice(point)}`;
}

function floatText(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "+inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return 1 / x > 0 ? "0e0" : "-0e0";
  // String(x) is the shortest round-tripping decimal; Ion floats need an explicit exponent.
  const s = String(x);
  const at = s.indexOf("e");
  return at < 0 ? s + "e0" : s.slice(0, at) + "e" + s.slice(at + 1).replace("+", "");
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

function timestampText(t: IonTimestamp): string {
  const y = pad(t.year, 4);
  switch (t.precision) {
    case "year": return `${y}T`;
    case "month": return `${y}-${pad(t.month, 2)}T`;
    case "day": return `${y}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
  }
  let s = `${y}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}`;
  if (t.precision === "second") {
    s += ":" + pad(t.second, 2);
    const f = t.fraction;
    if (f && f.exponent < 0) s += "." + f.coefficient.toString().padStart(-f.exponent, "0");
  }
  const o = t.offset;
  if (o === null) return s + "-00:00";
  if (o === 0) return s + "Z";
  const a = Math.abs(o);
  return `${s}${o < 0 ? "-" : "+"}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
}

function clobText(bytes: Uint8Array): string {
  let s = '{{"';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return s + '"}}';
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Values toText may still write (limits.maxValueNodes): a value that repeats a subtree is written
 * once per place it appears, so 26 doublings took 40 s and 9 GB under Bun, and Deno's array of
 * pieces overflowed (RangeError). Reset by toText.
 */
let left = 0;

function write(v: IonValue, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw depthError();
  if (--left < 0) throw expansionError();
  const ann = v.annotations;
  if (ann) for (const a of ann) out.push(symbolText(a), "::");
  switch (v.kind) {
    case "null": out.push(v.of === "null" ? "null" : "null." + v.of); return;
    case "bool": out.push(v.value ? "true" : "false"); return;
    case "int": out.push(v.value.toString()); return;
    case "float": out.push(floatText(v.value)); return;
    case "decimal": out.push(decimalText(v)); return;
    case "timestamp": out.push(timestampText(v)); return;
    case "symbol": out.push(v.text === null ? "$0" : symbolText(v.text)); return;
    case "string": out.push('"', escapeChars(noLoneSurrogate(v.value), '"'), '"'); return;
    case "clob": out.push(clobText(v.bytes)); return;
    case "blob": out.push("{{", base64(v.bytes), "}}"); return;
    case "list":
    case "sexp": {
      out.push(v.kind === "list" ? "[" : "(");
      const sep = v.kind === "list" ? ", " : " ";
      v.items.forEach((item, i) => {
        if (i > 0) out.push(sep);
        write(item, depth + 1, out);
      });
      out.push(v.kind === "list" ? "]" : ")");
      return;
    }
    case "struct":
      out.push("{");
      v.fields.forEach(([name, value], i) => {
        if (i > 0) out.push(", ");
        out.push(symbolText(name), ": ");
        write(value, depth + 1, out);
      });
      out.push("}");
      return;
    default:
      throw new LedgerError("TYPE_ERROR", `not an Ion value (kind ${String((v as { kind?: unknown }).kind)})`);
  }
}

/**
 * Ion text of one value; parseText(toText(v)) is equivalent to v. Throws TYPE_ERROR for a
 * string or symbol with a lone surrogate and LIMIT_EXCEEDED for over-deep values and for more
 * than limits.maxValueNodes values in all (a shared subtree counts wherever it appears).
 */
export function toText(v: IonValue): string {
  if (v === null || typeof v !== "object") {
    throw new LedgerError("TYPE_ERROR", `toText takes an Ion value (use fromJS for a JavaScript value), not ${v === null ? "null" : typeof v}`);
  }
  const out: string[] = [];
  left = MAX_NODES;
  write(v, 1, out);
  return out.join("");
}
