/**
 * Names that Object.prototype also has (`toString`, `constructor`, `__proto__`, …) are ordinary
 * names to PartiQL. Lookup tables keyed by them once found the prototype's members: a struct
 * annotated `toString::` was taken for a temporal value, so equal values compared unequal and
 * DISTINCT, GROUP BY and ORDER BY gave wrong results with no error, and a function called
 * `constructor` failed with an internal error instead of FUNCTION_NOT_FOUND (hostile-input review).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError } from "../../../../../engine/index.ts";
import { pv, run, same } from "./helpers.ts";

const NAMES = ["toString", "valueOf", "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__proto__"];

function throwsCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isLedgerError(e), `expected a LedgerError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

for (const name of NAMES) {
  const a = (n: number) => `\`'${name}'::{a:${n}}\``;

  test(`a struct annotated ${name}:: compares, deduplicates, groups and orders like any other`, () => {
    assert.ok(same(run(`${a(1)} = ${a(1)}`), pv("true")));
    assert.ok(same(run(`${a(1)} = ${a(2)}`), pv("false")));
    assert.ok(same(run(`SELECT DISTINCT VALUE v FROM <<${a(1)}, ${a(2)}, ${a(1)}>> AS v`), pv(`$bag::[${name === "__proto__" ? "'__proto__'" : name}::{a:1}, ${name === "__proto__" ? "'__proto__'" : name}::{a:2}]`)));
    assert.ok(same(run(`SELECT VALUE COUNT(*) FROM <<${a(1)}, ${a(2)}, ${a(3)}>> AS v GROUP BY v`), pv("$bag::[1, 1, 1]")));
    assert.ok(same(run(`SELECT VALUE v.a FROM <<${a(2)}, ${a(1)}, ${a(3)}>> AS v ORDER BY v.a`), pv("[1, 2, 3]")));
  });

  test(`a struct annotated ${name}:: is not a number or a date`, () => {
    throwsCode(() => run(`${a(1)} + 1`), "TYPE_ERROR");
    throwsCode(() => run(`EXTRACT(YEAR FROM ${a(1)})`), "TYPE_ERROR");
  });

  test(`a function named ${name} is FUNCTION_NOT_FOUND`, () => {
    throwsCode(() => run(`${name}(1)`), "FUNCTION_NOT_FOUND");
  });
}
