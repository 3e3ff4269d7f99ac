import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { acquireLock, LOCK_FILE, processStartTime, TAKEOVER_FILE } from "../../../../engine/journal/lock.ts";
import { KERNEL_LOCK_FILE } from "../../../../engine/journal/kernel-lock.ts";
import type { FileLayer } from "../../../../engine/journal/file-layer.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { isLedgerError } from "../../../../engine/errors.ts";

/** The running kernel's boot id, as the lock records it (Linux). */
const BOOT = nodeFs.existsSync("/proc/sys/kernel/random/boot_id") ? nodeFs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() : undefined;

const LOCK_MODULE = fileURLToPath(new URL("../../../../engine/journal/lock.ts", import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

function tempDir(): string {
  return nodeFs.mkdtempSync(path.join(os.tmpdir(), "quire-lock-"));
}

function writeLock(dir: string, owner: Record<string, unknown>): void {
  nodeFs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
}

/** A pid that just exited (its process is gone; the number is very unlikely to be reused yet). */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(String(r.stdout).trim());
}

/** Runs `code` in a fresh process of the runtime running this test. */
function runtimeArgs(code: string): [string, string[]] {
  return isDeno ? [process.execPath, ["eval", code]] : [process.execPath, ["-e", code]];
}

/** A process of this runtime holding the lock on `dir` until killed (SIGKILL, as a crash would). */
async function holdInChild(dir: string): Promise<{ pid: number | undefined; kill(): Promise<void> }> {
  const hold = `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};
    acquireLock(${JSON.stringify(dir)}); console.log("held"); setTimeout(() => {}, 30000);`;
  const [cmd, args] = runtimeArgs(hold);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      if (out.includes("held")) resolve();
    });
    child.on("exit", () => reject(new Error(`child exited early: ${out}`)));
  });
  return {
    pid: child.pid,
    kill() {
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      child.kill("SIGKILL");
      return exited;
    },
  };
}

test("a second acquire in the same process is LEDGER_LOCKED; release lets the next one in", () => {
  const dir = path.join(tempDir(), "new");
  try {
    const lock = acquireLock(dir);
    assert.throws(
      () => acquireLock(dir),
      (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === process.pid && e.details.dir === dir,
    );
    lock.release();
    lock.release();
    assert.equal(nodeFs.existsSync(path.join(dir, LOCK_FILE)), false);
    acquireLock(dir).release();
  } finally {
    nodeFs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test("a stale lock (dead pid, reused pid, unreadable and old) is taken over", () => {
  const dir = tempDir();
  try {
    const host = os.hostname();
    writeLock(dir, { pid: deadPid(), start: "1", host, nonce: "x" });
    acquireLock(dir).release();
    // Pids no process can have (kill() refuses 2^31 with an argument error, not ESRCH).
    for (const pid of [2 ** 31, 2 ** 22 + 1, 2 ** 40]) {
      writeLock(dir, { pid, start: "1", host, nonce: "x" });
      acquireLock(dir).release();
    }

    // Our own pid with another start time: the pid was reused after the owner died.
    if (processStartTime(process.pid) !== undefined) {
      writeLock(dir, { pid: process.pid, start: "1", host, nonce: "x" });
      acquireLock(dir).release();
    }

    nodeFs.writeFileSync(path.join(dir, LOCK_FILE), "");
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"), "just created: being written");
    const old = new Date(Date.now() - 60_000);
    nodeFs.utimesSync(path.join(dir, LOCK_FILE), old, old);
    acquireLock(dir).release();
    // Only the flock's file stays: it is never removed (kernel-lock.ts).
    assert.deepEqual(nodeFs.readdirSync(dir), [KERNEL_LOCK_FILE]);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a lock held by a live process or another host is respected", () => {
  const dir = tempDir();
  try {
    writeLock(dir, { pid: deadPid(), host: "some-other-host", nonce: "x" });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"));
    writeLock(dir, { pid: process.ppid, start: processStartTime(process.ppid), host: os.hostname(), nonce: "x" });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === process.ppid);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("release leaves alone a lock that is no longer ours", () => {
  const fs = new FaultyFileLayer();
  const lock = acquireLock("/d", fs);
  fs.unlink(`/d/${LOCK_FILE}`);
  fs.writeFileExclusive(`/d/${LOCK_FILE}`, new TextEncoder().encode('{"pid":1,"host":"h","nonce":"y"}'));
  lock.release();
  assert.equal(fs.exists(`/d/${LOCK_FILE}`), true);
});

test("another process: locked out while we hold it; holds it against us until killed", async () => {
  const dir = tempDir();
  try {
    const tryLock = `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};
      try { acquireLock(${JSON.stringify(dir)}); console.log("acquired"); }
      catch (e) { console.log(e.code + " " + e.details.pid); }`;
    const lock = acquireLock(dir);
    const [cmd, args] = runtimeArgs(tryLock);
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    assert.equal(String(r.stdout).trim(), `LEDGER_LOCKED ${process.pid}`, String(r.stderr));
    lock.release();

    const child = await holdInChild(dir);
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === child.pid);
    await child.kill();
    acquireLock(dir).release(); // the dead holder's lock is stale now
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the kernel's flock decides while its holder lives: a lock file that looks stale does not let anyone in", async () => {
  const dir = tempDir();
  try {
    const child = await holdInChild(dir);
    // What a holder in another PID namespace looks like from here: a pid that is dead, or someone
    // else, in ours. Judged by the file alone, this was taken over while its owner wrote.
    writeLock(dir, { pid: deadPid(), start: "1", host: os.hostname(), pidns: "pid:[1]", boot: BOOT, flock: true, nonce: "x" });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"));
    await child.kill();
    acquireLock(dir).release(); // the kernel dropped its flock; the file is its dead pid's
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a copy of a directory whose ledger is open elsewhere can be opened: its lock file names a holder of the original's flock", async () => {
  if (BOOT === undefined) return; // the copied owner is judged by its boot id (Linux)
  const original = tempDir();
  const copies = [tempDir(), tempDir()];
  /** Every file of `original`, lock files included, as cp -a or a backup tool copies them. */
  const copyInto = (to: string) => {
    for (const name of nodeFs.readdirSync(original)) nodeFs.copyFileSync(path.join(original, name), path.join(to, name));
  };
  try {
    // Held by this process: the copy's lock file names a live pid, its own.
    const lock = acquireLock(original);
    copyInto(copies[0]);
    acquireLock(copies[0]).release();
    assert.throws(() => acquireLock(original), (e) => isLedgerError(e, "LEDGER_LOCKED"));
    lock.release();

    // Held by another live process.
    const child = await holdInChild(original);
    try {
      copyInto(copies[1]);
      assert.equal(JSON.parse(nodeFs.readFileSync(path.join(copies[1], LOCK_FILE), "utf8")).pid, child.pid);
      acquireLock(copies[1]).release();
      assert.throws(() => acquireLock(original), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === child.pid);
    } finally {
      await child.kill();
    }
  } finally {
    for (const d of [original, ...copies]) nodeFs.rmSync(d, { recursive: true, force: true });
  }
});

test("a live owner's lock is judged by its flock file only on the same device and in another directory: that is a copy; the same file, another device, or the same directory is not", () => {
  if (BOOT === undefined) return;
  const dir = tempDir();
  try {
    acquireLock(dir).release(); // creates quire.flock
    const st = nodeFs.statSync(path.join(dir, KERNEL_LOCK_FILE), { bigint: true });
    const dirSt = nodeFs.statSync(dir, { bigint: true });
    const live = { pid: process.pid, start: processStartTime(process.pid), host: os.hostname(), pidns: nodeFs.readlinkSync("/proc/self/ns/pid"), boot: BOOT, flock: true, nonce: "x" };
    // Another flock file on this filesystem, in another directory: copied from a directory this
    // (live) process holds.
    const elsewhere = { dirDev: String(dirSt.dev), dirIno: String(dirSt.ino + 1n) };
    writeLock(dir, { ...live, flockDev: String(st.dev), flockIno: String(st.ino + 1n), ...elsewhere });
    acquireLock(dir).release();
    // The same directory: the owner's flock file was deleted while it held it, and ours is new.
    // Judged by the flock alone, a second process opened a ledger still open and both wrote.
    const here = { dirDev: String(dirSt.dev), dirIno: String(dirSt.ino) };
    writeLock(dir, { ...live, flockDev: String(st.dev), flockIno: String(st.ino + 1n), ...here });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === process.pid);
    // So too when the directory is not recorded (a lock written before it was): the pid decides.
    writeLock(dir, { ...live, flockDev: String(st.dev), flockIno: String(st.ino + 1n) });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === process.pid);
    // And for an owner in another PID namespace, whose pid cannot be judged from here: only a
    // flock on its own file says it is gone.
    const container = { ...live, pidns: "pid:[1]", flockDev: String(st.dev), flockIno: String(st.ino + 1n), ...here };
    writeLock(dir, container);
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"));
    writeLock(dir, { ...container, flockIno: String(st.ino) });
    acquireLock(dir).release();
    // A second mount of the same files (bindfs, NFS from this host) shows them on another device,
    // where flock does not exclude: whatever the inode, the live pid decides.
    for (const ino of [st.ino, st.ino + 1n]) {
      writeLock(dir, { ...live, flockDev: String(st.dev + 1n), flockIno: String(ino) });
      assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === process.pid);
    }
    // No identity recorded (a lock written before it was): the pid decides too.
    writeLock(dir, live);
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"));
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a ledger open in another process stays locked when its flock file is deleted", async () => {
  if (BOOT === undefined) return;
  const dir = tempDir();
  try {
    const child = await holdInChild(dir);
    try {
      // A user or a cleaner of old empty files removes quire.flock: the next contender flocks a
      // new file, which says nothing of the holder.
      nodeFs.rmSync(path.join(dir, KERNEL_LOCK_FILE));
      assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === child.pid);
      assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === child.pid);
    } finally {
      await child.kill();
    }
    acquireLock(dir).release(); // the holder is gone: its lock file names a dead pid
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("with the flock free, a lock from this kernel's other namespaces or hostnames is stale; one from another kernel is not", () => {
  const dir = tempDir();
  const boot = BOOT;
  try {
    if (boot !== undefined) {
      // A container that died, same kernel: another PID namespace, or a hostname that is gone.
      writeLock(dir, { pid: 1, start: "1", host: os.hostname(), pidns: "pid:[1]", boot, flock: true, nonce: "x" });
      acquireLock(dir).release();
      writeLock(dir, { pid: 1, start: "1", host: "container-abc", pidns: "pid:[1]", boot, flock: true, nonce: "x" });
      acquireLock(dir).release();
      // An owner that did not hold the flock (it opened through another file layer, or flock
      // failed there) may be alive without it: not judged.
      writeLock(dir, { pid: 1, start: "1", host: "container-abc", pidns: "pid:[1]", boot, nonce: "x" });
      assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED"));
      nodeFs.rmSync(path.join(dir, LOCK_FILE));
    }
    // Another machine (over a network filesystem) may be alive: the error says what to do.
    writeLock(dir, { pid: 1, start: "1", host: "container-abc", pidns: "pid:[1]", boot: "another-kernel", nonce: "x" });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && /remove .*quire\.lock/.test(e.message));
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- contenders taking over one stale lock at once ---------------------------------------------
// acquireLock is synchronous, so a race is staged by running a whole contender in the middle of
// another: before its n-th file operation. Every such point, for two and three contenders (one
// also cut into by the third), must end with exactly one holder, no guard left behind, and the
// lock file naming that holder.

type Outcome = { release(): void } | "locked";

/** `fs` with `interrupts.get(n)` run before the n-th call (0-based) of any of its methods. */
function interrupted(fs: FaultyFileLayer, interrupts: Map<number, () => void>, counter = { calls: 0 }): FileLayer {
  return new Proxy(fs, {
    get(target, prop) {
      const v = (target as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const cut = interrupts.get(counter.calls++);
        if (cut !== undefined) cut();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as FileLayer;
}

function contend(fs: FileLayer): Outcome {
  try {
    return acquireLock("/d", fs);
  } catch (e) {
    if (isLedgerError(e, "LEDGER_LOCKED")) return "locked";
    throw e;
  }
}

/** File operations one uninterrupted takeover makes, so the staging covers every point of it. */
function callsOfTakeover(setup: (fs: FaultyFileLayer) => void): number {
  const fs = new FaultyFileLayer();
  setup(fs);
  const counter = { calls: 0 };
  assert.notEqual(contend(interrupted(fs, new Map(), counter)), "locked");
  return counter.calls;
}

const staleOwner = (pid: number) => new TextEncoder().encode(JSON.stringify({ pid, start: "1", host: os.hostname(), nonce: "dead" }));

function checkOneHolder(fs: FaultyFileLayer, outcomes: Outcome[], where: string): void {
  const holders = outcomes.filter((o) => o !== "locked");
  assert.equal(holders.length, 1, `${where}: ${holders.length} contenders hold the lock`);
  assert.equal(fs.exists(`/d/${TAKEOVER_FILE}`), false, `${where}: takeover guard left behind`);
  (holders[0] as { release(): void }).release();
  assert.equal(fs.exists(`/d/${LOCK_FILE}`), false, `${where}: the holder's release left a lock file`);
}

for (const [name, setup] of [
  ["a stale lock", (fs: FaultyFileLayer, dead: number) => {
    fs.mkdir("/d");
    fs.writeFileExclusive(`/d/${LOCK_FILE}`, staleOwner(dead));
  }],
  ["a stale lock and a takeover guard left by a dead process", (fs: FaultyFileLayer, dead: number) => {
    fs.mkdir("/d");
    fs.writeFileExclusive(`/d/${LOCK_FILE}`, staleOwner(dead));
    fs.writeFileExclusive(`/d/${TAKEOVER_FILE}`, staleOwner(dead));
  }],
] as const) {
  test(`${name}: contenders interleaved at every file operation end with exactly one holder`, () => {
    const dead = deadPid();
    const n = callsOfTakeover((fs) => setup(fs, dead)) + 2;
    for (let i = 0; i < n; i++) {
      // Two contenders: A runs whole before B's i-th operation.
      {
        const fs = new FaultyFileLayer();
        setup(fs, dead);
        const outcomes: Outcome[] = [];
        outcomes.push(contend(interrupted(fs, new Map([[i, () => void outcomes.push(contend(fs))]]))));
        checkOneHolder(fs, outcomes, `A before B's operation ${i}`);
      }
      for (let j = i; j < n; j++) {
        // Three: A before B's i-th operation and C before B's j-th.
        {
          const fs = new FaultyFileLayer();
          setup(fs, dead);
          const outcomes: Outcome[] = [];
          const cuts = new Map<number, () => void>([[i, () => void outcomes.push(contend(fs))]]);
          const c = () => void outcomes.push(contend(fs));
          if (j === i) cuts.set(i, () => (outcomes.push(contend(fs)), c()));
          else cuts.set(j, c);
          outcomes.push(contend(interrupted(fs, cuts)));
          checkOneHolder(fs, outcomes, `A before B's operation ${i}, C before its operation ${j}`);
        }
        // Three, nested: A before B's i-th operation, and C before A's j-th.
        {
          const fs = new FaultyFileLayer();
          setup(fs, dead);
          const outcomes: Outcome[] = [];
          const a = () => void outcomes.push(contend(interrupted(fs, new Map([[j, () => void outcomes.push(contend(fs))]]))));
          outcomes.push(contend(interrupted(fs, new Map([[i, a]]))));
          checkOneHolder(fs, outcomes, `A before B's operation ${i}, C before A's operation ${j}`);
        }
      }
    }
  });
}

// A file left empty by a crash between its create and its write is judged stale by its age. A
// contender's own file is just as empty between those two steps, so equal bytes must never be
// taken for "still the stale file": at every point of a takeover, a contender C creating its file
// there (still empty) must find it left alone.
for (const file of [LOCK_FILE, TAKEOVER_FILE]) {
  test(`an empty stale ${file} is never confused with a contender's fresh, still-empty one`, () => {
    const target = `/d/${file}`;
    class Layer extends FaultyFileLayer {
      contenderCreated = false;
      override mtimeMs(p: string): number {
        // The crash-left file (under its name, or renamed aside) is a minute old; C's is new.
        return p.startsWith(target) && !this.contenderCreated ? Date.now() - 60_000 : super.mtimeMs(p);
      }
    }
    const setup = (fs: Layer) => {
      fs.mkdir("/d");
      if (file === TAKEOVER_FILE) fs.writeFileExclusive(`/d/${LOCK_FILE}`, staleOwner(deadPid()));
      fs.writeFileExclusive(target, new Uint8Array(0));
    };
    const probe = new Layer();
    setup(probe);
    const counter = { calls: 0 };
    assert.notEqual(contend(interrupted(probe, new Map(), counter)), "locked");
    for (let i = 0; i <= counter.calls; i++) {
      const fs = new Layer();
      setup(fs);
      // C takes the stale file over itself (unless B's guard or B's own file is in the way) and
      // is caught between creating its own and writing it.
      const c = () => {
        if (file === LOCK_FILE && fs.exists(`/d/${TAKEOVER_FILE}`)) return;
        if (fs.exists(target)) {
          if (fs.contents(target).length > 0) return; // B's, not the stale one
          fs.unlink(target);
        }
        fs.writeFileExclusive(target, new Uint8Array(0));
        fs.contenderCreated = true;
      };
      const outcome = contend(interrupted(fs, new Map([[i, c]])));
      if (fs.contenderCreated) {
        assert.equal(fs.exists(target), true, `C's ${file} removed (created before operation ${i})`);
        // C's lock file means C holds the lock; C's guard only means C is taking it over.
        if (file === LOCK_FILE) assert.equal(outcome, "locked", `both hold (C created its lock before operation ${i})`);
      } else {
        assert.notEqual(outcome, "locked", `operation ${i}`);
      }
    }
  });
}

test("a lock file deleted while the ledger is open does not let a second open in this process in", () => {
  const dir = tempDir();
  try {
    const lock = acquireLock(dir);
    nodeFs.rmSync(path.join(dir, LOCK_FILE));
    const link = dir + "-link";
    nodeFs.symlinkSync(dir, link);
    for (const again of [dir, dir + "/", path.relative(process.cwd(), dir), link]) {
      assert.throws(() => acquireLock(again), (e) => isLedgerError(e, "LEDGER_LOCKED"), again);
    }
    lock.release();
    nodeFs.rmSync(link);
    acquireLock(dir).release();
    // Independent file layers (in-memory ones in tests) do not share the registry.
    const a = new FaultyFileLayer(), b = new FaultyFileLayer();
    const la = acquireLock("/l", a);
    acquireLock("/l", b).release();
    la.release();
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a lock file whose contents cannot be written is removed: the failed acquire blocks no later one", () => {
  // The file writeFileExclusive had created stayed behind empty, and for the grace given to a
  // lock being written every acquire was LEDGER_LOCKED ("in use by another process").
  const fs = new FaultyFileLayer();
  acquireLock("/d", fs).release();
  fs.failWrite(1); // the next write: the lock file's contents
  assert.throws(() => acquireLock("/d", fs), (e) => isLedgerError(e, "IO_ERROR"));
  assert.equal(fs.exists(`/d/${LOCK_FILE}`), false);
  acquireLock("/d", fs).release();
});
