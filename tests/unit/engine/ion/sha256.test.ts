// SHA-256 paths: the WebAssembly module (sha256-wasm.ts) and the engine's digest (sha256.ts), with
// node:crypto as the oracle; and the rule that public functions hand out digests owning their
// buffer, since the engine's own may be views of a shared slab (non-Bun runtimes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  dot,
  fromJS,
  type IonStruct,
  ionHash,
  Ledger,
  merkleRoot,
  revisionHash,
  sha256 as publicSha256,
  statementDigest,
  verifyRevision,
} from "../../../../engine/index.ts";
import { makeWasmSha256, WINDOW_BYTES } from "../../../../engine/ion/sha256-wasm.ts";
import { sha256 } from "../../../../engine/ion/sha256.ts";
import { timestampFromEpochMillis } from "../../../../engine/ledger/clock.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const oracle = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const pattern = (n: number, seed = 0) => new Uint8Array(n).map((_, i) => (i * 31 + seed * 7 + (i >> 8)) & 255);

const wasm = makeWasmSha256();

test("the WebAssembly module compiles on this runtime", () => {
  assert.ok(wasm !== undefined);
});

test("the WebAssembly module matches node:crypto at every length up to 300 and at the window's edges", () => {
  const out = new Uint8Array(32);
  const lengths = [
    ...Array.from({ length: 301 }, (_, n) => n),
    WINDOW_BYTES - 65, WINDOW_BYTES - 64, WINDOW_BYTES - 57, WINDOW_BYTES - 56, WINDOW_BYTES - 1, WINDOW_BYTES,
    WINDOW_BYTES + 1, WINDOW_BYTES + 55, WINDOW_BYTES + 56, WINDOW_BYTES + 64, 2 * WINDOW_BYTES, 2 * WINDOW_BYTES + 57,
    (1 << 20) + 3,
  ];
  for (const n of lengths) {
    const b = pattern(n, n);
    wasm!(b, out);
    assert.equal(hex(out), oracle(b), `length ${n}`);
  }
});

test("the WebAssembly module matches node:crypto on arbitrary bytes, views at any offset, one after another", () => {
  const out = new Uint8Array(32);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), fc.nat(40), (bytes, skip) => {
      // A view into a larger buffer: the module must read from byteOffset, not from 0.
      const host = new Uint8Array(bytes.length + skip + 3).fill(0xee);
      host.set(bytes, skip);
      const view = host.subarray(skip, skip + bytes.length);
      wasm!(view, out);
      assert.equal(hex(out), oracle(bytes));
    }),
    { numRuns: 500 },
  );
});

test("the engine's digests stay intact while later ones are made (slab views never overlap)", () => {
  const kept: [Uint8Array, string][] = [];
  for (let i = 0; i < 300; i++) {
    const b = pattern(i % 150, i);
    kept.push([sha256(b), oracle(b)]);
  }
  for (const [digest, expected] of kept) {
    assert.equal(digest.length, 32);
    assert.equal(hex(digest), expected);
  }
});

/** True when `h` is 32 bytes making up the whole of its own buffer. */
function ownsBuffer(h: Uint8Array): boolean {
  return h.length === 32 && h.byteOffset === 0 && h.buffer.byteLength === 32;
}

test("public hash functions hand out digests that own their buffer", () => {
  const a = publicSha256(new Uint8Array([1]));
  const b = publicSha256(new Uint8Array([2]));
  const data = fromJS({ VIN: "1", n: 2 }) as IonStruct;
  const metadata = { id: "6DBrCJZ4T37gGMFV9lQlwK", version: 0, txTime: timestampFromEpochMillis(0), txId: "5MgGfjRdSOnEtgCDk0EpqT" };
  const results: [string, Uint8Array][] = [
    ["sha256", a],
    ["ionHash", ionHash(data)],
    ["dot", dot(a, b)],
    ["merkleRoot", merkleRoot([a, b, publicSha256(new Uint8Array([3]))])],
    ["revisionHash", revisionHash(metadata, data)],
    ["revisionHash of a deletion", revisionHash(metadata, undefined)],
    ["statementDigest", statementDigest("INSERT INTO cars ?", [data])],
    ["statementDigest without parameters", statementDigest("SELECT 1", [])],
  ];
  for (const [name, h] of results) assert.ok(ownsBuffer(h), name);
});

test("statementDigest without parameters hands out a copy: changing it changes no later digest", () => {
  const first = statementDigest("SELECT * FROM cars", []);
  const expected = hex(first);
  first.fill(0);
  assert.equal(hex(statementDigest("SELECT * FROM cars", [])), expected);
});

test("a ledger's digests, hashes and proofs own their buffers: transferring them leaves the ledger intact", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE cars");
    for (let i = 0; i < 20; i++) await ledger.execute("INSERT INTO cars ?", { VIN: `v${i}`, n: i });
    const [row] = await ledger.transaction((tx) => tx.scan("cars"));
    const id = row.id;
    await ledger.transaction((tx) => tx.update("cars", id, { VIN: "v0", n: 100 }));
    const digest = await ledger.getDigest();
    const history = await ledger.transaction((tx) => tx.history("cars", id));
    const { revision, proof } = await ledger.getRevision({ blockAddress: history[0].blockAddress, documentId: id, digestTipAddress: digest.digestTipAddress });
    const { block, proof: blockProof } = await ledger.getBlock({ blockAddress: history[0].blockAddress, digestTipAddress: digest.digestTipAddress });
    const report = await ledger.verify();
    const handedOut: [string, Uint8Array][] = [
      ["getDigest", digest.digest],
      ["verify().digest", report.digest!.digest],
      ["tx.history hash", history[0].hash],
      ["tx.history hash (newest)", history[1].hash],
      ["getRevision hash", revision.hash],
      ...proof.map((h, i) => [`revision proof ${i}`, h] as [string, Uint8Array]),
      ["getBlock blockHash", block.blockHash],
      ["getBlock entriesHash", block.entriesHash],
      ["getBlock previousBlockHash", block.previousBlockHash],
      ...block.entriesHashList.map((h, i) => [`entriesHashList ${i}`, h] as [string, Uint8Array]),
      ...block.revisions.map((r, i) => [`block revision ${i}`, r.hash] as [string, Uint8Array]),
      ...blockProof.map((h, i) => [`block proof ${i}`, h] as [string, Uint8Array]),
    ];
    for (const [name, h] of handedOut) assert.ok(ownsBuffer(h), name);
    // Detaching every handed-out buffer must not reach anything the ledger keeps.
    for (const [, h] of handedOut) structuredClone(h.buffer, { transfer: [h.buffer as ArrayBuffer] });
    const again = await ledger.getDigest();
    const after = await ledger.getRevision({ blockAddress: history[0].blockAddress, documentId: id, digestTipAddress: again.digestTipAddress });
    assert.equal(verifyRevision(after.revision, after.proof, again), true);
    await ledger.execute("INSERT INTO cars ?", { VIN: "late" });
    assert.equal((await ledger.verify()).ok, true);
  } finally {
    await ledger.close();
  }
});
