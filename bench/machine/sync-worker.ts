/**
 * The other core's side of machine.cpu_during_sync (cpu-during-sync.ts): a worker thread that,
 * as told, runs the fsync loop's overwrite variant (300 bytes written over preallocated zeros,
 * then fdatasync), or spins in arithmetic without a system call, or sleeps on the control word.
 *
 * Control (an Int32Array over shared memory): [0] the mode (IDLE, SYNC, SPIN, STOP), set by the
 * main thread; [1] the busy rounds (syncs or spins) done so far, counted here.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { workerData } from "node:worker_threads";

export const IDLE = 0;
export const SYNC = 1;
export const SPIN = 2;
export const STOP = 3;

const RECORD_BYTES = 300;
const FILE_BYTES = 8 * 1024 * 1024;

if (workerData !== null && typeof workerData === "object" && "control" in workerData) {
  const { control, dir } = workerData as { control: Int32Array; dir: string };
  const path = join(dir, `sync-worker-${Date.now()}.dat`);
  const fd = openSync(path, "w+");
  try {
    const zeros = new Uint8Array(1024 * 1024);
    for (let off = 0; off < FILE_BYTES; off += zeros.length) writeSync(fd, zeros, 0, zeros.length, off);
    fsyncSync(fd);
    const record = new Uint8Array(RECORD_BYTES).fill(0x5a);
    let pos = 0;
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
        if (x === 1) pos = 0; // keeps the loop from being optimized away; never true
        Atomics.add(control, 1, 1);
        continue;
      }
      if (pos + RECORD_BYTES > FILE_BYTES) pos = 0;
      writeSync(fd, record, 0, RECORD_BYTES, pos);
      fdatasyncSync(fd);
      pos += RECORD_BYTES;
      Atomics.add(control, 1, 1);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}
