/**
 * The Temporal implementation the client uses: the runtime's global `Temporal` where present
 * (Bun and Deno have it), otherwise `@js-temporal/polyfill`. Types come from the polyfill's
 * declarations, so application code checks the same under tsc and `deno check`.
 *
 * @example
 * ```ts
 * import { Temporal } from "./client/temporal.ts";
 * const at: Temporal.Instant = Temporal.Now.instant();
 * const day: Temporal.PlainDate = Temporal.PlainDate.from("2012-03-01");
 * ```
 */
import { Temporal as TemporalPolyfill } from "@js-temporal/polyfill";

/** The Temporal namespace object (global if the runtime has one, else the polyfill). */
export const Temporal: typeof TemporalPolyfill =
  ((globalThis as unknown as { Temporal?: typeof TemporalPolyfill }).Temporal ?? TemporalPolyfill);

/** Type names under `Temporal.` (e.g. `Temporal.Instant`) for interfaces and signatures. */
// deno-lint-ignore no-namespace
export declare namespace Temporal {
  export type Instant = TemporalPolyfill.Instant;
  export type PlainDate = TemporalPolyfill.PlainDate;
  export type PlainDateTime = TemporalPolyfill.PlainDateTime;
  export type ZonedDateTime = TemporalPolyfill.ZonedDateTime;
  export type Duration = TemporalPolyfill.Duration;
}

/**
 * Getters of a Temporal type in the runtime's implementation and in the polyfill: each throws a
 * TypeError for an object that is not really of that type, whatever its toStringTag says (an
 * object posing as an Instant would otherwise pass, and be stored as the struct it really is).
 */
function brandGetters(type: "Instant" | "PlainDate", getter: string): ((this: unknown) => unknown)[] {
  const global = (globalThis as unknown as { Temporal?: typeof TemporalPolyfill }).Temporal;
  const out: ((this: unknown) => unknown)[] = [];
  for (const impl of [global, TemporalPolyfill]) {
    const get = impl === undefined ? undefined : Object.getOwnPropertyDescriptor(impl[type].prototype, getter)?.get;
    if (get !== undefined && !out.includes(get)) out.push(get);
  }
  return out;
}

const INSTANT_BRANDS = brandGetters("Instant", "epochNanoseconds");
const PLAIN_DATE_BRANDS = brandGetters("PlainDate", "year");

function hasBrand(x: unknown, tag: string, getters: readonly ((this: unknown) => unknown)[]): boolean {
  if (typeof x !== "object" || x === null || Object.prototype.toString.call(x) !== tag) return false;
  for (const get of getters) {
    try {
      get.call(x);
      return true;
    } catch { /* not of this implementation */ }
  }
  return false;
}

/** True for a `Temporal.Instant` of either implementation (the runtime's or the polyfill's). */
export function isInstant(x: unknown): x is Temporal.Instant {
  return hasBrand(x, "[object Temporal.Instant]", INSTANT_BRANDS);
}

/** True for a `Temporal.PlainDate` of either implementation. */
export function isPlainDate(x: unknown): x is Temporal.PlainDate {
  return hasBrand(x, "[object Temporal.PlainDate]", PLAIN_DATE_BRANDS);
}
