/**
 * The other core's side of machine.cpu_during_sync (cpu-during-sync.ts): a worker thread that,
 * as told, runs the fsync loop's overwrite variant (300 bytes written over preallocated zeros,
 * then fdatasync), or spins in arithmetic without a system call, or sleeps on the control word.
 *
 * Control (an Int32Array over shared memory): [0] the mode (IDLE, SYNC, SPIN, STOP), set by the
 * main thread; [1] the busy rounds (syncs or spins) done so far, counted here.
 */
import { workerData } from "node:worker_threads";
import { RECORD_BYTES, SyncFile } from "../baselines/fsync-loop.ts";

export const IDLE = 0;
export const SYNC = 1;
export const SPIN = 2;
export const STOP = 3;

if (workerData !== null && typeof workerData === "object" && "control" in workerData) {
  const { control, dir } = workerData as { control: Int32Array; dir: string };
  const file = new SyncFile(dir, "overwrite");
  try {
    const record = new Uint8Array(RECORD_BYTES).fill(0x5a);
    for (;;) {
      const mode = Atomics.load(control, 0);
      if (mode === STOP) break;
      if (mode === IDLE) {
        Atomics.wait(control, 0, IDLE, 1000);
        continue;
      }
      if (mode === SPIN) {
        let x = 0;
        for (let i = 0; i < 100_000; i++) x = (x + i * i) | 0;
        if (x === 1) record[0] = 0; // keeps the loop from being optimized away; never true
      } else file.syncRecord(record);
      Atomics.add(control, 1, 1);
    }
  } finally {
    file.close();
  }
}
