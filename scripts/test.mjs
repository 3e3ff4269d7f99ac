// Runs the whole suite under Bun and then under Deno; fails if either fails.
// Plain Node so that `npm test` works on a machine that has only Node and npm.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const extra = process.argv.slice(2);
// `npm test -- tests/unit/engine/ion` narrows the run to some paths (and skips the type check).

const runs = [
  // Type-check everything the runtimes run (bench/ is Bun-only and imports bun:sqlite).
  { name: "typecheck", cmd: bin("deno"), args: ["check", "engine", "tests", "examples"] },
  // The same sources through TypeScript's own checker, as application code will see them.
  { name: "tsc", cmd: process.execPath, args: [path.join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"] },
  { name: "bun", cmd: bin("bun"), args: ["test", "--timeout", "120000", ...(extra.length ? extra : ["tests"])] },
  { name: "deno", cmd: bin("deno"), args: ["test", "--allow-all", "--no-check", ...(extra.length ? extra : ["tests"])] },
];

const results = [];
for (const run of extra.length ? runs.filter((r) => r.name !== "typecheck" && r.name !== "tsc") : runs) {
  const started = Date.now();
  console.log(`\n=== ${run.name} ${run.args.join(" ")} ===`);
  const r = spawnSync(run.cmd, run.args, { cwd: root, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } });
  results.push({ name: run.name, ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
for (const r of results) console.log(`${r.name}: ${r.ok ? "passed" : "FAILED"} in ${r.seconds}s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} of ${results.length} green`);
process.exit(failed === 0 ? 0 : 1);
