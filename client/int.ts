/**
 * `int(n)`: makes an `Int` (the schema's branded integer) after checking that `n` is a safe
 * integer, so that a plain float is never silently stored where an Ion int is declared. `-0`
 * passes (`Math.round(-0.4)` is one) and is stored as the Ion int 0: an integer has one zero, and
 * reads back as `0`. A field whose sign of zero matters is a float (`number`).
 *
 * @example
 * ```ts
 * import { int } from "./client/index.ts";
 * await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012), Owner: "Maria" });
 * int(1.5); // throws LedgerError TYPE_ERROR
 * ```
 */
import { LedgerError } from "../engine/index.ts";
import type { Int } from "./schema.ts";

export type { Int };

export function int(n: number): Int {
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw new LedgerError("TYPE_ERROR", `${String(n)} is not a safe integer at int()`, { path: "int()" });
  }
  return n as Int;
}
