// Streams that import a shared symbol table (the journal's records import "quire.block"):
// the writer gives the table's texts SIDs 10.. and lists only other texts locally; the reader
// resolves the import through its catalog. ion-js, given the same catalog, is the oracle.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, ionEquals, ionHash, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { sharedSymbolTable, type SharedSymbolTable } from "../../../../engine/ion/shared-symbols.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { ion } from "../../../../engine/ion/value.ts";
import { arbIonValue, arbText, hex, oracleHash, oracleTrusts } from "./arbitrary.ts";

const arbTable: fc.Arbitrary<SharedSymbolTable> = fc
  .tuple(fc.uniqueArray(fc.oneof(arbText, fc.constantFrom("a", "b", "id", "data", "name", "symbols")), { maxLength: 12 }), fc.integer({ min: 1, max: 3 }))
  .map(([symbols, version]) => sharedSymbolTable("test.table", version, symbols));

function catalogOf(t: SharedSymbolTable): ionjs.Catalog {
  const c = new ionjs.Catalog();
  c.add(new ionjs.SharedSymbolTable(t.name, t.version, [...t.symbols]));
  return c;
}

test("property: a stream importing a shared table decodes to the same values, here and in ion-js", () => {
  fc.assert(
    fc.property(arbTable, fc.array(arbIonValue, { minLength: 1, maxLength: 3 }), (table, vs) => {
      const bytes = encodeBinary(vs, table);
      const back = decodeBinary(bytes, [table]);
      assert.equal(back.length, vs.length);
      vs.forEach((v, i) => assert.ok(ionEquals(back[i], v), toText(v)));
      // The same values written without the import: identical once read.
      assert.ok(decodeBinary(encodeBinary(vs)).every((v, i) => ionEquals(v, back[i])));
      if (vs.length === 1 && oracleTrusts(vs[0])) {
        assert.equal(oracleHash(bytes, catalogOf(table)), hex(ionHash(vs[0])), "ion-js reads the same value through its catalog");
      }
    }),
    { numRuns: 300 },
  );
});

test("imported texts take SIDs 10.. and are not repeated locally", () => {
  const table = sharedSymbolTable("t", 1, ["alpha", "beta"]);
  const v = ion.struct([["beta", ion.symbol("alpha")], ["gamma", ion.int(1)]]);
  const bytes = encodeBinary(v, table);
  const plain = encodeBinary(v);
  assert.ok(bytes.length < plain.length + 12, "the import costs less than spelling the names out would, plus its header");
  // Without the table, "gamma" is SID 12 (after the two imported ones).
  const r = ionjs.makeReader(bytes, catalogOf(table));
  r.next();
  r.stepIn();
  r.next();
  assert.equal(r.fieldName(), "beta");
  assert.equal(r.stringValue(), "alpha");
  r.next();
  assert.equal(r.fieldName(), "gamma");
});

test("an import the catalog lacks: unknown texts with max_id, else an error", () => {
  const table = sharedSymbolTable("t", 1, ["alpha", "beta"]);
  const bytes = encodeBinary(ion.struct([["alpha", ion.int(1)]]), table);
  assert.throws(() => decodeBinary(bytes), (e) => isLedgerError(e, "ION_PARSE_ERROR") && /symbol ID 10 has unknown text/.test(e.message));
  assert.throws(() => decodeBinary(bytes, [sharedSymbolTable("t", 2, ["alpha", "beta"])]), (e) => isLedgerError(e, "ION_PARSE_ERROR"));
  // A symbol value with unknown text reads as $0-like unknown text rather than failing.
  const sym = encodeBinary(ion.symbol("beta"), table);
  assert.deepEqual(decodeBinary(sym), [{ kind: "symbol", text: null }]);
  // No max_id and no table: nothing to go on.
  assert.throws(() => decodeBinary(withImport([["name", ion.string("nowhere")], ["version", ion.int(1)]])), (e) =>
    isLedgerError(e, "ION_PARSE_ERROR") && /not in the catalog/.test(e.message));
});

test("a hostile max_id is refused, not honoured, and so are many imports adding up", () => {
  const bytes = withImport([["name", ion.string("x")], ["version", ion.int(1)], ["max_id", ion.int(2n ** 40n)]]);
  assert.throws(() => decodeBinary(bytes), (e) => isLedgerError(e, "ION_PARSE_ERROR") && /maxImportedSymbols/.test(e.message));
  const entry = ion.struct([["name", ion.string("x")], ["version", ion.int(1)], ["max_id", ion.int(60_000)]]);
  const table: IonValue = { ...ion.struct([["imports", ion.list(Array.from({ length: 1000 }, () => entry))]]), annotations: ["$ion_symbol_table"] };
  assert.throws(() => decodeBinary(encodeBinary([table, ion.int(1)])), (e) => isLedgerError(e, "ION_PARSE_ERROR") && /maxImportedSymbols/.test(e.message));
});

/** A stream whose second symbol table imports `entry`, followed by the int 1. */
function withImport(entry: [string, IonValue][]): Uint8Array {
  const table: IonValue = { ...ion.struct([["imports", ion.list([ion.struct(entry)])]]), annotations: ["$ion_symbol_table"] };
  return encodeBinary([table, ion.int(1)]);
}

test("shared tables are checked when made", () => {
  assert.throws(() => sharedSymbolTable("t", 1, ["a", "a"]));
  assert.throws(() => sharedSymbolTable("", 1, ["a"]));
  assert.throws(() => sharedSymbolTable("t", 0, ["a"]));
});
