/**
 * Reads every value from an ion-js Reader into the lossless value model.
 *
 * ion-js is used at the edges only (Ion text in, and as a test oracle for binary); this file
 * is where its representations are mapped without going through JS number or Date: ints via
 * bigIntValue(), decimals via coefficient/exponent/sign, timestamps via their local fields and
 * the seconds Decimal (so `.000` and 19-digit fractions survive). Any ion-js failure becomes
 * LedgerError ION_PARSE_ERROR; nesting is bounded by limits.maxValueDepth.
 */
import { type Reader, IonTypes, type IonType as IonJsType, Timestamp } from "ion-js";
import { LedgerError, isLedgerError } from "../errors.ts";
import { MAX_DEPTH, depthError } from "./depth.ts";
import { fromIonJsTimestamp } from "./js.ts";
import type { IonTimestamp, IonType, IonValue } from "./value.ts";

function hasLoneSurrogate(s: string): boolean {
  return !(s as string & { isWellFormed(): boolean }).isWellFormed();
}

function text(s: string): string {
  if (hasLoneSurrogate(s)) throw new LedgerError("ION_PARSE_ERROR", "Ion text contains a lone surrogate");
  return s;
}

/** A fraction of a second finer than a millisecond, in a text reader's timestamp: its digits. */
const SUB_MILLI_FRACTION = /\.(\d{4,})/;

/**
 * The current timestamp. ion-js checks a timestamp's UTC year through a Date, rounding the
 * fraction to milliseconds on the way, so it refused valid timestamps in the last half
 * millisecond of year 9999 (`9999-12-31T23:59:59.9995Z`: "Year 10000"), which Quire stores and
 * toText writes. For text with a sub-millisecond fraction, ion-js therefore parses and checks the
 * text cut to milliseconds (cutting never rounds up, and every other field is unchanged), and
 * the fraction is taken exactly from the digits.
 */
function timestampOf(r: Reader): IonTimestamp {
  const raw = (r as { _stringRepresentation?: () => unknown })._stringRepresentation?.();
  const m = typeof raw === "string" ? SUB_MILLI_FRACTION.exec(raw) : null;
  if (m === null) return fromIonJsTimestamp(r.timestampValue()!);
  const digits = m[1];
  const cut = (raw as string).slice(0, m.index + 4) + (raw as string).slice(m.index + 1 + digits.length);
  const t = fromIonJsTimestamp(Timestamp.parse(cut)!);
  return { ...t, fraction: { coefficient: BigInt(digits), exponent: -digits.length } };
}

/** A text decimal: integer digits, fraction digits, exponent digits (underscores allowed, Ion 1.0). */
const DECIMAL_TEXT = /^[+-]?[0-9_]*(?:\.([0-9_]*))?(?:[dD]([+-]?[0-9_]+))?$/;
const MAX_EXPONENT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The decimal's exponent, exactly. ion-js computes it as a JS number, the exponent written minus
 * the fraction's digits, so one written beyond 2^53 - 1 is rounded first: `1d9007199254740993`
 * read as 1d9007199254740992, and `1.55d9007199254740993` as 155d9007199254740990, an exponent in
 * range but off by one. Such a value would be compared, hashed and returned as another number.
 * The text reader's token is read again with bigints, and an exponent beyond ±(2^53 - 1) is
 * refused, as the PartiQL lexer refuses its own such literals. (Binary Ion's exponents are
 * VarInts the binary reader bounds far below that.)
 */
function exactExponent(r: Reader, approximate: number): number {
  const raw = (r as { _stringRepresentation?: () => unknown })._stringRepresentation?.();
  const m = typeof raw === "string" ? DECIMAL_TEXT.exec(raw) : null;
  let exact: bigint | undefined;
  if (m !== null) {
    const fractionDigits = m[1] === undefined ? 0 : m[1].replaceAll("_", "").length;
    exact = (m[2] === undefined ? 0n : BigInt(m[2].replaceAll("_", ""))) - BigInt(fractionDigits);
  }
  if (exact === undefined ? !Number.isSafeInteger(approximate) : exact > MAX_EXPONENT || exact < -MAX_EXPONENT) {
    throw new LedgerError("ION_PARSE_ERROR", "decimal exponent out of range: beyond ±(2^53 - 1) it cannot be held exactly");
  }
  return exact === undefined ? approximate : Number(exact);
}

/**
 * A float as the text spells it, or ION_PARSE_ERROR where no binary64 can hold it: ion-js reads
 * `1e400` as +inf and `1e-400` as 0, so `{"b": 1e400}` imported from JSON was stored as +inf with
 * no word. Rounding to the nearest float is what a float is; becoming infinite or zero is not.
 * Only text has a spelling to check (the binary reader has none, and its floats are exact).
 */
function floatOf(r: Reader): number {
  const x = r.numberValue()!;
  if (Number.isNaN(x) || (x !== 0 && Number.isFinite(x))) return x;
  const raw = (r as { _stringRepresentation?: () => unknown })._stringRepresentation?.();
  if (typeof raw !== "string") return x;
  if (!Number.isFinite(x)) {
    if (/^[+-]inf$/.test(raw.trim())) return x;
    throw new LedgerError("ION_PARSE_ERROR", `float ${raw.slice(0, 40)} is beyond the largest float (about 1.8e308); a decimal (1d400) holds it`);
  }
  const mantissa = raw.split(/[eE]/)[0];
  if (/[1-9]/.test(mantissa)) {
    throw new LedgerError("ION_PARSE_ERROR", `float ${raw.slice(0, 40)} is below the smallest float (about 4.9e-324) and would read as 0; a decimal (1d-400) holds it`);
  }
  return x;
}

function one(r: Reader, t: IonJsType, depth: number): IonValue {
  if (depth > MAX_DEPTH) throw depthError();
  const anns = r.annotations();
  let v: IonValue;
  const name = t.name as IonType;
  if (r.isNull()) v = { kind: "null", of: name };
  else {
    switch (t) {
      case IonTypes.BOOL: v = { kind: "bool", value: r.booleanValue()! }; break;
      case IonTypes.INT: v = { kind: "int", value: BigInt(r.bigIntValue()!) }; break;
      case IonTypes.FLOAT: v = { kind: "float", value: floatOf(r) }; break;
      case IonTypes.DECIMAL: {
        const d = r.decimalValue()!;
        const exponent = exactExponent(r, d.getExponent());
        v = { kind: "decimal", coefficient: BigInt(d.getCoefficient()), exponent, negative: d.isNegative() };
        // ion-js keeps -0 via isNegative; a negative coefficient would double-count the sign.
        if (v.coefficient < 0n) v = { ...v, coefficient: -v.coefficient };
        break;
      }
      case IonTypes.TIMESTAMP: v = timestampOf(r); break;
      case IonTypes.SYMBOL: v = { kind: "symbol", text: text(r.stringValue()!) }; break;
      case IonTypes.STRING: v = { kind: "string", value: text(r.stringValue()!) }; break;
      case IonTypes.CLOB: v = { kind: "clob", bytes: Uint8Array.from(r.uInt8ArrayValue()!) }; break;
      case IonTypes.BLOB: v = { kind: "blob", bytes: Uint8Array.from(r.uInt8ArrayValue()!) }; break;
      case IonTypes.LIST:
      case IonTypes.SEXP: {
        const items: IonValue[] = [];
        r.stepIn();
        for (let c = r.next(); c !== null; c = r.next()) items.push(one(r, c, depth + 1));
        r.stepOut();
        v = { kind: t === IonTypes.LIST ? "list" : "sexp", items };
        break;
      }
      case IonTypes.STRUCT: {
        const fields: [string, IonValue][] = [];
        r.stepIn();
        for (let c = r.next(); c !== null; c = r.next()) {
          const fname = r.fieldName();
          if (fname === null) throw new LedgerError("ION_PARSE_ERROR", "struct field without a name");
          fields.push([text(fname), one(r, c, depth + 1)]);
        }
        r.stepOut();
        v = { kind: "struct", fields };
        break;
      }
      default:
        throw new LedgerError("ION_PARSE_ERROR", `unsupported Ion type ${t.name}`);
    }
  }
  if (anns.length > 0) return { ...v, annotations: anns.map(text) };
  return v;
}

/**
 * All top-level values of `r` as model values. `what` names the input in error messages.
 * Throws LedgerError ION_PARSE_ERROR for malformed input, LIMIT_EXCEEDED for deep nesting.
 */
export function readAllFrom(makeReaderFn: () => Reader, what: string): IonValue[] {
  try {
    const r = makeReaderFn();
    const out: IonValue[] = [];
    for (let t = r.next(); t !== null; t = r.next()) out.push(one(r, t, 1));
    return out;
  } catch (e) {
    if (isLedgerError(e)) throw e;
    throw new LedgerError("ION_PARSE_ERROR", `invalid Ion ${what}: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  }
}
