/**
 * Type-level tests for the client (checked by `tsc --noEmit` and `deno check`; never run).
 * Each `// @ts-expect-error` line must be an error; the expectTypeOf lines pin result types.
 */
import { expectTypeOf } from "expect-type";
import { Decimal } from "ion-js";
import { int, Temporal, unset, type Client, type Row, type UpdateInput, type Where } from "../../client/index.ts";
import type { Car } from "../unit/client/fixtures.ts";

declare const db: Client<{ cars: Car }>;

export async function typings(): Promise<void> {
  // Where: values, filters, combinators.
  const ok: Where<Car> = {
    VIN: "1",
    Year: { gte: 2000, lt: 2020 },
    Owner: { startsWith: "Maria", notIn: ["x"] },
    Price: { gt: new Decimal("1.5") },
    RegisteredAt: { lte: Temporal.Now.instant() },
    id: "abc",
    OR: [{ VIN: "2" }, { NOT: { Owner: "y" } }],
  };
  void ok;
  // optional fields may be matched against null (absent)
  await db.cars.findMany({ where: { Price: null } });
  await db.cars.findMany({ where: { Price: { not: null } } });

  // @ts-expect-error misspelled field in where
  await db.cars.findMany({ where: { Vin: "1" } });
  // @ts-expect-error a string where a number is declared
  await db.cars.findMany({ where: { Year: "2012" } });
  // @ts-expect-error a string where a number is declared (filter)
  await db.cars.findMany({ where: { Year: { gte: "2012" } } });
  // @ts-expect-error string operators only on strings
  await db.cars.findMany({ where: { Year: { contains: "20" } } });
  // @ts-expect-error required field cannot be null
  await db.cars.findMany({ where: { VIN: null } });
  // @ts-expect-error misspelled orderBy field
  await db.cars.findMany({ orderBy: { Yaer: "asc" } });
  // @ts-expect-error bad sort direction
  await db.cars.findMany({ orderBy: { Year: "up" } });

  // Insert: required fields required, Int is branded.
  const row = await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012), Owner: "Maria" });
  expectTypeOf(row).toEqualTypeOf<Row<Car>>();
  expectTypeOf(row.id).toEqualTypeOf<string>();
  // @ts-expect-error insert without a required field (Owner)
  await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012) });
  // @ts-expect-error a plain number where Int is declared
  await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: 2012, Owner: "Maria" });
  // @ts-expect-error unknown field on insert
  await db.cars.insert({ VIN: "1", Manufacturer: "Tesla", Model: "S", Year: int(2012), Owner: "Maria", Colour: "red" });

  // Update: partial, never id or metadata.
  await db.cars.update({ where: { id: row.id }, data: { Owner: "Richard" } });
  // @ts-expect-error update touching id
  await db.cars.update({ where: { id: row.id }, data: { id: "other" } });
  // @ts-expect-error update touching metadata
  await db.cars.update({ where: { id: row.id }, data: { metadata: { version: 3 } } });
  // @ts-expect-error misspelled field in update data
  await db.cars.update({ where: { id: row.id }, data: { Ownr: "x" } });
  expectTypeOf<UpdateInput<Car>>().toHaveProperty("Owner");
  // unset removes an optional field; a required one cannot be unset.
  await db.cars.update({ where: { id: row.id }, data: { Price: unset } });
  // @ts-expect-error Owner is required
  await db.cars.update({ where: { id: row.id }, data: { Owner: unset } });

  // Select narrows the result type.
  const narrow = await db.cars.findMany({ select: { VIN: true, Year: true } });
  expectTypeOf(narrow).toEqualTypeOf<(Pick<Car, "VIN" | "Year"> & { readonly id: string })[]>();
  // @ts-expect-error Owner was not selected
  narrow[0].Owner;
  const full = await db.cars.findMany({ where: { VIN: "1" } });
  expectTypeOf(full).toEqualTypeOf<Row<Car>[]>();
  const one = await db.cars.findUnique({ where: { VIN: "1" }, select: { Owner: true } });
  expectTypeOf(one).toEqualTypeOf<(Pick<Car, "Owner"> & { readonly id: string }) | null>();
  // @ts-expect-error misspelled select key
  await db.cars.findMany({ select: { Vin: true } });
  // Ids alone.
  const ids = await db.cars.findMany({ select: { id: true } });
  expectTypeOf(ids).toEqualTypeOf<(Pick<Car, never> & { readonly id: string })[]>();

  // Ledger features.
  for await (const rev of db.cars.history({ id: row.id })) {
    expectTypeOf(rev.data).toEqualTypeOf<Car | undefined>();
    expectTypeOf(rev.txTime).toEqualTypeOf<Temporal.Instant>();
  }
  expectTypeOf(await db.cars.verify(row.id)).toHaveProperty("verified").toEqualTypeOf<boolean>();
  expectTypeOf(await db.cars.count()).toEqualTypeOf<number>();
  const n = await db.$transaction(async (tx) => {
    await tx.cars.insert({ VIN: "2", Manufacturer: "T", Model: "3", Year: int(2020), Owner: "Bo" });
    return 1;
  });
  expectTypeOf(n).toEqualTypeOf<number>();
  expectTypeOf(db.cars.findMany.toPartiQL({ where: { VIN: "1" } }).text).toEqualTypeOf<string>();
  // @ts-expect-error no such table
  db.trucks;
}
