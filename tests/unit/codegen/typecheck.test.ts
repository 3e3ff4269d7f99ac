// The generated modules type-check with TypeScript's own tsc and with deno check: the goldens
// (equal to the generator's output, see generate.test.ts) against the runtime stub, plus the
// type-level assertions in tests/fixtures/codegen/usage.ts; and, once the client runtime exists,
// a fresh output against the real client/index.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_RUNTIME, generate } from "../../../codegen/index.ts";
import { fixture, ROOT, write } from "./helpers.ts";

const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const DENO = path.join(ROOT, "node_modules/.bin/deno");

/** Runs a checker; resolves with its exit status and output (stdout and stderr). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (b) => (output += String(b)));
    child.stderr.on("data", (b) => (output += String(b)));
    const timer = setTimeout(() => child.kill(), 25_000);
    child.on("error", (e) => (output += String(e)));
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const SLOW = { timeout: 30_000 };

describe("codegen: generated output type-checks", () => {
  test("tsc --noEmit and deno check (stub runtime, golden outputs, usage.ts)", SLOW, async () => {
    const [tsc, deno] = await Promise.all([
      run("node", [TSC, "--noEmit", "-p", fixture("tsconfig.json")]),
      run(DENO, ["check", fixture("usage.ts"), fixture("golden/cars/client.ts"), fixture("golden/rich/client.ts")]),
    ]);
    assert.equal(tsc.status, 0, `tsc: ${tsc.output}`);
    assert.equal(deno.status, 0, `deno check: ${deno.output}`);
  });

  // Runs as soon as the client runtime exists: the default output must compile against it.
  test("against the real client/index.ts (skipped while it does not exist)", { ...SLOW, skip: !fs.existsSync(DEFAULT_RUNTIME) }, async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, ".tmp-codegen-"));
    try {
      // Tables as deep as MAX_TYPE_DEPTH allows (codegen/types.ts): 22 nested interfaces, and 15
      // levels of arrays of structs, still type-check.
      const deep = (n: number, list: boolean, table: string) =>
        Array.from({ length: n }, (_, i) => `export interface ${table}${i} { x: ${i < n - 1 ? `${table}${i + 1}${list ? "[]" : ""}` : "string"}; n?: number }\n`).join("") +
        `/** @table ${table.toLowerCase()} */\nexport interface ${table} { root: ${table}0 }\n`;
      write(path.join(dir, "deep.schema.ts"), deep(22, false, "Nested") + deep(15, true, "Listed"));
      const { files } = generate({ schemaFiles: [fixture("cars.schema.ts"), fixture("rich.schema.ts"), path.join(dir, "deep.schema.ts")], outDir: dir });
      for (const f of files) write(f.path, f.text);
      // The repository's own compiler settings (the runtime needs node types and DOM globals).
      write(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", include: [], files: ["client.ts"] }));
      const [tsc, deno] = await Promise.all([
        run("node", [TSC, "--noEmit", "-p", path.join(dir, "tsconfig.json")]),
        run(DENO, ["check", path.join(dir, "client.ts")]),
      ]);
      assert.equal(tsc.status, 0, `tsc: ${tsc.output}`);
      assert.equal(deno.status, 0, `deno check: ${deno.output}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
