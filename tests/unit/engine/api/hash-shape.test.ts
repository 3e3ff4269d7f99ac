// A journal re-sealed around a hash of the wrong length (frames' checksums made to match, nothing
// rehashed) opens as JOURNAL_CORRUPT naming the hash, never as a runtime Error: the digest tree and
// the block directory keep hashes as 32-byte slots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ion, isLedgerError, Ledger } from "../../../../engine/index.ts";
import { firstSegment, getPath, readBlocks, setPath, writeBlocks } from "../../../helpers/journal-edit.ts";
import { withTempDir } from "../../../helpers/tmp.ts";

const cases: { at: (string | number)[]; message: RegExp }[] = [
  { at: ["blockHash"], message: /blockHash must be 32-byte hashes/ },
  { at: ["entriesHash"], message: /entriesHash and blockHash must be 32-byte hashes/ },
  { at: ["entriesHashList", 1], message: /entriesHashList holds something other than 32-byte hashes/ },
  { at: ["revisions", 0, "hash"], message: /revisions\[0\]\.hash is not a 32-byte hash/ },
  // Caught first by the chain check: it is not the previous block's hash.
  { at: ["previousBlockHash"], message: /previousBlockHash is not block \d+'s hash/ },
];

for (const { at, message } of cases) {
  for (const length of [31, 33]) {
    test(`a ${length}-byte ${at.join(".")} in the last block is JOURNAL_CORRUPT at open`, () =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        await ledger.execute("CREATE TABLE t");
        await ledger.execute("INSERT INTO t ?", { a: 1 });
        await ledger.close();
        const file = firstSegment(dir);
        const blocks = readBlocks(file);
        const last = blocks.length - 1;
        const h = (getPath(blocks[last], at) as { bytes: Uint8Array }).bytes;
        const changed = new Uint8Array(length);
        changed.set(h.subarray(0, Math.min(length, 32)));
        blocks[last] = setPath(blocks[last], at, ion.blob(changed)) as typeof blocks[number];
        writeBlocks(file, blocks);
        await assert.rejects(Ledger.open(dir), (e: unknown) => {
          assert.ok(isLedgerError(e), `not a LedgerError: ${String(e)}`);
          assert.equal(e.code, "JOURNAL_CORRUPT");
          assert.match(e.message, message);
          return true;
        });
      }));
  }
}
