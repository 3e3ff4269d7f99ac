import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBinary, encodeBinary, ionEquals, ionHash, parseText, sha256, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { ionHashSerialization } from "../../../../engine/ion/hash.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { arbIonValue, hex, oracleHash, oracleTrusts } from "./arbitrary.ts";

const enc = new TextEncoder();
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const h = (text: string) => hex(ionHash(parseText(text)[0]));

/** DESIGN.md's dot, local to the test (the real one lives in engine/ledger). */
function dot(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  let cmp = 0;
  for (let i = a.length - 1; i >= 0 && cmp === 0; i--) cmp = ((a[i] << 24) >> 24) - ((b[i] << 24) >> 24);
  const [x, y] = cmp < 0 ? [a, b] : [b, a];
  const c = new Uint8Array(64);
  c.set(x, 0);
  c.set(y, 32);
  return sha256(c);
}

test("qldb-vectors: Ion Hash", () => {
  const vectors: [string, string][] = [
    ['"Hola"', "39c4f35639f5f2a583c5e43943c2067992e55ed2aa3190342876566cbff62ee0"],
    ["{e:5}", "51db1ae986743b6143a837436799b09e73f10b2ba8299de28c1937736fbb63b8"],
    ['{Model:"CLK 350",Type:"Sedan",Color:"White",VIN:"1C4RJFAG0FC625797",Make:"Mercedes",Year:2019}',
      "540672506e1f132a5d3850ff9600cec8ce02eb952393137102ec85fd15c8ab05"],
    ['{Year:2019,Make:"Mercedes",VIN:"1C4RJFAG0FC625797",Color:"White",Type:"Sedan",Model:"CLK 350"}',
      "540672506e1f132a5d3850ff9600cec8ce02eb952393137102ec85fd15c8ab05"],
    ["null", "0fb06b6183c21379529fdd45d6af4aba731ac6f081ef9e6c1c94b1fb26177304"],
    ["5", "055988fd18c67bcc6977993c46e94ef5d3d583b6c6da938b0ab78ae358dd279c"],
    ["[1,2,3]", "30a581772b5bad8853a950f592603fb8dde67168b21fee82b5bab4ac4985dfdc"],
    ["abc", "c690af405818e2d876a4c2692f1210dbdd14ff6b238ff0a92222f3d71707ee1d"],
    ['"abc"', "b0f6224eae807e7850240dedb0d7356d242aa24557c4e42f1730443cffbb3f98"],
    ["1", "f089f64ca73b9b160d33f19b07f8d0c97d4e8e4215c0b6b8b836dedcfb65929a"],
    ["1.0", "bad82fb3aab04d9519c4cda731e73327bd84ea468cba0835c1f1987fab1db518"],
    ["1e0", "8f08f3630bfdb22eedb21f4d4f392a77d0e15ec8074bbc89e9a81dc810db317e"],
    ["2019-06-05T20:53:35.291Z", "b45b7449bf5b04dd8fd21ee923cb4700906446506377b7c585cfa64a99a71563"],
    ["2019-06-05T20:53:35.291+00:00", "b45b7449bf5b04dd8fd21ee923cb4700906446506377b7c585cfa64a99a71563"],
    ["2019-06-05T20:53:35.2910Z", "e6b7256687a47540bb5ef1a4704d69ae53a65acaf1f25a941d0122834c79edc8"],
  ];
  for (const [text, expected] of vectors) assert.equal(h(text), expected, text);
});

test("qldb-vectors: dot", () => {
  const one = sha256(enc.encode("1")), two = sha256(enc.encode("2"));
  assert.equal(hex(one), "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b");
  assert.equal(hex(two), "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35");
  assert.equal(hex(dot(one, two)), "940ed9abddfb5ef28004408546bc5043cda391232b6afe07267f9f8ed2b500c9");
  assert.equal(hex(dot(two, one)), "940ed9abddfb5ef28004408546bc5043cda391232b6afe07267f9f8ed2b500c9");
});

test("qldb-vectors: revision (metadata, data, revision hash)", () => {
  const meta = parseText('{id:"3Qv67yjXEwB9SjmvkuG6Cp",version:0,txTime:2019-06-05T20:53:35.291Z,txId:"CQQ8BQ8QVE2FhTXaE9ZzYl"}')[0];
  const data = parseText(
    '{VIN:"1N4AL11D75C109151",LicensePlateNumber:"LEWISR261LL",State:"WA",City:"Seattle",PendingPenaltyTicketAmount:90.25,ValidFromDate:2017-08-21T,ValidToDate:2020-05-11T,Owners:{PrimaryOwner:{PersonId:"294jJ3YUoH1IEEm8GSabOs"},SecondaryOwners:[]}}',
  )[0];
  const mh = ionHash(meta), dh = ionHash(data);
  assert.equal(hex(mh), "0c8110f635086e9c5c0129146282755720380b5cacf24b7d38654827efd210c1");
  assert.equal(hex(dh), "e3f2036458758abd1cfe6d418ac2656a16719f40c838490d502c7c42a8d6a060");
  assert.equal(hex(dot(mh, dh)), "3454359fcafd9df3a1d6f9d7fe9f4589b63aea20c53355660afcf1952917f15a");
});

// The real QLDB block of qldb-vectors.md (its revision, statementDigest and transactionInfo
// hashes) is checked through the ledger's own functions in tests/unit/engine/ledger/qldb-vectors.test.ts.

test("serialization rules match ion-hash-js byte for byte", () => {
  // s(v) as ion-hash-js feeds it to the hash function (captured from the oracle).
  const rules: [string, string][] = [
    ["0e0", "0b400e"], ["-0e0", "0b4080000000000000000e"], ["nan", "0b407ff80000000000000e"],
    ["0", "0b200e"], ["-1", "0b30010e"], ["-128", "0b30800e"],
    ["0d0", "0b500e"], ["-0d0", "0b5080800e"], ["0.00", "0b50c20e"], ["-0.00", "0b50c2800e"],
    ["0d5", "0b50850e"], ["1.0", "0b50c10a0e"], ["-1.0", "0b50c18a0e"], ["1d5", "0b5085010e"],
    ["2019-06-05T20:53:35.291-00:00", "0b60c00fe3868594b5a3c301230e"],
    ["2019T", "0b60c00fe30e"], ["2019-06T", "0b60c00fe3860e"], ["2019-06-05", "0b60c00fe386850e"],
    ["2019-06-05T20:53+01:30", "0b6000da0fe3868593970e"],
    ["2019-06-05T20:53:35.000Z", "0b60800fe3868594b5a3c30e"],
    ["2019-06-05T20:53:35.1230Z", "0b60800fe3868594b5a3c404ce0e"],
    ["2019-06-05T20:53:35-23:59", "0b604b9f0fe3868694b4a30e"],
    ["true", "0b110e"], ["null.bool", "0b1f0e"], ["null.symbol", "0b7f0e"], ["null.struct", "0bdf0e"],
    ['"\\x0b\\x0e\\x0c"', "0b800c0b0c0e0c0c0e"], ["[a::{}]", "0bb00be00b70610e0bd00e0e0e"],
  ];
  for (const [text, expected] of rules) assert.equal(hex(ionHashSerialization(parseText(text)[0])), expected, text);
});

test("symbol with unknown text hashes as TQ 0x71 (spec convention; ion-hash-js cannot express $0)", () => {
  assert.equal(hex(ionHashSerialization({ kind: "symbol", text: null })), "0b710e");
});

test("property: ionHash equals ion-hash-js for arbitrary values (via toText)", () => {
  fc.assert(
    fc.property(arbIonValue, (v) => {
      fc.pre(oracleTrusts(v));
      assert.equal(hex(ionHash(v)), oracleHash(toText(v)));
    }),
    { numRuns: 400 },
  );
});

test("regression cases found by fast-check", () => {
  const cases: IonValue[] = [
    // float subnormal and negative zero, struct with repeated names and annotations
    { kind: "float", value: 5e-324 },
    { kind: "struct", fields: [["a", { kind: "int", value: 1n }], ["a", { kind: "int", value: 1n, annotations: ["a"] }]] },
  ];
  for (const v of cases) assert.equal(hex(ionHash(v)), oracleHash(toText(v)));
});

test("depth: 100k-deep nesting is LIMIT_EXCEEDED, not a stack overflow", () => {
  let v: IonValue = { kind: "int", value: 1n };
  for (let i = 0; i < 100_000; i++) v = { kind: "list", items: [v] };
  assert.throws(() => ionHash(v), (e) => isLedgerError(e, "LIMIT_EXCEEDED"));
  let ok: IonValue = { kind: "null", of: "null" };
  for (let i = 0; i < 999; i++) ok = { kind: i % 2 ? "list" : "struct", ...(i % 2 ? { items: [ok] } : { fields: [["x", ok]] }) } as IonValue;
  assert.equal(ionHash(ok).length, 32);
});

test("lone surrogate in a model string is TYPE_ERROR", () => {
  assert.throws(() => ionHash({ kind: "string", value: "a\ud800b" }), (e) => isLedgerError(e, "TYPE_ERROR"));
  assert.throws(() => ionHash({ kind: "symbol", text: "\udc00" }), (e) => isLedgerError(e, "TYPE_ERROR"));
});

test("multi-MB string hashes like ion-hash-js", () => {
  const s = "x\u00e9😀\x0b".repeat(500_000);
  assert.equal(hex(ionHash({ kind: "string", value: s })), oracleHash(toText({ kind: "string", value: s })));
});

test("regression (seed 268616705): a zero fraction of 11 digits keeps its second", () => {
  // ion-js's binary writer, and so ion-hash-js, loses the second here; the Ion spec does not.
  const v: IonValue = {
    kind: "timestamp", precision: "second", offset: 0, year: 2, month: 1, day: 1, hour: 0, minute: 0, second: 1,
    fraction: { coefficient: 0n, exponent: -11 },
  };
  const back = decodeBinary(encodeBinary(v))[0];
  assert.ok(ionEquals(back, v));
  assert.notEqual(hex(ionHash(v)), hex(ionHash({ ...v, second: 0 })));
});
