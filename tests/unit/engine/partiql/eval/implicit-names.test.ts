/**
 * An unqualified name in a query is looked up among the fields of the FROM variables' structs,
 * ignoring case (a quoted name matches exactly). The lookup folds ASCII letters in place and
 * falls back to full lower-casing for any other character (env.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pv, run, same } from "./helpers.ts";

test("an unqualified name finds its field ignoring case, ASCII or not, and a quoted one exactly", () => {
  const cases: [string, string, string][] = [
    ["SELECT VALUE year FROM <<{'Year': 1, 'Make': 'x'}>>", "$bag::[1]", "ASCII, another case"],
    ["SELECT VALUE YEAR FROM <<{'year': 1, 'yeah': 2}>>", "$bag::[1]", "same length, other letters"],
    ["SELECT VALUE key FROM <<{'\u212Aey': 1}>>", "$bag::[1]", "Kelvin sign lower-cases to k"],
    ["SELECT VALUE clé FROM <<{'CLÉ': 1}>>", "$bag::[1]", "non-ASCII name"],
    ["SELECT VALUE \"year\" FROM <<{'Year': 1, 'year': 2}>>", "$bag::[2]", "quoted: exact case"],
  ];
  for (const [q, expected, why] of cases) assert.ok(same(run(q), pv(expected)), why);
});
