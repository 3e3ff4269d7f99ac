/**
 * Commit times. txTime and blockTimestamp are Ion timestamps at millisecond precision in UTC,
 * built from an integer millisecond clock reading (never parsed through `Date` strings).
 */
import { epochSeconds } from "../ion/utc.ts";
import type { IonTimestamp } from "../ion/value.ts";
import { ionEquals } from "../ion/equals.ts";

/** Millisecond clock; tests inject their own. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * The last two timestamps made, returned again for the same millisecond (values are never
 * mutated). Two, because a block asks for two instants that differ under load: its statements'
 * start (taken when they ran) and its commit time.
 */
let lastMillis = NaN;
let lastTimestamp: IonTimestamp | undefined;
let prevMillis = NaN;
let prevTimestamp: IonTimestamp | undefined;

/**
 * The UTC timestamp at `ms` milliseconds since the epoch, with `.SSS` fractional seconds. Calls
 * in the same millisecond get the same object (consecutive commits usually share one), so block
 * building can recognise a timestamp it has already hashed by identity.
 */
export function timestampFromEpochMillis(ms: number): IonTimestamp {
  if (ms === lastMillis) return lastTimestamp!;
  if (ms === prevMillis) return prevTimestamp!;
  // Frozen, since it is shared: blocks hand it out as txTime and blockTimestamp.
  const t = timestampAtMillis(ms);
  CLOCK_MILLIS.set(t, ms);
  prevMillis = lastMillis;
  prevTimestamp = lastTimestamp;
  lastMillis = ms;
  lastTimestamp = t;
  return t;
}

/**
 * The value timestampFromEpochMillis gives for `ms`, as a new frozen object, leaving its memo and
 * clockMillisOf untouched: for reads that rebuild a kept txTime (txn/store.ts), which would
 * otherwise push the committer's recent milliseconds out of the memo.
 */
export function timestampAtMillis(ms: number): IonTimestamp {
  return Object.freeze(makeTimestamp(ms));
}

/**
 * The millisecond each timestamp this clock made stands for, held weakly: whoever keeps many of
 * them (every stored revision keeps its txTime) can keep the number and ask for the object again.
 */
const CLOCK_MILLIS = new WeakMap<IonTimestamp, number>();

/**
 * `t`'s milliseconds since the epoch if `t` is an object the clock made (so that
 * timestampFromEpochMillis of the result gives back exactly `t`'s value), else undefined.
 */
export function clockMillisOf(t: IonTimestamp): number | undefined {
  return CLOCK_MILLIS.get(t);
}

/**
 * The commit clock's own (frozen, shared) object for `t` if `t` is exactly what the clock writes
 * for its millisecond (precision, offset and fraction digits included), else undefined. A block
 * decoded from the journal uses it to share timestamps as committed blocks do, and to tell a
 * statement's startTime it can keep as milliseconds.
 */
export function clockTimestampOf(t: IonTimestamp): IonTimestamp | undefined {
  const own = timestampFromEpochMillis(epochMillisOf(t));
  return ionEquals(own, t) ? own : undefined;
}

/**
 * The 1,000 fractions a clock timestamp can have, made once, frozen and shared: a txTime kept
 * with every revision then holds no fraction object or bigint of its own.
 */
const MILLI_FRACTIONS: readonly NonNullable<IonTimestamp["fraction"]>[] = Array.from(
  { length: 1000 },
  (_, n) => Object.freeze({ coefficient: BigInt(n), exponent: -3 }),
);

function makeTimestamp(ms: number): IonTimestamp {
  const d = new Date(ms);
  return {
    kind: "timestamp",
    precision: "second",
    offset: 0,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fraction: MILLI_FRACTIONS[d.getUTCMilliseconds()],
  };
}

/**
 * Milliseconds since the epoch of a timestamp, for ordering and windows (sub-millisecond
 * digits truncated toward the past). Exact for every timestamp the ledger itself writes.
 */
export function epochMillisOf(t: IonTimestamp): number {
  let frac = 0;
  if (t.fraction !== null && t.fraction.coefficient !== 0n) {
    const e = t.fraction.exponent;
    // fraction = coefficient * 10^e seconds; take whole milliseconds.
    const shift = e + 3;
    frac = shift >= 0
      ? Number(t.fraction.coefficient * 10n ** BigInt(shift))
      : Number(t.fraction.coefficient / 10n ** BigInt(-shift));
  }
  return epochSeconds(t.year, t.month, t.day, t.hour, t.minute, t.second, t.offset) * 1000 + frac;
}
