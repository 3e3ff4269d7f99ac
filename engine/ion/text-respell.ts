/**
 * Valid Ion 1.0 text that ion-js 5.2's text reader refuses or misreads, respelled into text it
 * reads as the same values, before parseText hands it over. Five gaps:
 *
 * 1. Number spellings ion-js stops at with "invalid character after number": binary ints
 *    (`0b1010`, `-0B1`) and underscores between digits (`1_000`, `0xDEAD_BEEF`, `0b1111_0000`,
 *    `1_000.000_5`, `1_0e3`), both in the Ion text grammar and in ion-tests (good/intBinary.ion,
 *    good/intsWithUnderscores.ion). Underscores carry no meaning, so removing them keeps every
 *    digit (and with it a decimal's precision); a binary int becomes the hex int of the same value
 *    (hex, not decimal: a power-of-two radix converts in linear time, a huge decimal does not).
 * 2. Comments inside a clob, between or around its string segments (ion-tests
 *    good/clobsWithComments.ion): ion-js expects `}}`. Each becomes one space. Newlines in a
 *    clob (good/equivs/clobNewlines.ion): ion-js reads an escaped line break in a short string
 *    as a 0xFF or 0xFC byte and keeps a raw CR in a long one; they become nothing and LF.
 * 3. Comments after a long string, where another segment may follow: ion-js silently misreads
 *    `'''foo''' /* c *\/ '''bar'''` as "foor" (good/equivs/longStringsWithComments.ion). Each
 *    becomes one space, so the segments concatenate as the spec says. Likewise an empty segment
 *    between others (`'''a''' '''''' '''b'''` read as "a ") is dropped, segments that touch
 *    (`'''x''''''y'''` read as "x") are spaced, and a later segment whose body starts with a
 *    quote (`'''a''' ''''y'''` read as "a") gets it escaped.
 * 4. A comment right after a number (`10/*c*\/`, `[1.5// c` and a newline `]`): ion-js stops
 *    at "invalid character after number"; after `+inf` it refuses the text or, in a sexp,
 *    silently reads `(+inf/*c*\/)` as ('+' inf). The grammar ends a number at a comment as at
 *    whitespace. A space goes between them.
 * 5. A top-level quoted symbol whose text is `$ion_1_0` (`'$ion_1_0'`, `a::'$ion_1_0'`): the spec
 *    makes only the bare, unannotated identifier a version marker, but ion-js drops the quoted
 *    symbol as one, and the value is lost. It is replaced by a quoted stand-in symbol (random
 *    text, unguessable, so no input can spell it), which parseText turns back into `$ion_1_0`.
 *
 * Only those tokens are ever changed, and only when they match exactly:
 * - A number token is a maximal run of [0-9A-Za-z_.:+-] that starts at a digit, or at `-`
 *   followed by a digit, outside strings, quoted symbols, comments and lobs. A timestamp
 *   (`2007-01-01T10:00Z`) is one such run too and never matches the forms below, so a timestamp
 *   with an underscore is left for ion-js to refuse. Identifiers (`a_1`, `$ion_1_0`) are consumed
 *   whole first, so a digit inside one never starts a token.
 * - Number forms, `_` allowed only where shown (one at a time, never first or last):
 *     int      -? (0 | [1-9] (_? [0-9])*)
 *     hex      -? 0[xX] H (_? H)*              (H a hex digit)
 *     binary   -? 0[bB] _? [01] (_? [01])*
 *     decimal/float: an int as above, then optionally `.` and [0-9] (_? [0-9])*, then
 *              optionally [eEdD] [+-]? [0-9]+ (no underscores in the exponent)
 *   The `_` right after `0b` follows ion-tests (good/equivs/intsWithUnderscores.ion spells
 *   0b_100_1101_0010); the grammar itself is stricter there. Anything else (`1__0`, `1_`,
 *   `0_1`, `1._5`, `1e1_0`, `0b2`, `0x_F`) is left unchanged, so ion-js still refuses it.
 *   The check is a hand-written linear scan (see respellNumber).
 * - A lob is a blob when everything up to its first `}}` is valid base64 (`//` in it is
 *   base64), and left as it is; else a clob when its first token, past whitespace and comments,
 *   is a quote.
 * - A block comment that is never closed is refused (LedgerError ION_PARSE_ERROR): ion-js
 *   accepts `1 /*x` as 1.
 * - A line comment ends at `\n`, `\r\n` or a lone `\r`, as in the grammar and in ion-js.
 *
 * Text without `_`, `0b`/`0B`, `{{`, `'''`, comments and backslashes is returned as it is after
 * one test.
 */

import { LedgerError } from "../errors.ts";

/** What respellForIonJs hands back. */
export interface Respelled {
  /** The text for ion-js. */
  readonly text: string;
  /** The symbol text standing in for top-level quoted `$ion_1_0` symbols (undefined: there were none). */
  readonly versionMarkerStandIn?: string;
}

export const VERSION_MARKER_TEXT = "$ion_1_0";

/** `text` with the constructs ion-js misreads respelled (see the header). */
export function respellForIonJs(text: string): Respelled {
  if (!/[_\\]|0[bB]|\{\{|'''|\/[/*]/.test(text)) return { text };
  return new Respeller(text).run();
}

class Respeller {
  private out = "";
  private copied = 0;
  private standIn: string | undefined;
  private depth = 0;

  constructor(private readonly text: string) {}

  run(): Respelled {
    const text = this.text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22 /* " */) {
        i = skipQuoted(text, i + 1, c);
      } else if (c === 0x27 /* ' */) {
        if (text.startsWith("'''", i)) i = this.longStrings(i);
        else i = this.quotedSymbol(i);
      } else if (isCommentStart(text, i)) {
        i = skipComment(text, i);
      } else if (c === 0x7b /* { */ && text.charCodeAt(i + 1) === 0x7b) {
        i = this.lob(i + 2);
      } else if (c === 0x5b /* [ */ || c === 0x28 /* ( */ || c === 0x7b /* { */) {
        this.depth++;
        i++;
      } else if (c === 0x5d /* ] */ || c === 0x29 /* ) */ || c === 0x7d /* } */) {
        if (this.depth > 0) this.depth--;
        i++;
      } else if ((c === 0x2b /* + */ || c === 0x2d /* - */) && text.startsWith("inf", i + 1) && !isIdentifierPart(text.charCodeAt(i + 4))) {
        // ±inf then a comment: ion-js misreads `(+inf/*c*\/)` as the sexp ('+' inf) and refuses it elsewhere.
        i += 4;
        if (isCommentStart(text, i)) this.replace(i, i, " ");
      } else if (isIdentifierStart(c)) {
        i++;
        while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
      } else if (isDigit(c) || (c === 0x2d /* - */ && isDigit(text.charCodeAt(i + 1)))) {
        let end = i + 1;
        let suspect = false; // an underscore or a b/B: only such tokens are ever respelled
        for (; end < n; end++) {
          const d = text.charCodeAt(end);
          if (!isNumberTokenPart(d)) break;
          if (d === 0x5f || d === 0x62 || d === 0x42) suspect = true;
        }
        if (suspect) {
          const respelled = respellNumber(text.slice(i, end));
          if (respelled !== undefined) this.replace(i, end, respelled);
        }
        if (isCommentStart(text, end)) this.replace(end, end, " ");
        i = end;
      } else {
        i++;
      }
    }
    const respelled = this.copied === 0 ? text : this.out + text.slice(this.copied);
    return this.standIn === undefined ? { text: respelled } : { text: respelled, versionMarkerStandIn: this.standIn };
  }

  private replace(start: number, end: number, replacement: string): void {
    this.out += this.text.slice(this.copied, start) + replacement;
    this.copied = end;
  }

  /** A quoted symbol starting at `i` (its opening quote); returns the index after it. */
  private quotedSymbol(i: number): number {
    const text = this.text;
    const end = skipQuoted(text, i + 1, 0x27);
    const closed = end - 1 > i && text.charCodeAt(end - 1) === 0x27;
    if (this.depth === 0 && closed && !annotates(text, end) && unescape(text.slice(i + 1, end - 1)) === VERSION_MARKER_TEXT) {
      this.standIn ??= randomStandIn();
      this.replace(i, end, `'${this.standIn}'`);
    }
    return end;
  }

  /**
   * A run of long-string segments starting at `i` (the first `'''`), the whitespace and comments
   * between them included; returns the index after the run. ion-js looks ahead from a segment
   * for the next one to concatenate and misreads what it can meet there, silently changing the
   * string: a comment (`'''foo''' /* c *\/ '''bar'''` read as "foor", a line comment then a
   * block comment as "foo''bar"; ion-tests good/equivs/longStringsWithComments.ion), an empty
   * segment between others (`'''a''' '''''' '''b'''` read as "a ") and a segment directly after
   * another (`'''x''''''y'''` read as "x", the y lost); and a later segment whose body starts
   * with a quote (`'''a''' ''''y'''` read as "a"). Each comment becomes one space, touching
   * segments get one between them, empty segments go (all but the first when every segment is
   * empty: the concatenation is the same), and a body's leading quotes are escaped. In a clob
   * (`inClob`), raw CR and CR LF in a body also become LF (clobNewlines).
   */
  private longStrings(i: number, inClob = false): number {
    const text = this.text;
    const segments: number[] = []; // start and end of each segment, in pairs
    const comments: number[] = []; // start and end of each comment, in pairs
    let someNonEmpty = false;
    let j = i;
    while (text.startsWith("'''", j)) {
      const end = skipLongString(text, j + 3);
      segments.push(j, end);
      if (end - j !== 6) someNonEmpty = true;
      j = end;
      for (;;) {
        while (j < text.length && isSpace(text.charCodeAt(j))) j++;
        if (!isCommentStart(text, j)) break;
        const commentEnd = skipComment(text, j);
        comments.push(j, commentEnd);
        j = commentEnd;
      }
    }
    // Replacements go in text order: the comments before a segment, then the segment's own.
    let c = 0;
    let keptEmpty = someNonEmpty; // when every segment is empty, the first one stays
    for (let k = 0; k < segments.length; k += 2) {
      const start = segments[k], end = segments[k + 1];
      for (; c < comments.length && comments[c] < start; c += 2) this.replace(comments[c], comments[c + 1], " ");
      if (k > 0 && segments[k - 1] === start) this.replace(start, start, " "); // touching the one before
      if (end - start === 6 && segments.length > 2) {
        if (keptEmpty) {
          this.replace(start, end, "");
          continue;
        }
        keptEmpty = true;
      }
      const bodyEnd = text.startsWith("'''", end - 3) && end - 3 >= start + 3 ? end - 3 : end;
      // A body's leading quotes (at most two: a third would have closed the segment), escaped.
      for (let q = start + 3; q < start + 5 && q < bodyEnd && text.charCodeAt(q) === 0x27; q++) this.replace(q, q, "\\");
      if (inClob) this.clobNewlines(start + 3, bodyEnd);
    }
    for (; c < comments.length; c += 2) this.replace(comments[c], comments[c + 1], " ");
    return j;
  }

  /**
   * Raw CR LF and lone CR in a clob's long-string body [from, to) become LF, as the spec
   * requires (ion-tests good/equivs/clobNewlines.ion); ion-js keeps them as 0x0D bytes. Escaped
   * ones (a line continuation) are ion-js's to read, and it reads them right.
   */
  private clobNewlines(from: number, to: number): void {
    const text = this.text;
    for (let p = from; p < to; p++) {
      const c = text.charCodeAt(p);
      if (c === 0x5c /* \ */) {
        p++;
        if (text.charCodeAt(p) === 0x0d && text.charCodeAt(p + 1) === 0x0a) p++;
      } else if (c === 0x0d) {
        const crlf = text.charCodeAt(p + 1) === 0x0a;
        this.replace(p, crlf ? p + 2 : p + 1, "\n");
        if (crlf) p++;
      }
    }
  }

  /**
   * A clob's short string whose body starts at `i`; returns the index after its closing quote.
   * A backslash before a line break (LF, CR LF or CR) continues the line and stands for nothing
   * (good/equivs/clobNewlines.ion); ion-js reads it as a 0xFF or 0xFC byte. It is removed.
   */
  private clobShortString(i: number): number {
    const text = this.text;
    const n = text.length;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return i + 1;
      if (c !== 0x5c) continue;
      const d = text.charCodeAt(i + 1);
      if (d === 0x0a || d === 0x0d) {
        const end = d === 0x0d && text.charCodeAt(i + 2) === 0x0a ? i + 3 : i + 2;
        this.replace(i, end, "");
        i = end - 1;
      } else i++;
    }
    return n;
  }

  /**
   * A blob or clob whose body starts at `i`; returns the index after its `}}`. When everything up
   * to the first `}}` is valid base64 it is a blob: `{{//8=}}` is one, whatever follows.
   * Otherwise it is a clob when its first token, past whitespace and comments, is a quote (a
   * blob's base64 holds no quotes or `*`): `{{ // }}` and a newline, then `"a" }}`, is a clob.
   */
  private lob(i: number): number {
    const text = this.text;
    const n = text.length;
    const close = text.indexOf("}}", i);
    const blobEnd = close < 0 ? n : close + 2;
    if (isBase64(text, i, close < 0 ? n : close)) return blobEnd;
    const q = text.charCodeAt(skipSpaceAndComments(text, i));
    if (q !== 0x22 && q !== 0x27) return blobEnd;
    // A clob: its strings may hold `}}`, and comments may sit between them.
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x7d && text.charCodeAt(i + 1) === 0x7d) return i + 2;
      if (c === 0x22) i = this.clobShortString(i + 1);
      else if (c === 0x27 && text.startsWith("'''", i)) i = this.longStrings(i, true);
      else if (isCommentStart(text, i)) {
        const end = skipComment(text, i);
        this.replace(i, end, " ");
        i = end;
      } else i++;
    }
    return n;
  }
}

/**
 * The number token respelled for ion-js, or undefined to leave it as it is. A hand-written scan,
 * linear in the token: regular expressions over multi-megabyte tokens overflowed V8's backtracking
 * stack under Deno (RangeError at ~8.4M characters).
 */
function respellNumber(token: string): string | undefined {
  const n = token.length;
  let i = token.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  const sign = i === 1 ? "-" : "";
  if (token.charCodeAt(i) === 0x30 /* 0 */) {
    const radix = token.charCodeAt(i + 1) | 0x20; // lower-cased
    if (radix === 0x62 /* b */) {
      // ion-tests spell 0b_100_1101_0010: one underscore may follow the prefix.
      const start = token.charCodeAt(i + 2) === 0x5f ? i + 3 : i + 2;
      if (digitRun(token, start, isBinaryDigit) !== n) return undefined;
      return `${sign}0x${BigInt("0b" + token.slice(start).replaceAll("_", "")).toString(16)}`;
    }
    if (radix === 0x78 /* x */) {
      // No underscore right after 0x: the grammar forbids it and ion-tests do not use it.
      if (digitRun(token, i + 2, isHexDigit) !== n) return undefined;
      return token.replaceAll("_", "");
    }
    i++; // a lone 0: no underscore may follow it
  } else {
    i = digitRun(token, i, isDigit);
    if (i < 0) return undefined;
  }
  if (token.charCodeAt(i) === 0x2e /* . */) {
    i++;
    if (i < n && isDigit(token.charCodeAt(i))) i = digitRun(token, i, isDigit);
    if (i < 0) return undefined;
  }
  const e = token.charCodeAt(i) | 0x20;
  if (e === 0x65 /* e */ || e === 0x64 /* d */) {
    i++;
    const s = token.charCodeAt(i);
    if (s === 0x2b || s === 0x2d) i++;
    const digits = i;
    while (i < n && isDigit(token.charCodeAt(i))) i++;
    if (i === digits) return undefined;
  }
  return i === n ? token.replaceAll("_", "") : undefined;
}

/**
 * End of the run `D (_? D)*` of digits accepted by `isD` that starts at `i`; -1 when there is
 * none, or it ends in `_`, or has `__`.
 */
function digitRun(token: string, i: number, isD: (c: number) => boolean): number {
  if (!isD(token.charCodeAt(i))) return -1;
  for (i++; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x5f) {
      if (!isD(token.charCodeAt(i + 1))) return -1;
    } else if (!isD(c)) break;
  }
  return i;
}

function isBinaryDigit(c: number): boolean {
  return c === 0x30 || c === 0x31;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Whether the value ending at `end` is followed by `::` (so it is an annotation, not a value). */
function annotates(text: string, end: number): boolean {
  return text.startsWith("::", skipSpaceAndComments(text, end));
}

/** Index of the first character at or after `i` that is neither whitespace nor in a comment. */
function skipSpaceAndComments(text: string, i: number): number {
  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (!isCommentStart(text, i)) return i;
    i = skipComment(text, i);
  }
}

/**
 * The text of a quoted symbol's body, its escapes decoded; undefined if an escape is malformed
 * (ion-js then refuses the text anyway).
 */
function unescape(body: string): string | undefined {
  if (body.indexOf("\\") < 0) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const digits = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (digits === 0) {
      if (e === "\r" && body[i + 1] === "\n") i++;
      if (e === "\n" || e === "\r") continue; // a line continuation
      return undefined;
    }
    const hex = body.slice(i + 1, i + 1 + digits);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += digits;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string | undefined> = {
  a: "\x07", b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", v: "\v", "?": "?", "0": "\0",
  "'": "'", '"': '"', "/": "/", "\\": "\\",
};

/**
 * A symbol text nobody can write on purpose: 128 random bits, in base64url to keep it short
 * (text of many `'$ion_1_0'` symbols grows about 2.4 times, not 5).
 */
function randomStandIn(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let bits = "";
  for (const b of bytes) bits += String.fromCharCode(b);
  return btoa(bits).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f /* _ */ || c === 0x24 /* $ */;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c);
}

/** Characters of a number or timestamp token: [0-9A-Za-z_.:+-]. */
function isNumberTokenPart(c: number): boolean {
  return (isIdentifierPart(c) && c !== 0x24) || c === 0x2e /* . */ || c === 0x3a /* : */ || c === 0x2b /* + */ || c === 0x2d /* - */;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

function isCommentStart(text: string, i: number): boolean {
  return text.charCodeAt(i) === 0x2f && (text.charCodeAt(i + 1) === 0x2f || text.charCodeAt(i + 1) === 0x2a);
}

/** Index after the closing `quote` of a string or quoted symbol whose body starts at `i`. */
function skipQuoted(text: string, i: number, quote: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === quote) return i + 1;
  }
  return n;
}

/** Index after the closing `'''` of a long string whose body starts at `i`. */
function skipLongString(text: string, i: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x27 && text.startsWith("'''", i)) return i + 3;
  }
  return n;
}

/**
 * Index after the comment starting at `i` (`//` to the end of its line, or a block comment).
 * A block comment that is never closed is refused here: ion-js accepts `1 /*x` as `1`.
 */
function skipComment(text: string, i: number): number {
  if (text.charCodeAt(i + 1) === 0x2f) return lineEnd(text, i + 2);
  const end = text.indexOf("*/", i + 2);
  if (end < 0) throw new LedgerError("ION_PARSE_ERROR", `invalid Ion text: the block comment at offset ${i} is never closed`, { offset: i });
  return end + 2;
}

/**
 * Whether text[from, to) is valid base64 with whitespace: base64 characters in a multiple of
 * four, `=` only as one or two pads at the end.
 */
function isBase64(text: string, from: number, to: number): boolean {
  let count = 0;
  let pads = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    if (c === 0x3d /* = */) {
      if (++pads > 2) return false;
    } else if (pads > 0 || !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x2b || c === 0x2f)) {
      return false;
    }
    count++;
  }
  return count % 4 === 0;
}

/**
 * Index after the line break ending the line comment whose text starts at `i`: `\n`, `\r` or
 * `\r\n`, as in the Ion grammar and ion-js (a `\r` alone ends the comment too).
 */
export function lineEnd(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) return i + 1;
    if (c === 0x0d) return text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
  }
  return text.length;
}
