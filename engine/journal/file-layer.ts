/**
 * The only way the journal and its lock touch the disk.
 *
 * Everything is synchronous on purpose: a commit is one positioned write plus one fdatasync,
 * and measured under Bun the synchronous pair sustains ~8,000/s into a preallocated file where
 * fs.promises datasync manages ~4,500/s (the promise round trips cost more than the write). The interface is
 * kept small so that `FaultyFileLayer` can model exactly what survives a power cut.
 *
 * Nor does an asynchronous sync buy overlap for group commit under Bun: node:fs's callback
 * fdatasync of 32 KB, issued before 0 / 300 / 800 µs of busy work on the calling thread, completed
 * after 570 / 990 / 1,500 µs (a blocking fdatasync took 210 µs), so the sync does not run while
 * the thread works. A pipelined group commit built on it (publish a group when its sync lands,
 * build the next meanwhile) landed groups in 1.45 ms on average and 64 writers lost 5-15%
 * (2-core VM, 2026-12).
 *
 * A Worker thread calling fdatasyncSync on its own descriptor does overlap (completion after
 * 141 / 306 / 803 µs for the same three cases), and a pipeline built on it was measured too:
 * shared-memory hand-off (Atomics), a batch holding every running writer split in two so each
 * half's writers build while the other half syncs. The sync was hidden (the committer waited
 * for it 2-11 µs per commit against 6 µs of sync per commit without it), but the commit's CPU
 * rose as much, with twice the frames and a second busy thread on two cores: 64 writers, six
 * interleaved pairs of 1 s, median 23,349 against 23,354 commits/s synchronous (ratio 1.000,
 * 2026-12-03). Not kept; the sync stays on the calling thread.
 *
 * The split is not optional. A pipeline without it, which synced through the worker only when
 * transactions other than the batch's were running, never engaged with 64 writers: the flush
 * waits for every running writer to join (committer.ts), so the batch holds them all and nothing
 * is left to build during its sync. An A/B of that (11 interleaved pairs, 2026-12-04) read
 * ×1.04, which is noise, since the code it switched was never reached. With the split added
 * (half the batch sent when it held every running writer; worker blocked in fdatasync, its
 * answer a message), 11 pairs read ×0.996 (paired ×0.88): the sync ran 310-370 µs in the worker
 * and was hidden behind the other half's CPU, yet 32 commits then took 1.0-1.8 ms against about
 * 0.8 ms of CPU. On this VM the CPU runs slower while the disk works: a lone writer's commit CPU
 * measured 23.5 µs with syncs skipped and 42.7 µs between real syncs (9 interleaved rounds), and
 * a worker syncing while the main thread spins did not bring it down (44.8-53 µs). So overlap
 * buys nothing here; less CPU per commit is what moves the commit figures.
 *
 * Contract every implementation keeps:
 * - Errors are thrown as Error objects carrying a Node-style `code` ("ENOENT", "EEXIST", "EIO"…);
 *   the journal turns them into `LedgerError`s.
 * - `open` and `readFile` take regular files only: a directory is EISDIR, anything else (a FIFO, a
 *   socket, a device) NOT_A_FILE, at once, never a read that blocks.
 * - `write` writes every byte or throws; `read` returns fewer bytes only at end of file.
 * - `datasync` makes the file's contents and size durable, not its name: a new file's name is
 *   durable only after `syncDir` of its directory (POSIX semantics, which ext4/xfs honour).
 */
import * as nodeFs from "node:fs";

/** An open file. Opaque to callers; a number for the node layer. */
export type FileHandle = number;

/**
 * "read": existing file, read only. "readwrite": existing file. "create": new file, read and
 * write, failing with EEXIST if the name is taken (O_CREAT|O_EXCL), so two writers can never
 * both believe they created a segment.
 */
export type OpenMode = "read" | "readwrite" | "create";

export interface FileLayer {
  open(path: string, mode: OpenMode): FileHandle;
  /** Reads up to `buf.length` bytes at `pos`; returns how many were read (short only at EOF). */
  read(handle: FileHandle, buf: Uint8Array, pos: number): number;
  /** Writes all of `bytes` at `pos`, extending the file if needed. */
  write(handle: FileHandle, bytes: Uint8Array, pos: number): void;
  /** fdatasync: contents and size durable when it returns. */
  datasync(handle: FileHandle): void;
  /**
   * Optional `write` + `datasync` in one step, for the commit path (see `writeDurably`). A layer
   * without it gets exactly those two calls, so a fault-injecting layer models the pair as usual.
   */
  writeDurable?(handle: FileHandle, bytes: Uint8Array, pos: number): void;
  size(handle: FileHandle): number;
  truncate(handle: FileHandle, length: number): void;
  close(handle: FileHandle): void;
  /** Entry names (not paths) of a directory. */
  readdir(dir: string): string[];
  /** Creates one directory; its parent must exist. */
  mkdir(dir: string): void;
  /** fsync of the directory itself: makes creations, renames and removals in it durable. */
  syncDir(dir: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  exists(path: string): boolean;
  /** Whole small file (the lock file). */
  readFile(path: string): Uint8Array;
  /**
   * Creates `path` with `bytes`, failing with EEXIST if it exists (open 'wx'). If writing the
   * bytes fails, the file it created is removed before the error is thrown: a lock file left
   * empty by a failed open would read as another process's lock being written.
   */
  writeFileExclusive(path: string, bytes: Uint8Array): void;
  /** Modification time in ms since the epoch; lets the lock judge a half-written lock file. */
  mtimeMs(path: string): number;
}

/**
 * Existing files are opened without blocking (O_NONBLOCK, where the platform has it) and must be
 * regular files: opening a named pipe for reading blocks until a writer comes, so a FIFO at a
 * segment's, the manifest's or a saved tail's name hung Ledger.open forever. On a regular file
 * O_NONBLOCK changes nothing.
 */
const NONBLOCK = nodeFs.constants.O_NONBLOCK ?? 0;
const OPEN_FLAGS: Record<OpenMode, string | number> = {
  read: nodeFs.constants.O_RDONLY | NONBLOCK,
  readwrite: nodeFs.constants.O_RDWR | NONBLOCK,
  create: "wx+",
};

/**
 * The error code for a name that holds something other than a regular file or a directory (a
 * FIFO, a socket, a device). A directory keeps EISDIR, which callers already tell apart.
 */
export const NOT_A_FILE = "ENOTREG";

/** Opens `path` and refuses, closing it again, anything but a regular file. */
function openRegular(path: string, flags: string | number): number {
  const fd = nodeFs.openSync(path, flags);
  let kind: "file" | "directory" | "other";
  try {
    const st = nodeFs.fstatSync(fd);
    kind = st.isFile() ? "file" : st.isDirectory() ? "directory" : "other";
  } catch (e) {
    nodeFs.closeSync(fd);
    throw e;
  }
  if (kind === "file") return fd;
  nodeFs.closeSync(fd);
  const code = kind === "directory" ? "EISDIR" : NOT_A_FILE;
  throw Object.assign(new Error(`${code}: ${path} is not a regular file`), { code, path });
}

/**
 * A writable file's twin descriptor, opened with O_DSYNC: a write through it returns once its
 * bytes (and the size they need) are durable, as `write` + `fdatasync` would leave them, in one
 * system call instead of two. Measured under Bun on the 2-core VM, one writer committing through
 * the ledger, 7 interleaved 1 s pairs: median 4,885 against 4,676 commits/s (1.045×); the bare
 * 1.4 KB write + sync loop ran 0.4-6 µs faster per sync (Bun and Deno). Only the journal's
 * commit write uses it (writeDurably); the zero-filling of a segment keeps plain writes and one
 * sync for all of them.
 *
 * The twin is opened on a file's first writeDurable (most writable files never get one: the
 * manifest, saved tails), by path, and kept only if it is the same file as the handle (device
 * and inode), so a file replaced under its name in between can never receive the write. Where
 * the platform has no O_DSYNC (Windows) or the open fails, there is no twin and writeDurable
 * falls back to the pair; so it does when called on a layer whose write or datasync is not this
 * one's (a wrapper spreading nodeFileLayer to count or fail them must still see both calls).
 */
const dsyncTwins = new Map<FileHandle, FileHandle | "none">();
/** Paths of handles opened for writing, until their twin is settled (see above). */
const writablePaths = new Map<FileHandle, string>();
const O_DSYNC: number | undefined = (nodeFs.constants as { O_DSYNC?: number }).O_DSYNC;

/** The twin of `handle`, opened now if it has not been tried; undefined if there is none. */
function twinOf(handle: FileHandle): FileHandle | undefined {
  const known = dsyncTwins.get(handle);
  if (known !== undefined) return known === "none" ? undefined : known;
  const path = writablePaths.get(handle);
  if (path === undefined || O_DSYNC === undefined || O_DSYNC === 0) return undefined;
  writablePaths.delete(handle);
  let twin: FileHandle | undefined;
  try {
    twin = nodeFs.openSync(path, nodeFs.constants.O_RDWR | O_DSYNC);
    const a = nodeFs.fstatSync(handle);
    const b = nodeFs.fstatSync(twin);
    if (a.dev !== b.dev || a.ino !== b.ino) throw new Error("not the same file");
  } catch {
    if (twin !== undefined) {
      try {
        nodeFs.closeSync(twin);
      } catch { /* never written through */ }
    }
    dsyncTwins.set(handle, "none");
    return undefined;
  }
  dsyncTwins.set(handle, twin);
  return twin;
}

/** Closes and forgets `handle`'s twin, if it has one. */
function forgetTwin(handle: FileHandle): void {
  writablePaths.delete(handle);
  const twin = dsyncTwins.get(handle);
  if (twin === undefined) return;
  dsyncTwins.delete(handle);
  if (twin !== "none") {
    try {
      nodeFs.closeSync(twin);
    } catch { /* the handle itself is closed next; its error, if any, is the one reported */ }
  }
}

/** The real disk through node:fs, which both Bun and Deno implement. */
export const nodeFileLayer: FileLayer = {
  open(path, mode) {
    const handle = openRegular(path, OPEN_FLAGS[mode]);
    // A descriptor number closed other than through close() and now reused must not find the
    // old file's twin.
    forgetTwin(handle);
    if (mode !== "read") writablePaths.set(handle, path);
    return handle;
  },
  read(handle, buf, pos) {
    let done = 0;
    while (done < buf.length) {
      const n = nodeFs.readSync(handle, buf, done, buf.length - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  },
  write(handle, bytes, pos) {
    let done = 0;
    while (done < bytes.length) {
      done += nodeFs.writeSync(handle, bytes, done, bytes.length - done, pos + done);
    }
  },
  datasync: (handle) => nodeFs.fdatasyncSync(handle),
  writeDurable(this: FileLayer, handle, bytes, pos) {
    const own = this.write === nodeFileLayer.write && this.datasync === nodeFileLayer.datasync;
    const twin = own ? twinOf(handle) : undefined;
    if (twin === undefined) {
      this.write(handle, bytes, pos);
      this.datasync(handle);
      return;
    }
    nodeFileLayer.write(twin, bytes, pos);
  },
  size: (handle) => nodeFs.fstatSync(handle).size,
  truncate: (handle, length) => nodeFs.ftruncateSync(handle, length),
  close(handle) {
    forgetTwin(handle);
    nodeFs.closeSync(handle);
  },
  readdir: (dir) => nodeFs.readdirSync(dir),
  mkdir: (dir) => nodeFs.mkdirSync(dir),
  syncDir(dir) {
    const fd = nodeFs.openSync(dir, "r");
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  },
  unlink: (path) => nodeFs.unlinkSync(path),
  rename: (from, to) => nodeFs.renameSync(from, to),
  exists: (path) => nodeFs.existsSync(path),
  readFile(path) {
    const fd = openRegular(path, OPEN_FLAGS.read);
    try {
      return new Uint8Array(nodeFs.readFileSync(fd));
    } finally {
      nodeFs.closeSync(fd);
    }
  },
  writeFileExclusive(path, bytes) {
    const fd = nodeFs.openSync(path, "wx");
    try {
      let done = 0;
      while (done < bytes.length) done += nodeFs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      try {
        nodeFs.closeSync(fd);
        nodeFs.unlinkSync(path);
      } catch { /* the write's error is the one reported */ }
      throw e;
    }
    nodeFs.closeSync(fd);
  },
  mtimeMs: (path) => nodeFs.statSync(path).mtimeMs,
};

/** Parent directory of a path (POSIX separators; the engine builds its paths with "/"). */
export function parentDir(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i);
}

/** The Node-style `code` a file-layer error carries ("ENOENT", "EEXIST", …; see the contract above). */
export function errorCode(e: unknown): string | undefined {
  return (e as { code?: string } | null | undefined)?.code;
}

/** `write` then `datasync`, in one step where the layer offers one (FileLayer.writeDurable). */
export function writeDurably(fs: FileLayer, handle: FileHandle, bytes: Uint8Array, pos: number): void {
  if (fs.writeDurable !== undefined) fs.writeDurable(handle, bytes, pos);
  else {
    fs.write(handle, bytes, pos);
    fs.datasync(handle);
  }
}

/**
 * Writes `bytes` to a new file at `path` and datasyncs it; a file already there (left by a crash
 * or a failed attempt) is removed first. Its name is not durable until the caller syncs the
 * directory (after a rename, if it is a temporary file).
 */
export function writeFileDurably(fs: FileLayer, path: string, bytes: Uint8Array): void {
  if (fs.exists(path)) fs.unlink(path);
  const h = fs.open(path, "create");
  try {
    fs.write(h, bytes, 0);
    fs.datasync(h);
  } finally {
    fs.close(h);
  }
}

/** Joins a directory and an entry name. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * Creates `dir` and any missing ancestors, syncing each parent so the new entries survive a
 * crash (a journal whose directory vanished would look like an empty, brand-new ledger).
 */
export function ensureDir(fs: FileLayer, dir: string): void {
  if (fs.exists(dir)) return;
  const parent = parentDir(dir);
  if (parent !== dir) ensureDir(fs, parent);
  try {
    fs.mkdir(dir);
  } catch (e) {
    if (errorCode(e) !== "EEXIST") throw e;
    return;
  }
  fs.syncDir(parent);
}
