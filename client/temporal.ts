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

/** True for a `Temporal.Instant` of either implementation (checked by its toStringTag). */
export function isInstant(x: unknown): x is Temporal.Instant {
  return typeof x === "object" && x !== null && Object.prototype.toString.call(x) === "[object Temporal.Instant]";
}

/** True for a `Temporal.PlainDate` of either implementation. */
export function isPlainDate(x: unknown): x is Temporal.PlainDate {
  return typeof x === "object" && x !== null && Object.prototype.toString.call(x) === "[object Temporal.PlainDate]";
}
