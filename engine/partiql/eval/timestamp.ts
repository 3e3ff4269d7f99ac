/**
 * Timestamp arithmetic with integers only (no Date): days from the civil calendar, instants as
 * exact decimals of seconds, and building timestamps back from epoch seconds. An unknown offset
 * (-00:00) is treated as UTC for instants, as PartiQL's reference implementation does.
 */
import type { IonDecimal, IonTimestamp, TimestampPrecision } from "../../ion/value.ts";
import { decAdd, decFromInt, decCompare } from "./decimal.ts";
import { timestampRangeError } from "../../ion/utc.ts";
import { evalError } from "./errors.ts";

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil: [year, month, day]. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Whole seconds since the epoch of the timestamp's local fields, shifted to UTC. */
export function epochSeconds(t: IonTimestamp): number {
  const days = daysFromCivil(t.year, t.month, t.day);
  return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - (t.offset ?? 0) * 60;
}

/** The instant as an exact decimal number of seconds since the epoch. */
export function instant(t: IonTimestamp): IonDecimal {
  const whole = decFromInt(BigInt(epochSeconds(t)));
  if (!t.fraction) return whole;
  return decAdd(whole, { kind: "decimal", coefficient: t.fraction.coefficient, exponent: t.fraction.exponent, negative: false });
}

export function compareInstants(a: IonTimestamp, b: IonTimestamp): number {
  return decCompare(instant(a), instant(b));
}

/** Builds a timestamp from UTC epoch seconds, expressed at `offset` (minutes, null = unknown). */
export function fromEpochSeconds(
  secs: number, offset: number | null, precision: TimestampPrecision,
  fraction: IonTimestamp["fraction"] = null,
): IonTimestamp {
  const local = secs + (offset ?? 0) * 60;
  const days = Math.floor(local / 86400);
  let rem = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(rem / 3600);
  rem -= hour * 3600;
  const minute = Math.floor(rem / 60);
  const second = rem - minute * 60;
  return mkTimestamp(precision, offset, year, month, day, hour, minute, second, fraction);
}

/** A timestamp with fields finer than `precision` reset to their minimum. */
export function mkTimestamp(
  precision: TimestampPrecision, offset: number | null, year: number, month = 1, day = 1, hour = 0, minute = 0, second = 0,
  fraction: IonTimestamp["fraction"] = null,
): IonTimestamp {
  const p = PRECISION_RANK[precision];
  const t: IonTimestamp = {
    kind: "timestamp",
    precision,
    offset: p >= PRECISION_RANK.minute ? offset : null,
    year,
    month: p >= 1 ? month : 1,
    day: p >= 2 ? day : 1,
    hour: p >= 3 ? hour : 0,
    minute: p >= 3 ? minute : 0,
    second: p >= 4 ? second : 0,
    fraction: p >= 4 ? fraction : null,
  };
  // Every timestamp the evaluator makes passes here: one Ion cannot store (a year beyond 9999 in
  // UTC, say) must fail now, not when a document holding it is journaled or read back.
  const why = timestampRangeError(t);
  if (why !== undefined) throw evalError(`timestamp out of range: ${why}`);
  return t;
}

export const PRECISION_RANK: Record<TimestampPrecision, number> = { year: 0, month: 1, day: 2, minute: 3, second: 4 };

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}
