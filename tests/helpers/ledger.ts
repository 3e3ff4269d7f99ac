/** A ledger in a fresh temporary directory for one test, closed (and the directory removed) afterwards. */
import { Ledger } from "../../engine/index.ts";
import { withTempDir } from "./tmp.ts";

/** Runs `fn` on a new ledger holding the tables `tables` (created first, one statement each). */
export async function withLedger(fn: (ledger: Ledger) => Promise<void>, tables: readonly string[] = []): Promise<void> {
  await withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    try {
      for (const t of tables) await ledger.execute(`CREATE TABLE ${t}`);
      await fn(ledger);
    } finally {
      await ledger.close();
    }
  });
}
