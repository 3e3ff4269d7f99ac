// Case-insensitive name matching without a string per comparison (engine/partiql/eval/names.ts)
// must agree with lower-casing both sides, for any names, and path steps must use it.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { foldedMatch, foldedName } from "../../../../../engine/partiql/eval/names.ts";
import { check, fails } from "./helpers.ts";

// Letters whose case mapping is unusual: the Kelvin and Angstrom signs, dotted and dotless i,
// final sigma, the German sharp s and its capital, a ligature, an astral letter.
const tricky = ["K", "k", "\u212a", "\u212b", "\u00e5", "\u0130", "\u0131", "i", "I", "\u03a3", "\u03c3", "\u03c2", "\u00df", "\u1e9e", "\ufb03", "\u{10400}", "\u{10428}", "a", "A", "z", "Z", "_", "1"];
const arbName = fc.oneof(
  fc.array(fc.constantFrom(...tricky), { maxLength: 5 }).map((a) => a.join("")),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.string({ maxLength: 6 }),
);

test("property: foldedMatch(k, name) is k.toLowerCase() === name.toLowerCase()", () => {
  fc.assert(
    fc.property(arbName, arbName, (k, name) => {
      assert.equal(foldedMatch(k, name, foldedName(name)), k.toLowerCase() === name.toLowerCase(), JSON.stringify([k, name]));
      assert.equal(foldedMatch(name, name, foldedName(name)), true);
      assert.equal(foldedMatch(name.toUpperCase(), name, foldedName(name)), name.toUpperCase().toLowerCase() === name.toLowerCase());
    }),
    { numRuns: 20_000 },
  );
});

test("path steps match field names ignoring case unless quoted, and report ambiguity", () => {
  check("{'Year': 2012}.year", "2012");
  check("{'YEAR': 2012}.Year", "2012");
  check('{\'Year\': 2012}."Year"', "2012");
  check('{\'Year\': 2012}."year" IS MISSING', "true", {}, ["permissive"]);
  check("{'\u212a': 1}.k", "1"); // the Kelvin sign lower-cases to k
  check("{'\u00c5r': 1}.\u00e5R", "1");
  fails("{'Year': 1, 'year': 2}.YEAR", "strict", "TYPE_ERROR");
  fails("{'Year': 1, 'year': 2}.Year", "strict", "TYPE_ERROR");
  check('{\'Year\': 1, \'year\': 2}."Year"', "1");
});
