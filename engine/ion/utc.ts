/**
 * Conversion of an Ion timestamp's local fields to UTC and back.
 *
 * Ion binary (and so Ion Hash) stores minute/second-precision timestamps as UTC fields plus the
 * offset, while the value model keeps local fields as written. Done with integer arithmetic rather
 * than `Date` because Date.UTC maps years 0-99 to 1900-1999 and we must not go through JS Date.
 */
import { limits } from "../limits.ts";

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS[month];
}

/**
 * Shifts a wall-clock minute by `deltaMinutes` (|delta| < one day), carrying into day, month and
 * year. Returns [year, month, day, hour, minute].
 */
export function shiftMinutes(
  year: number, month: number, day: number, hour: number, minute: number, deltaMinutes: number,
): [number, number, number, number, number] {
  let total = hour * 60 + minute + deltaMinutes;
  if (total < 0) {
    total += 1440;
    day--;
    if (day < 1) {
      month--;
      if (month < 1) { month = 12; year--; }
      day = daysInMonth(year, month);
    }
  } else if (total >= 1440) {
    total -= 1440;
    day++;
    if (day > daysInMonth(year, month)) {
      day = 1;
      month++;
      if (month > 12) { month = 1; year++; }
    }
  }
  return [year, month, day, Math.floor(total / 60), total % 60];
}

/** Days from 1970-01-01 to the proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Whole seconds since the epoch of local fields at `offsetMinutes` (null: unknown, taken as UTC). */
export function epochSeconds(
  year: number, month: number, day: number, hour: number, minute: number, second: number, offsetMinutes: number | null,
): number {
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - (offsetMinutes ?? 0) * 60;
}

const PRECISIONS = ["year", "month", "day", "minute", "second"];

function isIntIn(n: unknown, lo: number, hi: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= lo && n <= hi;
}

/**
 * Why a timestamp cannot be stored as it is, or undefined if it can: every field must be what
 * binary Ion can hold and a reader gives back unchanged — a real calendar date in years
 * 0001-9999 both as written and in UTC, a time of day, whole seconds plus a fraction in [0, 1),
 * an offset inside ±23:59 (none for a date), and nothing set below the precision. Binary Ion and
 * Ion Hash store only the fields the precision names, in UTC, and readers (ours and ion-js)
 * refuse anything else: such a value, once journaled, would hash as something it is not, or make
 * the ledger impossible to reopen. The model's own constructors (parsers, Temporal, PartiQL's
 * casts) all go through this check.
 */
export function timestampRangeError(t: {
  readonly precision: string; readonly offset: number | null;
  readonly year: number; readonly month: number; readonly day: number; readonly hour: number; readonly minute: number;
  readonly second?: number; readonly fraction?: { readonly coefficient: bigint; readonly exponent: number } | null;
}): string | undefined {
  const p = PRECISIONS.indexOf(t.precision);
  if (p < 0) return `precision ${String(t.precision)} is not one of ${PRECISIONS.join(", ")}`;
  if (!isIntIn(t.year, 1, 9999)) return `year ${String(t.year)} is outside 0001-9999`;
  if (!isIntIn(t.month, 1, 12)) return `month ${String(t.month)} is not 1-12`;
  if (!isIntIn(t.day, 1, daysInMonth(t.year, t.month))) return `day ${String(t.day)} is not a day of ${t.year}-${String(t.month).padStart(2, "0")}`;
  if (!isIntIn(t.hour, 0, 23)) return `hour ${String(t.hour)} is not 0-23`;
  if (!isIntIn(t.minute, 0, 59)) return `minute ${String(t.minute)} is not 0-59`;
  const second = t.second ?? 0, fraction = t.fraction ?? null;
  if (!isIntIn(second, 0, 59)) return `second ${String(second)} is not a whole 0-59 (fractions go in fraction)`;
  if (fraction !== null) {
    const { coefficient: c, exponent: e } = fraction as { coefficient: unknown; exponent: unknown };
    if (typeof c !== "bigint" || c < 0n || !isIntIn(e, -Infinity, -1)) {
      return "the fraction of a second is not a decimal in [0, 1) with a negative exponent";
    }
    if (e < -limits.maxNumberDigits) return `the fraction of a second has more than ${limits.maxNumberDigits} digits`;
    if (c >= 10n ** BigInt(-e)) return "the fraction of a second is not below 1";
  }
  // Fields below the precision are not stored: a value that sets them would read back different.
  if (p < 1 && t.month !== 1) return `month ${t.month} is set on a year-precision timestamp`;
  if (p < 2 && t.day !== 1) return `day ${t.day} is set on a timestamp of ${t.precision} precision`;
  if (p < 3 && (t.hour !== 0 || t.minute !== 0)) return `a time of day is set on a timestamp of ${t.precision} precision`;
  if (p < 4 && (second !== 0 || fraction !== null)) return `seconds are set on a timestamp of ${t.precision} precision`;
  if (p < 3) {
    if (t.offset !== null) return `a date (${t.precision} precision) has no offset`;
    return undefined;
  }
  if (t.offset !== null && !isIntIn(t.offset, -1439, 1439)) return `offset ${String(t.offset)} minutes is outside ±23:59`;
  if (t.offset) {
    const utcYear = shiftMinutes(t.year, t.month, t.day, t.hour, t.minute, -t.offset)[0];
    if (utcYear < 1 || utcYear > 9999) return `it falls in year ${utcYear} in UTC, outside 0001-9999`;
  }
  return undefined;
}

/**
 * `digits` without its trailing zeros (the digits of a fraction of a second). A loop, not
 * `replace(/0+$/, "")`: that regex retries at every run of zeros and is quadratic on a long
 * fraction such as 0.000…0005, which a one-line statement can carry.
 */
export function withoutTrailingZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  return digits.slice(0, end);
}
