/** Temporary directories for tests, removed by the returned cleanup. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function tempDir(prefix = "quire-test-"): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `fn` with a fresh directory, removing it afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  try {
    return await fn(dir);
  } finally {
    cleanup();
  }
}
