/**
 * CAST(value AS type), following partiql-lang-kotlin:
 * - MISSING stays MISSING and NULL stays NULL for every target (CAST to NULL or MISSING itself
 *   is an EVALUATION_ERROR);
 * - numbers convert among int/decimal/float; to an integer type they round half-even and must fit
 *   the type's range (SMALLINT 16 bits, INT4 32, INT8/BIGINT/INT/INTEGER 64);
 * - strings parse as numbers (ints also in 0x / 0b notation), booleans ('true'/'false', any
 *   case), timestamps (Ion timestamp text) or dates; everything scalar renders as a string;
 * - bools convert to numbers 1/0 and numbers to bools (zero is false);
 * - lists, sexps and bags convert among themselves; structs, lobs only to their own type.
 * Anything else is a TYPE_ERROR (MISSING in permissive mode).
 */
import type { IonDecimal, IonTimestamp } from "../../ion/value.ts";
import { parseText, toText } from "../../ion/text.ts";
import type { TypeName } from "../ast.ts";
import type { PValue } from "../value.ts";
import { MISSING } from "../value.ts";
import {
  dec, decFromInt, decFromNumber, decRoundDigits, decSetExponent, decToNumber, decPlain, parseDecimal, unscaled,
} from "./decimal.ts";
import { evalError, typeError } from "./errors.ts";
import { mkTimestamp } from "./timestamp.ts";
import { NULL, bool, checkStringLength, codePointCount, codePointIndex, isText, str, textOf, typeName } from "./values.ts";

const INT_RANGES: Record<string, bigint | undefined> = {
  smallint: 1n << 15n, int2: 1n << 15n, int4: 1n << 31n, int8: 1n << 63n, bigint: 1n << 63n, int: 1n << 63n, integer: 1n << 63n,
};

function fail(v: PValue, t: string): never {
  throw typeError(`cannot cast ${typeName(v)} to ${t}`);
}

export function cast(v: PValue, type: TypeName): PValue {
  const t = type.name;
  if (t === "null" || t === "missing") throw evalError(`cannot cast to ${t.toUpperCase()}`, type.span);
  if (v.kind === "missing") return MISSING;
  if (v.kind === "null") return NULL;
  if (t === "any") return v;
  switch (t) {
    case "smallint": case "int2": case "int4": case "int8": case "bigint": case "int": case "integer":
      return castInt(v, t);
    case "float": case "real": case "double": return castFloat(v, t);
    case "decimal": case "numeric": return castDecimal(v, t, type.params);
    case "bool": return castBool(v);
    case "string": case "char": case "varchar": {
      let s = castString(v, t);
      const n = type.params?.[0];
      if (n !== undefined && t !== "string") {
        const count = codePointCount(s);
        if (count > n) s = s.slice(0, codePointIndex(s, n));
        else if (t === "char" && count < n) {
          // CHAR(1000000000) pads to a gigabyte: held to the string limit before it is made.
          checkStringLength(s.length + (n - count), `CAST AS CHAR(${n})`);
          s += " ".repeat(n - count);
        }
      }
      return str(s);
    }
    case "symbol": return { kind: "symbol", text: castString(v, t) };
    case "timestamp": return castTimestamp(v, t);
    case "date": {
      if (v.kind === "timestamp") return mkTimestamp("day", null, v.year, v.month, v.day);
      if (isText(v)) {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(textOf(v).trim());
        if (m) return mkTimestamp("day", null, Number(m[1]), Number(m[2]), Number(m[3]));
        throw evalError(`'${textOf(v)}' is not a date`);
      }
      return fail(v, t);
    }
    case "list": case "sexp": case "bag":
      if (v.kind === "list" || v.kind === "sexp" || v.kind === "bag") {
        return t === "bag" ? { kind: "bag", items: v.items } : { kind: t, items: v.items };
      }
      return fail(v, t);
    case "struct": case "tuple":
      if (v.kind === "struct") return v;
      return fail(v, t);
    case "blob": case "clob":
      if (v.kind === "blob" || v.kind === "clob") return { kind: t, bytes: v.bytes };
      return fail(v, t);
    default:
      throw evalError(`CAST to ${t} is not supported`, type.span);
  }
}

function castInt(v: PValue, t: string): PValue {
  let n: bigint;
  switch (v.kind) {
    case "int": n = v.value; break;
    case "bool": n = v.value ? 1n : 0n; break;
    case "decimal": n = unscaled(decSetExponent(v, 0, "half_even")); break;
    case "float":
      if (!Number.isFinite(v.value)) return fail(v, t);
      // From 2^53 up every float is an integer, and its exact value is what it holds: the
      // shortest decimal that reads back as it (-9223372036854775808e0 prints as
      // -9223372036854776000) would put -2^63 out of BIGINT's range.
      n = Math.abs(v.value) >= 2 ** 53 ? BigInt(v.value) : unscaled(decSetExponent(decFromNumber(v.value), 0, "half_even"));
      break;
    case "string":
    case "symbol": {
      const parsed = parseIntText(textOf(v));
      if (parsed === undefined) return fail(v, t);
      n = parsed;
      break;
    }
    default: return fail(v, t);
  }
  const r = INT_RANGES[t];
  if (r !== undefined && (n >= r || n < -r)) throw typeError(`${n} is out of range for ${t.toUpperCase()}`);
  return { kind: "int", value: n };
}

/** Parses `[+-]digits`, `[+-]0x hex` or `[+-]0b binary` (surrounding spaces allowed). */
export function parseIntText(text: string): bigint | undefined {
  const m = /^\s*([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|(\d+))\s*$/.exec(text);
  if (!m) return undefined;
  const mag = m[2] !== undefined ? BigInt("0x" + m[2]) : m[3] !== undefined ? BigInt("0b" + m[3]) : BigInt(m[4]);
  return m[1] === "-" ? -mag : mag;
}

function castFloat(v: PValue, t: string): PValue {
  switch (v.kind) {
    case "float": return v;
    case "int": return { kind: "float", value: Number(v.value) };
    case "decimal": return { kind: "float", value: decToNumber(v) };
    case "bool": return { kind: "float", value: v.value ? 1 : 0 };
    case "string":
    case "symbol": {
      const s = textOf(v).trim();
      const lower = s.toLowerCase();
      if (lower === "nan") return { kind: "float", value: NaN };
      if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return { kind: "float", value: Infinity };
      if (lower === "-inf" || lower === "-infinity") return { kind: "float", value: -Infinity };
      const d = parseDecimal(s);
      if (!d) return fail(v, t);
      return { kind: "float", value: decToNumber(d) };
    }
    default: return fail(v, t);
  }
}

function castDecimal(v: PValue, t: string, params?: readonly number[]): PValue {
  let d: IonDecimal;
  switch (v.kind) {
    case "decimal": d = v; break;
    case "int": d = decFromInt(v.value); break;
    case "float":
      if (!Number.isFinite(v.value)) return fail(v, t);
      d = decFromNumber(v.value);
      break;
    case "bool": d = dec(v.value ? 1n : 0n, 0); break;
    case "string":
    case "symbol": {
      const p = parseDecimal(textOf(v).trim());
      if (!p) return fail(v, t);
      d = p;
      break;
    }
    default: return fail(v, t);
  }
  if (params && params.length > 0) {
    const precision = params[0], scale = params[1] ?? 0;
    d = decSetExponent(d, -scale, "half_up");
    if (d.coefficient.toString().length > precision && d.coefficient !== 0n) {
      throw typeError(`${decPlain(d)} does not fit DECIMAL(${precision}, ${scale})`);
    }
  }
  return d.exponent < -1000 ? decRoundDigits(d, 38) : d;
}

function castBool(v: PValue): PValue {
  switch (v.kind) {
    case "bool": return v;
    case "int": return bool(v.value !== 0n);
    case "decimal": return bool(v.coefficient !== 0n);
    case "float": return bool(v.value !== 0);
    case "string":
    case "symbol": {
      const s = textOf(v).trim().toLowerCase();
      if (s === "true") return bool(true);
      if (s === "false") return bool(false);
      return fail(v, "bool");
    }
    default: return fail(v, "bool");
  }
}

/** The text CAST(v AS STRING) gives for a scalar. */
export function scalarText(v: PValue): string | undefined {
  switch (v.kind) {
    case "string": return v.value;
    case "symbol": return v.text ?? "";
    case "int": return v.value.toString();
    case "bool": return v.value ? "true" : "false";
    case "decimal": return toText(v);
    case "float": return toText(v);
    case "timestamp": return toText(v);
    default: return undefined;
  }
}

function castString(v: PValue, t: string): string {
  const s = scalarText(v);
  if (s === undefined) return fail(v, t);
  return s;
}

function castTimestamp(v: PValue, t: string): PValue {
  if (v.kind === "timestamp") return v;
  if (isText(v)) {
    const ts = parseTimestampText(textOf(v).trim());
    if (!ts) return fail(v, t);
    return ts;
  }
  return fail(v, t);
}

/** Parses Ion timestamp text (`2007T`, `2007-02-23T12:14:33.079-08:00`), or undefined. */
export function parseTimestampText(s: string): IonTimestamp | undefined {
  if (!/^\d{4}(-\d{2}(-\d{2}(T(\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?|T)?|T)$/.test(s)) return undefined;
  try {
    const [x] = parseText(s);
    return x && x.kind === "timestamp" ? x : undefined;
  } catch {
    return undefined;
  }
}
