/** Assertions shared by the suites. */
import assert from "node:assert/strict";
import { LedgerError } from "../../engine/errors.ts";

/** Awaits `p` and asserts that it rejects with a LedgerError of `code`; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof LedgerError, `expected LedgerError ${code}, got ${e}`);
    assert.equal(e.code, code, (e as Error).message);
    return e;
  }
  assert.fail(`expected ${code}`);
}
