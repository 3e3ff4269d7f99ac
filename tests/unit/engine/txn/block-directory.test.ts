/**
 * Published blocks are not kept in memory but the newest (block-directory.ts): any other is read
 * back from the journal, and checked, when getBlock asks for it; getRevision's proof comes from
 * the hashes the directory keeps. What the API returns must not change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Ledger, verifyBlock, verifyRevision } from "../../../../engine/index.ts";
import { BlockDirectory, type BlockLocation } from "../../../../engine/txn/block-directory.ts";
import { revisionProof } from "../../../../engine/ledger/proof.ts";
import { DigestTree } from "../../../../engine/ledger/digest-tree.ts";
import type { Block } from "../../../../engine/ledger/types.ts";
import { withTempDir } from "../../../helpers/tmp.ts";
import { rejectsWith } from "../../../helpers/assert.ts";

const hash = (n: number) => new Uint8Array(32).fill(n & 0xff);

/** A stand-in block with `revisions` revision hashes (only what the directory reads). */
function fakeBlock(sequenceNo: number, revisions: number): Block {
  return {
    blockAddress: { strandId: "s", sequenceNo },
    revisions: Array.from({ length: revisions }, (_, i) => ({ hash: hash(sequenceNo * 7 + i) })),
    entriesHashList: [hash(sequenceNo), hash(sequenceNo + 100)],
  } as unknown as Block;
}

test("the directory keeps each block's revision hashes, entries and location, and loads all but the newest", () => {
  const loads: [number, BlockLocation][] = [];
  const dir = new BlockDirectory((seq, at) => {
    loads.push([seq, at]);
    return fakeBlock(seq, 0);
  });
  assert.equal(dir.size, 0);
  assert.equal(dir.last, undefined);
  // Past the initial capacity of every column, with 0 to 4 revisions per block.
  const blocks: Block[] = [];
  for (let seq = 0; seq < 3000; seq++) {
    const b = fakeBlock(seq, seq % 5);
    blocks.push(b);
    dir.push(b, { segment: 1 + (seq >> 10), offset: 64 + seq * 40, length: 30 + (seq % 9) });
  }
  assert.equal(dir.size, 3000);
  assert.equal(dir.last, blocks[2999]);
  assert.equal(dir.block(2999), blocks[2999]);
  assert.equal(loads.length, 0);
  for (const seq of [0, 1, 4, 1023, 1024, 2047, 2998]) {
    assert.deepEqual(dir.revisionHashesOf(seq), blocks[seq].revisions.map((r) => r.hash), `revisions of ${seq}`);
    assert.deepEqual(dir.entriesHashListOf(seq), blocks[seq].entriesHashList, `entries of ${seq}`);
    dir.block(seq);
    assert.deepEqual(loads.at(-1), [seq, { segment: 1 + (seq >> 10), offset: 64 + seq * 40, length: 30 + (seq % 9) }]);
  }
  for (const bad of [-1, 3000, 1.5, NaN]) assert.throws(() => dir.block(bad), /no published block/);
  assert.throws(() => dir.push(fakeBlock(7, 1), { segment: 1, offset: 0, length: 1 }), /published where 3000 was due/);
});

/** Commits `n` transactions of 1-3 documents into a ledger of small segments; returns every block as committed. */
async function fill(ledger: Ledger, n: number): Promise<Block[]> {
  const committed: Block[] = [];
  await ledger.execute("CREATE TABLE cars");
  committed.push((await ledger.getBlock({ blockAddress: (await ledger.getDigest()).digestTipAddress })).block);
  for (let i = 0; i < n; i++) {
    await ledger.transaction(async (tx) => {
      for (let k = 0; k <= i % 3; k++) await tx.insert("cars", { VIN: `V${i}-${k}`, Year: 2000 + i, Notes: "x".repeat(i * 13 % 200) });
      if (i % 4 === 3) await tx.execute("UPDATE cars SET Year = Year + 1 WHERE VIN = ?", `V${i - 1}-0`);
    });
    // While it is the newest: the block as the committer built it, still in memory.
    committed.push((await ledger.getBlock({ blockAddress: (await ledger.getDigest()).digestTipAddress })).block);
  }
  return committed;
}

test("getBlock of any earlier block, read back from a journal of many segments, equals the block as committed, also after reopen", () =>
  withTempDir(async (dir) => {
    let ledger = await Ledger.open(dir, { segmentBytes: 4096 });
    const committed = await fill(ledger, 60);
    const segments = fs.readdirSync(dir).filter((n) => n.endsWith(".qj")).length;
    assert.ok(segments >= 6, `expected many segments (more than the journal keeps open), got ${segments}`);
    for (let round = 0; round < 2; round++) {
      const digest = await ledger.getDigest();
      // Out of order, so read handles on earlier segments are evicted and reopened.
      for (const seq of [...committed.keys()].sort((a, b) => ((a * 37) % 61) - ((b * 37) % 61))) {
        const { block, proof } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: seq }, digestTipAddress: digest.digestTipAddress });
        assert.deepEqual(block, committed[seq], `block ${seq}, round ${round}`);
        assert.equal(block.transactionInfo !== undefined, true);
        assert.ok(verifyBlock(block, proof, digest.digest), `block ${seq} verifies`);
      }
      await ledger.close();
      ledger = await Ledger.open(dir, { segmentBytes: 4096 });
    }
    await ledger.close();
  }));

test("getRevision's proof, from the kept hashes, is the proof made from the whole block, for blocks of one and of several revisions", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir, { segmentBytes: 4096 });
    const committed = await fill(ledger, 24);
    const digest = await ledger.getDigest();
    const tip = digest.digestTipAddress.sequenceNo;
    const tree = new DigestTree();
    for (const b of committed) tree.append(b.blockHash);
    let several = 0;
    for (const block of committed) {
      if (block.revisions.length > 1) several++;
      for (const [index, r] of block.revisions.entries()) {
        const got = await ledger.getRevision({ blockAddress: block.blockAddress, documentId: r.metadata.id, digestTipAddress: digest.digestTipAddress });
        assert.deepEqual(got.revision, r);
        assert.deepEqual(got.proof, revisionProof(block, index, tree, tip));
        assert.ok(verifyRevision(got.revision, got.proof, digest.digest));
      }
    }
    assert.ok(several >= 10, `blocks of several revisions: ${several}`);
    await ledger.close();
  }));

/** Sets one byte of the ledger's (only) segment file: at `shift` past the first occurrence of `text`. */
function changeSegmentByte(dir: string, text: string, shift: number, to: (old: number) => number): void {
  const segment = path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith(".qj"))!);
  const bytes = fs.readFileSync(segment);
  const at = bytes.indexOf(Buffer.from(text));
  assert.ok(at > 0, `${text} is in the segment`);
  bytes[at + shift] = to(bytes[at + shift]);
  fs.writeFileSync(segment, bytes);
}

test("a block whose journal bytes changed after open is JOURNAL_CORRUPT on getBlock; its revisions still come from memory", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    const committed = await fill(ledger, 5);
    const target = committed[2];
    // Change the car's VIN in the file: same length, so the record still decodes.
    changeSegmentByte(dir, "V1-0", 1, () => "W".charCodeAt(0));
    const e = await rejectsWith(ledger.getBlock({ blockAddress: target.blockAddress }), "JOURNAL_CORRUPT");
    assert.match(e.message, /no longer block 2 as committed/);
    // The revision and its proof do not read the block.
    const digest = await ledger.getDigest();
    const r = target.revisions[0];
    const got = await ledger.getRevision({ blockAddress: target.blockAddress, documentId: r.metadata.id });
    assert.deepEqual(got.revision, r);
    assert.ok(verifyRevision(got.revision, got.proof, digest.digest));
    // verify() reads the journal again and finds the change.
    assert.equal((await ledger.verify()).ok, false);
    await ledger.close();
  }));

test("a changed field no hash covers (the block's transactionId) is JOURNAL_CORRUPT too, not a block verifyBlock would reject", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    const committed = await fill(ledger, 5);
    const target = committed[3];
    // The block's own transactionId comes before its revisions' metadata.txId in the record.
    changeSegmentByte(dir, target.transactionId, 0, (b) => (b === 0x41 ? 0x42 : 0x41));
    const e = await rejectsWith(ledger.getBlock({ blockAddress: target.blockAddress }), "JOURNAL_CORRUPT");
    assert.match(e.message, /transactionId/);
    await ledger.close();
  }));
