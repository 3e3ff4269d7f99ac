/**
 * Conversion of an Ion timestamp's local fields to UTC and back.
 *
 * Ion binary (and so Ion Hash) stores minute/second-precision timestamps as UTC fields plus the
 * offset, while the value model keeps local fields as written. Done with integer arithmetic rather
 * than `Date` because Date.UTC maps years 0-99 to 1900-1999 and we must not go through JS Date.
 */

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

/**
 * Why a timestamp's fields are outside what Ion can store, or undefined if they are inside: the
 * year must be 0001-9999 both as written and in UTC (binary Ion and Ion Hash store the UTC
 * fields, and readers, ours and ion-js, refuse anything else; such a value, once journaled, would
 * make the ledger impossible to reopen).
 */
export function timestampRangeError(t: {
  readonly precision: string; readonly offset: number | null;
  readonly year: number; readonly month: number; readonly day: number; readonly hour: number; readonly minute: number;
}): string | undefined {
  if (!(t.year >= 1 && t.year <= 9999)) return `year ${t.year} is outside 0001-9999`;
  if ((t.precision === "minute" || t.precision === "second") && t.offset) {
    const utcYear = shiftMinutes(t.year, t.month, t.day, t.hour, t.minute, -t.offset)[0];
    if (utcYear < 1 || utcYear > 9999) return `it falls in year ${utcYear} in UTC, outside 0001-9999`;
  }
  return undefined;
}
