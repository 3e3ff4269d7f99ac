// Properties of the ledger over generated workloads: history replays to the current state,
// every proof verifies against every later digest (and nothing altered does), and reopening
// gives back the same state.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Digest, Ledger, verifyRevision } from "../../engine/index.ts";
import { toJS } from "../../engine/ion/js.ts";
import { epochMillisOf } from "../../engine/ledger/clock.ts";
import { withTempDir } from "../helpers/tmp.ts";
import { type Command, commandArb, Model, plain, runCommand, setup, stateOf, TABLES } from "../helpers/workload.ts";

const workload = fc.array(commandArb, { minLength: 1, maxLength: 25 });

describe("ledger properties", () => {
  test("history replays to the current state; versions are contiguous from 0; txTime never decreases", async () => {
    await fc.assert(fc.asyncProperty(workload, (cmds: Command[]) =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        await setup(ledger);
        const model = new Model();
        for (const c of cmds) await runCommand(ledger, model, c);
        const current = await stateOf(ledger);
        let lastTx = -Infinity;
        for (const [id, d] of model.docs) {
          const history = await ledger.transaction((tx) => tx.history(d.table, id));
          assert.deepEqual(history.map((r) => r.metadata.version), [...Array(d.versions).keys()]);
          for (const r of history) {
            const t = epochMillisOf(r.metadata.txTime);
            assert.ok(r.blockAddress.sequenceNo >= 0);
            if (r !== history[0]) assert.ok(t >= epochMillisOf(history[history.indexOf(r) - 1].metadata.txTime));
          }
          const last = history[history.length - 1];
          if (d.deleted) {
            assert.equal(last.data, undefined);
            assert.equal(current.has(id), false);
          } else {
            assert.deepEqual(plain(toJS(last.data!)), plain(d.data));
            assert.deepEqual(current.get(id)!.data, plain(d.data));
          }
        }
        assert.equal(current.size, model.live().length);
        // txTime along the whole journal
        const digest = await ledger.getDigest();
        for (let s = 0; s <= digest.digestTipAddress.sequenceNo; s++) {
          const { block } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: s } });
          const t = epochMillisOf(block.blockTimestamp);
          assert.ok(t >= lastTx, "blockTimestamp never decreases");
          lastTx = t;
        }
        await ledger.close();
      })
    ), { numRuns: 15 });
  });

  test("every revision's proof verifies against every later digest, and never for altered inputs", async () => {
    await fc.assert(fc.asyncProperty(workload, fc.nat(), (cmds, salt) =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        await setup(ledger);
        const model = new Model();
        const digests: Digest[] = [await ledger.getDigest()];
        for (const c of cmds) {
          await runCommand(ledger, model, c);
          const d = await ledger.getDigest();
          if (d.digestTipAddress.sequenceNo !== digests[digests.length - 1].digestTipAddress.sequenceNo) digests.push(d);
        }
        for (const [id, d] of model.docs) {
          for (const r of await ledger.transaction((tx) => tx.history(d.table, id))) {
            for (const digest of digests) {
              if (digest.digestTipAddress.sequenceNo < r.blockAddress.sequenceNo) continue;
              const { revision, proof } = await ledger.getRevision({
                blockAddress: r.blockAddress,
                documentId: id,
                digestTipAddress: digest.digestTipAddress,
              });
              assert.equal(verifyRevision(revision, proof, digest), true);
              // another digest (a different tip) does not verify this proof
              const other = digests.find((x) => x.digestTipAddress.sequenceNo !== digest.digestTipAddress.sequenceNo && x.digestTipAddress.sequenceNo >= r.blockAddress.sequenceNo);
              if (other !== undefined) assert.equal(verifyRevision(revision, proof, other), false);
              // an altered proof
              if (proof.length > 0) {
                const i = salt % proof.length;
                const bad = proof.map((p, k) => (k === i ? p.map((b, j) => (j === salt % 32 ? b ^ (1 << (salt % 8)) : b)) : p));
                assert.equal(verifyRevision(revision, bad, digest), false);
                assert.equal(verifyRevision(revision, proof.slice(0, -1), digest), false);
              }
              // an altered revision
              const meta = { ...revision.metadata, txId: revision.metadata.txId.slice(1) + "x" };
              assert.equal(verifyRevision({ ...revision, metadata: meta }, proof, digest), false);
              if (revision.data !== undefined) {
                const data = { ...revision.data, fields: [...revision.data.fields, ["extra", { kind: "bool", value: true }] as const] };
                assert.equal(verifyRevision({ ...revision, data }, proof, digest), false);
                assert.equal(verifyRevision({ ...revision, data: undefined }, proof, digest), false);
              }
            }
          }
        }
        await ledger.close();
      })
    ), { numRuns: 10 });
  });

  test("the state after close and reopen equals the state before", async () => {
    await fc.assert(fc.asyncProperty(workload, (cmds) =>
      withTempDir(async (dir) => {
        let ledger = await Ledger.open(dir);
        await setup(ledger);
        const model = new Model();
        for (const c of cmds) await runCommand(ledger, model, c);
        const before = { state: await stateOf(ledger), digest: await ledger.getDigest(), tables: await ledger.transaction((tx) => tx.tables()) };
        const histories = await Promise.all([...model.docs].map(([id, d]) => ledger.transaction((tx) => tx.history(d.table, id))));
        await ledger.close();
        ledger = await Ledger.open(dir);
        assert.deepEqual(await stateOf(ledger), before.state);
        assert.deepEqual(await ledger.getDigest(), before.digest);
        assert.deepEqual(await ledger.transaction((tx) => tx.tables()), before.tables);
        assert.deepEqual(await Promise.all([...model.docs].map(([id, d]) => ledger.transaction((tx) => tx.history(d.table, id)))), histories);
        assert.equal((await ledger.verify()).ok, true);
        await ledger.close();
      })
    ), { numRuns: 15 });
  });
});

void TABLES;
