/**
 * The client runtime's public surface: what generated code and applications import.
 *
 * @example
 * ```ts
 * import { createClient, int, Temporal } from "./client/index.ts";
 * const db = await createClient<{ cars: Car }>("./data/vehicles", schema);
 * const car = await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012), Owner: "Maria" });
 * console.log(await db.cars.verify(car.id));
 * await db.$close();
 * ```
 */
export { createClient } from "./client.ts";
export type { Client, ClientOptions, PartiQLTag, Tables, TransactionClient } from "./client.ts";
/** The options of a generated `connect(dir, options)`: the same as createClient's. */
export type { ClientOptions as ConnectOptions } from "./client.ts";
export { TableClient } from "./table.ts";
export type { CommittedClient, Count, FindFirst, FindMany, FindUnique } from "./table.ts";
export { fromIon, fromIonDocument, toIon, toIonDocument } from "./codec.ts";
export {
  compileCount,
  compileDelete,
  compileFindMany,
  compileInsert,
  compileUpdate,
  escapeLike,
  quoteIdent,
} from "./partiql.ts";
export type { Statement } from "./partiql.ts";
export type { Executor, StatementHook } from "./executor.ts";
export { int } from "./int.ts";
export { unset, type Unset } from "./unset.ts";
export { Temporal } from "./temporal.ts";
export type * from "./types.ts";
export type * from "./schema.ts";
export { Decimal } from "ion-js";
export { LedgerError, isLedgerError } from "../engine/index.ts";
