/**
 * proof.generate: `ledger.getRevision` calls/s (revision + proof against the current digest) on
 * the fixture ledger, at random blocks and revisions. Baseline: none. No outside system returns a
 * Merkle proof of a revision, and comparing with a plain key lookup (sqlite) would compare a
 * proof against no proof; the figure stands on its own (it should be far above commit rates).
 *
 * proof.verify: `verifyRevision`/s on those proofs. Baseline: hash.revision on the same
 * revisions (our revisionHash). Verifying must recompute the revision hash and then fold
 * ~log2(blocks) + a few dots, so the ratio says how much the fold costs on top of the hash
 * (ratio < 1 by construction; ~0.5 measured with 16-hash proofs).
 */
import { Ledger, type Revision, revisionHash, verifyRevision } from "../../engine/index.ts";
import type { BenchConfig } from "../config.ts";
import { type Figure, figure, interleave, log, rateFor, rateForSync } from "../stats.ts";
import type { Fixture } from "./fixture.ts";

const SAMPLES = 1_000;

export async function proofFigures(cfg: BenchConfig, fx: Fixture, emit: (f: Figure) => void): Promise<void> {
  log("proof.generate / proof.verify");
  const ledger = await Ledger.open(fx.dir);
  try {
    const digest = await ledger.getDigest();
    const strandId = ledger.strandId;
    // Random (block, document) pairs; block 0 holds only the table's creation.
    const targets: { blockAddress: { strandId: string; sequenceNo: number }; documentId: string }[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sequenceNo = 1 + Math.floor(Math.random() * (fx.blocks - 1));
      const { block } = await ledger.getBlock({ blockAddress: { strandId, sequenceNo } });
      const r = block.revisions[Math.floor(Math.random() * block.revisions.length)];
      targets.push({ blockAddress: block.blockAddress, documentId: r.metadata.id });
    }
    const tip = digest.digestTipAddress;
    let k = 0;
    const gen = await interleave(cfg.reps, {
      getRevision: () =>
        rateFor(cfg.cpuMs, async () => {
          for (let i = 0; i < 64; i++) {
            const t = targets[k++ % SAMPLES];
            await ledger.getRevision({ blockAddress: t.blockAddress, documentId: t.documentId, digestTipAddress: tip });
          }
          return 64;
        }),
    }, "proof.generate ");
    emit(figure("proof.generate", gen.getRevision.median, "proofs/s", null, null));

    const pool: { revision: Revision; proof: Uint8Array[] }[] = [];
    for (const t of targets) pool.push(await ledger.getRevision({ ...t, digestTipAddress: tip }));
    log(`proof length: ${pool[0].proof.length} hashes`);
    let bad = 0;
    let sink = 0;
    const ver = await interleave(cfg.reps, {
      verify: () =>
        rateForSync(cfg.cpuMs, () => {
          const p = pool[k++ % SAMPLES];
          if (!verifyRevision(p.revision, p.proof, digest)) bad++;
          return 1;
        }),
      revisionHash: () =>
        rateForSync(cfg.cpuMs, () => {
          const r = pool[k++ % SAMPLES].revision;
          sink ^= revisionHash(r.metadata, r.data)[0];
          return 1;
        }),
    }, "proof.verify ");
    if (bad > 0) log(`WARNING: ${bad} proofs did not verify`);
    if (sink === -1) log("unreachable");
    emit(figure("proof.verify", ver.verify.median, "verifies/s", "hash.revision", ver.revisionHash.median));
  } finally {
    await ledger.close();
  }
}
