/**
 * Valid Ion 1.0 text that ion-js 5.2's text reader refuses or misreads, respelled into text it
 * reads as the same values, before parseText hands it over. Four gaps:
 *
 * 1. Number spellings ion-js stops at with "invalid character after number": binary ints
 *    (`0b1010`, `-0B1`) and underscores between digits (`1_000`, `0xDEAD_BEEF`, `0b1111_0000`,
 *    `1_000.000_5`, `1_0e3`), both in the Ion text grammar and in ion-tests (good/intBinary.ion,
 *    good/intsWithUnderscores.ion). Underscores carry no meaning, so removing them keeps every
 *    digit (and with it a decimal's precision); a binary int becomes the hex int of the same value
 *    (hex, not decimal: a power-of-two radix converts in linear time, a huge decimal does not).
 * 2. Comments inside a clob, between or around its string segments (ion-tests
 *    good/clobsWithComments.ion): ion-js expects `}}`. Each becomes one space.
 * 3. Comments after a long string, where another segment may follow: ion-js silently misreads
 *    `'''foo''' /* c *\/ '''bar'''` as "foor" (good/equivs/longStringsWithComments.ion). Each
 *    becomes one space, so the segments concatenate as the spec says.
 * 4. A top-level quoted symbol whose text is `$ion_1_0` (`'$ion_1_0'`, `a::'$ion_1_0'`): the spec
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
 *     hex      -? 0[xX] _? H (_? H)*           (H a hex digit)
 *     binary   -? 0[bB] _? [01] (_? [01])*
 *     decimal/float: an int as above, then optionally `.` and [0-9] (_? [0-9])*, then
 *              optionally [eEdD] [+-]? [0-9]+ (no underscores in the exponent)
 *   The `_` right after a radix prefix follows ion-tests (good/equivs/intsWithUnderscores.ion
 *   spells 0b_100_1101_0010); the grammar itself is stricter there. Anything else (`1__0`, `1_`,
 *   `0_1`, `1._5`, `1e1_0`, `0b2`) is left unchanged, so ion-js still refuses it.
 * - A lob's body is read as a clob (strings, comments) only when a quote comes before its first
 *   `}}`; a blob's base64 has no quotes, and `//` in it is base64, not a comment.
 *
 * Text without `_`, `0b`/`0B`, `{{`, `'''` and backslashes is returned as it is after one test.
 */

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
  if (!/[_\\]|0[bB]|\{\{|'''/.test(text)) return { text };
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
        if (text.startsWith("'''", i)) i = this.commentsAfter(skipLongString(text, i + 3));
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
      } else if (isIdentifierStart(c)) {
        i++;
        while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
      } else if (isDigit(c) || (c === 0x2d /* - */ && isDigit(text.charCodeAt(i + 1)))) {
        let end = i + 1;
        while (end < n && isNumberTokenPart(text.charCodeAt(end))) end++;
        const respelled = respellNumber(text.slice(i, end));
        if (respelled !== undefined) this.replace(i, end, respelled);
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
   * Replaces each comment among the whitespace from `i` on by a space; returns where that
   * whitespace ends. Called after a long string, where ion-js looks ahead for another segment to
   * concatenate and misreads a block comment it meets: `'''foo''' /* c *\/ '''bar'''` read as
   * "foor", and a line comment then a block comment as "foo''bar" (ion-tests
   * good/equivs/longStringsWithComments.ion), a silently changed string.
   */
  private commentsAfter(i: number): number {
    const text = this.text;
    for (;;) {
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      if (!isCommentStart(text, i)) return i;
      const end = skipComment(text, i);
      this.replace(i, end, " ");
      i = end;
    }
  }

  /** A blob or clob whose body starts at `i`; returns the index after its `}}`. */
  private lob(i: number): number {
    const text = this.text;
    const n = text.length;
    const close = text.indexOf("}}", i);
    const firstQuote = text.slice(i, close < 0 ? n : close).search(/["']/);
    if (firstQuote < 0) return close < 0 ? n : close + 2;
    // A clob: its strings may hold `}}`, and comments may sit between them.
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x7d && text.charCodeAt(i + 1) === 0x7d) return i + 2;
      if (c === 0x22) i = skipQuoted(text, i + 1, c);
      else if (c === 0x27 && text.startsWith("'''", i)) i = skipLongString(text, i + 3);
      else if (isCommentStart(text, i)) {
        const end = skipComment(text, i);
        this.replace(i, end, " ");
        i = end;
      } else i++;
    }
    return n;
  }
}

const INT = "(?:0|[1-9](?:_?[0-9])*)";
const DIGITS = "[0-9](?:_?[0-9])*";
const DECIMAL_OR_FLOAT = new RegExp(`^-?${INT}(?:\\.(?:${DIGITS})?)?(?:[eEdD][+-]?[0-9]+)?$`);
const HEX = /^-?0[xX]_?[0-9a-fA-F](?:_?[0-9a-fA-F])*$/;
const BINARY = /^(-?)0[bB](_?[01](?:_?[01])*)$/;

/** The number token respelled for ion-js, or undefined to leave it as it is. */
function respellNumber(token: string): string | undefined {
  const binary = BINARY.exec(token);
  if (binary !== null) return `${binary[1]}0x${BigInt("0b" + binary[2].replaceAll("_", "")).toString(16)}`;
  if (token.indexOf("_") < 0) return undefined;
  if (HEX.test(token) || DECIMAL_OR_FLOAT.test(token)) return token.replaceAll("_", "");
  return undefined;
}

/** Whether the value ending at `end` is followed by `::` (so it is an annotation, not a value). */
function annotates(text: string, end: number): boolean {
  let i = end;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return text.startsWith("::", i);
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

/** A symbol text nobody can write on purpose: 128 random bits. */
function randomStandIn(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `$quire_version_marker_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
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

/** Index after the comment starting at `i` (`//` to the end of its line, or a block comment). */
function skipComment(text: string, i: number): number {
  if (text.charCodeAt(i + 1) === 0x2f) {
    const end = text.indexOf("\n", i + 2);
    return end < 0 ? text.length : end + 1;
  }
  const end = text.indexOf("*/", i + 2);
  return end < 0 ? text.length : end + 2;
}
