/**
 * `unset`: the value that removes an optional field in `update`, `updateMany` and `upsert`'s
 * update. `undefined` means "leave unchanged" (so that a spread of partial data does no harm),
 * and `null` is a value of its own in Ion, kept only in fields declared `T | null`; removing a
 * field needs a word of its own.
 *
 * @example
 * ```ts
 * import { unset } from "./client/index.ts";
 * await db.cars.update({ where: { VIN: "1" }, data: { Nickname: unset } }); // Nickname is now absent
 * ```
 */
export const unset: unique symbol = Symbol("quire.unset");

/** The type of `unset`. */
export type Unset = typeof unset;
