/**
 * The lexer: statement text → tokens, in one linear pass over UTF-16 code units.
 *
 * Problems (an unknown character, an unterminated string) are recorded in the shared
 * Diagnostics and lexing continues, so the parser can still report its own errors in the same
 * run. Offsets in spans are UTF-16 code-unit indexes into the text (what `text.slice` takes).
 *
 * Numbers: digits alone are an Ion int (bigint, any size up to limits.maxNumberDigits). Anything
 * with a point or an exponent (`1.5`, `1.`, `.5`, `1e5`, `1.5E-3`) is an exact Ion decimal, as in
 * partiql-lang-kotlin: the conformance suite expects `1e100 - 1e-100` to be the decimal
 * `1…0d63`, and `1 = 1e0` to be true via numeric comparison. Floats only come from Ion literals
 * (`` `1e0` ``) or CAST.
 */
import { LedgerError, isLedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import { parseText } from "../../ion/text.ts";
import { MISSING, type PValue } from "../value.ts";
import type { Diagnostics } from "./errors.ts";
import { PUNCTUATION, type Token, type TokenKind } from "./tokens.ts";

const enum C {
  TAB = 0x09, LF = 0x0a, CR = 0x0d, SPACE = 0x20, BANG = 0x21, DQUOTE = 0x22, DOLLAR = 0x24, SQUOTE = 0x27,
  STAR = 0x2a, PLUS = 0x2b, MINUS = 0x2d, DOT = 0x2e, SLASH = 0x2f, D0 = 0x30, D9 = 0x39, QUESTION = 0x3f,
  AT = 0x40, UPPER_E = 0x45, BACKSLASH = 0x5c, UNDERSCORE = 0x5f, BACKTICK = 0x60, LOWER_E = 0x65,
  LBRACE = 0x7b, RBRACE = 0x7d,
}

const isDigit = (c: number) => c >= C.D0 && c <= C.D9;
const NON_ASCII_WORD = /[\p{L}\p{N}]/u;
function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === C.UNDERSCORE || c === C.DOLLAR ||
    (c >= 0x80 && NON_ASCII_WORD.test(String.fromCharCode(c)));
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** Tokenises `text`; the result always ends with an `eof` token. */
export function lex(text: string, diag: Diagnostics): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let params = 0;

  const push = (kind: TokenKind, start: number, end: number, text: string, extra?: Partial<Token>) => {
    tokens.push({
      kind, text, upper: kind === "ident" ? text.toUpperCase() : "", lexical: false, span: { start, end }, ...extra,
    });
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === C.SPACE || c === C.TAB || c === C.LF || c === C.CR || c === 0x0c || c === 0x0b) {
      i++;
      continue;
    }
    // comments
    if (c === C.MINUS && text.charCodeAt(i + 1) === C.MINUS) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === C.SLASH && text.charCodeAt(i + 1) === C.STAR) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) {
        diag.add("unterminated comment", { start: i, end: n });
        i = n;
      } else i = end + 2;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      push("ident", start, i, text.slice(start, i));
      continue;
    }
    if (isDigit(c) || (c === C.DOT && isDigit(text.charCodeAt(i + 1)))) {
      i = lexNumber(text, i, diag, tokens);
      continue;
    }
    switch (c) {
      case C.SQUOTE: {
        const [value, end] = quoted(text, i, C.SQUOTE, diag, "string");
        push("string", start, end, value);
        i = end;
        continue;
      }
      case C.DQUOTE: {
        const [value, end] = quoted(text, i, C.DQUOTE, diag, "quoted identifier");
        push("qident", start, end, value);
        i = end;
        continue;
      }
      case C.AT: {
        const d = text.charCodeAt(i + 1);
        if (d === C.DQUOTE) {
          const [value, end] = quoted(text, i + 1, C.DQUOTE, diag, "quoted identifier");
          push("qident", start, end, value, { lexical: true });
          i = end;
        } else if (isIdentStart(d)) {
          i++;
          while (i < n && isIdentPart(text.charCodeAt(i))) i++;
          const word = text.slice(start + 1, i);
          push("ident", start, i, word, { lexical: true, upper: word.toUpperCase() });
        } else {
          diag.add("'@' must be followed by an identifier", { start, end: start + 1 });
          i++;
        }
        continue;
      }
      case C.QUESTION:
        push("param", start, i + 1, "?", { index: params++ });
        i++;
        continue;
      case C.BACKTICK: {
        const end = ionLiteralEnd(text, i + 1);
        if (end < 0) {
          diag.add("unterminated Ion literal (missing closing '`')", { start, end: n });
          push("ion", start, n, text.slice(start + 1), { value: MISSING });
          i = n;
        } else {
          push("ion", start, end + 1, text.slice(start + 1, end), { value: ionValue(text.slice(start + 1, end), start, end + 1, diag) });
          i = end + 1;
        }
        continue;
      }
    }
    let matched = false;
    for (const p of PUNCTUATION) {
      if (text.startsWith(p, i)) {
        push("punct", start, i + p.length, p === "!=" ? "<>" : p);
        i += p.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    diag.add(`unexpected character ${JSON.stringify(ch)}`, { start, end: start + ch.length });
    i += ch.length;
  }
  push("eof", n, n, "");
  return tokens;
}

/** A `'…'` string or `"…"` identifier with the quote doubled as its escape; returns [value, end]. */
function quoted(text: string, i: number, q: number, diag: Diagnostics, what: string): [string, number] {
  const quote = String.fromCharCode(q);
  let out = "";
  let from = i + 1;
  for (;;) {
    const at = text.indexOf(quote, from);
    if (at < 0) {
      diag.add(`unterminated ${what}`, { start: i, end: text.length });
      return [out + text.slice(from), text.length];
    }
    out += text.slice(from, at);
    if (text.charCodeAt(at + 1) === q) {
      out += quote;
      from = at + 2;
    } else return [out, at + 1];
  }
}

function lexNumber(text: string, i: number, diag: Diagnostics, tokens: Token[]): number {
  const start = i;
  const n = text.length;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  let isDecimal = false;
  if (text.charCodeAt(i) === C.DOT) {
    isDecimal = true;
    i++;
    fracStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  let exponent = 0;
  const e = text.charCodeAt(i);
  if (e === C.LOWER_E || e === C.UPPER_E) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === C.PLUS || sign === C.MINUS) j++;
    const expStart = j;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j === expStart) {
      diag.add("missing digits in the exponent of a number", { start, end: j });
      return j;
    }
    isDecimal = true;
    const digits = text.slice(expStart, j).replace(/^0+(?=\d)/, "");
    // An exponent beyond ±10^9 cannot describe a value anyone needs and would not fit a number.
    if (digits.length > 9) {
      diag.add("number exponent out of range", { start, end: j });
      return j;
    }
    exponent = (sign === C.MINUS ? -1 : 1) * Number(digits);
    i = j;
  }
  if (i < n && isIdentPart(text.charCodeAt(i))) {
    let j = i;
    while (j < n && isIdentPart(text.charCodeAt(j))) j++;
    diag.add(`invalid number ${JSON.stringify(text.slice(start, j))}`, { start, end: j });
    return j;
  }
  const digits = text.slice(start, intEnd) + text.slice(fracStart, fracEnd);
  if (digits.length > limits.maxNumberDigits) {
    throw new LedgerError("LIMIT_EXCEEDED", `number literal has more than ${limits.maxNumberDigits} digits`, {
      limit: "maxNumberDigits", max: limits.maxNumberDigits, span: { start, end: i },
    });
  }
  const coefficient = BigInt(digits);
  const value: PValue = isDecimal
    ? { kind: "decimal", coefficient, exponent: exponent - (fracEnd - fracStart), negative: false }
    : { kind: "int", value: coefficient };
  tokens.push({ kind: "number", text: text.slice(start, i), upper: "", lexical: false, value, span: { start, end: i } });
  return i;
}

/**
 * Index of the backtick closing an Ion literal whose content starts at `i`, or -1. Backticks
 * inside Ion strings, quoted symbols, long strings, blobs/clobs and comments do not close it.
 */
function ionLiteralEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === C.BACKTICK) return i;
    if (c === C.SQUOTE && text.startsWith("'''", i)) {
      i = skipIonString(text, i + 3, "'''");
    } else if (c === C.SQUOTE || c === C.DQUOTE) {
      i = skipIonString(text, i + 1, String.fromCharCode(c));
    } else if (c === C.LBRACE && text.charCodeAt(i + 1) === C.LBRACE) {
      // blob (base64) or clob (one or more strings) up to the closing }}
      i += 2;
      while (i < n && !text.startsWith("}}", i)) {
        const d = text.charCodeAt(i);
        if (d === C.SQUOTE && text.startsWith("'''", i)) i = skipIonString(text, i + 3, "'''");
        else if (d === C.DQUOTE) i = skipIonString(text, i + 1, '"');
        else i++;
      }
      i += 2;
    } else if (c === C.SLASH && text.charCodeAt(i + 1) === C.SLASH) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === C.SLASH && text.charCodeAt(i + 1) === C.STAR) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else i++;
  }
  return -1;
}

/** Position after the closing `close` of an Ion string starting at `i` (backslash escapes). */
function skipIonString(text: string, i: number, close: string): number {
  const n = text.length;
  const q = close.charCodeAt(0);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === C.BACKSLASH) i += 2;
    else if (c === q && text.startsWith(close, i)) return i + close.length;
    else i++;
  }
  return n;
}

function ionValue(content: string, start: number, end: number, diag: Diagnostics): PValue {
  try {
    const values = parseText(content);
    if (values.length === 1) return values[0];
    diag.add(values.length === 0 ? "empty Ion literal" : "an Ion literal must hold exactly one value", { start, end });
  } catch (e) {
    if (isLedgerError(e, "ION_PARSE_ERROR")) {
      diag.add(`invalid Ion literal: ${e.message}`, { start, end });
    } else throw e;
  }
  return MISSING;
}
