/**
 * The kernel's advisory lock (flock(2), exclusive, non-blocking) on a file, where the runtime can
 * take one: Deno's `FsFile.tryLockSync`, and under Bun libc's `flock` through bun:ffi (node:fs has
 * no flock). Both are flock on Linux and macOS, so a Bun process and a Deno process exclude each
 * other.
 *
 * Why the lock file alone (lock.ts) is not enough: it names its holder by pid, and a pid means
 * something only inside one PID namespace. Two containers sharing a volume (and a hostname, as
 * with Docker's --uts=host) each saw the other's pid as dead or as someone else, took the lock
 * over, and both wrote the journal: it was left JOURNAL_CORRUPT. And a holder that died in a
 * container whose hostname is gone left a lock nobody would ever judge stale. The kernel knows
 * better on both counts: it refuses a second flock while the holder lives, in any namespace, and
 * drops the lock when the holder dies, however it dies.
 *
 * The lock is held on `quire.flock`, a file that is created once and never removed (a lock on a
 * file that is removed and created again would not exclude anything).
 */
import * as nodeFs from "node:fs";
import { LedgerError } from "../errors.ts";

export const KERNEL_LOCK_FILE = "quire.flock";

export interface KernelLock {
  release(): void;
}

/** The result of tryKernelLock: held, held by someone else, or no flock to be had here. */
export type KernelLockResult = KernelLock | "busy" | "unsupported";

const LOCK_EX = 2;
const LOCK_NB = 4;

interface LibcFlock {
  flock(fd: number, operation: number): number;
  errno(): number;
  /** errno's EWOULDBLOCK on this system. */
  readonly wouldBlock: number;
}

type DenoFile = { tryLockSync(exclusive: boolean): boolean; close(): void };
type DenoApi = { openSync(path: string, options: { read: boolean; write: boolean; create: boolean }): DenoFile };

const deno = (globalThis as { Deno?: DenoApi }).Deno;

/** libc's flock and errno under Bun (loaded on first use), null where there is none. */
let libc: LibcFlock | null | undefined;

/**
 * Loads bun:ffi synchronously through Bun's import.meta.require, on first use: a top-level
 * `await import()` made the engine an async module, which CommonJS `require()` cannot load.
 */
function loadLibc(): LibcFlock | null {
  type Ffi = {
    dlopen(name: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...a: number[]) => unknown> };
    read: { i32(ptr: unknown, offset: number): number };
  };
  const bunRequire = (import.meta as { require?: (id: string) => unknown }).require;
  if ((globalThis as { Bun?: unknown }).Bun === undefined || typeof bunRequire !== "function") return null;
  let ffi: Ffi;
  try {
    ffi = bunRequire("bun:ffi") as Ffi;
  } catch {
    return null;
  }
  const candidates: [string, string, number][] = [
    ["libc.so.6", "__errno_location", 11], // glibc
    ["libc.so", "__errno_location", 11], // musl
    ["libSystem.B.dylib", "__error", 35], // macOS
  ];
  for (const [lib, errnoFn, wouldBlock] of candidates) {
    try {
      const s = ffi.dlopen(lib, { flock: { args: ["i32", "i32"], returns: "i32" }, [errnoFn]: { args: [], returns: "ptr" } }).symbols;
      return {
        flock: (fd, op) => s.flock(fd, op) as number,
        errno: () => ffi.read.i32(s[errnoFn](), 0),
        wouldBlock,
      };
    } catch { /* not this system's libc */ }
  }
  return null;
}

function ioError(path: string, e: unknown): LedgerError {
  return new LedgerError("IO_ERROR", `cannot open lock file ${path}: ${e instanceof Error ? e.message : String(e)}`, { file: path }, e);
}

/**
 * Takes the exclusive flock on `path` (creating the file), or says who cannot: "busy" when
 * another open file holds it (another process, or this one through another open), "unsupported"
 * when the runtime or the filesystem offers no flock. IO_ERROR if the file cannot be opened.
 */
export function tryKernelLock(path: string): KernelLockResult {
  if (deno !== undefined) {
    let file: DenoFile;
    try {
      file = deno.openSync(path, { read: true, write: true, create: true });
    } catch (e) {
      throw ioError(path, e);
    }
    let got: boolean;
    try {
      got = file.tryLockSync(true);
    } catch {
      file.close();
      return "unsupported";
    }
    if (!got) {
      file.close();
      return "busy";
    }
    return once(() => file.close());
  }
  libc ??= loadLibc();
  if (libc !== null) {
    let fd: number;
    try {
      fd = nodeFs.openSync(path, "a+");
    } catch (e) {
      throw ioError(path, e);
    }
    if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return once(() => nodeFs.closeSync(fd));
    const errno = libc.errno();
    nodeFs.closeSync(fd);
    return errno === libc.wouldBlock ? "busy" : "unsupported";
  }
  return "unsupported";
}

/** Closing the file releases the flock (and only the last close of it would, so close once). */
function once(close: () => void): KernelLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        close();
      } catch { /* the lock goes with the file either way */ }
    },
  };
}
