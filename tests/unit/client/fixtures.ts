/** Hand-made descriptors and row types for the client tests (what codegen would emit). */
import type { Decimal } from "ion-js";
import type { Int, SchemaDescriptor, TableDescriptor } from "../../../client/schema.ts";
import type { Temporal } from "../../../client/temporal.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { createClient, type Client, type ClientOptions } from "../../../client/index.ts";

export interface Car {
  VIN: string;
  Manufacturer: string;
  Model: string;
  Year: Int;
  Owner: string;
  Price?: Decimal;
  RegisteredAt?: Temporal.Instant;
}

export const carsTable: TableDescriptor = {
  table: "cars",
  typeName: "Car",
  fields: {
    VIN: { type: { kind: "string" }, optional: false },
    Manufacturer: { type: { kind: "string" }, optional: false },
    Model: { type: { kind: "string" }, optional: false },
    Year: { type: { kind: "int" }, optional: false },
    Owner: { type: { kind: "string" }, optional: false },
    Price: { type: { kind: "decimal" }, optional: true },
    RegisteredAt: { type: { kind: "instant" }, optional: true },
  },
  indexes: ["VIN"],
};

/** A row type using every descriptor kind, for codec tests. */
export interface Person {
  Name: string;
  Since?: Temporal.PlainDate;
}
export interface Registration {
  Plate: string;
  Active: boolean;
  Weight: number;
  Odometer: bigint;
  Kind: "car" | "truck";
  Photo?: Uint8Array;
  Owners: Person[];
  Tags: Record<string, string>;
  Note: string | null;
}

export const registrationsTable: TableDescriptor = {
  table: "registrations",
  typeName: "Registration",
  fields: {
    Plate: { type: { kind: "string" }, optional: false },
    Active: { type: { kind: "bool" }, optional: false },
    Weight: { type: { kind: "float" }, optional: false },
    Odometer: { type: { kind: "bigint" }, optional: false },
    Kind: { type: { kind: "enum", values: ["car", "truck"] }, optional: false },
    Photo: { type: { kind: "blob" }, optional: true },
    Owners: {
      type: {
        kind: "list",
        of: {
          kind: "struct",
          fields: { Name: { type: { kind: "string" }, optional: false }, Since: { type: { kind: "date" }, optional: true } },
        },
      },
      optional: false,
    },
    Tags: { type: { kind: "record", of: { kind: "string" } }, optional: false },
    Note: { type: { kind: "nullable", of: { kind: "string" } }, optional: false },
  },
  indexes: ["Plate"],
};

export const schema: SchemaDescriptor = { cars: carsTable, registrations: registrationsTable };

export type Tables = { cars: Car; registrations: Registration };

/** A client of this file's schema on a fresh temp-dir ledger; `close` closes it and removes the directory. */
export function openClient(options: ClientOptions = {}): Promise<{ db: Client<Tables>; dir: string; close: () => Promise<void> }> {
  return openClientOf<Tables>(schema, options);
}

/** openClient with a schema of the test's own. */
export async function openClientOf<T extends Record<string, object>>(
  tables: SchemaDescriptor,
  options: ClientOptions = {},
): Promise<{ db: Client<T>; dir: string; close: () => Promise<void> }> {
  const { dir, cleanup } = tempDir("quire-client-");
  const db = await createClient<T>(dir, tables, options);
  return {
    db,
    dir,
    close: async () => {
      await db.$close();
      cleanup();
    },
  };
}
