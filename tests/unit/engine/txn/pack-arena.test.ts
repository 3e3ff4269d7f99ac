// PackArena (txn/store.ts): where packed revisions' encodings live. Small encodings share 64 KiB
// chunks; one above a quarter chunk keeps its own array, and must not cost the chunk being filled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ionLiteral, type IonStruct, Ledger, toJS } from "../../../../engine/index.ts";
import { encodeBinary } from "../../../../engine/ion/binary-write.ts";
import { storeOf } from "../../../../engine/api/ledger.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";
import { PackArena } from "../../../../engine/txn/store.ts";

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i) & 255);

test("a large encoding placed between two small ones does not give up the chunk being filled", () => {
  const arena = new PackArena();
  const a = bytes(100, 1), big = bytes(16 * 1024 + 1, 2), c = bytes(200, 3);
  assert.equal(arena.place(a), 0);
  const first = arena.chunk;
  assert.equal(first.length, 64 * 1024);
  assert.equal(arena.place(big), 0);
  assert.equal(arena.chunk, big, "an encoding above a quarter chunk keeps its own array");
  assert.equal(arena.place(c), 100, "the next small encoding goes on in the same chunk");
  assert.equal(arena.chunk, first);
  // Alternating, as a small and a large document updated together are packed: one chunk in all.
  const chunks = new Set<Uint8Array>();
  for (let i = 0; i < 100; i++) {
    arena.place(bytes(300, i));
    chunks.add(arena.chunk);
    arena.place(bytes(20_000, i));
  }
  assert.equal(chunks.size, 1, `${chunks.size} chunks of 64 KiB for 100 encodings of 300 bytes`);
});

test("arena placements: a quarter chunk exactly is shared, one byte more is not, a chunk fills to its last byte, no two ranges overlap", () => {
  const arena = new PackArena();
  const placed: { chunk: Uint8Array; at: number; b: Uint8Array }[] = [];
  const put = (b: Uint8Array) => {
    const at = arena.place(b);
    placed.push({ chunk: arena.chunk, at, b });
    return at;
  };
  assert.equal(put(bytes(16_384, 1)), 0);
  assert.equal(arena.chunk.length, 65_536);
  assert.equal(put(bytes(16_385, 2)), 0);
  assert.equal(arena.chunk.length, 16_385);
  assert.equal(put(bytes(16_384, 3)), 16_384);
  assert.equal(put(bytes(16_384, 4)), 32_768);
  assert.equal(put(bytes(16_379, 5)), 49_152);
  assert.equal(put(bytes(5, 6)), 65_531, "the last 5 bytes of the chunk");
  const full = arena.chunk;
  assert.equal(put(bytes(5, 7)), 0);
  assert.notEqual(arena.chunk, full);
  assert.equal(put(bytes(70_000, 8)), 0);
  assert.equal(put(bytes(65_536, 9)), 0);
  assert.equal(put(bytes(9, 10)), 5);
  // Pseudo-random sizes around the quarter chunk: every encoding is still intact at the end.
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const r = x >>> 8; // the low bits of this generator repeat with a short period
    const n = r % 7 === 0 ? 16_380 + (r % 10) : 5 + (r % 3000);
    put(bytes(n, i));
  }
  for (const { chunk, at, b } of placed) {
    assert.ok(at + b.length <= chunk.length);
    assert.deepEqual(chunk.subarray(at, at + b.length), b);
  }
});

/** A document whose Ion binary encoding (as packing writes it) is exactly `size` bytes. */
function docOfSize(size: number, seed: number): IonStruct {
  for (let n = Math.max(0, size - 40); n <= size; n++) {
    const d: IonStruct = { kind: "struct", fields: [["p", { kind: "blob", bytes: bytes(n, seed) }]] };
    if (encodeBinary(d).length === size) return d;
  }
  throw new Error(`no document of ${size} bytes`);
}

test("packed revisions of exactly a quarter chunk, one byte more, and ones ending at a chunk's last byte read back", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE t");
    // Offsets 0, own, 16,384, 32,768, 49,152 (to the chunk's end); then a fresh chunk: 0, 100,
    // 16,483, 32,866, 49,249 and an empty struct of 5 bytes at 65,531; own; 200 in a fresh chunk; own.
    const empty: IonStruct = { kind: "struct", fields: [] };
    const sizes = [16_384, 16_385, 16_384, 16_384, 16_384, 100, 16_383, 16_383, 16_383, 16_282, 5, 16_385, 200, 64 * 1024 - 200, 300];
    const docs = sizes.map((s, i) => (s === 5 ? empty : docOfSize(s, i)));
    const id = await ledger.transaction((tx) => tx.insert("t", ionLiteral(docs[0])));
    for (let i = 1; i < docs.length; i++) await ledger.transaction((tx) => tx.update("t", id, ionLiteral(docs[i])));
    // A second document's updates push the committer past its batches: every replaced one is packed.
    const [{ documentId: other }] = await ledger.execute("INSERT INTO t ?", { n: 0 });
    for (let i = 1; i <= 130; i++) await ledger.execute("UPDATE t SET n = ? WHERE n = ?", i, i - 1);
    const revs = storeOf(ledger).docs.get(id)!.revisions as unknown as { packed: boolean }[];
    assert.deepEqual(revs.map((r) => r.packed), docs.map((_, i) => i < docs.length - 1));
    const history = await ledger.transaction((tx) => tx.history("t", id));
    assert.deepEqual(history.map((r) => toJS(r.data!)), docs.map((d) => toJS(d)));
    assert.equal((await ledger.transaction((tx) => tx.history("t", other))).length, 131);
  } finally {
    await ledger.close();
  }
});
