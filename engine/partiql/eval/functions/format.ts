/**
 * The timestamp pattern language of TO_STRING and TO_TIMESTAMP (a subset of Java's
 * DateTimeFormatter, as partiql-lang-kotlin uses): y yy yyyy, M MM MMM MMMM MMMMM, d dd, a, h hh,
 * H HH, m mm, s ss, S… (fraction digits), n (nano-of-second), X… and x… (offsets),
 * 'quoted text' ('' is a quote); other non-letters are literal. Any other letter is an
 * EVALUATION_ERROR, as is text that does not match the pattern.
 */
import type { IonTimestamp, TimestampPrecision } from "../../../ion/value.ts";
import { daysInMonth, withoutTrailingZeros } from "../../../ion/utc.ts";
import { evalError } from "../errors.ts";
import { mkTimestamp } from "../timestamp.ts";

type Token = { kind: "field"; letter: string; count: number } | { kind: "text"; text: string };

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const SUPPORTED = new Set(["y", "M", "d", "a", "h", "H", "m", "s", "S", "n", "X", "x"]);

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") { out.push({ kind: "text", text: "'" }); i += 2; continue; }
      let j = i + 1, text = "";
      for (;;) {
        if (j >= pattern.length) throw evalError(`unterminated quote in pattern '${pattern}'`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
          break;
        }
        text += pattern[j++];
      }
      out.push({ kind: "text", text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!SUPPORTED.has(c)) throw evalError(`unsupported pattern letter '${c}' in '${pattern}'`);
      const count = j - i;
      if ((c === "M" && count > 5) || ("dhHms".includes(c) && count > 2) || (c === "a" && count > 1) || ("Xx".includes(c) && count > 5) || (c === "n" && count > 1 && false)) {
        throw evalError(`invalid pattern '${pattern}'`);
      }
      out.push({ kind: "field", letter: c, count });
      i = j;
    } else {
      out.push({ kind: "text", text: c });
      i++;
    }
  }
  return out;
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

function nanosOf(t: IonTimestamp): number {
  const f = t.fraction;
  if (!f || f.coefficient === 0n) return 0;
  const e = f.exponent + 9;
  return Number(e >= 0 ? f.coefficient * 10n ** BigInt(e) : f.coefficient / 10n ** BigInt(-e));
}

function offsetText(offset: number, count: number, zForZero: boolean): string {
  if (offset === 0 && zForZero) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = pad(Math.floor(a / 60), 2), m = pad(a % 60, 2);
  switch (count) {
    case 1: return sign + h + (a % 60 ? m : "");
    case 2: case 4: return sign + h + m;
    default: return sign + h + ":" + m;
  }
}

export function formatTimestamp(t: IonTimestamp, pattern: string): string {
  let out = "";
  for (const tok of tokenize(pattern)) {
    if (tok.kind === "text") { out += tok.text; continue; }
    const n = tok.count;
    switch (tok.letter) {
      case "y": out += n === 2 ? pad(t.year % 100, 2) : pad(t.year, n); break;
      case "M":
        out += n <= 2 ? pad(t.month, n) : n === 3 ? MONTHS[t.month - 1].slice(0, 3) : n === 4 ? MONTHS[t.month - 1] : MONTHS[t.month - 1][0];
        break;
      case "d": out += pad(t.day, n); break;
      case "a": out += t.hour < 12 ? "AM" : "PM"; break;
      case "h": out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, n); break;
      case "H": out += pad(t.hour, n); break;
      case "m": out += pad(t.minute, n); break;
      case "s": out += pad(t.second, n); break;
      case "S": out += pad(nanosOf(t), 9).slice(0, n).padEnd(n, "0"); break;
      case "n": out += String(nanosOf(t)); break;
      case "X": out += offsetText(t.offset ?? 0, n, true); break;
      case "x": out += offsetText(t.offset ?? 0, n, false); break;
    }
  }
  return out;
}

/** Parses `text` with `pattern` into a timestamp whose precision is the finest field given. */
export function parseTimestamp(text: string, pattern: string): IonTimestamp {
  const tokens = tokenize(pattern);
  let pos = 0;
  const bad = (): never => { throw evalError(`'${text}' does not match the pattern '${pattern}'`); };
  const digits = (min: number, max: number): number => {
    let j = pos;
    while (j < text.length && j - pos < max && text[j] >= "0" && text[j] <= "9") j++;
    if (j - pos < min) bad();
    const v = Number(text.slice(pos, j));
    pos = j;
    return v;
  };
  let year: number | undefined, month: number | undefined, day: number | undefined;
  let hour: number | undefined, minute: number | undefined, second: number | undefined;
  let hour12: number | undefined, pm: boolean | undefined;
  let fraction: { coefficient: bigint; exponent: number } | null = null;
  let offset: number | null = null;
  for (const tok of tokens) {
    if (tok.kind === "text") {
      if (!text.startsWith(tok.text, pos)) bad();
      pos += tok.text.length;
      continue;
    }
    const n = tok.count;
    switch (tok.letter) {
      case "y":
        if (n === 2) year = 2000 + digits(2, 2);
        else year = digits(n === 1 ? 1 : n, n === 1 ? 9 : n);
        break;
      case "M":
        if (n <= 2) month = digits(n, 2);
        else {
          const names = n === 3 ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS;
          const i = names.findIndex((m) => text.startsWith(m, pos));
          if (i < 0) bad();
          month = i + 1;
          pos += names[i].length;
        }
        break;
      case "d": day = digits(n, 2); break;
      case "H": hour = digits(n, 2); break;
      case "h": hour12 = digits(n, 2); break;
      case "m": minute = digits(n, 2); break;
      case "s": second = digits(n, 2); break;
      case "a": {
        const s = text.slice(pos, pos + 2).toUpperCase();
        if (s !== "AM" && s !== "PM") bad();
        pm = s === "PM";
        pos += 2;
        break;
      }
      case "S": {
        const start = pos;
        digits(n, n);
        fraction = fractionOf(text.slice(start, pos));
        break;
      }
      case "n": {
        const start = pos;
        digits(1, 30);
        const nanos = BigInt(text.slice(start, pos));
        if (nanos >= 1_000_000_000n) bad();
        fraction = fractionOf(nanos.toString().padStart(9, "0"));
        break;
      }
      case "X":
      case "x": offset = parseOffset(tok.letter === "X", n); break;
    }
  }
  if (pos !== text.length) bad();

  function parseOffset(allowZ: boolean, n: number): number {
    if (allowZ && text[pos] === "Z") { pos++; return 0; }
    const sign = text[pos];
    if (sign !== "+" && sign !== "-") bad();
    pos++;
    const h = digits(2, 2);
    let m = 0;
    if (n === 1) {
      if (/^\d\d/.test(text.slice(pos))) m = digits(2, 2);
    } else if (n === 2 || n === 4) m = digits(2, 2);
    else {
      if (text[pos] !== ":") bad();
      pos++;
      m = digits(2, 2);
    }
    if (h > 18 || m > 59) bad();
    return (sign === "-" ? -1 : 1) * (h * 60 + m);
  }

  if (hour12 !== undefined) {
    if (hour12 < 1 || hour12 > 12 || pm === undefined) bad();
    hour = (hour12! % 12) + (pm ? 12 : 0);
  }
  if (year === undefined || year < 1 || year > 9999) return bad();
  let precision: TimestampPrecision = "year";
  if (month !== undefined) precision = "month";
  if (day !== undefined) { if (month === undefined) bad(); precision = "day"; }
  if (hour !== undefined || minute !== undefined) { if (day === undefined) bad(); precision = "minute"; }
  if (second !== undefined || fraction) { if (hour === undefined && minute === undefined) bad(); precision = "second"; }
  if (month !== undefined && (month < 1 || month > 12)) bad();
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month!))) bad();
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) bad();
  return mkTimestamp(precision, offset, year, month, day, hour ?? 0, minute ?? 0, second ?? 0, fraction);
}

/** A fraction from its digits, without trailing zeros; null when it is zero. */
function fractionOf(digitsText: string): { coefficient: bigint; exponent: number } | null {
  const trimmed = withoutTrailingZeros(digitsText);
  if (trimmed === "") return null;
  return { coefficient: BigInt(trimmed), exponent: -trimmed.length };
}
