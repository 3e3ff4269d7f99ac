/**
 * A pre-built ledger for the read-side figures (proofs, replay): `blocks` blocks holding
 * `revisions` car revisions in total, written by 64 concurrent writers so group commit builds it
 * quickly. Building is not timed.
 */
import { Ledger } from "../../engine/index.ts";
import { car } from "../car.ts";
import { log } from "../stats.ts";

export interface Fixture {
  readonly dir: string;
  readonly blocks: number;
  readonly revisions: number;
}

const WRITERS = 64;

export async function buildFixture(dir: string, blocks: number, revisions: number): Promise<Fixture> {
  const t0 = performance.now();
  const perBlock = Math.max(1, Math.ceil(revisions / blocks));
  const ledger = await Ledger.open(dir);
  try {
    await ledger.transaction((tx) => tx.createTable("cars"));
    let next = 0;
    let written = 0;
    const loop = async () => {
      while (next < blocks - 1) {
        next++;
        const docs = Array.from({ length: perBlock }, () => car(written++));
        await ledger.transaction(async (tx) => {
          for (const d of docs) await tx.insert("cars", d);
        });
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, loop));
    const total = ledger.openInfo.blocks + next + 1;
    log(`fixture: ${total} blocks, ${written} revisions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // +1: the catalog revision that created the table is replayed too.
    return { dir, blocks: total, revisions: written + 1 };
  } finally {
    await ledger.close();
  }
}
