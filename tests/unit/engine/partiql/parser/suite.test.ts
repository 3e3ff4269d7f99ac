/**
 * Coverage against the PartiQL conformance suite: every tier-A statement (tests/conformance's
 * selection, see /work/shared/partiql-tests/QUIRE.md) is parsed, and at least 97% of those whose
 * expected result is EvaluationSuccess must parse. Statements expected to fail evaluation may or
 * may not parse (a syntax error is one way to fail). Prints the first failures to help iterate.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { parse } from "../../../../../engine/partiql/parser/index.ts";
import { isLedgerError } from "../../../../../engine/errors.ts";
import { SUITE_DIR, tierAStatements } from "./suite-statements.ts";

const available = existsSync(`${SUITE_DIR}/tier-a.jsonl`);

test("tier-A conformance statements parse", { skip: available ? false : `no suite at ${SUITE_DIR}` }, () => {
  const statements = tierAStatements();
  assert.ok(statements.length > 7000, `expected the full tier-A set, got ${statements.length}`);
  let success = 0;
  let parsedSuccess = 0;
  let parsedAll = 0;
  const failures = new Map<string, string>();
  for (const s of statements) {
    let ok = true;
    try {
      parse(s.statement);
    } catch (e) {
      // Whatever the statement, only a LedgerError may come out of the parser.
      assert.ok(isLedgerError(e), `non-LedgerError for ${JSON.stringify(s.statement)}: ${e}`);
      ok = false;
      if (s.result === "EvaluationSuccess") failures.set(s.statement, `${(e as Error).message}  [${s.file} ${s.name}]`);
    }
    if (ok) parsedAll++;
    if (s.result === "EvaluationSuccess") {
      success++;
      if (ok) parsedSuccess++;
    }
  }
  const rate = parsedSuccess / success;
  console.log(
    `tier-A parse rate: ${parsedSuccess}/${success} EvaluationSuccess statements (${(rate * 100).toFixed(2)}%), ` +
      `${parsedAll}/${statements.length} overall; ${failures.size} distinct failing statements`,
  );
  for (const [text, why] of [...failures].slice(0, 30)) console.log(`  ${JSON.stringify(text)}\n    ${why}`);
  assert.ok(rate >= 0.97, `parse rate ${(rate * 100).toFixed(2)}% is below 97%`);
});
