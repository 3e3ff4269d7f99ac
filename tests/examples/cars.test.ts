// The cars example runs end to end (as `npm run demo` does) under this runtime, and its generated
// client is what the generator produces from its schema today.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { withTempDir } from "../helpers/tmp.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const runtime = isDeno ? path.join(root, "node_modules/.bin/deno") : process.execPath;
const run = (script: string, args: string[]) =>
  spawnSync(runtime, isDeno ? ["run", "--allow-all", script, ...args] : [script, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

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
