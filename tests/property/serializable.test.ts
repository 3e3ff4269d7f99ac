// Serializability under generated interleavings (fc.scheduler decides the order in which the
// concurrent transactions' steps run): the committed outcome equals executing the committed
// transactions one after another in commit (block) order, and every transaction read exactly
// what that serial execution would have shown it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ledger, LedgerError, type Transaction } from "../../engine/index.ts";
import { toJS } from "../../engine/ion/js.ts";
import { withTempDir } from "../helpers/tmp.ts";

/** Transaction id -> position in the journal (block sequence number). */
async function commitOrder(ledger: Ledger, from: number): Promise<Map<string, number>> {
  const order = new Map<string, number>();
  const tip = (await ledger.getDigest()).digestTipAddress.sequenceNo;
  for (let s = from; s <= tip; s++) {
    const { block } = await ledger.getBlock({ blockAddress: { strandId: ledger.strandId, sequenceNo: s } });
    order.set(block.transactionId, s);
  }
  return order;
}

function isConflict(e: unknown): boolean {
  return e instanceof LedgerError && e.code === "OCC_CONFLICT";
}

interface Outcome {
  readonly tx: Transaction;
  readonly seen: Record<string, unknown>;
  readonly committed: boolean;
}

describe("serializable transactions", () => {
  test("transfers preserve the total and equal a serial execution in commit order", async () => {
    const transferArb = fc.record({ from: fc.nat({ max: 3 }), to: fc.nat({ max: 3 }), amount: fc.integer({ min: 1, max: 80 }) });
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.array(transferArb, { minLength: 2, maxLength: 8 }), (s, transfers) =>
      withTempDir(async (dir) => {
        const ledger = await Ledger.open(dir);
        const ids = await ledger.transaction(async (tx) => {
          await tx.createTable("accounts");
          const out: string[] = [];
          for (let i = 0; i < 4; i++) out.push(await tx.insert("accounts", { owner: `a${i}`, balance: 100 }));
          return out;
        });
        const start = (await ledger.getDigest()).digestTipAddress.sequenceNo + 1;
        const balanceOf = async (tx: Transaction, id: string) => Number((toJS((await tx.get("accounts", id))!) as { balance: number }).balance);
        const running = Promise.all(transfers.map(async (t, i): Promise<Outcome> => {
          await s.schedule(Promise.resolve(), `t${i} begin`);
          const tx = ledger.begin();
          const seen: Record<string, number> = {};
          try {
            seen.from = await balanceOf(tx, ids[t.from]);
            await s.schedule(Promise.resolve(), `t${i} read to`);
            seen.to = await balanceOf(tx, ids[t.to]);
            await s.schedule(Promise.resolve(), `t${i} write`);
            if (t.from !== t.to && seen.from >= t.amount) {
              await tx.update("accounts", ids[t.from], { owner: `a${t.from}`, balance: seen.from - t.amount });
              await tx.update("accounts", ids[t.to], { owner: `a${t.to}`, balance: seen.to + t.amount });
            }
            await s.schedule(Promise.resolve(), `t${i} commit`);
            await tx.commit();
            return { tx, seen, committed: true };
          } catch (e) {
            if (!isConflict(e)) throw e;
            return { tx, seen, committed: false };
          }
        }));
        const outcomes = await s.waitFor(running);
        const order = await commitOrder(ledger, start);
        // Serial replay: state after each block.
        const balances = [100, 100, 100, 100];
        const states: number[][] = [];
        states[start - 1] = balances.slice();
        const bySeq = [...outcomes.entries()].filter(([, o]) => order.has(o.tx.id)).sort((a, b) => order.get(a[1].tx.id)! - order.get(b[1].tx.id)!);
        for (const [i, o] of bySeq) {
          const t = transfers[i];
          assert.deepEqual(o.seen, { from: balances[t.from], to: balances[t.to] }, `t${i} read what the serial order shows`);
          balances[t.from] -= t.amount;
          balances[t.to] += t.amount;
          states[order.get(o.tx.id)!] = balances.slice();
        }
        // Read-only committed transactions saw the state of their snapshot.
        for (const [i, o] of outcomes.entries()) {
          if (!o.committed || order.has(o.tx.id)) continue;
          const at = states[o.tx.snapshot];
          const t = transfers[i];
          assert.deepEqual(o.seen, { from: at[t.from], to: at[t.to] }, `read-only t${i} saw its snapshot`);
        }
        const final = await ledger.transaction(async (tx) => Promise.all(ids.map((id) => balanceOf(tx, id))));
        assert.deepEqual(final, balances);
        assert.equal(final.reduce((a, b) => a + b, 0), 400);
        await ledger.close();
      })
    ), { numRuns: 60 });
  });

  for (const lookup of ["scan", "index"] as const) {
    test(`write skew (on-call doctors, ${lookup}): at least one doctor stays on call`, async () => {
      await fc.assert(fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 4 }), (s, doctors) =>
        withTempDir(async (dir) => {
          const ledger = await Ledger.open(dir);
          const ids = await ledger.transaction(async (tx) => {
            await tx.createTable("doctors");
            if (lookup === "index") await tx.createIndex("doctors", "onCall");
            const out: string[] = [];
            for (let i = 0; i < doctors; i++) out.push(await tx.insert("doctors", { name: `d${i}`, onCall: true }));
            return out;
          });
          const onCall = async (tx: Transaction) =>
            lookup === "index"
              ? (await tx.findBy("doctors", "onCall", true)).length
              : (await tx.scan("doctors")).filter((r) => (toJS(r.data) as { onCall: boolean }).onCall).length;
          const running = Promise.all(ids.map(async (id, i) => {
            await s.schedule(Promise.resolve(), `d${i} begin`);
            const tx = ledger.begin();
            try {
              const n = await onCall(tx);
              await s.schedule(Promise.resolve(), `d${i} decide`);
              if (n >= 2) await tx.update("doctors", id, { name: `d${i}`, onCall: false });
              await s.schedule(Promise.resolve(), `d${i} commit`);
              await tx.commit();
              return true;
            } catch (e) {
              if (!isConflict(e)) throw e;
              return false;
            }
          }));
          const results = await s.waitFor(running);
          const left = await ledger.transaction((tx) => onCall(tx));
          assert.ok(left >= 1, `${left} doctors on call after ${results.filter(Boolean).length} commits`);
          // Serially, every doctor but one could have gone: the count is the serial outcome.
          assert.equal(left, doctors - (await commitOrder(ledger, 1)).size);
          await ledger.close();
        })
      ), { numRuns: 40 });
    });
  }
});
