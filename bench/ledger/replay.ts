/**
 * open.replay: revisions/s that `Ledger.open` replays — read every journal segment, check
 * frames, decode every block's Ion, rebuild document chains, indexes and the digest tree — on the
 * fixture ledger. Open + close is timed as a whole, since that is what an application waits for.
 *
 * Baseline: sqlite opening its database afresh and reading every row of its history table into
 * JS objects (rows/s), with as many history rows as the ledger has revisions. sqlite does not
 * need a full read to open, so this is the "read all history" cost, the nearest like-for-like.
 */
import { Ledger } from "../../engine/index.ts";
import { SqliteBaseline } from "../baselines/sqlite.ts";
import type { BenchConfig } from "../config.ts";
import { type Figure, figure, interleave, log } from "../stats.ts";
import { removeDir, tempDir } from "../tmp.ts";
import type { Fixture } from "./fixture.ts";

export async function replayFigures(cfg: BenchConfig, fx: Fixture, emit: (f: Figure) => void): Promise<void> {
  log("open.replay");
  const sqlDir = tempDir("replay-sqlite");
  const sqlite = new SqliteBaseline(sqlDir);
  try {
    sqlite.fill(fx.revisions);
    const rows = sqlite.historyRows();
    const r = await interleave(cfg.reps, {
      ledgerOpen: async () => {
        const t0 = performance.now();
        const ledger = await Ledger.open(fx.dir);
        await ledger.close();
        return fx.revisions / ((performance.now() - t0) / 1000);
      },
      sqliteRead: () => {
        const t0 = performance.now();
        const n = sqlite.readAllHistory();
        if (n !== rows) log(`WARNING: read ${n} history rows, expected ${rows}`);
        return n / ((performance.now() - t0) / 1000);
      },
    }, "open.replay ");
    emit(figure("open.replay", r.ledgerOpen.median, "revisions/s", "sqlite.history_read_all", r.sqliteRead.median));
  } finally {
    sqlite.close();
    removeDir(sqlDir);
  }
}
