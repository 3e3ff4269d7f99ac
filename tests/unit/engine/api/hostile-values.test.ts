/**
 * Values that are well-typed JavaScript but not storable Ion — an impossible date from a PartiQL
 * cast, an ion-js Decimal with a NaN exponent, an object posing as a Temporal value, a malformed
 * ionLiteral, a handed-out document changed by the application — are refused with a LedgerError
 * before anything is hashed or journaled: the ledger still verifies and reopens with the same
 * state. Each case once committed and left a ledger that could not be reopened, failed verify(),
 * read back a different value, or hung (cases from a hostile-input review).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decimal, Timestamp } from "ion-js";
import { ionLiteral, isLedgerError, Ledger, type LedgerErrorCode } from "../../../../engine/index.ts";
import type { IonStruct } from "../../../../engine/ion/value.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

const ts = (over: Record<string, unknown>) => ({
  kind: "timestamp", precision: "second", offset: 0, year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: null, ...over,
});

/** An object that claims to be a Temporal value through its toStringTag. */
function fake(tag: string, fields: Record<string, unknown>): object {
  const o = { ...fields };
  Object.defineProperty(o, Symbol.toStringTag, { get: () => `Temporal.${tag}` });
  return Object.setPrototypeOf(o, { constructor: function Fake() {} });
}

const date = { year: 2021, month: 2, day: 30 };
const time = { year: 2021, month: 2, day: 3, hour: 4, minute: 5, second: 6, millisecond: 0, microsecond: 0, nanosecond: 0 };

/** [name, the document's field value, code] for tx.insert("t", { v }). */
const documents: [string, () => unknown, LedgerErrorCode][] = [
  ["Decimal with a NaN exponent", () => new Decimal(1n as never, NaN), "TYPE_ERROR"],
  ["Decimal with exponent 0.5", () => new Decimal(1n as never, 0.5), "TYPE_ERROR"],
  ["Decimal with an infinite exponent", () => new Decimal(1n as never, Infinity), "TYPE_ERROR"],
  ["fake PlainDate, Feb 30", () => fake("PlainDate", date), "TYPE_ERROR"],
  ["fake PlainDate, month 13", () => fake("PlainDate", { ...date, month: 13, day: 1 }), "TYPE_ERROR"],
  ["fake PlainDateTime, hour 25", () => fake("PlainDateTime", { ...time, hour: 25 }), "TYPE_ERROR"],
  ["fake PlainDateTime, hour NaN", () => fake("PlainDateTime", { ...time, hour: NaN }), "TYPE_ERROR"],
  ["fake PlainDateTime, millisecond -5", () => fake("PlainDateTime", { ...time, millisecond: -5 }), "TYPE_ERROR"],
  ["fake PlainDateTime, fractional year", () => fake("PlainDateTime", { ...time, year: 2021.5 }), "TYPE_ERROR"],
  ["fake ZonedDateTime, offset of 100000 minutes", () => fake("ZonedDateTime", { ...time, offsetNanoseconds: 100000 * 60e9 }), "TYPE_ERROR"],
  ["ion-js Timestamp with a 20001-digit fraction", () => new Timestamp(0, 2020, 1, 1, 0, 0, new Decimal(5n as never, -20001)), "TYPE_ERROR"],
  ["a bigint of 20,001 digits", () => 10n ** 20000n, "LIMIT_EXCEEDED"],
  ["ionLiteral timestamp, month 13", () => ionLiteral(ts({ month: 13 }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, Feb 30", () => ionLiteral(ts({ month: 2, day: 30 }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, offset 99999", () => ionLiteral(ts({ offset: 99999 }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, fraction 1.5", () => ionLiteral(ts({ fraction: { coefficient: 15n, exponent: -1 } }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, fraction coefficient 'x'", () => ionLiteral(ts({ fraction: { coefficient: "x", exponent: -1 } }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, precision week", () => ionLiteral(ts({ precision: "week" }) as never), "TYPE_ERROR"],
  ["ionLiteral timestamp, hour NaN", () => ionLiteral(ts({ hour: NaN }) as never), "TYPE_ERROR"],
  ["ionLiteral date with an offset", () => ionLiteral(ts({ precision: "day", offset: 0 }) as never), "TYPE_ERROR"],
  ["ionLiteral year timestamp with a month", () => ionLiteral(ts({ precision: "year", offset: null, month: 5 }) as never), "TYPE_ERROR"],
  ["ionLiteral int 1.5", () => ionLiteral({ kind: "int", value: 1.5 } as never), "TYPE_ERROR"],
  ["ionLiteral int null", () => ionLiteral({ kind: "int", value: null } as never), "TYPE_ERROR"],
  ["ionLiteral bool 'yes'", () => ionLiteral({ kind: "bool", value: "yes" } as never), "TYPE_ERROR"],
  ["ionLiteral string 42", () => ionLiteral({ kind: "string", value: 42 } as never), "TYPE_ERROR"],
  ["ionLiteral string with a lone surrogate", () => ionLiteral({ kind: "string", value: "\uD800" } as never), "TYPE_ERROR"],
  ["ionLiteral float 1n", () => ionLiteral({ kind: "float", value: 1n } as never), "TYPE_ERROR"],
  ["ionLiteral decimal coefficient -5n", () => ionLiteral({ kind: "decimal", coefficient: -5n, exponent: 0, negative: false } as never), "TYPE_ERROR"],
  ["ionLiteral decimal exponent NaN", () => ionLiteral({ kind: "decimal", coefficient: 5n, exponent: NaN, negative: false } as never), "TYPE_ERROR"],
  ["ionLiteral null.bogus", () => ionLiteral({ kind: "null", of: "bogus" } as never), "TYPE_ERROR"],
  ["ionLiteral list with items null", () => ionLiteral({ kind: "list", items: null } as never), "TYPE_ERROR"],
  ["ionLiteral list with an undefined item", () => ionLiteral({ kind: "list", items: [undefined] } as never), "TYPE_ERROR"],
  ["ionLiteral struct with fields 'x'", () => ionLiteral({ kind: "struct", fields: "x" } as never), "TYPE_ERROR"],
  ["ionLiteral struct with a field named 1", () => ionLiteral({ kind: "struct", fields: [[1, { kind: "bool", value: true }]] } as never), "TYPE_ERROR"],
  ["ionLiteral blob with bytes null", () => ionLiteral({ kind: "blob", bytes: null } as never), "TYPE_ERROR"],
  ["ionLiteral annotations null", () => ionLiteral({ kind: "bool", value: true, annotations: null } as never), "TYPE_ERROR"],
  ["ionLiteral of a kind that is no Ion type", () => ionLiteral({ kind: "date" } as never), "TYPE_ERROR"],
];

test("values that Ion cannot store unchanged are refused before they are journaled; the ledger verifies and reopens", () =>
  withTempDir(async (dir) => {
    let ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const id = await ledger.transaction((tx) => tx.insert("t", { v: 1 }));
    for (const [name, value, code] of documents) {
      await assert.rejects(ledger.transaction((tx) => tx.insert("t", { v: value() })), (e) => isLedgerError(e, code), name);
      await assert.rejects(ledger.execute("INSERT INTO t ?", { v: value() }), (e) => isLedgerError(e, code), `${name} (execute)`);
    }
    // PartiQL: a cast to an impossible date is an evaluation error, as the DATE literal is.
    for (const text of ["2021-02-30", "2021-13-45", "2021-04-31", "2021-02-29"]) {
      await assert.rejects(ledger.execute(`INSERT INTO t VALUE {'d': CAST('${text}' AS DATE)}`), (e) => isLedgerError(e, "EVALUATION_ERROR"), text);
      await assert.rejects(ledger.execute(`SELECT VALUE CAST('${text}' AS DATE) FROM << 1 >>`), (e) => isLedgerError(e, "EVALUATION_ERROR"), text);
    }
    assert.equal((await ledger.execute("SELECT VALUE CAST('2020-02-29' AS DATE) FROM << 1 >>")).length, 1);
    // A handed-out document the application changed is checked like any other.
    const doc = (await ledger.transaction((tx) => tx.get("t", id))) as IonStruct;
    const changed = { ...doc, fields: [...doc.fields, ["d", ts({ month: 2, day: 30 })]] };
    await assert.rejects(ledger.transaction((tx) => tx.update("t", id, ionLiteral(changed as never))), (e) => isLedgerError(e, "TYPE_ERROR"));
    assert.equal((await ledger.verify()).ok, true);
    const before = await ledger.execute("SELECT * FROM t");
    await ledger.close();
    ledger = await Ledger.open(dir);
    assert.deepEqual(await ledger.execute("SELECT * FROM t"), before);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  }));

test("an indexed timestamp with a long fraction of a second costs linear time", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("CREATE INDEX ON t (a)");
    // 9,999 fraction digits, the longest allowed: the key's trailing-zero trim was quadratic.
    const literal = "`2020-01-01T00:00:00." + "0".repeat(9998) + "5Z`";
    await ledger.execute(`INSERT INTO t VALUE {'a': ${literal}}`);
    assert.equal((await ledger.execute(`SELECT * FROM t WHERE a = ${literal}`)).length, 1);
    await ledger.close();
  }));

test("unbounded work and malformed arguments are LedgerErrors, not hangs, stack overflows or TypeErrors", () =>
  withTempDir(async (dir) => {
    const { decodeBinary, encodeBinary, ionHash, parseText, toJS, toText } = await import("../../../../engine/index.ts");
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const id = await ledger.transaction((tx) => tx.insert("t", { v: 1 }));
    const code = (c: LedgerErrorCode) => (e: unknown) => isLedgerError(e, c);
    // Products of ints are bounded like decimals: a chain of them stops at the number limit.
    const big = 10n ** 9000n;
    await assert.rejects(ledger.execute("SELECT VALUE ? * ? FROM << 1 >>", big, big), code("LIMIT_EXCEEDED"));
    assert.deepEqual(await ledger.execute("SELECT VALUE ? * ? FROM << 1 >>", 2n ** 60n, 3n), [3n * 2n ** 60n]);
    // LIKE's O(n·m) worst case is bounded by maxLikeSteps (this took 20 s, and over a minute on Deno).
    await assert.rejects(
      ledger.execute("SELECT VALUE ? LIKE ? FROM << 1 >>", "a".repeat(200_000), "%" + "a".repeat(100_000) + "b"),
      code("LIMIT_EXCEEDED"),
    );
    // An array claiming 2^32-1 items is refused before it is walked.
    const huge = new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : /^\d+$/.test(String(k)) ? 0 : Reflect.get(t, k)) });
    await assert.rejects(ledger.transaction((tx) => tx.insert("t", { l: huge })), code("LIMIT_EXCEEDED"));
    // Names that are not strings.
    type Tx = Parameters<Parameters<Ledger["transaction"]>[0]>[0];
    const calls: ((tx: Tx) => Promise<unknown>)[] = [
      (tx) => tx.history(Symbol("t") as never, id),
      (tx) => tx.undropTable(Symbol("t") as never),
      (tx) => tx.dropIndex("t", Symbol("i") as never),
      (tx) => tx.lookupIds("t", 5 as never),
    ];
    for (const call of calls) await assert.rejects(ledger.transaction(call), code("INVALID_ARGUMENT"));
    // The exported Ion helpers take their documented types.
    for (const call of [() => parseText(null as never), () => decodeBinary(null as never), () => toJS(null as never),
      () => ionHash(undefined as never), () => encodeBinary(null as never), () => toText(undefined as never)]) {
      assert.throws(call, code("TYPE_ERROR"));
    }
    // Tens of thousands of parameters are passed along as an array, never spread again.
    const n = 70_000;
    const [list] = await ledger.execute("SELECT VALUE [" + "?,".repeat(n - 1) + "?] FROM << 1 >>", ...Array(n).fill(1));
    assert.equal((list as unknown[]).length, n);
    // An executeIon row handed back is the engine's value: stored exactly, not as {kind, fields}.
    const [row] = await ledger.executeIon("SELECT VALUE {'a': `1.50`, 's': `sym`} FROM << 1 >>");
    const copied = await ledger.transaction((tx) => tx.insert("t", row));
    assert.deepEqual(await ledger.executeIon("SELECT VALUE t FROM t AS t BY id WHERE id = ?", copied), [row]);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  }));

test("a model value that answers its check and its copy differently is stored as the copy, checked again", () =>
  withTempDir(async (dir) => {
    // ionValueProblem read each property, then copyValue read it again: a getter or Proxy could
    // pass the check with one value and be stored with another (committed as "yes" for a bool,
    // null.bogus, a float "x"; a TypeError from tx.insert or from a later executeIon).
    let ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const second: [string, unknown][] = [
      ["bool 'yes'", { kind: "bool", value: "yes" }],
      ["null.bogus", { kind: "null", of: "bogus" }],
      ["float 'x'", { kind: "float", value: "x" }],
      ["float 5n", { kind: "float", value: 5n }],
      ["symbol 5", { kind: "symbol", text: 5 }],
      ["blob of numbers", { kind: "blob", bytes: [1, 2, 300] }],
      ["list of a string", { kind: "list", items: "ab" }],
      ["field named 5", { kind: "struct", fields: [[5, { kind: "int", value: 1n }]] }],
      ["100k deep", (() => {
        let v: unknown = { kind: "int", value: 1n };
        for (let i = 0; i < 100_000; i++) v = { kind: "list", items: [v] };
        return v;
      })()],
    ];
    for (const [name, payload] of second) {
      let reads = 0;
      const shifty = { kind: "struct" } as Record<string, unknown>;
      Object.defineProperty(shifty, "fields", { get: () => (reads++ === 0 ? [] : [["x", payload]]), enumerable: true });
      await assert.rejects(
        ledger.transaction((tx) => tx.insert("t", { doc: ionLiteral(shifty as never) })),
        (e) => isLedgerError(e, "TYPE_ERROR") || isLedgerError(e, "LIMIT_EXCEEDED"),
        name,
      );
    }
    // The same through a document the engine handed out and the application then rigged.
    const [{ documentId: id }] = await ledger.execute("INSERT INTO t ?", { ok: true });
    await assert.rejects(
      ledger.transaction(async (tx) => {
        const doc = (await tx.get("t", id)) as IonStruct;
        let reads = 0;
        Object.defineProperty(doc.fields[0][1], "value", { get: () => (reads++ === 0 ? true : "yes"), enumerable: true });
        await tx.update("t", id, doc);
      }),
      (e) => isLedgerError(e, "TYPE_ERROR"),
    );
    assert.deepEqual(await ledger.execute("SELECT t.ok FROM t"), [{ ok: true }]);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
    ledger = await Ledger.open(dir);
    assert.deepEqual(await ledger.execute("SELECT t.ok FROM t"), [{ ok: true }]);
    await ledger.close();
  }));

test("a timestamp model value without its second or fraction is refused, not stored with second undefined", () =>
  withTempDir(async (dir) => {
    // The check took a missing second as 0 and a missing fraction as null, so the value was
    // stored with `second: undefined`, which an index key read as NaN.
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const day = { kind: "timestamp", precision: "day", offset: null, year: 2020, month: 1, day: 2, hour: 0, minute: 0 };
    for (const [what, ts] of [["no second", { ...day, fraction: null }], ["no fraction", { ...day, second: 0 }], ["neither", day]] as const) {
      await assert.rejects(ledger.execute("INSERT INTO t ?", { at: ionLiteral(ts as never) }), (e) => isLedgerError(e, "TYPE_ERROR"), what);
    }
    await ledger.execute("INSERT INTO t ?", { at: ionLiteral({ ...day, second: 0, fraction: null } as never) });
    assert.equal((await ledger.execute("SELECT * FROM t")).length, 1);
    await ledger.close();
  }));

test("a blob given as a Buffer inside a model value is copied: changing the Buffer later changes nothing stored", () =>
  withTempDir(async (dir) => {
    // copyValue used bytes.slice(), which for a Buffer is a view of the same memory: the committed
    // blob followed the application's buffer until a reopen brought the journaled bytes back.
    const { toText } = await import("../../../../engine/index.ts");
    let ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const buf = Buffer.from([1, 2, 3]);
    await ledger.transaction((tx) => tx.insert("t", { b: ionLiteral({ kind: "blob", bytes: buf }) }));
    buf[0] = 99;
    const rows = await ledger.execute("SELECT * FROM t");
    (rows[0].b as Uint8Array)[0] = 42; // a row handed out: the application's to change
    assert.deepEqual((await ledger.executeIon("SELECT * FROM t")).map(toText), ["{b: {{AQID}}}"]);
    assert.equal((await ledger.execute("SELECT * FROM t WHERE b = `{{AQID}}`")).length, 1);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
    ledger = await Ledger.open(dir);
    assert.deepEqual((await ledger.executeIon("SELECT * FROM t")).map(toText), ["{b: {{AQID}}}"]);
    await ledger.close();
  }));

test("a value taken from inside a row the engine handed out is embedded as the Ion value it is", () =>
  withTempDir(async (dir) => {
    // Only the top-level value was registered as handed out: a decimal taken from a row's field
    // was converted as a plain object, into a struct {kind, coefficient, exponent, negative}.
    const { toText } = await import("../../../../engine/index.ts");
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t `{name: \"a\", price: 1.50, tags: [x, y], d: 2020-01-01T}`");
    const [row] = (await ledger.executeIon("SELECT * FROM t")) as IonStruct[];
    const field = (name: string) => row.fields.find((f) => f[0] === name)![1];
    assert.deepEqual(await ledger.execute("SELECT t.name FROM t WHERE price = ?", field("price")), [{ name: "a" }]);
    await ledger.transaction((tx) => tx.insert("t", { name: "b", price: field("price"), tags: field("tags"), d: field("d") }));
    const b = await ledger.executeIon("SELECT price, tags, d FROM t WHERE name = 'b'");
    assert.deepEqual(b.map(toText), ["{price: 1.50, tags: [x, y], d: 2020-01-01}"]);
    // The same for a block's timestamp from getBlock.
    const { digestTipAddress } = await ledger.getDigest();
    const { block } = await ledger.getBlock({ blockAddress: digestTipAddress });
    const found = await ledger.execute("SELECT VALUE ? FROM << 1 >>", block.blockTimestamp);
    assert.equal(found.length, 1);
    assert.equal(typeof found[0], "object");
    assert.equal((await ledger.executeIon("SELECT VALUE ? FROM << 1 >>", block.blockTimestamp))[0].kind, "timestamp");
    await ledger.close();
  }));

test("whatever an application's getter throws, the error is a LedgerError", () =>
  withTempDir(async (dir) => {
    // The message was built with String(thrown), which itself throws for a null-prototype object.
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const messageThrows = new Error("x");
    Object.defineProperty(messageThrows, "message", { get() { throw new Error("no message"); } });
    const thrown: unknown[] = [Object.create(null), messageThrows, { toString() { throw 1; } }, Symbol("s"), undefined];
    for (const t of thrown) {
      const doc = { get a() { throw t; } };
      await assert.rejects(ledger.execute("INSERT INTO t ?", doc), (e) => isLedgerError(e, "TYPE_ERROR"), String(typeof t));
      await assert.rejects(ledger.transaction((tx) => tx.insert("t", doc)), (e) => isLedgerError(e, "TYPE_ERROR"));
      await assert.rejects(ledger.execute("SELECT * FROM t WHERE a = ?", doc), (e) => isLedgerError(e, "TYPE_ERROR"));
    }
    await ledger.close();
  }));

test("a model value's arrays are copied element by element: an array subclass's own map shares nothing", () =>
  withTempDir(async (dir) => {
    // copyValue used fields.map(...): a subclass could hand back an array the application keeps,
    // and the stored struct then followed it.
    const { toText } = await import("../../../../engine/index.ts");
    const ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    const kept: unknown[] = [["a", { kind: "int", value: 1n }]];
    class Sly extends Array {
      override map(): any {
        return kept;
      }
    }
    const fields = Sly.from([["a", { kind: "int", value: 1n }]]);
    await ledger.transaction((tx) => tx.insert("t", { doc: ionLiteral({ kind: "struct", fields } as never) }));
    kept.push(["b", { kind: "int", value: 2n }]);
    (kept[0] as unknown[])[0] = "z";
    assert.deepEqual((await ledger.executeIon("SELECT * FROM t")).map(toText), ["{doc: {a: 1}}"]);
    // Annotations of a length no value can have are refused, not walked.
    const long = new Proxy(["x"], { get: (t, k) => (k === "length" ? 1e12 : Reflect.get(t, k)) });
    await assert.rejects(
      ledger.transaction((tx) => tx.insert("t", { v: ionLiteral({ kind: "int", value: 1n, annotations: long } as never) })),
      (e) => isLedgerError(e, "TYPE_ERROR") || isLedgerError(e, "LIMIT_EXCEEDED"),
    );
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  }));

test("a timestamp given with offset -0 is offset 0 (Z), before and after a reopen", () =>
  withTempDir(async (dir) => {
    // The store kept -0, which the encoders read as Z but ion-js, through toJS, as the unknown
    // offset (-00:00): the value read back changed at the next reopen.
    const { toText } = await import("../../../../engine/index.ts");
    const at = { kind: "timestamp", precision: "minute", offset: -0, year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: null };
    let ledger = await Ledger.open(dir);
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t ?", { v: ionLiteral(at as never) });
    await ledger.transaction((tx) => tx.insert("t", { v: ionLiteral(at as never) }));
    const read = async () => {
      const js = (await ledger.execute("SELECT VALUE x.v FROM t AS x")).map((t: Timestamp) => t.toString());
      const ion = await ledger.executeIon("SELECT VALUE x.v FROM t AS x");
      return { js, text: ion.map(toText), offsets: ion.map((v) => Object.is((v as { offset: number }).offset, 0)) };
    };
    const expected = { js: ["2020-01-01T00:00Z", "2020-01-01T00:00Z"], text: ["2020-01-01T00:00Z", "2020-01-01T00:00Z"], offsets: [true, true] };
    assert.deepEqual(await read(), expected);
    await ledger.close();
    ledger = await Ledger.open(dir);
    assert.deepEqual(await read(), expected);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  }));
