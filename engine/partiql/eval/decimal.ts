/**
 * Exact decimal arithmetic on Ion decimals ({coefficient, exponent, negative}), with Java
 * BigDecimal's rules where PartiQL's reference implementation relies on them: add, subtract and
 * multiply are exact; division returns the exact quotient when one exists within 38 significant
 * digits (at the smallest exponent not below the "preferred" one, exponent(a) - exponent(b)),
 * otherwise rounds to 38 significant digits, half-even (MathContext.DECIMAL128's rounding with
 * partiql-lang-kotlin's precision of 38).
 *
 * Results never carry a negative zero (BigDecimal has none); literals keep theirs.
 */
import { LedgerError } from "../../errors.ts";
import type { IonDecimal } from "../../ion/value.ts";
import { limits } from "../../limits.ts";

/** Significant digits kept by an inexact division. */
export const DIVISION_PRECISION = 38;

/**
 * LIMIT_EXCEEDED unless a decimal can hold `exponent` (the model's exponents are safe
 * integers). Every result is made through dec or fromSigned, which call this: a product of
 * 1d9007199254740991 and 1d9007199254740990 came out with a rounded exponent, wrong by one, and a
 * quotient by a factor of 10^42, with no error.
 */
function checkExponent(exponent: number): void {
  if (Number.isSafeInteger(exponent)) return;
  throw new LedgerError("LIMIT_EXCEEDED", `decimal arithmetic would give an exponent beyond ±(2^53 - 1) (about ${exponent.toExponential(3)})`, {
    limit: "decimalExponent",
  });
}

export function dec(coefficient: bigint, exponent: number, negative = false): IonDecimal {
  checkExponent(exponent);
  if (coefficient < 0n) return { kind: "decimal", coefficient: -coefficient, exponent, negative: !negative };
  return { kind: "decimal", coefficient, exponent, negative: coefficient === 0n ? false : negative };
}

/** The signed unscaled value. */
export function unscaled(d: IonDecimal): bigint {
  return d.negative ? -d.coefficient : d.coefficient;
}

export function fromSigned(u: bigint, exponent: number): IonDecimal {
  checkExponent(exponent);
  return u < 0n ? { kind: "decimal", coefficient: -u, exponent, negative: true } : { kind: "decimal", coefficient: u, exponent, negative: false };
}

export function decFromInt(i: bigint): IonDecimal {
  return fromSigned(i, 0);
}

/**
 * 10^n. Every alignment of exponents goes through here, so it is where a value like 1d999999999
 * (one digit, within limits) is stopped from becoming a billion-digit bigint: that took ~20 s
 * of blocked process before failing with a misleading error.
 */
export function pow10(n: number): bigint {
  if (n > limits.maxNumberDigits) {
    throw new LedgerError("LIMIT_EXCEEDED", `decimal arithmetic would need a number of more than ${limits.maxNumberDigits} digits (10^${n})`, {
      limit: "maxNumberDigits",
      max: limits.maxNumberDigits,
    });
  }
  return 10n ** BigInt(n);
}

/** Number of decimal digits in |x| (1 for 0). */
export function digitCount(x: bigint): number {
  if (x < 0n) x = -x;
  return x === 0n ? 1 : x.toString().length;
}

function align(a: IonDecimal, b: IonDecimal): [bigint, bigint, number] {
  const e = Math.min(a.exponent, b.exponent);
  return [unscaled(a) * pow10(a.exponent - e), unscaled(b) * pow10(b.exponent - e), e];
}

export function decAdd(a: IonDecimal, b: IonDecimal): IonDecimal {
  const [x, y, e] = align(a, b);
  return fromSigned(x + y, e);
}
export function decSub(a: IonDecimal, b: IonDecimal): IonDecimal {
  const [x, y, e] = align(a, b);
  return fromSigned(x - y, e);
}
export function decMul(a: IonDecimal, b: IonDecimal): IonDecimal {
  return fromSigned(unscaled(a) * unscaled(b), a.exponent + b.exponent);
}
export function decNeg(a: IonDecimal): IonDecimal {
  return fromSigned(-unscaled(a), a.exponent);
}
export function decAbs(a: IonDecimal): IonDecimal {
  return { kind: "decimal", coefficient: a.coefficient, exponent: a.exponent, negative: false };
}
export function decIsZero(a: IonDecimal): boolean {
  return a.coefficient === 0n;
}

/**
 * -1, 0 or 1. Signs first, then the position of the leading digit (digits + exponent), and only
 * values whose leading digits line up are aligned; their exponents then differ by no more than
 * their digit counts, so comparing 1d999999999 with 5 never builds 10^999999999.
 */
export function decCompare(a: IonDecimal, b: IonDecimal): number {
  const sa = a.coefficient === 0n ? 0 : a.negative ? -1 : 1;
  const sb = b.coefficient === 0n ? 0 : b.negative ? -1 : 1;
  if (sa !== sb || sa === 0) return sa < sb ? -1 : sa > sb ? 1 : 0;
  const lead = digitCount(a.coefficient) + a.exponent - (digitCount(b.coefficient) + b.exponent);
  if (lead !== 0) return lead > 0 ? sa : -sa;
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rounds the signed value n / d (d > 0) to an integer, half-even. */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const neg = (n < 0n) !== (d < 0n);
  if (twice > d || (twice === d && (q & 1n) !== 0n)) q += neg ? -1n : 1n;
  return q;
}

/** Rounds to at most `digits` significant digits, half-even. */
export function decRoundDigits(a: IonDecimal, digits: number): IonDecimal {
  const n = digitCount(a.coefficient);
  if (n <= digits) return a;
  const drop = n - digits;
  let c = divRoundHalfEven(a.coefficient, pow10(drop));
  let e = a.exponent + drop;
  if (digitCount(c) > digits) { c /= 10n; e += 1; }
  return dec(c, e, a.negative);
}

/** Rounds to the given exponent (scale = -exponent), half-even or half-up. */
export function decSetExponent(a: IonDecimal, exponent: number, mode: "half_even" | "half_up" | "down" = "half_even"): IonDecimal {
  if (exponent <= a.exponent) return dec(a.coefficient * pow10(a.exponent - exponent), exponent, a.negative);
  const d = pow10(exponent - a.exponent);
  let c: bigint;
  if (mode === "down") c = a.coefficient / d;
  else if (mode === "half_up") c = (a.coefficient * 2n + d) / (2n * d);
  else c = divRoundHalfEven(a.coefficient, d);
  return dec(c, exponent, a.negative);
}

/** Removes trailing zeros from the coefficient, raising the exponent no higher than `maxExponent`. */
export function decStrip(a: IonDecimal, maxExponent = Infinity): IonDecimal {
  let c = a.coefficient, e = a.exponent;
  if (c === 0n) return dec(0n, e, false);
  while (e < maxExponent && c % 10n === 0n) { c /= 10n; e++; }
  return dec(c, e, a.negative);
}

/** a / b with BigDecimal.divide(b, MathContext(38, HALF_EVEN)) semantics; b must be non-zero. */
export function decDiv(a: IonDecimal, b: IonDecimal, precision = DIVISION_PRECISION): IonDecimal {
  const preferred = a.exponent - b.exponent;
  const neg = a.negative !== b.negative;
  if (a.coefficient === 0n) return dec(0n, preferred, false);
  // Scale the dividend so the quotient has at least precision + 3 digits, then round.
  const na = digitCount(a.coefficient), nb = digitCount(b.coefficient);
  const shift = Math.max(0, precision + 3 - (na - nb));
  const num = a.coefficient * pow10(shift);
  const q = num / b.coefficient;
  const r = num - q * b.coefficient;
  let e = a.exponent - shift - b.exponent;
  if (r === 0n) {
    // Exact: strip zeros back toward the preferred exponent, then fit the precision.
    let c = q;
    while (e < preferred && c % 10n === 0n) { c /= 10n; e++; }
    const out = dec(c, e, neg);
    return digitCount(c) > precision ? decRoundDigits(out, precision) : out;
  }
  // Inexact: keep a sticky digit so half-even rounding sees the remainder.
  const sticky = q * 10n + 1n;
  e -= 1;
  return decRoundDigits(dec(sticky, e, neg), precision);
}

/** Integer part toward zero. */
export function decTrunc(a: IonDecimal): bigint {
  const u = unscaled(a);
  if (a.exponent >= 0) return u * pow10(a.exponent);
  return u / pow10(-a.exponent);
}

/** a mod b (sign of a), exact. */
export function decMod(a: IonDecimal, b: IonDecimal): IonDecimal {
  const [x, y, e] = align(a, b);
  return fromSigned(x % y, e);
}

/** Exact conversion to the nearest binary64. */
export function decToNumber(a: IonDecimal): number {
  return Number(`${a.negative ? "-" : ""}${a.coefficient}e${a.exponent}`);
}

/** Parses a plain decimal text (`-12.50`, `1e3`, `1d-2`); undefined if it is not one. */
export function parseDecimal(text: string): IonDecimal | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eEdD]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) return undefined;
  const frac = m[3] ?? "";
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return undefined;
  return dec(BigInt((m[2] || "0") + frac), exp - frac.length, m[1] === "-");
}

/** The exact decimal of a finite binary64, using its shortest round-trip digits (Java's BigDecimal.valueOf). */
export function decFromNumber(x: number): IonDecimal {
  const s = String(x);
  const d = parseDecimal(s)!;
  return Object.is(x, -0) ? dec(0n, 0, true) : d;
}

/** Java BigDecimal.toPlainString-like text (no exponent). */
export function decPlain(a: IonDecimal): string {
  const digits = a.coefficient.toString();
  const sign = a.negative ? "-" : "";
  if (a.exponent >= 0) return sign + digits + "0".repeat(a.exponent);
  const k = -a.exponent;
  if (digits.length > k) return sign + digits.slice(0, digits.length - k) + "." + digits.slice(digits.length - k);
  return sign + "0." + "0".repeat(k - digits.length) + digits;
}
