/**
 * The commit path: validate, build the block, make it durable, then publish.
 *
 * 1. Validate the transaction's read set against every block committed since its snapshot —
 *    published ones and ones still waiting for their sync — and fail with OCC_CONFLICT on overlap.
 * 2. Build and hash its block on top of the newest block (pending or published) and queue it.
 * 3. Group commit: the queue is flushed after the current burst of microtasks, so transactions
 *    that commit together share one journal frame and one fdatasync, each still its own block.
 * 4. Only after the sync returns is each block published to the store and digest tree, in order,
 *    and its committer resolved ("durable before visible"). If the write or sync fails, every
 *    queued block is discarded and its committer rejected; nothing was ever visible.
 *
 * Validation and queueing are synchronous, so the commit order is the order in which commits
 * pass validation, and the serial order the transactions are equivalent to.
 *
 * Writers that await one commit after another would never leave the microtask queue (the sync
 * itself is synchronous), starving the process's timers and I/O for as long as they run: a
 * server importing a batch would stop answering. So the committer watches the event loop: a
 * setImmediate heartbeat notes each turn, and once the loop has not turned for YIELD_AFTER_MS
 * while commits keep flowing, the next flush waits for the loop's check phase instead of a
 * microtask, letting timers and I/O run first. Durability and group commit are unchanged (the
 * flush is only later; commits that arrive meanwhile join it).
 */
import { setImmediate } from "node:timers";
import { describeThrown, LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";
import type { IonStruct, IonTimestamp } from "../ion/value.ts";
import { buildBlockWithSource } from "../ledger/block.ts";
import { encodeBlock } from "../ledger/block-codec.ts";
import { epochMillisOf, timestampFromEpochMillis, type Clock } from "../ledger/clock.ts";
import type { DigestTree } from "../ledger/digest-tree.ts";
import type { Block } from "../ledger/types.ts";
import type { AppendedFrame, Journal } from "../journal/journal.ts";
import { indexKeysOf } from "../catalog/index-key.ts";
import { rangeMustVisit } from "../catalog/index-order.ts";
import type { Store } from "./store.ts";
import { readsOf, type ReadSet, snapshotOf, statementsOf, type Transaction, writesOf } from "./transaction.ts";

/** What a committed block changed, kept while a running transaction's snapshot predates it. */
interface CommitSummary {
  readonly sequenceNo: number;
  /** The transaction's writes, in revision order (buildBlock makes one revision per write). */
  readonly writes: readonly { readonly tableId: string; readonly id: string; readonly before?: IonStruct; readonly data?: IonStruct }[];
}

interface Pending {
  readonly block: Block;
  readonly bytes: Uint8Array;
  readonly summary: CommitSummary;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

function conflict(why: string, sequenceNo: number, documentId: string): LedgerError {
  return new LedgerError("OCC_CONFLICT", `transaction conflict: ${why} by block ${sequenceNo} since this transaction began`, {
    sequenceNo,
    documentId,
  });
}

/** Microtask turns a flush waits while other transactions are running, so they can join it. */
const GROUP_COMMIT_TURNS = 4;

/**
 * Longest a stream of commits runs without letting the event loop turn (see the header): a timer
 * may fire up to this late, plus one commit. A turn is not free under Bun (its GC controller runs
 * on the event loop): at 10 ms, 64 writers on a real disk lost ~5% of their commits/s (paired
 * medians of 5 runs, 0.945); 50 ms costs a fifth of that and still keeps a server answering.
 */
const YIELD_AFTER_MS = 50;

/** The clock readings a txTime can hold: Ion timestamps span years 1 to 9999 (UTC). */
const MIN_CLOCK_MILLIS = -62_135_596_800_000; // 0001-01-01T00:00:00Z (Date.UTC maps years 0-99 to 19xx)
const MAX_CLOCK_MILLIS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Replaced revisions the store keeps as structs before prune packs them (Store.packSuperseded):
 * packing in batches reads the running transactions' oldest snapshot once per batch.
 */
const PACK_BATCH = 64;

/**
 * Replaced revisions one prune packs at most (~5 ms): once a long-running reader ends, the
 * revisions it held back are packed over the following commits, not all inside one commit's
 * publish (300,000 of them held the event loop for 370 ms).
 */
const PACK_MAX_PER_PRUNE = 4096;

/** Size of the arena queued blocks are encoded into (see Committer.arena). */
const ARENA_BYTES = 1 << 20;

/** Payload bytes one journal frame may carry (its record table included). */
const FRAME_BUDGET = limits.maxFrameBytes - 64;

export class Committer {
  private readonly recent: CommitSummary[] = [];
  /**
   * The write index: for each document and table written by a block in `recent` or `pending`,
   * the newest such block. A transaction that read it conflicts if that block is newer than its
   * snapshot.
   *
   * Documents are indexed in two generations: writes go into `docsNew`, and once every block
   * that wrote into `docsOld` is at or below both the oldest running snapshot and the newest
   * published block (so no transaction, running or yet to begin, can conflict with it),
   * `docsOld` is dropped whole and `docsNew` takes its place. Forgetting entry by entry (a get
   * and a delete per write, after a set) was 1.6 µs of a commit's ~25 µs of CPU with 64 writers
   * (self time in the profile). A table's entry is never forgotten: there are few tables, and an
   * entry at or below every snapshot conflicts with nothing.
   */
  private docsNew = new Map<string, number>();
  private docsOld = new Map<string, number>();
  /** The newest block that wrote into docsNew / docsOld (-1: none). */
  private docsNewNewest = -1;
  private docsOldNewest = -1;
  private readonly tableWrittenAt = new Map<string, number>();
  private pending: Pending[] = [];
  /** Set when a durable block could not be published: every later commit fails with it. */
  private failure: LedgerError | undefined;
  private flushScheduled = false;
  private drainWaiters: (() => void)[] = [];
  /**
   * Queued blocks' bytes are views of one arena, reused once the queue is flushed (the journal
   * copies them into its frame): the fresh ~1 KB array per block was 3.4% of a commit's CPU in
   * the commit benchmark's profile (the allocation in binaryStream.finish).
   */
  private arena = new Uint8Array(ARENA_BYTES);
  private arenaUsed = 0;
  private readonly allocBlockBytes = (length: number): Uint8Array => {
    // A large block gets its own array rather than an arena that size kept for good.
    if (length > ARENA_BYTES / 4) return new Uint8Array(length);
    if (this.arenaUsed + length > this.arena.length) {
      // Full: earlier views keep the old arena alive until their blocks are flushed.
      this.arena = new Uint8Array(ARENA_BYTES);
      this.arenaUsed = 0;
    }
    const at = this.arenaUsed;
    this.arenaUsed = at + length;
    return this.arena.subarray(at, at + length);
  };
  /**
   * The floor for the next txTime (txTimes never decrease): the last block's, or for a new
   * ledger the earliest instant a timestamp can hold, so a clock set before 1970 is recorded as
   * it reads rather than as 1970-01-01.
   */
  private lastTxMillis = MIN_CLOCK_MILLIS;
  /** When the event loop was last seen to turn (the heartbeat ran), in performance.now() ms. */
  private loopTurnedAt = performance.now();
  private heartbeatPending = false;
  private readonly heartbeat = (): void => {
    this.heartbeatPending = false;
    this.loopTurnedAt = performance.now();
  };

  constructor(
    private readonly store: Store,
    private readonly tree: DigestTree,
    private readonly journal: Journal,
    private readonly clock: Clock,
    /** Number of transactions currently running (for deciding whether to wait for company). */
    private readonly activeCount: () => number,
    /** Oldest snapshot of a running transaction, or Infinity. */
    private readonly oldestSnapshot: () => number,
  ) {
    const last = store.blocks.last;
    if (last !== undefined) this.lastTxMillis = epochMillisOf(last.blockTimestamp);
  }

  /** A commit timestamp that never goes backwards along the journal. */
  now(): IonTimestamp {
    return timestampFromEpochMillis(this.nextMillis());
  }

  /** The commit clock in epoch milliseconds (see now()). */
  nextMillis(): number {
    let now: number;
    try {
      now = this.clock();
    } catch (e) {
      throw new LedgerError("INVALID_ARGUMENT", `the ledger's clock threw: ${e instanceof Error ? e.message : typeof e}`, {}, e);
    }
    // A bad reading must not reach lastTxMillis: NaN would stay there and poison every later txTime.
    if (typeof now !== "number" || !(now >= MIN_CLOCK_MILLIS && now <= MAX_CLOCK_MILLIS)) {
      throw new LedgerError("INVALID_ARGUMENT", `the ledger's clock returned ${String(now)}, not epoch milliseconds in years 1 to 9999`);
    }
    const ms = Math.max(Math.floor(now), this.lastTxMillis);
    this.lastTxMillis = ms;
    return ms;
  }

  /** Validates and queues the transaction's block; resolves once it is durable and published. */
  commit(tx: Transaction): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.validate(tx);
    const last = this.pending.length > 0 ? this.pending[this.pending.length - 1].block : this.store.blocks.last;
    const sequenceNo = last === undefined ? 0 : last.blockAddress.sequenceNo + 1;
    const writes = [...writesOf(tx).values()];
    const { block, source } = buildBlockWithSource({
      address: { strandId: this.journal.strandId, sequenceNo },
      previousBlockHash: last === undefined ? new Uint8Array(0) : last.blockHash,
      transactionId: tx.id,
      txTime: this.now(),
      statements: statementsOf(tx),
      writes,
    });
    const bytes = encodeBlock(block, source, this.allocBlockBytes);
    if (bytes.length > limits.maxBlockBytes) {
      throw new LedgerError("LIMIT_EXCEEDED", `the transaction's block is ${bytes.length} bytes; the limit is ${limits.maxBlockBytes}`);
    }
    // The writes themselves: the transaction is over, so they no longer change.
    const summary: CommitSummary = { sequenceNo, writes };
    this.indexWrites(summary);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ block, bytes, summary, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Set once a durable block could not be published (see flushBatch): the ledger must be reopened. */
  get failed(): LedgerError | undefined {
    return this.failure;
  }

  /** Resolves once every commit queued so far has been flushed (made durable or failed). */
  drain(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private validate(tx: Transaction): void {
    const reads = readsOf(tx);
    const snapshot = snapshotOf(tx);
    // Documents and tables read: one lookup each in the index of the newest write, rather than a
    // pass over every write since the snapshot (with 64 writers, each commit tested the up to 63
    // queued before it: 0.46 µs of a commit's CPU against 0.09 µs for a lone writer).
    for (const id of reads.docs) {
      const at = this.docsNew.get(id) ?? this.docsOld.get(id);
      if (at !== undefined && at > snapshot) throw conflict(`document ${id} was changed`, at, id);
    }
    for (const tableId of reads.tables) {
      const at = this.tableWrittenAt.get(tableId);
      if (at !== undefined && at > snapshot) throw conflict(`table ${tableId} was changed`, at, this.writerOf(tableId, at));
    }
    if (reads.keys.length === 0 && reads.ranges.length === 0) return;
    // Index keys and ranges depend on the documents' contents: test each write since the
    // snapshot. `recent` is in sequence order, so only its tail is newer than the snapshot.
    const recent = this.recent;
    let i = recent.length;
    while (i > 0 && recent[i - 1].sequenceNo > snapshot) i--;
    for (; i < recent.length; i++) this.checkKeys(reads, recent[i]);
    const pending = this.pending;
    for (let j = 0; j < pending.length; j++) this.checkKeys(reads, pending[j].summary);
  }

  private checkKeys(reads: ReadSet, s: CommitSummary): void {
    for (const w of s.writes) {
      for (const k of reads.keys) {
        if (k.tableId !== w.tableId) continue;
        if (
          (w.before !== undefined && indexKeysOf(w.before, k.field).includes(k.key)) ||
          (w.data !== undefined && indexKeysOf(w.data, k.field).includes(k.key))
        ) {
          throw conflict(`a document with the looked-up ${k.field} was changed`, s.sequenceNo, w.id);
        }
      }
      for (const g of reads.ranges) {
        if (g.tableId !== w.tableId) continue;
        const touches = (d: IonStruct | undefined) => d !== undefined && indexKeysOf(d, g.field).some((k) => rangeMustVisit(k, g.range));
        if (touches(w.before) || touches(w.data)) throw conflict(`a document in the looked-up range of ${g.field} was changed`, s.sequenceNo, w.id);
      }
    }
  }

  /** Records a queued block's writes in the write index (validate). */
  private indexWrites(s: CommitSummary): void {
    for (const w of s.writes) {
      this.docsNew.set(w.id, s.sequenceNo);
      this.tableWrittenAt.set(w.tableId, s.sequenceNo);
    }
    this.docsNewNewest = s.sequenceNo;
  }

  /**
   * The document block `sequenceNo` wrote in table `tableId`, for a conflict's details. The block
   * is newer than a running snapshot, so its summary is still in `recent` or `pending`; both hold
   * consecutive sequence numbers, so it is found by position.
   */
  private writerOf(tableId: string, sequenceNo: number): string {
    const pending = this.pending;
    const s = pending.length > 0 && sequenceNo >= pending[0].summary.sequenceNo
      ? pending[sequenceNo - pending[0].summary.sequenceNo]?.summary
      : this.recent.length > 0 ? this.recent[sequenceNo - this.recent[0].sequenceNo] : undefined;
    if (s === undefined || s.sequenceNo !== sequenceNo) return "";
    for (let i = s.writes.length - 1; i >= 0; i--) if (s.writes[i].tableId === tableId) return s.writes[i].id;
    return "";
  }

  /** The write index again from the published summaries alone (after queued blocks were discarded). */
  private reindex(): void {
    this.docsNew = new Map();
    this.docsOld = new Map();
    this.docsNewNewest = this.docsOldNewest = -1;
    this.tableWrittenAt.clear();
    for (const s of this.recent) this.indexWrites(s);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    let turns = this.activeCount() > this.pending.length ? GROUP_COMMIT_TURNS : 0;
    const step = (): void => {
      if (turns-- > 0) {
        queueMicrotask(step);
        return;
      }
      this.flushScheduled = false;
      this.flush();
    };
    if (!this.heartbeatPending) {
      this.heartbeatPending = true;
      setImmediate(this.heartbeat);
    }
    // The heartbeat is queued ahead of this step, so it runs first and the turn is seen.
    if (performance.now() - this.loopTurnedAt > YIELD_AFTER_MS) setImmediate(step);
    else queueMicrotask(step);
  }

  private flush(): void {
    this.flushBatch();
    // Nothing queued refers to the arena any more.
    if (this.pending.length === 0) this.arenaUsed = 0;
    if (this.drainWaiters.length > 0 && this.pending.length === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private flushBatch(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let start = 0;
    while (start < batch.length) {
      // One frame per flush, unless the batch would exceed the frame limit.
      let end = start;
      let bytes = 0;
      while (end < batch.length && (end === start || bytes + batch[end].bytes.length + 8 <= FRAME_BUDGET)) {
        bytes += batch[end].bytes.length + 8;
        end++;
      }
      const chunk = batch.slice(start, end);
      let frame: AppendedFrame;
      try {
        frame = this.journal.append(chunk.map((p) => p.bytes));
      } catch (e) {
        // Later blocks were built on this chunk's: none of them can be published.
        for (const p of batch.slice(start)) p.reject(e);
        this.reindex();
        return;
      }
      let published = 0;
      try {
        for (; published < chunk.length; published++) {
          const p = chunk[published];
          const at = { segment: frame.segment, offset: frame.offsets[published], length: p.bytes.length };
          // Transactions hand out every document they write (Transaction.insert/update/putCatalog).
          this.store.apply(p.block, at, p.summary.writes, true);
          this.tree.append(p.block.blockHash);
          this.recent.push(p.summary);
        }
      } catch (e) {
        // Durable, yet not (all) published: memory no longer follows the journal, and only a reopen,
        // which replays the journal, can bring them together. Never thrown from here (a flush has
        // no caller to catch it). The blocks published before it committed; this one and every
        // later one are durable but failed (the reopened ledger holds them), and the ledger
        // refuses everything but close() from now on (Ledger.checkOpen).
        this.failure = new LedgerError("LEDGER_FAILED", `a committed block could not be published (${describeThrown(e)}); reopen the ledger`, {}, e);
        for (let i = 0; i < published; i++) chunk[i].resolve();
        for (const p of batch.slice(start + published)) p.reject(this.failure);
        return;
      }
      this.prune();
      for (const p of chunk) p.resolve();
      start = end;
    }
  }

  /** Forgets summaries, and a generation of the document index, that no transaction can conflict with. */
  private prune(): void {
    const packing = this.store.supersededCount >= PACK_BATCH;
    if (this.recent.length < 256 && !packing) return;
    // Blocks above the newest published one are still queued, and every snapshot is below them
    // (their transactions are still running). The min is defensive: it keeps a queued block's
    // writes even if that ever stopped holding.
    const oldest = Math.min(this.oldestSnapshot(), this.store.blocks.size - 1);
    if (packing) this.store.packSuperseded(oldest, PACK_MAX_PER_PRUNE);
    if (this.recent.length < 256) return;
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop].sequenceNo <= oldest) drop++;
    if (drop > 0) this.recent.splice(0, drop);
    if (this.docsNew.size >= 256 && this.docsOldNewest <= oldest) {
      this.docsOld = this.docsNew;
      this.docsOldNewest = this.docsNewNewest;
      this.docsNew = new Map();
    }
  }
}
