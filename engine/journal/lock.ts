/**
 * One open ledger per directory, across threads and processes.
 *
 * First, the kernel's lock: on the real disk the holder keeps an exclusive flock on
 * `quire.flock` (kernel-lock.ts) for as long as the ledger is open. While a holder lives no one
 * else gets it, in any process or PID namespace, and it goes when the holder dies. Then the lock
 * file below, which names the holder for error messages and excludes where there is no flock.
 *
 * This process also remembers the directories it holds, so that a lock file deleted while its
 * ledger is open (by hand, by a cleanup job) cannot let a second open in the same process in.
 *
 * Lock file `quire.lock` in the directory, created with O_CREAT|O_EXCL ('wx'), holding one line
 * of JSON: {"pid", "start", "host", "pidns", "boot", "flock"?, "flockDev"?, "flockIno"?, "dirDev"?, "dirIno"?, "nonce"}. `start` is the owner's start time
 * from field 22 of /proc/<pid>/stat (Linux; omitted elsewhere), so a pid reused by an unrelated
 * process after a crash or reboot is recognised. `pidns` (the /proc/self/ns/pid link) and `boot`
 * (the kernel's boot_id) say which PID namespace and which running kernel its pid belongs to
 * (Linux; omitted elsewhere). `nonce` makes every acquisition distinct, so release() can tell
 * whether the file is still its own.
 *
 * An existing lock is stale when the file is unreadable (a crash between create and write) and
 * older than a few seconds, or when:
 * - we hold the flock on the file the owner locked (`flockDev`, `flockIno`: the device and inode
 *   of its `quire.flock`; or it did not record them), and the owner, which says it held the flock
 *   too (`flock: true`), ran on this kernel (same boot) but in another PID namespace or under
 *   another hostname: alive, it would still hold the flock;
 * - we hold the flock, the owner's flock file is another file on this same filesystem, and the
 *   owner's directory (`dirDev`, `dirIno`) is another directory: the lock file was copied with
 *   its directory (cp -a, a backup of a ledger in use) from one whose holder may well be alive,
 *   but holds that other directory. Only the same device counts: a second mount of the same files
 *   (bindfs, NFS from this host) shows them on another device, where the flock does not exclude,
 *   so there the pid still decides. In the same directory, another flock file means the owner's
 *   was deleted while it held it (by hand, by a cleaner of old empty files): our flock is on a
 *   new file and says nothing of the owner, so the pid decides (judged by the flock alone, a
 *   second process opened a ledger still open, and both wrote at one offset);
 * - on this host and in this PID namespace, its pid is dead (kill(pid, 0) gives ESRCH, or
 *   /proc says zombie) or has a different start time.
 * A lock from another host, or from another PID namespace where there is no flock, is never
 * judged stale: we cannot see its processes (the error says to remove it if no one uses it).
 *
 * Taking over a stale lock. Only two things ever remove a lock file: its owner's release(), and a
 * contender holding the takeover guard `quire.lock.takeover` (created 'wx', same JSON). The guard
 * holder reads the lock again and removes it only if it still has the bytes judged stale and is
 * still judged stale: a lock left empty by a crash has the same (no) bytes as a contender's lock
 * between its create and its write, and only the age tells them apart. While the guard is held
 * nobody else can remove the file, so a live lock is never removed. Then it releases the guard and retries
 * 'wx' like anyone else, so exactly one contender wins. A contender that finds the guard held by
 * a live process gets LEDGER_LOCKED: that process is taking the lock.
 *
 * A guard left by a dead process is broken by renaming it to a unique name (only one contender's
 * rename can succeed) and checking that what was renamed is the guard judged stale; if it is not,
 * it is put back. The one race left needs a process to die in the microseconds it holds the guard
 * and two others to break that guard at the same moment; before the guard, any two or three
 * contenders taking over one stale lock at once could both end up holding it.
 */
import * as nodeFs from "node:fs";
import * as os from "node:os";
import { resolve as resolvePath } from "node:path";
import process from "node:process";
import { LedgerError } from "../errors.ts";
import { ensureDir, errorCode, type FileLayer, joinPath, nodeFileLayer } from "./file-layer.ts";
import { KERNEL_LOCK_FILE, type KernelLock, tryKernelLock } from "./kernel-lock.ts";

export const LOCK_FILE = "quire.lock";
/** Held (for microseconds) by whoever is removing a stale lock file; see the header. */
export const TAKEOVER_FILE = "quire.lock.takeover";

/** A lock file that cannot be parsed is treated as being written for this long. */
const UNREADABLE_GRACE_MS = 5_000;

interface Owner {
  pid: number;
  start?: string;
  host: string;
  pidns?: string;
  boot?: string;
  /** True when the owner holds the flock too (kernel-lock.ts); only such a lock is judged by it. */
  flock?: boolean;
  /** Device and inode of the `quire.flock` the owner locked (decimal strings), where known. */
  flockDev?: string;
  flockIno?: string;
  /** Device and inode of the ledger directory the owner locked (decimal strings), where known. */
  dirDev?: string;
  dirIno?: string;
  nonce: string;
}

/** Fields 3 and up of /proc/<pid>/stat, or undefined where /proc is unavailable. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = nodeFs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesised and may itself contain spaces and ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot, or undefined where /proc is unavailable. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** True when /proc says the process has exited and waits to be reaped (kill(pid, 0) still succeeds). */
function isZombie(pid: number): boolean {
  const state = procStat(pid)?.[0];
  return state === "Z" || state === "X";
}

function readOr(read: () => string): string | undefined {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** This process's PID namespace and the running kernel's boot id (Linux), as the lock records them. */
const MY_PIDNS = readOr(() => nodeFs.readlinkSync("/proc/self/ns/pid"));
const MY_BOOT = readOr(() => nodeFs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));

function parseOwner(bytes: Uint8Array): Owner | undefined {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof o?.pid === "number" && typeof o.host === "string") return o as Owner;
  } catch { /* unreadable */ }
  return undefined;
}

/** Linux's PID_MAX_LIMIT (2^22): no process has a larger pid (macOS's are below 100,000). */
const MAX_PID = 4_194_304;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user. ESRCH: no such process. An argument error
    // (ERR_INVALID_ARG_TYPE for a pid kill() cannot take) means no such process can exist.
    const code = (e as { code?: string }).code;
    return code !== "ESRCH" && !(typeof code === "string" && code.startsWith("ERR_"));
  }
}

/**
 * Whether the owner's pid can be judged from here: same host, and one of this PID namespace's
 * (an unrecorded namespace counts as this one, as before pidns was recorded).
 */
function isHere(owner: Owner): boolean {
  return owner.host === os.hostname() && (owner.pidns === undefined || MY_PIDNS === undefined || owner.pidns === MY_PIDNS);
}

/** Device and inode of a file (the flock file, the directory), as the lock file records them. */
interface FileId {
  readonly dev: string;
  readonly ino: string;
}

/** The identity of `path`, or undefined if it cannot be read. */
function fileIdOf(path: string): FileId | undefined {
  try {
    const st = nodeFs.statSync(path, { bigint: true });
    return { dev: String(st.dev), ino: String(st.ino) };
  } catch {
    return undefined;
  }
}

/** Where a contender stands: the identities of the flock file it holds and of the directory. */
interface Contender {
  readonly flockFile: FileId | undefined;
  readonly dir: FileId | undefined;
}

/**
 * See the header. `kernelLocked`: this contender holds the flock; `at`: the identities of the file
 * it holds it on and of the directory, where known.
 */
function isStale(owner: Owner | undefined, fs: FileLayer, path: string, kernelLocked: boolean, at: Contender): boolean {
  if (!owner) {
    try {
      return Date.now() - fs.mtimeMs(path) > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  const here = isHere(owner);
  // Only an owner that held the flock itself: one that opened through another file layer, or
  // where flock failed, could be alive without it.
  const flockedHere = kernelLocked && owner.flock === true && MY_BOOT !== undefined && owner.boot === MY_BOOT;
  const flockFile = at.flockFile;
  const otherFlockFile = flockFile !== undefined && owner.flockIno !== undefined &&
    (owner.flockDev !== flockFile.dev || owner.flockIno !== flockFile.ino);
  if (flockedHere && !here && !otherFlockFile) return true;
  // A copied lock file (header): its owner's flock file is another file on this filesystem, in
  // another directory. The copy was LEDGER_LOCKED until the original's holder exited. Judging by
  // the flock alone let a second mount of the same files in (bindfs does not pass flock on)
  // while the holder lived, and then a second process in after the owner's flock file was
  // deleted: both wrote, and an acknowledged commit was lost.
  if (
    flockedHere && otherFlockFile && owner.flockDev === flockFile!.dev &&
    owner.dirIno !== undefined && at.dir !== undefined && (owner.dirDev !== at.dir.dev || owner.dirIno !== at.dir.ino)
  ) {
    return true;
  }
  if (!here) return false;
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0 || owner.pid > MAX_PID) return true;
  if (!isAlive(owner.pid) || isZombie(owner.pid)) return true;
  if (owner.start === undefined) return false;
  const start = processStartTime(owner.pid);
  return start !== undefined && start !== owner.start;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function randomHex(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Takes the directory's exclusive lock (creating the directory if missing), or throws
 * LEDGER_LOCKED with {dir, pid} naming the holder. IO_ERROR if the disk refuses.
 */
export function acquireLock(dir: string, fs: FileLayer = nodeFileLayer): { release(): void } {
  // Directories this process holds, checked before the lock file: if the file is deleted while
  // the ledger is open, a second open here must still fail (two writers at one offset lost an
  // acknowledged commit). Another process is stopped by the flock and the file (header comment).
  try {
    ensureDir(fs, dir);
  } catch (e) {
    throw new LedgerError("IO_ERROR", `cannot create directory ${dir}`, { dir }, e);
  }
  const held = heldDirs.get(fs) ?? heldDirs.set(fs, new Set()).get(fs)!;
  const key = canonicalDir(fs, dir);
  if (held.has(key)) {
    throw new LedgerError("LEDGER_LOCKED", `${dir} is in use by this process`, { dir, pid: process.pid });
  }
  const path = joinPath(dir, LOCK_FILE);
  const locked = (owner: Owner | undefined, unjudged = false) =>
    new LedgerError(
      "LEDGER_LOCKED",
      `${dir} is in use by ${owner ? `process ${owner.pid} on ${owner.host}` : "another process"}` +
        (unjudged ? `, which cannot be checked from here (another host or PID namespace): if no process uses the ledger, remove ${path}` : ""),
      { dir, pid: owner?.pid },
    );
  // The kernel's lock first (header): while another holder lives, nothing below is tried.
  const kernel = fs === nodeFileLayer ? tryKernelLock(joinPath(dir, KERNEL_LOCK_FILE)) : "unsupported";
  if (kernel === "busy") {
    const existing = readIfPresent(fs, path, dir);
    throw locked(existing === undefined ? undefined : parseOwner(existing));
  }
  const kernelLocked = kernel !== "unsupported";
  try {
    const at: Contender = {
      flockFile: kernelLocked ? fileIdOf(joinPath(dir, KERNEL_LOCK_FILE)) : undefined,
      dir: kernelLocked ? fileIdOf(dir) : undefined,
    };
    return acquireLockFile(fs, dir, path, held, key, locked, kernelLocked ? kernel : undefined, at);
  } catch (e) {
    if (kernelLocked) kernel.release();
    throw e;
  }
}

function acquireLockFile(
  fs: FileLayer,
  dir: string,
  path: string,
  held: Set<string>,
  key: string,
  locked: (owner: Owner | undefined, unjudged?: boolean) => LedgerError,
  /** The flock, when this contender holds it. */
  kernel: KernelLock | undefined,
  /** The identities of the file the flock is on and of the directory, where known. */
  at: Contender,
): { release(): void } {
  const flockFile = at.flockFile;
  const kernelLocked = kernel !== undefined;
  const me: Owner = {
    pid: process.pid,
    start: processStartTime(process.pid),
    host: os.hostname(),
    pidns: MY_PIDNS,
    boot: MY_BOOT,
    ...(kernelLocked ? { flock: true } : {}),
    ...(flockFile !== undefined ? { flockDev: flockFile.dev, flockIno: flockFile.ino } : {}),
    ...(at.dir !== undefined ? { dirDev: at.dir.dev, dirIno: at.dir.ino } : {}),
    nonce: randomHex(),
  };
  const mine = new TextEncoder().encode(JSON.stringify(me) + "\n");
  let holder: Owner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileExclusive(path, mine);
      return lockHandle(fs, path, mine, held, key, kernel);
    } catch (e) {
      if (errorCode(e) !== "EEXIST") throw new LedgerError("IO_ERROR", `cannot create lock file ${path}: ${reason(e)}`, { dir }, e);
    }
    const existing = readIfPresent(fs, path, dir);
    if (existing === undefined) continue; // released meanwhile
    holder = parseOwner(existing);
    if (!isStale(holder, fs, path, kernelLocked, at)) throw locked(holder, holder !== undefined && !isHere(holder));

    const guard = takeGuard(fs, dir, mine, kernelLocked, at);
    if (guard !== "taken") throw locked(guard);
    try {
      const now = readIfPresent(fs, path, dir);
      // Changed since it was judged (released, or taken over and taken again): judge it afresh.
      // Equal bytes are not enough: a stale lock left empty by a crash looks like a contender's
      // lock between its create and its write, so staleness is judged again on what is there now.
      if (now !== undefined && sameBytes(now, existing) && isStale(parseOwner(now), fs, path, kernelLocked, at)) {
        try {
          fs.unlink(path);
        } catch (e) {
          throw new LedgerError("IO_ERROR", `cannot remove stale lock file ${path}`, { dir }, e);
        }
      }
    } finally {
      releaseFile(fs, joinPath(dir, TAKEOVER_FILE), mine);
    }
  }
  throw locked(holder);
}

function readIfPresent(fs: FileLayer, path: string, dir: string): Uint8Array | undefined {
  try {
    return fs.readFile(path);
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    throw new LedgerError("IO_ERROR", `cannot read lock file ${path}: ${reason(e)}`, { dir }, e);
  }
}

/**
 * Creates the takeover guard, breaking one left by a dead process. Returns "taken", or the owner
 * of a live guard (undefined if its file could not be read) for the LEDGER_LOCKED error.
 */
function takeGuard(fs: FileLayer, dir: string, mine: Uint8Array, kernelLocked: boolean, at: Contender): "taken" | Owner | undefined {
  const path = joinPath(dir, TAKEOVER_FILE);
  let owner: Owner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileExclusive(path, mine);
      return "taken";
    } catch (e) {
      if (errorCode(e) !== "EEXIST") throw new LedgerError("IO_ERROR", `cannot create lock file ${path}: ${reason(e)}`, { dir }, e);
    }
    const existing = readIfPresent(fs, path, dir);
    if (existing === undefined) continue;
    owner = parseOwner(existing);
    if (!isStale(owner, fs, path, kernelLocked, at)) return owner;
    const aside = joinPath(dir, `${TAKEOVER_FILE}.stale-${process.pid}-${randomHex()}`);
    try {
      fs.rename(path, aside);
    } catch (e) {
      if (errorCode(e) === "ENOENT") continue; // another contender moved it first
      throw new LedgerError("IO_ERROR", `cannot move stale lock file ${path}`, { dir }, e);
    }
    let moved: Uint8Array | undefined;
    try {
      moved = fs.readFile(aside);
    } catch { /* treated as not the file we judged */ }
    if (!moved || !sameBytes(moved, existing) || !isStale(parseOwner(moved), fs, aside, kernelLocked, at)) {
      // A contender replaced the dead guard with its own between our read and our rename (an
      // empty one, mid-write, has the same bytes as an empty dead one but a fresh mtime): put it
      // back (exclusively, in case a third got in) and give way.
      try {
        if (moved) fs.writeFileExclusive(path, moved);
        fs.unlink(aside);
      } catch { /* its holder's release compares contents, so it stays safe */ }
      return moved ? parseOwner(moved) : undefined;
    }
    try {
      fs.unlink(aside);
    } catch { /* a leftover stale copy is harmless */ }
  }
  return owner;
}

/** Removes `path` if it still holds `mine`. */
function releaseFile(fs: FileLayer, path: string, mine: Uint8Array): void {
  try {
    if (sameBytes(fs.readFile(path), mine)) fs.unlink(path);
  } catch { /* already gone, or taken over: not ours to remove */ }
}

/** The directory's one name: symlinks resolved on the real disk (other layers have none). */
function canonicalDir(fs: FileLayer, dir: string): string {
  if (fs === nodeFileLayer) {
    try {
      return nodeFs.realpathSync(dir);
    } catch { /* fall back to the resolved path */ }
  }
  return resolvePath(dir);
}

/** Per file layer (tests run many in-memory ones), the resolved directories this process holds. */
const heldDirs = new WeakMap<FileLayer, Set<string>>();

/**
 * Forgets every directory held through `fs`, as the death of this process would: FaultyFileLayer's
 * crash() models a power cut, after which the test opens the ledger again as a new process would.
 */
export function forgetHeldLocks(fs: FileLayer): void {
  heldDirs.delete(fs);
}

function lockHandle(fs: FileLayer, path: string, mine: Uint8Array, held: Set<string>, key: string, kernel: KernelLock | undefined): { release(): void } {
  let released = false;
  held.add(key);
  return {
    release() {
      if (released) return;
      released = true;
      held.delete(key);
      releaseFile(fs, path, mine);
      // Last: until the file is gone, the flock keeps contenders from judging it.
      kernel?.release();
    },
  };
}

function reason(e: unknown): string {
  return errorCode(e) ?? (e instanceof Error ? e.message : String(e));
}
