import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, ionEquals, ionHash, parseText, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { arbIonValue, hex, oracleHash, oracleTrusts } from "./arbitrary.ts";

test("property: decodeBinary(encodeBinary(v)) is v", () => {
  fc.assert(
    fc.property(fc.array(arbIonValue, { minLength: 1, maxLength: 3 }), (vs) => {
      const back = decodeBinary(encodeBinary(vs));
      assert.equal(back.length, vs.length);
      vs.forEach((v, i) => assert.ok(ionEquals(back[i], v), toText(v)));
    }),
    { numRuns: 400 },
  );
});

test("property: ion-js reads encodeBinary output as the same value (hash via ion-hash-js)", () => {
  fc.assert(
    fc.property(arbIonValue, (v) => {
      fc.pre(oracleTrusts(v));
      assert.equal(oracleHash(encodeBinary(v)), hex(ionHash(v)));
    }),
    { numRuns: 300 },
  );
});

test("property: decodeBinary reads ion-js's binary output", () => {
  fc.assert(
    fc.property(arbIonValue, (v) => {
      // ion-js's binary writer drops the second of some timestamps (see oracleTrusts).
      fc.pre(oracleTrusts(v));
      const bytes = ionjs.dumpBinary(ionjs.load(toText(v)));
      const back = decodeBinary(bytes);
      assert.equal(back.length, 1);
      assert.equal(hex(ionHash(back[0])), hex(ionHash(v)));
    }),
    { numRuns: 200 },
  );
});

test("exact values survive: 2^200, 40-digit decimal, -0d0, timestamps, float32", () => {
  const texts = [
    "1606938044258990275541962092341162602522202993782792835301376",
    "-1606938044258990275541962092341162602522202993782792835301376",
    "1234567890123456789012345678901234567890.1234567890",
    "-0.", "0d0", "-0d-3", "0.000", "2019-06-05T20:53:35.000+05:30", "2000-01-01T00:00:00.0000001-23:59",
    "0001-01-01T00:00Z", "2019-06-05", "{{}}", "{}",
  ];
  for (const t of texts) {
    const v = parseText(t)[0];
    assert.ok(ionEquals(decodeBinary(encodeBinary(v))[0], v), t);
  }
  // built directly: ion-js's text reader rejects this one (it rounds to year 10000)
  const last: IonValue = {
    kind: "timestamp", precision: "second", offset: null, year: 9999, month: 12, day: 31, hour: 23, minute: 59,
    second: 59, fraction: { coefficient: 999999999n, exponent: -9 },
  };
  assert.ok(ionEquals(decodeBinary(encodeBinary(last))[0], last));
  // float32 in the input widens exactly
  const f32 = decodeBinary(new Uint8Array([0xe0, 1, 0, 0xea, 0x44, 0x3f, 0xc0, 0, 0]));
  assert.deepEqual(f32, [{ kind: "float", value: 1.5 }]);
});

test("a long string and a multi-MB string round-trip", () => {
  const s = "é😀x".repeat(1_000_000);
  const v: IonValue = { kind: "string", value: s };
  const back = decodeBinary(encodeBinary(v))[0];
  assert.ok(ionEquals(back, v));
});

test("property: strings and symbols of every short length decode exactly from a view at any offset of a larger buffer", () => {
  // Short ASCII strings are read through a Buffer over the input's memory (binary-read.ts): the
  // view must start where the input does, and anything not ASCII must take the UTF-8 path.
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "~", "\u0000", "\u007f"), maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: fc.constantFrom("a", "\u0080", "\u00ff", "é", "😀"), maxLength: 40 }),
  );
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), fc.nat(64), fc.nat(64), (texts, before, after) => {
      const v: IonValue = {
        kind: "struct",
        fields: texts.map((t, i) => [`f${i}`, i % 2 === 0 ? { kind: "string", value: t } : { kind: "symbol", text: t }] as [string, IonValue]),
      };
      const enc = encodeBinary(v);
      const big = new Uint8Array(before + enc.length + after).fill(0x5a);
      big.set(enc, before);
      const back = decodeBinary(big.subarray(before, before + enc.length));
      assert.equal(back.length, 1);
      assert.ok(ionEquals(back[0], v), toText(v));
    }),
    { numRuns: 300 },
  );
});

test("truncated and bit-flipped input is ION_PARSE_ERROR, never a TypeError", () => {
  const v = parseText('{a:[1, -2.5, "x😀", 2019-06-05T20:53:35.291Z, {{AAE=}}, b::(c d), 1e0, null.int], b:{c:2d3}}')[0];
  const bytes = encodeBinary(v);
  for (let cut = 0; cut < bytes.length; cut++) {
    // A cut right after the IVM or the symbol table is a valid stream with no values.
    try {
      assert.deepEqual(decodeBinary(bytes.subarray(0, cut)), [], `cut ${cut}`);
    } catch (e) {
      assert.ok(isLedgerError(e, "ION_PARSE_ERROR"), `cut ${cut}: ${e}`);
    }
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), (i, bit) => {
      const mutated = bytes.slice();
      mutated[i] ^= 1 << bit;
      try {
        decodeBinary(mutated);
      } catch (e) {
        assert.ok(isLedgerError(e, "ION_PARSE_ERROR") || isLedgerError(e, "LIMIT_EXCEEDED"), String(e));
      }
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
      const input = new Uint8Array([0xe0, 1, 0, 0xea, ...junk]);
      try {
        decodeBinary(input);
      } catch (e) {
        assert.ok(isLedgerError(e, "ION_PARSE_ERROR") || isLedgerError(e, "LIMIT_EXCEEDED"), String(e));
      }
    }),
    { numRuns: 500 },
  );
});

test("deep nesting: encode and decode stop at the limit with LIMIT_EXCEEDED", () => {
  let v: IonValue = { kind: "int", value: 1n };
  for (let i = 0; i < 100_000; i++) v = { kind: "list", items: [v] };
  assert.throws(() => encodeBinary(v), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
  // 100k nested empty-length lists as raw bytes: B1 B1 ... B0 is not length-consistent, so
  // build nesting with VarUInt lengths instead.
  const depth = 5000;
  const parts: number[] = [0xb0];
  for (let i = 0; i < depth; i++) {
    const len = parts.length;
    if (len < 14) parts.unshift(0xb0 | len);
    else {
      const vl: number[] = [];
      let n = len;
      vl.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
      while (n > 0) {
        vl.unshift(n & 0x7f);
        n = Math.floor(n / 128);
      }
      parts.unshift(0xbe, ...vl);
    }
  }
  assert.throws(() => decodeBinary(new Uint8Array([0xe0, 1, 0, 0xea, ...parts])), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
});

test("symbol table: appended imports, IVM reset, unknown SID", () => {
  const a = encodeBinary([parseText("{x:y}")[0]]);
  const b = encodeBinary([parseText("[z]")[0]]);
  // Two streams back to back: the second IVM resets the table.
  const both = new Uint8Array([...a, ...b]);
  const vs = decodeBinary(both);
  assert.equal(toText(vs[0]), "{x: y}");
  assert.equal(toText(vs[1]), "[z]");
  // symbol SID 99 without a table entry
  assert.throws(() => decodeBinary(new Uint8Array([0xe0, 1, 0, 0xea, 0x71, 99])), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
  // $0 decodes to a symbol with unknown text
  assert.deepEqual(decodeBinary(new Uint8Array([0xe0, 1, 0, 0xea, 0x70])), [{ kind: "symbol", text: null }]);
});

test("lone surrogate in a model string is TYPE_ERROR on encode", () => {
  assert.throws(() => encodeBinary({ kind: "string", value: "\ud800" }), (e) => isLedgerError(e, "TYPE_ERROR"));
  assert.throws(() => encodeBinary({ kind: "string", value: "x".repeat(100) + "\udfff" }), (e) => isLedgerError(e, "TYPE_ERROR"));
});
