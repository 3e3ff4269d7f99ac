/**
 * Sizes and durations of a run. `--quick` is a smoke run (< 1 minute in total, numbers are
 * indicative only); the full run takes a few minutes and is what figures should be quoted from.
 */
export interface BenchConfig {
  readonly quick: boolean;
  /** Repetitions per figure (median reported); odd so the median is a sample. */
  readonly reps: number;
  /** Wall time of one repetition of a durable-commit loop. */
  readonly commitMs: number;
  /** Wall time of one repetition of a CPU-only loop (hashing, proofs). */
  readonly cpuMs: number;
  /** Minimum commits in one repetition of the 64-writer figure. */
  readonly concurrentMinCommits: number;
  /** Blocks in the ledger that proofs are generated on. */
  readonly proofBlocks: number;
  /** Revisions in the ledger that open replays (and rows in sqlite's history table). */
  readonly replayRevisions: number;
  /** Documents in the table the query figures read. */
  readonly queryRows: number;
}

export const quickConfig: BenchConfig = {
  quick: true,
  // Five short repetitions rather than three long ones: the disk's speed drifts within a run,
  // and a median of five is steadier than one of three for the same time.
  reps: 5,
  commitMs: 450,
  // CPU-only loops settle in well under 200 ms once warm (the discarded round); 300 ms put the
  // whole quick run at 47 s on the 2-core VM, too close to its one-minute budget.
  cpuMs: 200,
  concurrentMinCommits: 1_000,
  proofBlocks: 2_000,
  replayRevisions: 10_000,
  queryRows: 20_000,
};

export const fullConfig: BenchConfig = {
  quick: false,
  reps: 7,
  commitMs: 3_000,
  cpuMs: 1_000,
  concurrentMinCommits: 5_000,
  proofBlocks: 10_000,
  replayRevisions: 50_000,
  queryRows: 100_000,
};
