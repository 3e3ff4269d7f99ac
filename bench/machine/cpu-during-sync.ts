/**
 * machine.cpu_during_sync: how fast this machine's CPU runs commit-like work while the disk is
 * syncing, against the same work while it is not; machine.cpu_during_spin: the same while the
 * other core only computes. Not targets: context for the commit ratios.
 *
 * The main thread runs a fixed piece of a commit's CPU (fromJS, ionHash and encodeBinary of one
 * car) and makes no system call while it is timed. A worker thread (sync-worker.ts) sleeps, runs
 * the fsync loop (300-byte write + fdatasync over preallocated zeros), or spins in arithmetic.
 * The three states alternate, each repetition a fresh rateForSync; each figure is the median rate
 * with the worker busy, its baseline the median with the worker asleep, so the ratio is the
 * share of its speed the CPU keeps. The spin figure tells the disk's cost from a merely busy
 * second core (shared caches, a host that runs both vCPUs on one core's two threads).
 *
 * Why it is printed: a durable commit is a sync plus the CPU around it, so commit.single's ratio
 * to the fsync loop assumes the CPU runs as fast between syncs as with syncs skipped
 * (commit.single.no_sync), and overlapping the sync with other commits' CPU (commit.concurrent64)
 * assumes the disk's work costs the CPU nothing. On the 2-core VM these figures come from
 * (2026-12-05), neither held: this work ran at a median of 0.83 of its idle speed with syncs
 * running on the other core (9 alternating rounds of 400 ms in a bare process; 0.62 in a quick
 * bench run, the worker managing ~6,300 syncs/s), while a worker spinning in arithmetic instead
 * cost it nothing (0.99).
 */
import { Worker } from "node:worker_threads";
import { encodeBinary, fromJS, ionHash } from "../../engine/ion/index.ts";
import { car } from "../car.ts";
import type { BenchConfig } from "../config.ts";
import { type Figure, figure, interleave, log, rateForSync } from "../stats.ts";
import { IDLE, SPIN, STOP, SYNC } from "./sync-worker.ts";

/** One car through the engine's value model, hash and encoder: part of what a commit costs. */
function commitLikeWork(n: number): number {
  const v = fromJS(car(n));
  ionHash(v);
  encodeBinary(v);
  return 1;
}

/** Resolves once the worker has done at least one more round of its busy mode. */
async function busy(control: Int32Array): Promise<void> {
  const start = Atomics.load(control, 1);
  const t0 = performance.now();
  while (Atomics.load(control, 1) === start) {
    if (performance.now() - t0 > 10_000) throw new Error("the worker did not start its busy loop within 10 s");
    await new Promise((r) => setTimeout(r, 1));
  }
}

export async function cpuDuringSyncFigures(cfg: BenchConfig, dir: string, emit: (f: Figure) => void): Promise<void> {
  log("machine.cpu_during_sync / machine.cpu_during_spin");
  const control = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL("./sync-worker.ts", import.meta.url), { workerData: { control, dir } });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const failed = new Promise<never>((_, reject) => worker.once("error", reject));
  let n = 0;
  const rep = async (mode: number): Promise<number> => {
    Atomics.store(control, 0, mode);
    Atomics.notify(control, 0);
    if (mode !== IDLE) await Promise.race([busy(control), failed]);
    else await new Promise((r) => setTimeout(r, 20)); // the last sync in flight lands
    const syncsBefore = Atomics.load(control, 1);
    const t0 = performance.now();
    const rate = rateForSync(cfg.cpuMs, () => commitLikeWork(n++));
    if (mode === SYNC) log(`  (worker: ${Math.round((Atomics.load(control, 1) - syncsBefore) / ((performance.now() - t0) / 1000))} syncs/s)`);
    return rate;
  };
  try {
    const r = await interleave(cfg.reps, { syncing: () => rep(SYNC), idle: () => rep(IDLE), spinning: () => rep(SPIN) }, "machine.cpu_during ");
    emit(figure("machine.cpu_during_sync", r.syncing.median, "ops/s", "machine.cpu_other_core_idle", r.idle.median));
    emit(figure("machine.cpu_during_spin", r.spinning.median, "ops/s", "machine.cpu_other_core_idle", r.idle.median));
  } finally {
    Atomics.store(control, 0, STOP);
    Atomics.notify(control, 0);
    await Promise.race([exited, failed.catch(() => undefined)]);
  }
}
