// The Ion layer's exported helpers check a value before they walk it: an application may build
// one by hand, and a malformed one threw a runtime TypeError or passed as another value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeBinary, ion, ionEquals, ionHash, type IonValue, parseText, toJS, toText } from "../../../../engine/ion/index.ts";
import { isLedgerError } from "../../../../engine/errors.ts";

const helpers: [string, (v: IonValue) => unknown][] = [
  ["ionHash", ionHash],
  ["encodeBinary", (v) => encodeBinary(v)],
  ["encodeBinary of a list", (v) => encodeBinary([ion.int(1), v])],
  ["toText", toText],
  ["ionEquals", (v) => ionEquals(ion.int(1), v)],
  ["toJS", toJS],
];

// [what, value, path of the problem]. Before, each helper threw a TypeError or RangeError for
// some of these and returned something (a hash, text, a JS value) for the others.
const malformed: [string, unknown, string][] = [
  ["fields that are not an array", { kind: "struct", fields: 5 }, "$"],
  ["a field that is not a pair", { kind: "struct", fields: [5] }, "$.fields[0]"],
  ["a field without a value", { kind: "struct", fields: [["a"]] }, "$.fields[0]"],
  ["items that are null", { kind: "list", items: null }, "$"],
  ["an int whose value is a string", { kind: "int", value: "x" }, "$"],
  ["an int whose value is a JS number", { kind: "int", value: 1 }, "$"],
  ["a decimal with a string exponent", { kind: "decimal", coefficient: 1n, exponent: "x", negative: false }, "$"],
  ["a timestamp with no fields", { kind: "timestamp" }, "$"],
  ["a blob of a number", { kind: "blob", bytes: 5 }, "$"],
  ["an unknown kind", { kind: "nope" }, "$"],
  ["a string whose value is a number", { kind: "string", value: 5 }, "$"],
  ["a bad value inside a struct", { kind: "struct", fields: [["a", { kind: "list", items: [{ kind: "int", value: 1 }] }]] }, "$.a[0]"],
  ["null", null, "$"],
];

for (const [name, helper] of helpers) {
  test(`${name} refuses a hand-made value that is not an Ion value with TYPE_ERROR at its path`, () => {
    for (const [what, value, path] of malformed) {
      assert.throws(() => helper(value as IonValue), (e) => isLedgerError(e, "TYPE_ERROR") && e.message.endsWith(path), what);
    }
  });
}

test("the helpers still take every value parseText reads, numbers beyond the storage limit included", () => {
  const [big] = parseText("1" + "0".repeat(20_000));
  assert.equal(toText(big).length, 20_001);
  assert.equal(ionEquals(big, parseText(toText(big))[0]), true);
  assert.equal(ionHash(big).length, 32);
  assert.ok(encodeBinary(big).length > 8_000);
  assert.equal(typeof toJS(big), "bigint");
});
