/**
 * `int(n)`: makes an `Int` (the schema's branded integer) after checking that `n` is a safe
 * integer, so that a plain float is never silently stored where an Ion int is declared.
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
