// Runs a script of this repository in a child process of the runtime running the tests (Bun or
// Deno), from the package root, as `npm run demo` and the `quire` command would.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The package root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const runtime = isDeno ? path.join(root, "node_modules/.bin/deno") : process.execPath;

/** Runs `script` (a path) with `args` to completion (two minutes at most). */
export function runScript(script: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(runtime, isDeno ? ["run", "--allow-all", script, ...args] : [script, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
}
