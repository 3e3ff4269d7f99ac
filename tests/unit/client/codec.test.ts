import { test } from "node:test";
import assert from "node:assert/strict";
import { Decimal } from "ion-js";
import { isLedgerError, toText } from "../../../engine/index.ts";
import { fromIon, fromIonDocument, toIon, toIonDocument } from "../../../client/codec.ts";
import { int } from "../../../client/int.ts";
import { Temporal } from "../../../client/temporal.ts";
import { carsTable, registrationsTable } from "./fixtures.ts";

const car = () => ({
  VIN: "123456789",
  Manufacturer: "Tesla",
  Model: "Model S",
  Year: int(2012),
  Owner: "Maria Garcia",
  Price: new Decimal("59999.90"),
  RegisteredAt: Temporal.Instant.from("2019-06-05T20:53:35.291Z"),
});

const registration = () => ({
  Plate: "ABC-123",
  Active: true,
  Weight: 1850.5,
  Odometer: 12345678901234567890n,
  Kind: "car" as const,
  Photo: new Uint8Array([1, 2, 3]),
  Owners: [{ Name: "Maria", Since: Temporal.PlainDate.from("2012-03-01") }, { Name: "Richard" }],
  Tags: { color: "red", "body style": "sedan" },
  Note: null,
});

test("codec: car round trip keeps declared types", () => {
  const doc = toIonDocument(car(), carsTable.fields, "cars");
  assert.equal(
    toText(doc),
    `{VIN: "123456789", Manufacturer: "Tesla", Model: "Model S", Year: 2012, Owner: "Maria Garcia", Price: 59999.90, RegisteredAt: 2019-06-05T20:53:35.291Z}`,
  );
  const back = fromIonDocument(doc, carsTable.fields) as ReturnType<typeof car>;
  assert.equal(back.Year, 2012);
  assert.ok(back.Price instanceof Decimal);
  assert.equal(back.Price.toString(), "59999.90");
  assert.equal(Object.prototype.toString.call(back.RegisteredAt), "[object Temporal.Instant]");
  assert.ok(back.RegisteredAt.equals(car().RegisteredAt));
});

test("codec: every kind round trips", () => {
  const doc = toIonDocument(registration(), registrationsTable.fields, "registrations");
  const back = fromIonDocument(doc, registrationsTable.fields) as ReturnType<typeof registration>;
  const r = registration();
  assert.equal(back.Odometer, r.Odometer);
  assert.equal(typeof back.Odometer, "bigint");
  assert.equal(back.Weight, 1850.5);
  assert.deepEqual(back.Photo, r.Photo);
  assert.deepEqual(back.Tags, r.Tags);
  assert.equal(back.Note, null);
  assert.equal(back.Owners[0].Since!.toString(), "2012-03-01");
  assert.equal(back.Owners[1].Since, undefined);
  assert.ok(!("Since" in back.Owners[1]));
  assert.match(toText(doc), /Since: 2012-03-01[,}]/);
});

test("codec: instants keep nanoseconds; an offset timestamp maps to the same instant", () => {
  const i = Temporal.Instant.from("2020-01-02T03:04:05.123456789Z");
  const v = toIon(i, { kind: "instant" }, "x");
  assert.ok((fromIon(v, { kind: "instant" }) as Temporal.Instant).equals(i));
  const offset = { kind: "timestamp", precision: "second", offset: 120, year: 2020, month: 1, day: 2, hour: 5, minute: 4, second: 5, fraction: null } as const;
  assert.equal(String(fromIon(offset, { kind: "instant" })), "2020-01-02T03:04:05Z");
});

const bad: { name: string; table: "cars" | "registrations"; value: () => unknown; path: string }[] = [
  { name: "string where Int", table: "cars", value: () => ({ ...car(), Year: "2012" }), path: "cars.Year" },
  { name: "unsafe Int", table: "cars", value: () => ({ ...car(), Year: 2 ** 60 }), path: "cars.Year" },
  { name: "fractional Int", table: "cars", value: () => ({ ...car(), Year: 2012.5 }), path: "cars.Year" },
  { name: "missing required", table: "cars", value: () => { const c: Record<string, unknown> = car(); delete c.Owner; return c; }, path: "cars.Owner" },
  { name: "unknown field", table: "cars", value: () => ({ ...car(), Colour: "red" }), path: "cars.Colour" },
  { name: "null for optional (not nullable)", table: "cars", value: () => ({ ...car(), Price: null }), path: "cars.Price" },
  { name: "number for Decimal", table: "cars", value: () => ({ ...car(), Price: 1.5 }), path: "cars.Price" },
  { name: "Date for Instant", table: "cars", value: () => ({ ...car(), RegisteredAt: new Date() }), path: "cars.RegisteredAt" },
  { name: "nested list item field", table: "registrations", value: () => ({ ...registration(), Owners: [{ Name: "a" }, { Name: "b" }, { Name: 3 }] }), path: "registrations.Owners[2].Name" },
  { name: "nested unknown field", table: "registrations", value: () => ({ ...registration(), Owners: [{ Name: "a", Age: 3 }] }), path: "registrations.Owners[0].Age" },
  { name: "enum value", table: "registrations", value: () => ({ ...registration(), Kind: "bus" }), path: "registrations.Kind" },
  { name: "number for bigint", table: "registrations", value: () => ({ ...registration(), Odometer: 5 }), path: "registrations.Odometer" },
  { name: "record value", table: "registrations", value: () => ({ ...registration(), Tags: { "body style": 1 } }), path: `registrations.Tags["body style"]` },
  { name: "PlainDate field given Instant", table: "registrations", value: () => ({ ...registration(), Owners: [{ Name: "a", Since: Temporal.Now.instant() }] }), path: "registrations.Owners[0].Since" },
  { name: "array for blob", table: "registrations", value: () => ({ ...registration(), Photo: [1, 2] }), path: "registrations.Photo" },
  { name: "not an object", table: "cars", value: () => "car", path: "cars" },
  // Objects only tagged as Temporal values: the tag is not the type (the brand is checked).
  { name: "object posing as an Instant", table: "cars", value: () => ({ ...car(), RegisteredAt: { [Symbol.toStringTag]: "Temporal.Instant" } }), path: "cars.RegisteredAt" },
  { name: "object posing as a PlainDate", table: "registrations", value: () => ({ ...registration(), Owners: [{ Name: "a", Since: { [Symbol.toStringTag]: "Temporal.PlainDate", year: 2012 } }] }), path: "registrations.Owners[0].Since" },
  { name: "hole in a sparse array", table: "registrations", value: () => ({ ...registration(), Owners: [{ Name: "a" }, , { Name: "b" }] }), path: "registrations.Owners[1]" },
  { name: "record key with a lone surrogate", table: "registrations", value: () => ({ ...registration(), Tags: { "x\uD800": "red" } }), path: `registrations.Tags["x\\ud800"]` },
  // What the application's own objects throw while being read is a TYPE_ERROR, as in the engine.
  { name: "throwing getter", table: "cars", value: () => Object.defineProperty({ ...car() }, "Owner", { get() { throw new Error("getter"); }, enumerable: true }), path: "cars" },
  { name: "throwing Proxy", table: "cars", value: () => new Proxy({ ...car() }, { ownKeys() { throw new Error("proxy"); } }), path: "cars" },
];
for (const c of bad) {
  test(`codec TYPE_ERROR: ${c.name}`, () => {
    const fields = c.table === "cars" ? carsTable.fields : registrationsTable.fields;
    assert.throws(() => toIonDocument(c.value(), fields, c.table), (e) => {
      assert.ok(isLedgerError(e, "TYPE_ERROR"), String(e));
      assert.equal(e.details.path, c.path);
      assert.ok(e.message.endsWith(`at ${c.path}`), e.message);
      return true;
    });
  });
}

test("codec: optional undefined is absent", () => {
  const doc = toIonDocument({ ...car(), Price: undefined, RegisteredAt: undefined }, carsTable.fields, "cars");
  assert.deepEqual(doc.fields.map(([k]) => k), ["VIN", "Manufacturer", "Model", "Year", "Owner"]);
});

test("int() checks", () => {
  assert.equal(int(5), 5);
  assert.throws(() => int(1.5), (e) => isLedgerError(e, "TYPE_ERROR"));
  // An integer has one zero (int.ts): -0 is the Ion int 0, and reads back as 0.
  const zero = toIon(int(-0), { kind: "int" }, "$");
  assert.equal(toText(zero), "0");
  assert.ok(Object.is(fromIon(zero, { kind: "int" }, "$"), 0));
});

test("reading back refuses what the declared type cannot hold unchanged, naming where", async () => {
  const { parseText } = await import("../../../engine/index.ts");
  const read = (text: string, fields = carsTable.fields) => fromIonDocument(parseText(text)[0] as never, fields, 'cars["id1"]');
  const base = "VIN: \"1\", Manufacturer: \"T\", Model: \"S\", Owner: \"M\"";
  const cases: [string, string, RegExp][] = [
    ["a fraction in an Int", `{${base}, Year: 2012.5}`, /not an integer at cars\["id1"\]\.Year/],
    ["an int beyond 2^53 in an Int", `{${base}, Year: 9007199254740993}`, /beyond a number's exact range.*at cars\["id1"\]\.Year/],
    ["a string in an Int", `{${base}, Year: "nineteen"}`, /stored string does not fit the declared int at cars\["id1"\]\.Year/],
    ["a null in a required field", `{${base}, Year: null}`, /stored null does not fit the declared int/],
    ["a null in an optional, non-nullable field", `{${base}, Year: 2012, Price: null}`, /stored null.*at cars\["id1"\]\.Price/],
    ["a missing required field", `{VIN: "1", Manufacturer: "T", Model: "S", Year: 2012}`, /no Owner, which is required at cars\["id1"\]\.Owner/],
  ];
  for (const [name, text, message] of cases) {
    assert.throws(() => read(text), (e) => isLedgerError(e, "TYPE_ERROR") && message.test(e.message), name);
  }
  // A repeated name: an object keeps one value, so reading either would drop the other.
  assert.throws(() => read(`{${base}, Year: 2012, Year: 2013}`), (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === 'cars["id1"].Year');
  assert.throws(
    () => fromIonDocument(parseText(`{Tags: {a: "1", a: "2"}}`)[0] as never, { Tags: registrationsTable.fields.Tags }, "r"),
    (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === "r.Tags.a",
  );
  // A string-literal union is one of its values on read as on write.
  assert.throws(
    () => fromIonDocument(parseText(`{Kind: "bicycle"}`)[0] as never, { Kind: registrationsTable.fields.Kind }, 'registrations["id1"]'),
    (e) => isLedgerError(e, "TYPE_ERROR") && e.details.path === 'registrations["id1"].Kind' && /"bicycle" is not one of "car", "truck"/.test(e.message),
  );
  assert.equal((fromIonDocument(parseText(`{Kind: truck}`)[0] as never, { Kind: registrationsTable.fields.Kind }) as { Kind: string }).Kind, "truck");
  // An undeclared field (not returned) may repeat.
  assert.equal((read(`{${base}, Year: 2012, Extra: 1, Extra: 2}`) as { Year: number }).Year, 2012);
  // Exact values come back: an integral decimal or float is an Int; a nullable field may be null.
  assert.equal((read(`{${base}, Year: 2012.}`) as { Year: number }).Year, 2012);
  assert.equal((read(`{${base}, Year: 2012e0}`) as { Year: number }).Year, 2012);
  const reg = registration();
  const doc = toIonDocument(reg, registrationsTable.fields, "registrations");
  assert.equal((fromIonDocument(doc, registrationsTable.fields) as { Note: unknown }).Note, null);
  // A PlainDate holds a date, not a time of day.
  assert.throws(
    () => fromIon(parseText("2012-03-01T10:00Z")[0], { kind: "date" }, "r.Since"),
    (e) => isLedgerError(e, "TYPE_ERROR") && /time of day.*at r\.Since/.test(e.message),
  );
  assert.equal(String(fromIon(parseText("2012-03-01T")[0], { kind: "date" })), "2012-03-01");
});

test("codec: an array holding one array 4,096 times is LIMIT_EXCEEDED before it is expanded", () => {
  const row = new Array(4096).fill(1);
  const matrix = new Array(4096).fill(row); // 16.7 million ints by reference
  assert.throws(
    () => toIon(matrix, { kind: "list", of: { kind: "list", of: { kind: "int" } } }, "$.m"),
    (e: unknown) => isLedgerError(e, "LIMIT_EXCEEDED") && e.details.limit === "maxDocumentBytes",
  );
  // The same shape at a storable size converts.
  const small = new Array(64).fill(new Array(64).fill(1));
  const v = toIon(small, { kind: "list", of: { kind: "list", of: { kind: "int" } } }, "$.m");
  assert.equal(v.kind === "list" ? v.items.length : -1, 64);
});

/** Stored values a read would have changed silently (rounded, truncated), and exact ones kept. */
const numericReads: { name: string; ion: string; type: Parameters<typeof fromIon>[1]; refused?: RegExp; value?: string }[] = [
  { name: "Int from a decimal with a tiny fraction", ion: "1.0000000000000000001", type: { kind: "int" }, refused: /stored decimal 1\.0000000000000000001 is not an integer/ },
  { name: "Int from a decimal with a fraction digit far out", ion: "1d-400", type: { kind: "int" }, refused: /not an integer/ },
  { name: "Int from a decimal beyond 2^53", ion: "9007199254740993.0", type: { kind: "int" }, refused: /beyond a number's exact range/ },
  { name: "Int from a huge decimal", ion: "1d400", type: { kind: "int" }, refused: /beyond a number's exact range/ },
  { name: "Int from an integral decimal", ion: "2012.000", type: { kind: "int" }, value: "2012" },
  { name: "Int from a decimal with a positive exponent", ion: "-12d3", type: { kind: "int" }, value: "-12000" },
  { name: "Int from a float beyond 2^53", ion: "1e300", type: { kind: "int" }, refused: /not a safe integer/ },
  { name: "number from an int beyond 2^53", ion: "9007199254740993", type: { kind: "float" }, refused: /stored int 9007199254740993 is not exactly a number/ },
  { name: "number from a negative int beyond 2^53", ion: "-9007199254740993", type: { kind: "float" }, refused: /not exactly a number/ },
  { name: "number from 2^60 (printed as 1152921504606847000)", ion: "1152921504606846976", type: { kind: "float" }, refused: /not exactly a number/ },
  { name: "number from 2^53", ion: "9007199254740992", type: { kind: "float" }, value: "9007199254740992" },
  { name: "number from a decimal longer than a double", ion: "0.10000000000000000000001", type: { kind: "float" }, refused: /not exactly a number \(declare Decimal\)/ },
  { name: "number from a decimal beyond a double's range", ion: "1d400", type: { kind: "float" }, refused: /not exactly a number/ },
  { name: "number from a decimal below a double's range", ion: "1d-400", type: { kind: "float" }, refused: /not exactly a number/ },
  { name: "number from 0.1", ion: "0.1", type: { kind: "float" }, value: "0.1" },
  { name: "number from 1.50", ion: "1.50", type: { kind: "float" }, value: "1.5" },
  { name: "number from -0.0", ion: "-0.0", type: { kind: "float" }, value: "0" },
  { name: "number from 1e21 as a decimal", ion: "1d21", type: { kind: "float" }, value: "1e+21" },
  { name: "Instant from a timestamp past the nanosecond", ion: "2020-01-01T00:00:00.1234567891Z", type: { kind: "instant" }, refused: /more precise than the nanosecond/ },
  { name: "Instant from a timestamp with a digit far past the nanosecond", ion: "2020-01-01T00:00:00.0000000000000000000001Z", type: { kind: "instant" }, refused: /more precise than the nanosecond/ },
  { name: "Instant from a timestamp with zeros past the nanosecond", ion: "2020-01-01T00:00:00.1234567890000Z", type: { kind: "instant" }, value: "2020-01-01T00:00:00.123456789Z" },
];

for (const c of numericReads) {
  test(`reading: ${c.name} ${c.refused ? "is a TYPE_ERROR naming the field" : "is kept exactly"}`, async () => {
    const { parseText } = await import("../../../engine/index.ts");
    const doc = parseText(`{Owners: [{Name: "M", Extra: ${c.ion}}]}`)[0];
    const fields = {
      Owners: { optional: false, type: { kind: "list", of: { kind: "struct", fields: { Name: { optional: false, type: { kind: "string" } }, Extra: { optional: false, type: c.type } } } } },
    } as const;
    const read = () => (fromIonDocument(doc as never, fields, 'regs["id1"]') as { Owners: { Extra: unknown }[] }).Owners[0].Extra;
    if (c.refused) {
      assert.throws(read, (e) => {
        assert.ok(isLedgerError(e, "TYPE_ERROR"), String(e));
        assert.equal(e.details.path, 'regs["id1"].Owners[0].Extra');
        assert.match(e.message, c.refused!);
        return true;
      });
    } else {
      assert.equal(String(read()), c.value);
    }
  });
}
