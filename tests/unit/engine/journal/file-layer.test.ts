// The node file layer's one-step durable write (writeDurable through an O_DSYNC twin descriptor)
// and the fallback every other layer gets (writeDurably = write + datasync).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type FileLayer, nodeFileLayer, writeDurably } from "../../../../engine/journal/file-layer.ts";
import { Journal } from "../../../../engine/journal/journal.ts";
import { tempDir } from "../../../helpers/tmp.ts";

/** A fresh directory, removed when the test ends. */
function scratch(t: { after(fn: () => void): void }): string {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  return dir;
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

/** Open descriptors of this process, where the platform lists them. */
function openFds(): number | undefined {
  try {
    return fs.readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

test("writeDurable writes every byte at its position, past the end of the file too", (t) => {
  const dir = scratch(t);
  const h = nodeFileLayer.open(`${dir}/f`, "create");
  try {
    nodeFileLayer.write(h, bytes(100, 1), 0);
    nodeFileLayer.writeDurable!(h, bytes(50, 2), 30);
    nodeFileLayer.writeDurable!(h, bytes(10, 3), 120);
    assert.equal(nodeFileLayer.size(h), 130);
    const back = new Uint8Array(130);
    assert.equal(nodeFileLayer.read(h, back, 0), 130);
    const want = new Uint8Array(130);
    want.fill(1, 0, 100);
    want.fill(2, 30, 80);
    want.fill(3, 120, 130);
    assert.deepEqual(back, want);
  } finally {
    nodeFileLayer.close(h);
  }
  // Through a fresh descriptor: the bytes are in the file, not in a descriptor's buffer.
  assert.deepEqual(new Uint8Array(fs.readFileSync(`${dir}/f`)).subarray(120), bytes(10, 3));
});

test("closing a writable file closes its O_DSYNC twin as well (no descriptor leaks)", (t) => {
  const before = openFds();
  if (before === undefined) return t.skip("no /proc/self/fd here");
  const dir = scratch(t);
  for (let i = 0; i < 200; i++) {
    const h = nodeFileLayer.open(`${dir}/f${i}`, "create");
    nodeFileLayer.writeDurable!(h, bytes(8, i), 0);
    nodeFileLayer.close(h);
    const r = nodeFileLayer.open(`${dir}/f${i}`, "readwrite");
    nodeFileLayer.close(r);
  }
  assert.equal(openFds(), before);
});

test("a read-only handle refuses writeDurable with the platform's error, not a silent write", (t) => {
  const dir = scratch(t);
  fs.writeFileSync(`${dir}/f`, "abc");
  const h = nodeFileLayer.open(`${dir}/f`, "read");
  try {
    assert.throws(() => nodeFileLayer.writeDurable!(h, bytes(3, 9), 0), (e: unknown) => typeof (e as { code?: unknown }).code === "string");
  } finally {
    nodeFileLayer.close(h);
  }
  assert.equal(fs.readFileSync(`${dir}/f`, "utf8"), "abc");
});

test("writeDurably is write then datasync for a layer without writeDurable", () => {
  const calls: string[] = [];
  const layer = {
    write: (_h: number, b: Uint8Array, pos: number) => calls.push(`write ${b.length}@${pos}`),
    datasync: (_h: number) => calls.push("datasync"),
  } as unknown as FileLayer;
  writeDurably(layer, 7, bytes(5, 0), 40);
  assert.deepEqual(calls, ["write 5@40", "datasync"]);
});

test("a journal on the node layer reads back what it appended through writeDurable, after reopen", (t) => {
  const dir = scratch(t);
  const { journal } = Journal.open(dir, { fs: nodeFileLayer });
  const recs = Array.from({ length: 40 }, (_, i) => bytes(1 + i * 37, i));
  for (const r of recs) journal.append([r]);
  journal.close();
  const again = Journal.open(dir, { fs: nodeFileLayer });
  assert.deepEqual(again.records.map((r) => r.bytes), recs);
  again.journal.close();
});

test("the twin a writable file gets really has O_DSYNC set (a runtime that dropped the flag would lose synced commits)", (t) => {
  if (openFds() === undefined || process.platform !== "linux") return t.skip("needs /proc/self/fdinfo");
  const dir = scratch(t);
  const path = `${dir}/f`;
  const h = nodeFileLayer.open(path, "create");
  try {
    // The twin is opened by the first durable write.
    nodeFileLayer.writeDurable!(h, bytes(8, 1), 0);
    // Every descriptor of this process open on the file, with the open flags the kernel holds.
    const flags: number[] = [];
    for (const fd of fs.readdirSync("/proc/self/fd")) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== fs.realpathSync(path)) continue;
      const line = fs.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8").split("\n").find((l) => l.startsWith("flags:"))!;
      flags.push(parseInt(line.slice("flags:".length).trim(), 8));
    }
    const O_DSYNC = fs.constants.O_DSYNC;
    assert.equal(flags.length, 2, `descriptors on the file: ${flags.map((f) => f.toString(8))}`);
    assert.equal(flags.filter((f) => (f & O_DSYNC) === O_DSYNC).length, 1, `flags ${flags.map((f) => f.toString(8))}`);
  } finally {
    nodeFileLayer.close(h);
  }
});

test("a wrapper spreading nodeFileLayer with its own write or datasync still sees both calls on the commit path", (t) => {
  const dir = scratch(t);
  const calls: string[] = [];
  const wrapped: FileLayer = {
    ...nodeFileLayer,
    write(h, b, pos) {
      calls.push("write");
      nodeFileLayer.write(h, b, pos);
    },
    datasync(h) {
      calls.push("datasync");
      const e = new Error("injected") as Error & { code: string };
      e.code = "EIO";
      throw e;
    },
  };
  const h = wrapped.open(`${dir}/f`, "create");
  try {
    assert.throws(() => writeDurably(wrapped, h, bytes(16, 7), 0), /injected/);
    assert.deepEqual(calls, ["write", "datasync"]);
  } finally {
    wrapped.close(h);
  }
});

test("a file replaced under its name before its first durable write: the write goes to the handle's file, never the new one", (t) => {
  const dir = scratch(t);
  const h = nodeFileLayer.open(`${dir}/f`, "create");
  try {
    fs.renameSync(`${dir}/f`, `${dir}/moved`);
    fs.writeFileSync(`${dir}/f`, "new file");
    nodeFileLayer.writeDurable!(h, bytes(4, 0x41), 0);
  } finally {
    nodeFileLayer.close(h);
  }
  assert.equal(fs.readFileSync(`${dir}/moved`, "utf8"), "AAAA");
  assert.equal(fs.readFileSync(`${dir}/f`, "utf8"), "new file");
});

test("a writable file never written durably gets no twin descriptor", (t) => {
  const before = openFds();
  if (before === undefined) return t.skip("no /proc/self/fd here");
  const dir = scratch(t);
  const h = nodeFileLayer.open(`${dir}/f`, "create");
  try {
    nodeFileLayer.write(h, bytes(8, 1), 0);
    nodeFileLayer.datasync(h);
    assert.equal(openFds(), before + 1);
  } finally {
    nodeFileLayer.close(h);
  }
  assert.equal(openFds(), before);
});

test("a descriptor number closed behind the layer's back and reused never writes through the old file's twin", (t) => {
  const dir = scratch(t);
  const a = nodeFileLayer.open(`${dir}/a`, "create");
  nodeFileLayer.writeDurable!(a, bytes(4, 0x61), 0);
  // Closed directly, not through the layer: its twin stays open and registered.
  fs.closeSync(a);
  const b = nodeFileLayer.open(`${dir}/b`, "create");
  try {
    nodeFileLayer.writeDurable!(b, bytes(4, 0x62), 0);
  } finally {
    nodeFileLayer.close(b);
  }
  assert.equal(fs.readFileSync(`${dir}/a`, "utf8"), "aaaa");
  assert.equal(fs.readFileSync(`${dir}/b`, "utf8"), "bbbb");
});
