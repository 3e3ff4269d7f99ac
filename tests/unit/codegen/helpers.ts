/** Paths and small helpers shared by the codegen tests (not a test itself). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const FIXTURES = path.join(ROOT, "tests/fixtures/codegen");
export const STUB = path.join(FIXTURES, "runtime-stub.ts");
export const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

/** Set QUIRE_UPDATE_GOLDEN=1 to rewrite the golden files from the generator's current output. */
export const UPDATE_GOLDEN = (process.env.QUIRE_UPDATE_GOLDEN ?? "") !== "" && process.env.QUIRE_UPDATE_GOLDEN !== "0";

/** The 1-based line of the fixture marked `// expect-error`. */
export function markerLine(file: string): number {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const at = lines.findIndex((l) => l.includes("// expect-error"));
  if (at < 0) throw new Error(`${file} has no // expect-error marker`);
  return at + 1;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "quire-codegen-"): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** Runs `fn` on `source` written as `name` in a fresh temporary directory, removed afterwards. */
export function withSchemaFile<T>(name: string, source: string, fn: (file: string, dir: string) => T): T {
  const tmp = tempDir();
  try {
    return fn(write(path.join(tmp.dir, name), source), tmp.dir);
  } finally {
    tmp.cleanup();
  }
}
