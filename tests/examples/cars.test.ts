// The cars example runs end to end (as `npm run demo` does) under this runtime, and its generated
// client is what the generator produces from its schema today.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { root, runScript } from "../helpers/run-script.ts";
import { withTempDir } from "../helpers/tmp.ts";

const run = runScript;

test("the cars story: history, a verified proof, a rejected forgery, tampering detected", () =>
  withTempDir(async (dir) => {
    const r = run(path.join(root, "examples/cars/main.ts"), [path.join(dir, "ledger")]);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    for (const owner of ["Maria Garcia", "Richard Roe", "Paulo Santos"]) assert.match(out, new RegExp(`owner ${owner}`));
    assert.match(out, /v3 .* \(deleted: metadata only\)/);
    assert.match(out, /\(v0\): proof of \d+ hashes → verified: true/);
    assert.match(out, /claiming owner Mallory → verified: false/);
    assert.match(out, /ledger\.verify\(\): ok=true/);
    assert.match(out, /detected: JOURNAL_CORRUPT/);
  }));

test("the committed generated client is up to date with examples/cars/schema.ts", () => {
  const r = run(path.join(root, "cli/quire.ts"), ["generate", "examples/cars/schema.ts", "--out", "examples/cars/generated", "--check"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
