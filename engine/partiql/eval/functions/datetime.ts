/**
 * Timestamp functions on Ion timestamps: EXTRACT, DATE_ADD, DATE_DIFF, TO_STRING, TO_TIMESTAMP,
 * UTCNOW, and TXID (the transaction's id, a string).
 *
 * DATE_ADD works on local fields (the offset is kept) and raises the precision to the unit's
 * (year, month, day, minute for hours and minutes, second); going below day precision the offset
 * becomes unknown (-00:00), as in Ion. Months clamp the day to the month's last day. DATE_DIFF
 * counts whole units from the first to the second timestamp, truncating toward zero, with the
 * second expressed at the first's offset.
 */
import type { IonTimestamp, TimestampPrecision } from "../../../ion/value.ts";
import type { PValue } from "../../value.ts";
import type { Ctx } from "../context.ts";
import { dec, decAdd } from "../decimal.ts";
import { evalError, typeError } from "../errors.ts";
import { PRECISION_RANK, daysFromCivil, epochSeconds, fromEpochSeconds, mkTimestamp } from "../timestamp.ts";
import { daysInMonth } from "../../../ion/utc.ts";
import { int, str, textOf, typeName } from "../values.ts";
import { formatTimestamp, parseTimestamp } from "./format.ts";
import { parseTimestampText } from "../cast.ts";
import {
  asIonTimestamp, castInterval, dateAddForm, dateLiteral, extractTemporal, fromIonTimestamp, intervalLiteral, temporalKind,
  timeDiff, timeLiteral, timestampLiteral,
} from "../temporal.ts";
import { argTypes, type FnDef } from "./types.ts";

type Part = "year" | "month" | "day" | "hour" | "minute" | "second" | "timezone_hour" | "timezone_minute";

function partOf(v: PValue, fn: string, allowed: readonly string[]): Part {
  const t = (v.kind === "symbol" || v.kind === "string" ? textOf(v) : "").toLowerCase();
  if (!allowed.includes(t)) throw evalError(`${fn}: invalid date part ${v.kind === "symbol" || v.kind === "string" ? t : typeName(v)}`);
  return t as Part;
}

const ADD_PARTS = ["year", "month", "day", "hour", "minute", "second"] as const;
const EXTRACT_PARTS = [...ADD_PARTS, "timezone_hour", "timezone_minute"] as const;

const UNIT_PRECISION: Record<string, TimestampPrecision> = {
  year: "year", month: "month", day: "day", hour: "minute", minute: "minute", second: "second",
};

function localSeconds(t: IonTimestamp): number {
  return daysFromCivil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

export function dateAdd(part: Part, n: bigint, t: IonTimestamp): IonTimestamp {
  const unit = UNIT_PRECISION[part];
  const precision = PRECISION_RANK[unit] > PRECISION_RANK[t.precision] ? unit : t.precision;
  const offset = PRECISION_RANK[t.precision] >= PRECISION_RANK.minute ? t.offset : null;
  if (part === "year" || part === "month") {
    const months = BigInt(t.year) * 12n + BigInt(t.month - 1) + (part === "year" ? n * 12n : n);
    const y = Number(months / 12n - (months < 0n && months % 12n !== 0n ? 1n : 0n));
    const m = Number(months - BigInt(y) * 12n) + 1;
    if (y < 1 || y > 9999) throw evalError("DATE_ADD result is out of the timestamp range");
    const d = Math.min(t.day, daysInMonth(y, m));
    return mkTimestamp(precision, offset, y, m, d, t.hour, t.minute, t.second, t.fraction);
  }
  const mult = part === "day" ? 86400n : part === "hour" ? 3600n : part === "minute" ? 60n : 1n;
  const secs = BigInt(localSeconds(t)) + n * mult;
  const lo = BigInt(daysFromCivil(1, 1, 1)) * 86400n, hi = BigInt(daysFromCivil(10000, 1, 1)) * 86400n;
  if (secs < lo || secs >= hi) throw evalError("DATE_ADD result is out of the timestamp range");
  const r = fromEpochSeconds(Number(secs), null, precision, t.fraction);
  return mkTimestamp(precision, offset, r.year, r.month, r.day, r.hour, r.minute, r.second, t.fraction);
}

export function dateDiff(part: Part, a: IonTimestamp, b: IonTimestamp): bigint {
  if (part === "year" || part === "month") {
    // b's fields at a's offset.
    const shift = (a.offset ?? 0) - (b.offset ?? 0);
    const bl = fromEpochSeconds(localSeconds(b) + shift * 60, null, "second");
    let months = (bl.year - a.year) * 12 + (bl.month - a.month);
    const restA = [a.day, a.hour, a.minute, a.second, fracNum(a)];
    const restB = [bl.day, bl.hour, bl.minute, bl.second, fracNum(b)];
    const cmp = compareTuples(restB, restA);
    if (months > 0 && cmp < 0) months--;
    else if (months < 0 && cmp > 0) months++;
    return BigInt(part === "year" ? Math.trunc(months / 12) : months);
  }
  const da = decAdd(dec(BigInt(epochSeconds(a)), 0), fracDec(a));
  const db = decAdd(dec(BigInt(epochSeconds(b)), 0), fracDec(b));
  const diffNanos = scaleNanos(db) - scaleNanos(da);
  const unit = part === "day" ? 86400n : part === "hour" ? 3600n : part === "minute" ? 60n : 1n;
  return diffNanos / (unit * 1_000_000_000n);
}

function fracDec(t: IonTimestamp) {
  return t.fraction ? dec(t.fraction.coefficient, t.fraction.exponent) : dec(0n, 0);
}
function fracNum(t: IonTimestamp): number {
  return t.fraction ? Number(t.fraction.coefficient) * 10 ** t.fraction.exponent : 0;
}
function scaleNanos(d: { coefficient: bigint; exponent: number; negative: boolean }): bigint {
  const e = d.exponent + 9;
  const u = d.negative ? -d.coefficient : d.coefficient;
  return e >= 0 ? u * 10n ** BigInt(e) : u / 10n ** BigInt(-e);
}
function compareTuples(x: number[], y: number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

function extract(part: Part, t: IonTimestamp): PValue {
  switch (part) {
    case "year": return int(t.year);
    case "month": return int(t.month);
    case "day": return int(t.day);
    case "hour": return int(t.hour);
    case "minute": return int(t.minute);
    case "second": return t.fraction ? decAdd(dec(BigInt(t.second), 0), fracDec(t)) : dec(BigInt(t.second), 0);
    case "timezone_hour": return int(Math.trunc((t.offset ?? 0) / 60));
    case "timezone_minute": return int((t.offset ?? 0) % 60);
  }
}

/** The system clock as a UTC timestamp with millisecond precision. */
export function systemNow(): IonTimestamp {
  const ms = Date.now();
  const secs = Math.floor(ms / 1000);
  return fromEpochSeconds(secs, 0, "second", { coefficient: BigInt(ms - secs * 1000), exponent: -3 });
}

const timestampArg = (fn: string, i: number, allowTime = false) => (args: PValue[]) => {
  const v = args[i];
  const k = v === undefined ? undefined : temporalKind(v);
  if (k === "date" || k === "timestamp" || (allowTime && k === "time")) return;
  if (v !== undefined && v.kind !== "null" && v.kind !== "missing" && v.kind !== "timestamp") {
    throw typeError(`${fn} needs a timestamp, got ${typeName(v)}`);
  }
};

export const datetimeFunctions: Record<string, FnDef> = {
  date_literal: { min: 1, max: 1, check: argTypes("text"), impl: ([s]) => dateLiteral(textOf(s)) },
  time_literal: {
    min: 1, max: 3, propagate: false, check: argTypes("text", "any", "any"),
    impl: ([s, z, p]) => timeLiteral(textOf(s), z !== undefined && textOf(z) === "with_time_zone", p),
  },
  timestamp_literal: {
    min: 1, max: 3, propagate: false, check: argTypes("text", "any", "any"),
    impl: ([s, z, p]) => timestampLiteral(textOf(s), z !== undefined && textOf(z) === "with_time_zone", p),
  },
  interval_literal: {
    min: 3, max: 5, propagate: false, check: argTypes("text", "text", "text", "any"),
    impl: ([s, a, b, p, f]) => intervalLiteral(textOf(s), a, b, p, f),
  },
  cast_interval: {
    min: 3, max: 5, propagate: false,
    impl: ([v, a, b, p, f]) => castInterval(v, a, b, p, f),
  },
  extract: {
    min: 2, max: 2,
    check: (args) => { if (!temporalKind(args[1])) timestampArg("EXTRACT", 1)(args); },
    impl: ([p, t]) => {
      const part = partOf(p, "EXTRACT", EXTRACT_PARTS);
      return extractTemporal(part, t) ?? extract(part, asIonTimestamp(t) as IonTimestamp);
    },
  },
  date_add: {
    min: 3, max: 3,
    check: (args, call) => { timestampArg("DATE_ADD", 2)(args); argTypes("any", "int", "any")(args, call); },
    impl: ([p, n, t]) => {
      const r = dateAdd(partOf(p, "DATE_ADD", ADD_PARTS), (n as { value: bigint }).value, asIonTimestamp(t) as IonTimestamp);
      const form = dateAddForm(t);
      return form ? fromIonTimestamp(r, form) : r;
    },
  },
  date_diff: {
    min: 3, max: 3,
    check: (args) => { timestampArg("DATE_DIFF", 1, true)(args); timestampArg("DATE_DIFF", 2, true)(args); },
    impl: ([p, a, b]) => {
      const part = partOf(p, "DATE_DIFF", ADD_PARTS);
      const t = timeDiff(part, a, b);
      if (t !== undefined) return { kind: "int", value: t };
      return { kind: "int", value: dateDiff(part, asIonTimestamp(a) as IonTimestamp, asIonTimestamp(b) as IonTimestamp) };
    },
  },
  to_string: {
    min: 2, max: 2,
    check: (args, call) => { timestampArg("TO_STRING", 0)(args); argTypes("any", "text")(args, call); },
    impl: ([t, p]) => str(formatTimestamp(asIonTimestamp(t) as IonTimestamp, textOf(p))),
  },
  to_timestamp: {
    min: 1, max: 2, check: argTypes("text", "text"),
    impl: ([s, p]) => {
      if (p === undefined) {
        const t = parseTimestampText(textOf(s).trim());
        if (!t) throw evalError(`'${textOf(s)}' is not an Ion timestamp`);
        return t;
      }
      return parseTimestamp(textOf(s), textOf(p));
    },
  },
  utcnow: { min: 0, max: 0, impl: (_a, ctx: Ctx) => ctx.now() },
  txid: {
    min: 0, max: 0,
    impl: (_a, ctx: Ctx) => {
      if (ctx.txid === undefined) throw evalError("TXID() is only available inside a transaction");
      return str(ctx.txid);
    },
  },
};
