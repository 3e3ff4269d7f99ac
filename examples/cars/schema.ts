/**
 * The cars example's schema: one table, declared as a TypeScript interface. Run
 * `bun cli/quire.ts generate examples/cars/schema.ts --out examples/cars/generated` after editing.
 */
import type { Int } from "../../client/index.ts";

/**
 * A registered vehicle, as in QLDB's tutorial.
 * @table cars
 */
export interface Car {
  /** Vehicle identification number. @index */
  VIN: string;
  Manufacturer: string;
  Model: string;
  Year: Int;
  /** The current registered owner. */
  Owner: string;
}
