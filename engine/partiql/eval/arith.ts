/**
 * The numeric tower for + - * / % and unary minus.
 *
 * int op int stays an int of any size (bigint), with `/` truncating toward zero and `%` taking the
 * dividend's sign; an int meeting a decimal becomes a decimal (exact; division per decimal.ts);
 * anything meeting a float becomes a float (IEEE-754). Ints and decimals never pass through JS
 * number. MISSING in any operand gives MISSING, else NULL gives NULL; a non-number operand is a
 * TYPE_ERROR; integer or decimal division by zero is an EVALUATION_ERROR.
 */
import { LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import { magnitudeBits } from "../../ion/check.ts";
import type { IonDecimal } from "../../ion/value.ts";
import type { PValue } from "../value.ts";
import { MISSING } from "../value.ts";
import {
  decAdd, decDiv, decFromInt, decIsZero, decMod, decMul, decNeg, decSub, decToNumber,
} from "./decimal.ts";
import { evalError, typeError } from "./errors.ts";
import { isInterval, negateInterval, temporalArith } from "./temporal.ts";
import { NULL, typeName } from "./values.ts";

export type ArithOp = "+" | "-" | "*" | "/" | "%";

function toDecimal(v: PValue): IonDecimal {
  return v.kind === "decimal" ? v : decFromInt((v as { value: bigint }).value);
}
/** 2^53: below it a product's size needs no counting. */
const SMALL = 9_007_199_254_740_992n;
/** Bits in an int of maxNumberDigits decimal digits. */
const MAX_INT_BITS = Math.ceil(limits.maxNumberDigits * Math.log2(10));

/**
 * Ints have no size of their own, so a chain of multiplications could build one of millions of
 * digits (minutes of CPU) that could not be stored anyway: a product over the number limit is
 * LIMIT_EXCEEDED, as decimal arithmetic is. Sums stay within a bit of their operands.
 */
function checkProductSize(x: bigint, y: bigint): void {
  if (x < SMALL && x > -SMALL && y < SMALL && y > -SMALL) return;
  if (magnitudeBits(x) + magnitudeBits(y) - 8 > MAX_INT_BITS) {
    throw new LedgerError("LIMIT_EXCEEDED", `int multiplication would need a number of more than ${limits.maxNumberDigits} digits`, {
      limit: "maxNumberDigits",
      max: limits.maxNumberDigits,
    });
  }
}

function toFloat(v: PValue): number {
  if (v.kind === "float") return v.value;
  if (v.kind === "int") return Number(v.value);
  return decToNumber(v as IonDecimal);
}

export function arith(op: ArithOp, a: PValue, b: PValue): PValue {
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  if (a.kind === "struct" || b.kind === "struct" || (a.kind === "timestamp" && b.kind === "timestamp")) {
    const r = temporalArith(op, a, b);
    if (r !== undefined) return r;
  }
  const numA = a.kind === "int" || a.kind === "decimal" || a.kind === "float";
  const numB = b.kind === "int" || b.kind === "decimal" || b.kind === "float";
  if ((!numA && a.kind !== "null") || (!numB && b.kind !== "null")) {
    throw typeError(`${op} needs numbers, got ${typeName(a)} and ${typeName(b)}`);
  }
  if (a.kind === "null" || b.kind === "null") return NULL;
  if (a.kind === "int" && b.kind === "int") {
    const x = a.value, y = b.value;
    switch (op) {
      case "+": return { kind: "int", value: x + y };
      case "-": return { kind: "int", value: x - y };
      case "*": checkProductSize(x, y); return { kind: "int", value: x * y };
      case "/":
        if (y === 0n) throw evalError("division by zero");
        return { kind: "int", value: x / y };
      case "%":
        if (y === 0n) throw evalError("division by zero");
        return { kind: "int", value: x % y };
    }
  }
  if (a.kind === "float" || b.kind === "float") {
    const x = toFloat(a), y = toFloat(b);
    let r: number;
    switch (op) {
      case "+": r = x + y; break;
      case "-": r = x - y; break;
      case "*": r = x * y; break;
      case "/": r = x / y; break;
      case "%": r = x % y; break;
    }
    return { kind: "float", value: r };
  }
  const x = toDecimal(a), y = toDecimal(b);
  switch (op) {
    case "+": return decAdd(x, y);
    case "-": return decSub(x, y);
    case "*": return decMul(x, y);
    case "/":
      if (decIsZero(y)) throw evalError("division by zero");
      return decDiv(x, y);
    case "%":
      if (decIsZero(y)) throw evalError("division by zero");
      return decMod(x, y);
  }
}

export function negate(a: PValue): PValue {
  switch (a.kind) {
    case "missing": return MISSING;
    case "null": return NULL;
    case "int": return { kind: "int", value: -a.value };
    case "float": return { kind: "float", value: -a.value };
    case "decimal": return decNeg(a);
    default:
      if (a.kind === "struct" && isInterval(a)) return negateInterval(a);
      throw typeError(`unary - needs a number, got ${typeName(a)}`);
  }
}

export function unaryPlus(a: PValue): PValue {
  switch (a.kind) {
    case "missing": return MISSING;
    case "null": return NULL;
    case "int":
    case "float":
    case "decimal": return a;
    default: throw typeError(`unary + needs a number, got ${typeName(a)}`);
  }
}
