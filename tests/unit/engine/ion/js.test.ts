import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Decimal, Timestamp } from "ion-js";
import { fromJS, ionEquals, ionLiteral, parseText, sha256, toJS, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { sha256js } from "../../../../engine/ion/sha256.ts";
import { encodeBinary } from "../../../../engine/ion/binary.ts";
import { Temporal as TemporalPolyfill } from "@js-temporal/polyfill";
import { isLedgerError, type LedgerError } from "../../../../engine/errors.ts";

const code = (c: string, path?: string) => (e: unknown) => {
  assert.ok(isLedgerError(e, c as "TYPE_ERROR"), String(e));
  if (path) assert.equal((e as LedgerError).details.path, path);
  return true;
};
const T = (x: unknown) => toText(fromJS(x));

test("fromJS: scalars", () => {
  assert.equal(T(1), "1");
  assert.equal(T(-0), "-0e0");
  assert.equal(T(1.5), "1.5e0");
  assert.equal(T(NaN), "nan");
  assert.equal(T(Infinity), "+inf");
  assert.equal(T(2n ** 200n), (2n ** 200n).toString());
  assert.equal(T("x"), '"x"');
  assert.equal(T(true), "true");
  assert.equal(T(null), "null");
  assert.equal(T(new Uint8Array([104, 105])), "{{aGk=}}");
  assert.equal(T(new Decimal("1234567890123456789012345678901234567890.5")), "1234567890123456789012345678901234567890.5");
  assert.equal(T(new Decimal("-0.00")), "-0.00");
  assert.equal(T(new Decimal("-1.5")), "-1.5");
  assert.equal(T(Number.MAX_SAFE_INTEGER), "9007199254740991");
  assert.throws(() => fromJS(2 ** 53 + 2), code("TYPE_ERROR", "$"));
  assert.throws(() => fromJS(9007199254740993), code("TYPE_ERROR"));
});

test("fromJS: containers, paths, undefined, __proto__", () => {
  assert.equal(T({ a: [1, { b: "c" }], skip: undefined }), '{a: [1, {b: "c"}]}');
  assert.throws(() => fromJS(undefined), code("TYPE_ERROR", "$"));
  assert.throws(() => fromJS({ owner: { addresses: [1, 2, () => 1] } }), code("TYPE_ERROR", "$.owner.addresses[2]"));
  assert.throws(() => fromJS({ "a b": [undefined] }), code("TYPE_ERROR", '$["a b"][0]'));
  const evil = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
  const v = fromJS(evil);
  assert.equal(toText(v), "{'__proto__': {polluted: true}, x: 1}".replace("'__proto__'", "__proto__"));
  const back = toJS(v) as Record<string, unknown>;
  assert.ok(Object.prototype.hasOwnProperty.call(back, "__proto__"));
  assert.deepEqual(Object.keys(back), ["__proto__", "x"]);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(T(Object.assign(Object.create(null), { a: 1 })), "{a: 1}");
});

test("fromJS: an array keeps its items; named properties and symbol keys are not items", () => {
  // The documented rule (js.ts header): what JSON.stringify keeps of an array, and no more.
  const match = "VIN 123456789".match(/(\d+)/)!;
  assert.equal(match.index, 4);
  assert.equal(T({ m: match }), '{m: ["123456789", "123456789"]}');
  assert.equal(T(Object.assign([1, 2], { note: "x", [Symbol("s")]: 3 })), "[1, 2]");
  // A hole is not an item either, but it has a place in the list: refused, never closed up.
  assert.throws(() => fromJS({ a: [1, , 3] }), code("TYPE_ERROR", "$.a[1]"));
});

test("fromJS: rejected types", () => {
  const args = (function (..._: unknown[]) {
    // deno-lint-ignore prefer-rest-params
    return arguments;
  })(1, 2);
  for (const bad of [new Date(0), new Map(), new Set(), Symbol("s"), () => 1, new (class Car {})(), new Uint16Array(2), args]) {
    assert.throws(() => fromJS({ x: bad }), code("TYPE_ERROR", "$.x"), String(bad?.toString?.()));
  }
  assert.throws(() => fromJS(new Date()), (e) => isLedgerError(e, "TYPE_ERROR") && /Temporal/.test((e as Error).message));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => fromJS(cyclic), code("TYPE_ERROR", "$.self"));
  const shared = { n: 1 };
  assert.equal(T([shared, shared]), "[{n: 1}, {n: 1}]"); // shared, not cyclic
  assert.throws(() => fromJS("a\ud800"), code("TYPE_ERROR"));
  assert.throws(() => fromJS({ ["\udc00"]: 1 }), code("TYPE_ERROR"));
});

test("fromJS: 100k-deep arrays are LIMIT_EXCEEDED, not RangeError", () => {
  let deep: unknown[] = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(() => fromJS(deep), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
});

test("fromJS: ion-js Timestamp and Temporal", () => {
  const ts = new Timestamp(330, 2019, 6, 5, 20, 53, new Decimal("35.2910"));
  assert.equal(T(ts), "2019-06-05T20:53:35.2910+05:30");
  assert.equal(T(new Timestamp(-0, 2019, 6)), "2019-06T");
  const Temporal = (globalThis as { Temporal?: any }).Temporal;
  if (!Temporal) return;
  assert.equal(T(Temporal.Instant.from("2019-06-05T20:53:35.291Z")), "2019-06-05T20:53:35.291Z");
  assert.equal(T(Temporal.Instant.from("2019-06-05T20:53:35Z")), "2019-06-05T20:53:35.000Z");
  assert.equal(T(Temporal.Instant.from("2019-06-05T20:53:35.000001Z")), "2019-06-05T20:53:35.000001000Z");
  assert.equal(T(Temporal.ZonedDateTime.from("2019-06-05T20:53:35.5+05:30[Asia/Kolkata]")), "2019-06-05T20:53:35.500+05:30");
  assert.equal(T(Temporal.PlainDate.from("2017-08-21")), "2017-08-21");
  assert.equal(T(Temporal.PlainDateTime.from("2017-08-21T10:00")), "2017-08-21T10:00:00.000-00:00");
});

test("fromJS: Temporal values Ion cannot hold are TYPE_ERROR at their path; other calendars are read as ISO", () => {
  const P = TemporalPolyfill;
  for (const [value, why] of [
    [P.PlainDate.from("+010000-01-01"), /year 10000 is outside 0001-9999/],
    [P.PlainDate.from("0000-01-01"), /year 0 is outside/],
    [P.PlainDate.from("-000001-01-01"), /year -1 is outside/],
    [P.Instant.from("+012345-01-01T00:00Z"), /year 12345/],
    // In range as written, not in UTC (binary Ion stores the UTC fields).
    [P.ZonedDateTime.from("0001-01-01T00:30+01:00[+01:00]"), /year 0 in UTC/],
    [P.ZonedDateTime.from("9999-12-31T23:30-01:00[-01:00]"), /year 10000 in UTC/],
  ] as const) {
    assert.throws(() => fromJS({ at: value }), (e) => code("TYPE_ERROR", "$.at")(e) && why.test((e as Error).message), String(value));
  }
  assert.equal(T(P.PlainDate.from("2019-06-05[u-ca=hebrew]")), "2019-06-05");
  assert.equal(T(P.PlainDateTime.from("2019-06-05T10:00[u-ca=islamic-civil]")), "2019-06-05T10:00:00.000-00:00");
  assert.equal(T(P.ZonedDateTime.from("2019-06-05T10:00+00:00[UTC][u-ca=japanese]")), "2019-06-05T10:00:00.000Z");
  // The edges themselves are fine.
  assert.equal(T(P.ZonedDateTime.from("0001-01-01T01:00+01:00[+01:00]")), "0001-01-01T01:00:00.000+01:00");
  assert.equal(T(P.Instant.from("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
});

test("binary Ion refuses a timestamp outside 0001-9999 in UTC rather than write what no reader accepts", () => {
  const at = (year: number, hour: number, minute: number, offset: number) =>
    ({ kind: "timestamp", precision: "minute", offset, year, month: year === 1 ? 1 : 12, day: year === 1 ? 1 : 31, hour, minute, second: 0, fraction: null }) as IonValue;
  assert.throws(() => encodeBinary(at(9999, 23, 30, -60)), code("TYPE_ERROR"));
  assert.throws(() => encodeBinary(at(1, 0, 30, 60)), code("TYPE_ERROR"));
  assert.ok(encodeBinary(at(9999, 22, 30, -60)).length > 0);
});

test("toJS: a timestamp ion-js cannot construct is a TYPE_ERROR, not ion-js's Error", () => {
  const v = fromJS(TemporalPolyfill.Instant.from("9999-12-31T23:59:59.9999995Z"));
  assert.throws(() => toJS(v), code("TYPE_ERROR"));
  // A fraction of 310 digits overflows ion-js's JS number: the message says so, not "Year NaN".
  const [long] = parseText(`2021-06-01T12:00:00.${"1".repeat(310)}Z`);
  assert.throws(() => toJS(long), (e) => isLedgerError(e, "TYPE_ERROR") && /fraction of 310 digits.*executeIon/.test(e.message));
  const [fine] = parseText(`2021-06-01T12:00:00.${"1".repeat(300)}Z`);
  assert.equal((toJS(fine) as Timestamp).getSecondsDecimal().toString(), `0.${"1".repeat(300)}`);
});

test("ionLiteral: annotations that are not all strings are a TYPE_ERROR, holes included", () => {
  // `every` skips a sparse array's holes: a hole reached the size count as a TypeError.
  for (const annotations of [["a", 5], ["a", , ], [, "x"], ["a", undefined]]) {
    assert.throws(() => fromJS({ v: ionLiteral({ kind: "int", value: 1n, annotations } as unknown as IonValue) }), code("TYPE_ERROR"), String(annotations.length));
  }
});

test("ionLiteral embeds a model value; a user object with a kind key stays a struct", () => {
  const sym: IonValue = { kind: "symbol", text: "s", annotations: ["a"] };
  assert.equal(T({ x: ionLiteral(sym) }), "{x: a::s}");
  assert.equal(T({ kind: "int", value: 1 }), "{kind: \"int\", value: 1}");
});

test("toJS: mapping and round trip", () => {
  const v = parseText('{i:1, big:123456789012345678901234567890, f:1.5e0, d:1.50, t:2019-06-05T20:53:35.2910+05:30, s:"x", y:sym, b:{{aGk=}}, l:[null.int, (1)], n:null, a:1, a:2}')[0];
  const js = toJS(v) as Record<string, any>;
  assert.equal(js.i, 1);
  assert.equal(js.big, 123456789012345678901234567890n);
  assert.equal(js.f, 1.5);
  assert.ok(js.d instanceof Decimal && js.d.toString() === "1.50");
  assert.ok(js.t instanceof Timestamp);
  assert.equal(js.y, "sym");
  assert.deepEqual(js.b, new Uint8Array([104, 105]));
  assert.deepEqual(js.l, [null, [1]]);
  assert.equal(js.a, 1);
  // decimals and timestamps come back exactly
  const again = fromJS({ d: js.d, t: js.t, neg: toJS(parseText("-0.00")[0]) });
  assert.equal(toText(again), "{d: 1.50, t: 2019-06-05T20:53:35.2910+05:30, neg: -0.00}");
  assert.ok(ionEquals(fromJS(toJS(parseText("2019-06-05T20:53-00:00")[0])), parseText("2019-06-05T20:53-00:00")[0]));
});

test("toJS: every field name becomes an own, plain data property; the first of repeated names wins", () => {
  // Names Object.prototype already answers to, the one with a setter, and ordinary ones.
  const names = ["toString", "constructor", "hasOwnProperty", "valueOf", "__proto__", "__defineGetter__", "isPrototypeOf", "1", "a", ""];
  for (const name of names) {
    const struct: IonValue = {
      kind: "struct",
      fields: [[name, { kind: "int", value: 1n }], ["x", { kind: "null", of: "null" }], [name, { kind: "int", value: 2n }]],
    };
    const js = toJS(struct) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(js), Object.prototype, name);
    assert.deepEqual(Object.getOwnPropertyDescriptor(js, name), { value: 1, writable: true, enumerable: true, configurable: true }, name);
    assert.deepEqual(Object.keys(js), name === "1" ? ["1", "x"] : [name, "x"], name);
    assert.equal(js.x, null, name);
  }
});

test("sha256 matches node:crypto for every length up to 300 and a 1 MB input", () => {
  for (let n = 0; n < 300; n++) {
    const b = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
    const ref = createHash("sha256").update(b).digest("hex");
    assert.equal(Buffer.from(sha256(b)).toString("hex"), ref);
    assert.equal(Buffer.from(sha256js(b)).toString("hex"), ref);
  }
  const big = new Uint8Array(1 << 20).fill(7);
  assert.equal(Buffer.from(sha256(big)).toString("hex"), createHash("sha256").update(big).digest("hex"));
});

test("fromJS: a blob is the caller's bytes copied, whatever slice() a Uint8Array subclass has", () => {
  // Buffer.prototype.slice returns a view of the same memory: the stored blob followed the buffer.
  const buf = Buffer.from("hello");
  const fromBuffer = fromJS(buf) as { kind: string; bytes: Uint8Array };
  buf[0] = 0x4a;
  assert.equal(fromBuffer.kind, "blob");
  assert.equal(new TextDecoder().decode(fromBuffer.bytes), "hello");
  assert.equal(Object.getPrototypeOf(fromBuffer.bytes), Uint8Array.prototype);
  class Lying extends Uint8Array {
    override slice(): any {
      return "nope";
    }
  }
  const lying = new Lying([1, 2, 3]);
  assert.deepEqual((fromJS(lying) as { bytes: Uint8Array }).bytes, new Uint8Array([1, 2, 3]));
  const detached = new Uint8Array(new ArrayBuffer(4));
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assert.throws(() => fromJS({ b: detached }), code("TYPE_ERROR", "$.b"));
});

test("fromJS: objects that throw while being read (revoked Proxy, fake Temporal, throwing getter) are TYPE_ERROR", () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const fakeInstant = new (class {
    get [Symbol.toStringTag]() {
      return "Temporal.Instant";
    }
  })();
  const getter = { get a() { throw new Error("boom"); } };
  for (const bad of [{ p: proxy }, { t: fakeInstant }, getter]) assert.throws(() => fromJS(bad), code("TYPE_ERROR"));
});

test("fromJS: an int or decimal of exactly maxNumberDigits digits is kept; one more is LIMIT_EXCEEDED, as in a literal", async () => {
  // The count came from the bit length and let some numbers of maxNumberDigits + 1 digits through.
  const { limits } = await import("../../../../engine/limits.ts");
  const max = limits.maxNumberDigits;
  for (const lead of ["1", "3", "9"]) {
    for (const fill of ["0", "5", "9"]) {
      for (const sign of [1n, -1n]) {
        const kept = sign * BigInt(lead + fill.repeat(max - 1));
        const over = sign * BigInt(lead + fill.repeat(max));
        assert.equal(fromJS(kept).kind, "int");
        assert.throws(() => fromJS(over), code("LIMIT_EXCEEDED"), `${lead}${fill}… (${max + 1} digits)`);
        assert.equal(fromJS(new Decimal(kept, -3)).kind, "decimal");
        assert.throws(() => fromJS(new Decimal(over, -3)), code("LIMIT_EXCEEDED"));
      }
    }
  }
});

test("handed-out values carry an invisible mark: embedded exactly, and a clone of one is a plain object again", async () => {
  const { handOut, handOutCopy } = await import("../../../../engine/ion/js.ts");
  const dec: IonValue = { kind: "decimal", coefficient: 10n, exponent: -1, negative: false };
  const doc = handOutCopy<IonValue>({ kind: "struct", fields: [["d", dec]] });
  // The mark adds no key: the value looks exactly like one the application built.
  assert.deepEqual(Reflect.ownKeys(doc), ["kind", "fields"]);
  assert.equal(T({ x: doc }), "{x: {d: 1.0}}");
  // A field's value taken out of it keeps its type rather than becoming a struct of its keys.
  const inner = (doc as { readonly fields: readonly (readonly [string, IonValue])[] }).fields[0][1];
  assert.equal(T({ x: inner }), "{x: 1.0}");
  // Copies the application makes are its own objects and are converted as such.
  assert.equal(T({ x: structuredClone(inner) }), '{x: {kind: "decimal", coefficient: 10, exponent: -1, negative: false}}');
  assert.equal(T({ x: { ...inner } }), '{x: {kind: "decimal", coefficient: 10, exponent: -1, negative: false}}');
  // Marking twice, and marking a frozen value, both work.
  const frozen = Object.freeze({ kind: "int", value: 7n }) as IonValue;
  handOut(handOut(frozen));
  assert.equal(T({ x: frozen }), "{x: 7}");
  // A value the application froze after receiving it is still recognised.
  assert.equal(T({ x: Object.freeze(handOutCopy(dec)) }), "{x: 1.0}");
});

test("fromJS charges each distinct field name's length once: many long names are refused while converting, repeated ones are not", () => {
  // Names cost a byte each whatever their length: a struct of 4 million distinct names passed
  // the budget and was refused only by the encode of its ~55 MB, after 14-20 s.
  const name = (i: number) => `field-${String(i).padStart(93, "0")}`; // 99 characters
  const wide: Record<string, number> = {};
  for (let i = 0; i < 100_000; i++) wide[name(i)] = 0; // ~10 MB of names, past the 8 MB budget
  assert.throws(() => fromJS(wide), (e) => isLedgerError(e, "LIMIT_EXCEEDED") && /^\$\["field-0+\d+"\]$/.test(String((e as { details?: { path?: string } }).details?.path)));
  // The same few long names in 100,000 structs are written once, in the symbol table.
  const names = Array.from({ length: 6 }, (_, i) => name(i));
  const rows = Array.from({ length: 100_000 }, (_, r) => Object.fromEntries(names.map((n) => [n, r])));
  const list = fromJS(rows);
  assert.equal(list.kind === "list" ? list.items.length : list.kind, 100_000);
});
