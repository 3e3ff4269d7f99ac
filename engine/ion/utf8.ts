/**
 * UTF-8 encoding of JS strings into a caller's buffer, shared by the binary writer and the
 * hasher (their hot loops; TextEncoder's per-call cost dominated for the short strings of
 * documents). A lone surrogate cannot be encoded and is a TYPE_ERROR.
 */
import { LedgerError } from "../errors.ts";

/**
 * Writes the UTF-8 of `s` into `out` from `p` (the caller reserves 4 bytes per UTF-16 unit) and
 * returns the position after it. With `escapeByte`, each ASCII byte it accepts is written
 * after `escapeWith` (Ion Hash's escaping of 0x0B, 0x0E, 0x0C; bytes >= 0x80 never need it).
 */
export function writeUtf8(s: string, out: Uint8Array, p: number, escapeByte?: (b: number) => boolean, escapeWith = 0): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (escapeByte !== undefined && escapeByte(c)) out[p++] = escapeWith;
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) throw loneSurrogate(i);
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
  return p;
}

export function loneSurrogate(index?: number): LedgerError {
  return new LedgerError("TYPE_ERROR", "string contains a lone surrogate, which UTF-8 cannot encode", index === undefined ? {} : { index });
}
