/**
 * The vehicle passport example's schema: what three parties record about one vehicle in a shared
 * ledger. Run `bun cli/quire.ts generate examples/passport/schema.ts --out examples/passport/generated`
 * after editing.
 */
import type { Int, Temporal } from "../../client/index.ts";

/**
 * The vehicle as its manufacturer built it.
 * @table vehicles
 */
export interface Vehicle {
  /** Vehicle identification number. @index */
  VIN: string;
  Manufacturer: string;
  Model: string;
  /** Day it left the factory. */
  Built: Temporal.PlainDate;
  Powertrain: "petrol" | "diesel" | "hybrid" | "electric";
}

/**
 * Who the registry has on record as the keeper, and under which plate.
 * @table registrations
 */
export interface Registration {
  /** @index */
  VIN: string;
  Keeper: string;
  Plate: string;
  Country: string;
}

/**
 * One visit to a workshop: the odometer reading a buyer cares most about.
 * @table services
 */
export interface ServiceRecord {
  /** @index */
  VIN: string;
  Workshop: string;
  Date: Temporal.PlainDate;
  OdometerKm: Int;
  Work: string[];
}
