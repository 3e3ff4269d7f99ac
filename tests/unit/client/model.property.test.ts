/**
 * Model test: random sequences of insert / update / delete / findMany on the client give the same
 * results as an in-memory model, and every change appears in history.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { int } from "../../../client/index.ts";
import { openClient, type Car } from "./fixtures.ts";

type Op =
  | { op: "insert"; vin: string; year: number; owner: string }
  | { op: "update"; vin: string; owner: string; year?: number }
  | { op: "delete"; vin: string }
  | { op: "findMany"; minYear: number; owner?: string; desc: boolean };

const vin = fc.constantFrom("A", "B", "C", "D", "E");
const owner = fc.constantFrom("Maria", "Richard", "Ann%", "Bo_b");
const year = fc.integer({ min: 1990, max: 2030 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), vin, year, owner }),
  fc.record({ op: fc.constant("update" as const), vin, owner, year: fc.option(year, { nil: undefined }) }, { requiredKeys: ["op", "vin", "owner"] }),
  fc.record({ op: fc.constant("delete" as const), vin }),
  fc.record({ op: fc.constant("findMany" as const), minYear: year, owner: fc.option(owner, { nil: undefined }), desc: fc.boolean() }, { requiredKeys: ["op", "minYear", "desc"] }),
);

test("client agrees with an in-memory model; history records every change", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
      const { db, close } = await openClient();
      try {
        const model = new Map<string, { id: string; car: Car }>(); // by VIN (unique in the model)
        const changes = new Map<string, number>(); // document id -> revisions written
        for (const o of ops) {
          switch (o.op) {
            case "insert": {
              if (model.has(o.vin)) break;
              const car: Car = { VIN: o.vin, Manufacturer: "M", Model: "X", Year: int(o.year), Owner: o.owner };
              const row = await db.cars.insert(car);
              model.set(o.vin, { id: row.id, car });
              changes.set(row.id, 1);
              break;
            }
            case "update": {
              const cur = model.get(o.vin);
              const data = o.year === undefined ? { Owner: o.owner } : { Owner: o.owner, Year: int(o.year) };
              if (cur === undefined) {
                await assert.rejects(db.cars.update({ where: { VIN: o.vin }, data }), { code: "DOCUMENT_NOT_FOUND" });
                break;
              }
              const row = await db.cars.update({ where: { VIN: o.vin }, data });
              cur.car = { ...cur.car, ...data };
              assert.deepEqual({ ...row }, { ...cur.car, id: cur.id });
              changes.set(cur.id, changes.get(cur.id)! + 1);
              break;
            }
            case "delete": {
              const cur = model.get(o.vin);
              if (cur === undefined) {
                assert.deepEqual(await db.cars.deleteMany({ where: { VIN: o.vin } }), { count: 0 });
                break;
              }
              const row = await db.cars.delete({ where: { VIN: o.vin } });
              assert.equal(row.id, cur.id);
              model.delete(o.vin);
              changes.set(cur.id, changes.get(cur.id)! + 1);
              break;
            }
            case "findMany": {
              const got = await db.cars.findMany({
                where: { Year: { gte: o.minYear }, ...(o.owner === undefined ? {} : { Owner: o.owner }) },
                orderBy: [{ Year: o.desc ? "desc" : "asc" }, { VIN: "asc" }],
              });
              const want = [...model.values()]
                .filter((m) => m.car.Year >= o.minYear && (o.owner === undefined || m.car.Owner === o.owner))
                .sort((a, b) => (o.desc ? b.car.Year - a.car.Year : a.car.Year - b.car.Year) || (a.car.VIN < b.car.VIN ? -1 : a.car.VIN > b.car.VIN ? 1 : 0))
                .map((m) => ({ ...m.car, id: m.id }));
              assert.deepEqual(got.map((r) => ({ ...r })), want);
              break;
            }
          }
        }
        assert.equal(await db.cars.count(), model.size);
        const seen = new Map<string, number>();
        for await (const rev of db.cars.history()) {
          assert.equal(rev.version, seen.get(rev.id) ?? 0, "versions in order");
          seen.set(rev.id, (seen.get(rev.id) ?? 0) + 1);
        }
        assert.deepEqual(new Map([...seen].sort()), new Map([...changes].sort()));
      } finally {
        await close();
      }
    }),
    { numRuns: 25 },
  );
});
