/**
 * An in-memory disk for tests that knows what a power cut keeps.
 *
 * Each file has a volatile view (what reads see: the page cache) and a durable view (what is on
 * the platter). `datasync` moves the file's pending writes into the durable view; `syncDir`
 * makes the directory's current names durable. `crash()` throws the volatile state away:
 * every file reverts to its durable contents, and every directory to its durable names, so a
 * file created (or renamed, or removed) without a later `syncDir` may vanish (or come back).
 * Directories themselves are modelled as always durable; the journal syncs parents anyway.
 *
 * Faults, all counted from the moment they are armed:
 * - `failWrite(n, …)`: the n-th write throws EIO after writing only its first half (a short
 *   write), so recovery code sees partial data in the cache. The half ends at a sector boundary
 *   (SECTOR_BYTES, so possibly nothing is written): a buffered write copies into the page cache
 *   page by page, and one that fails (ENOSPC, EIO, a fatal signal) stops between pages, never
 *   inside a sector.
 * - `failSync(n, …)`: the n-th sync (datasync or syncDir) throws EIO and makes nothing durable;
 *   the writes stay pending, so a later successful sync WOULD persist them. That is the
 *   dangerous variant of fsync failure, the one the journal must defend against.
 * - `powerCutAfter(n)`: after n more mutating operations every operation throws EIO until
 *   `crash()`: "the machine died right after the n-th op", for exhaustive crash enumeration.
 * - `crash({ tear: rng })`: additionally lands a random contiguous run of the sectors the last
 *   unsynced write covers (sectors reach the disk in any order, so the run need not be a
 *   prefix). Each sector (SECTOR_BYTES at a file offset that is a multiple of it) lands whole,
 *   with all of that write's bytes in it, or not at all: what disks guarantee, and what
 *   recovery relies on to tell a torn write from damage (format.ts).
 *
 * Counters `writes`, `syncs` and `ops` only grow, so a test can run a workload once to count
 * operations and then replay it with a crash after each one.
 */
import type { FileHandle, FileLayer, OpenMode } from "./file-layer.ts";
import { SECTOR_BYTES } from "./format.ts";
import { forgetHeldLocks } from "./lock.ts";

interface Pending {
  pos: number;
  bytes: Uint8Array;
  /** A truncate is recorded as a pending size change. */
  truncateTo?: number;
}

interface Inode {
  data: Uint8Array;
  size: number;
  durable: Uint8Array;
  pending: Pending[];
  mtimeMs: number;
  /** Global sequence number of the latest unsynced write, to find "the last" one on crash. */
  lastWriteSeq: number;
}

interface Dir {
  names: Map<string, Inode>;
  durable: Map<string, Inode>;
}

interface OpenFile {
  inode: Inode;
  writable: boolean;
}

function ioError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function normalize(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function split(path: string): [string, string] {
  const p = normalize(path);
  const i = p.lastIndexOf("/");
  if (i < 0) return [".", p];
  return [i === 0 ? "/" : p.slice(0, i), p.slice(i + 1)];
}

export class FaultyFileLayer implements FileLayer {
  /** Writes attempted (including failed ones). */
  writes = 0;
  /** datasync + syncDir calls attempted. */
  syncs = 0;
  /** Mutating operations attempted: writes, syncs, truncates, creations, renames, removals. */
  ops = 0;

  private dirs = new Map<string, Dir>();
  private handles = new Map<number, OpenFile>();

  /** Handles opened and not yet closed (tests check nothing leaks on failure paths). */
  get openHandles(): number {
    return this.handles.size;
  }
  private nextHandle = 1;
  private seq = 0;
  private failingWrites = new Set<number>();
  private failingSyncs = new Set<number>();
  private powerCutIn = 0;
  private powerLost = false;

  constructor() {
    this.dirs.set("/", { names: new Map(), durable: new Map() });
    this.dirs.set(".", { names: new Map(), durable: new Map() });
  }

  /** The n-th write from now (1 = the next) fails; several n arm several failures. */
  failWrite(...n: number[]): void {
    for (const k of n) if (k > 0) this.failingWrites.add(this.writes + k);
  }

  /** The n-th sync from now (1 = the next) fails; several n arm several failures. */
  failSync(...n: number[]): void {
    for (const k of n) if (k > 0) this.failingSyncs.add(this.syncs + k);
  }

  /** Operations after the n-th mutating operation from now fail until crash(). 0 disarms. */
  powerCutAfter(n: number): void {
    this.powerCutIn = n + 1;
  }

  /** True once a power cut armed by powerCutAfter has happened. */
  get powerIsOff(): boolean {
    return this.powerLost;
  }

  /**
   * Power loss: forget everything not durable and invalidate all handles. With `tear`, a random
   * contiguous run of the sectors of the most recent unsynced write lands anyway (header).
   */
  crash(options: { tear?: () => number } = {}): void {
    let last: { inode: Inode; write: Pending } | undefined;
    if (options.tear) {
      for (const inode of this.allInodes()) {
        const writes = inode.pending.filter((p) => p.truncateTo === undefined);
        if (writes.length > 0 && (last === undefined || inode.lastWriteSeq > last.inode.lastWriteSeq)) {
          last = { inode, write: writes[writes.length - 1] };
        }
      }
    }
    for (const inode of this.allInodes()) {
      inode.data = inode.durable.slice();
      inode.size = inode.durable.length;
      inode.pending = [];
    }
    if (last && options.tear) {
      const rng = options.tear;
      const len = last.write.bytes.length;
      let start = rng() < 0.5 ? 0 : Math.floor(rng() * (len + 1));
      let end = start + Math.floor(rng() * (len - start + 1));
      if (end > start) {
        // Out to whole sectors: a sector the run touches lands with all of the write's bytes in it.
        const pos = last.write.pos;
        start = Math.max(0, Math.floor((pos + start) / SECTOR_BYTES) * SECTOR_BYTES - pos);
        end = Math.min(len, Math.ceil((pos + end) / SECTOR_BYTES) * SECTOR_BYTES - pos);
      }
      const part = last.write.bytes.subarray(start, end);
      this.applyWrite(last.inode, part, last.write.pos + start);
      last.inode.durable = last.inode.data.slice(0, last.inode.size);
    }
    for (const dir of this.dirs.values()) dir.names = new Map(dir.durable);
    this.handles.clear();
    this.powerLost = false;
    this.powerCutIn = 0;
    this.failingWrites.clear();
    this.failingSyncs.clear();
    // The process died with the machine: its locks in memory go too (lock files stay on disk).
    forgetHeldLocks(this);
  }

  /** Current (volatile) contents of a file, for assertions and for crafting damage. */
  contents(path: string): Uint8Array {
    return this.lookup(path).data.slice(0, this.lookup(path).size);
  }

  /** Durable contents of a file: what a crash right now would leave. */
  durableContents(path: string): Uint8Array {
    return this.lookup(path).durable.slice();
  }

  /** Replaces a file's contents in both views: bit rot, or a test planting damage. */
  replace(path: string, bytes: Uint8Array): void {
    const inode = this.lookup(path);
    inode.data = bytes.slice();
    inode.size = bytes.length;
    inode.durable = bytes.slice();
    inode.pending = [];
  }

  // FileLayer

  open(path: string, mode: OpenMode): FileHandle {
    this.checkPower();
    const [dirPath, name] = split(path);
    const dir = this.dir(dirPath);
    let inode = dir.names.get(name);
    if (mode === "create") {
      this.mutating();
      if (inode || this.dirs.has(normalize(path))) throw ioError("EEXIST", path);
      inode = { data: new Uint8Array(0), size: 0, durable: new Uint8Array(0), pending: [], mtimeMs: Date.now(), lastWriteSeq: 0 };
      dir.names.set(name, inode);
    } else if (!inode) {
      throw ioError(this.dirs.has(normalize(path)) ? "EISDIR" : "ENOENT", path);
    }
    const h = this.nextHandle++;
    this.handles.set(h, { inode, writable: mode !== "read" });
    return h;
  }

  read(handle: FileHandle, buf: Uint8Array, pos: number): number {
    this.checkPower();
    const { inode } = this.handle(handle);
    if (pos >= inode.size) return 0;
    const n = Math.min(buf.length, inode.size - pos);
    buf.set(inode.data.subarray(pos, pos + n));
    return n;
  }

  write(handle: FileHandle, bytes: Uint8Array, pos: number): void {
    this.checkPower();
    const f = this.writable(handle);
    this.writes++;
    this.mutating();
    if (this.failingWrites.delete(this.writes)) {
      const half = Math.max(0, Math.floor((pos + (bytes.length >>> 1)) / SECTOR_BYTES) * SECTOR_BYTES - pos);
      this.record(f.inode, bytes.subarray(0, half), pos);
      throw ioError("EIO", "injected write failure");
    }
    this.record(f.inode, bytes, pos);
  }

  datasync(handle: FileHandle): void {
    this.checkPower();
    const { inode } = this.handle(handle);
    this.sync();
    for (const p of inode.pending) {
      if (p.truncateTo !== undefined) inode.durable = resize(inode.durable, p.truncateTo);
      else {
        if (p.pos + p.bytes.length > inode.durable.length) inode.durable = resize(inode.durable, p.pos + p.bytes.length);
        inode.durable.set(p.bytes, p.pos);
      }
    }
    inode.pending = [];
  }

  size(handle: FileHandle): number {
    this.checkPower();
    return this.handle(handle).inode.size;
  }

  truncate(handle: FileHandle, length: number): void {
    this.checkPower();
    const f = this.writable(handle);
    this.mutating();
    this.resizeVolatile(f.inode, length);
    f.inode.pending.push({ pos: 0, bytes: new Uint8Array(0), truncateTo: length });
  }

  close(handle: FileHandle): void {
    this.handle(handle);
    this.handles.delete(handle);
  }

  readdir(dir: string): string[] {
    this.checkPower();
    const d = this.dir(dir);
    const out = [...d.names.keys()];
    const prefix = normalize(dir) === "/" ? "/" : normalize(dir) + "/";
    for (const p of this.dirs.keys()) {
      if (p.startsWith(prefix) && p !== prefix && !p.slice(prefix.length).includes("/")) out.push(p.slice(prefix.length));
    }
    return out.sort();
  }

  mkdir(dir: string): void {
    this.checkPower();
    this.mutating();
    const p = normalize(dir);
    if (this.exists(p)) throw ioError("EEXIST", dir);
    this.dir(split(p)[0]);
    this.dirs.set(p, { names: new Map(), durable: new Map() });
  }

  syncDir(dir: string): void {
    this.checkPower();
    const d = this.dir(dir);
    this.sync();
    d.durable = new Map(d.names);
  }

  unlink(path: string): void {
    this.checkPower();
    this.mutating();
    const [dirPath, name] = split(path);
    const dir = this.dir(dirPath);
    if (!dir.names.delete(name)) throw ioError("ENOENT", path);
  }

  rename(from: string, to: string): void {
    this.checkPower();
    this.mutating();
    const [fromDir, fromName] = split(from);
    const [toDir, toName] = split(to);
    const a = this.dir(fromDir);
    const b = this.dir(toDir);
    const inode = a.names.get(fromName);
    if (!inode) throw ioError("ENOENT", from);
    a.names.delete(fromName);
    b.names.set(toName, inode);
  }

  exists(path: string): boolean {
    this.checkPower();
    const p = normalize(path);
    if (this.dirs.has(p)) return true;
    const [dirPath, name] = split(p);
    return this.dirs.get(dirPath)?.names.has(name) ?? false;
  }

  readFile(path: string): Uint8Array {
    this.checkPower();
    return this.lookup(path).data.slice(0, this.lookup(path).size);
  }

  writeFileExclusive(path: string, bytes: Uint8Array): void {
    const h = this.open(path, "create");
    try {
      this.write(h, bytes, 0);
    } catch (e) {
      // As the node layer does: the file this call created goes again (see FileLayer).
      try {
        this.close(h);
        this.unlink(path);
      } catch { /* the write's error is the one reported */ }
      throw e;
    }
    this.close(h);
  }

  mtimeMs(path: string): number {
    this.checkPower();
    return this.lookup(path).mtimeMs;
  }

  // internals

  private *allInodes(): Iterable<Inode> {
    const seen = new Set<Inode>();
    for (const d of this.dirs.values()) {
      for (const m of [d.names, d.durable]) {
        for (const inode of m.values()) {
          if (!seen.has(inode)) {
            seen.add(inode);
            yield inode;
          }
        }
      }
    }
    for (const f of this.handles.values()) if (!seen.has(f.inode)) {
      seen.add(f.inode);
      yield f.inode;
    }
  }

  private record(inode: Inode, bytes: Uint8Array, pos: number): void {
    inode.pending.push({ pos, bytes: bytes.slice() });
    inode.lastWriteSeq = ++this.seq;
    inode.mtimeMs = Date.now();
    this.applyWrite(inode, bytes, pos);
  }

  private applyWrite(inode: Inode, bytes: Uint8Array, pos: number): void {
    const end = pos + bytes.length;
    if (end > inode.size) this.resizeVolatile(inode, end);
    inode.data.set(bytes, pos);
  }

  private resizeVolatile(inode: Inode, size: number): void {
    if (size > inode.data.length) {
      const grown = new Uint8Array(Math.max(size, inode.data.length * 2));
      grown.set(inode.data.subarray(0, inode.size));
      inode.data = grown;
    } else if (size < inode.size) {
      inode.data.fill(0, size, inode.size);
    }
    inode.size = size;
  }

  private sync(): void {
    this.syncs++;
    this.mutating();
    if (this.failingSyncs.delete(this.syncs)) throw ioError("EIO", "injected sync failure");
  }

  private mutating(): void {
    this.ops++;
    if (this.powerCutIn > 0 && --this.powerCutIn === 0) this.powerLost = true;
    this.checkPower();
  }

  private checkPower(): void {
    if (this.powerLost) throw ioError("EIO", "power is off");
  }

  private dir(path: string): Dir {
    const d = this.dirs.get(normalize(path));
    if (!d) throw ioError("ENOENT", path);
    return d;
  }

  private lookup(path: string): Inode {
    const [dirPath, name] = split(path);
    const inode = this.dir(dirPath).names.get(name);
    if (!inode) throw ioError("ENOENT", path);
    return inode;
  }

  private handle(handle: FileHandle): OpenFile {
    const f = this.handles.get(handle);
    if (!f) throw ioError("EBADF", `handle ${handle}`);
    return f;
  }

  private writable(handle: FileHandle): OpenFile {
    const f = this.handle(handle);
    if (!f.writable) throw ioError("EBADF", `handle ${handle} is read-only`);
    return f;
  }
}

function resize(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, Math.min(size, bytes.length)));
  return out;
}
