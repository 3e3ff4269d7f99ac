import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { acquireLock, LOCK_FILE, processStartTime } from "../../../../engine/journal/lock.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { isLedgerError } from "../../../../engine/errors.ts";

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
    assert.deepEqual(nodeFs.readdirSync(dir), []);
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

    const hold = `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};
      acquireLock(${JSON.stringify(dir)}); console.log("held"); setTimeout(() => {}, 30000);`;
    const [cmd2, args2] = runtimeArgs(hold);
    const child = spawn(cmd2, args2, { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += String(d);
        if (out.includes("held")) resolve();
      });
      child.on("exit", () => reject(new Error(`child exited early: ${out}`)));
    });
    assert.throws(() => acquireLock(dir), (e) => isLedgerError(e, "LEDGER_LOCKED") && e.details.pid === child.pid);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    acquireLock(dir).release(); // the dead holder's lock is stale now
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});
