/**
 * `Ledger`: the embedded ledger as applications open it.
 *
 * Open takes the directory's exclusive lock, replays the journal into the in-memory state
 * (document version chains, catalog, indexes, digest tree), and from then on every committed
 * transaction is one block appended and synced before it becomes visible.
 *
 * @example
 * ```ts
 * import { Ledger, verifyRevision } from "./engine/index.ts";
 * const ledger = await Ledger.open("./data/vehicles");
 * const id = await ledger.transaction(async (tx) => {
 *   await tx.createTable("cars");
 *   return tx.insert("cars", { VIN: "123456789", Owner: "Maria Garcia" });
 * });
 * const digest = await ledger.getDigest();
 * const [first] = await ledger.transaction((tx) => tx.history("cars", id));
 * const { revision, proof } = await ledger.getRevision({
 *   blockAddress: first.blockAddress, documentId: id, digestTipAddress: digest.digestTipAddress,
 * });
 * console.log(verifyRevision(revision, proof, digest)); // true
 * await ledger.close();
 * ```
 */
import { limits } from "../limits.ts";
import { describeThrown, isLedgerError, LedgerError, readingArgument } from "../errors.ts";
import { decodeBinary } from "../ion/binary.ts";
import { ownDigest } from "../ion/sha256.ts";
import { BLOCK_SYMBOL_CATALOG, blockFromIon, documentTables } from "../ledger/block-codec.ts";
import { decodeBlockRecord } from "../ledger/block-decode.ts";
import { epochMillisOf, type Clock, systemClock } from "../ledger/clock.ts";
import { DigestTree } from "../ledger/digest-tree.ts";
import { hashEquals } from "../ledger/dot.ts";
import { copyBlock, copyProof, copyRevision } from "../ledger/copy.ts";
import { blockProof, revisionProofOf } from "../ledger/proof.ts";
import type { Block, BlockAddress, Digest, Revision } from "../ledger/types.ts";
import { checkBlockFields, checkBlockHashes, hashShapeProblem } from "../ledger/verify.ts";
import { Journal, type JournalRecord } from "../journal/journal.ts";
import { segmentFileName } from "../journal/format.ts";
import { acquireLock } from "../journal/lock.ts";
import type { FileLayer } from "../journal/file-layer.ts";
import { Committer } from "../txn/committer.ts";
import { type StoredRevision, Store } from "../txn/store.ts";
import { TableRules } from "../txn/table-rules.ts";
import type { BlockLocation } from "../txn/block-directory.ts";
import { snapshotOf, type TransactionHost } from "../txn/transaction.ts";
import { executeShared, Transaction } from "./transaction.ts";
import type { IonStruct, IonTimestamp, IonValue } from "../ion/value.ts";
import { handOutCopy, toJS } from "../ion/js.ts";
import { autoPointQuery, isQuery } from "../query/executor.ts";
import { toIon } from "../query/convert.ts";
import type { EvalMode } from "../partiql/eval/index.ts";

export interface LedgerOptions {
  /** File access (tests inject faults); defaults to the real disk. */
  readonly fs?: FileLayer;
  /** Millisecond clock for txTime; defaults to Date.now. */
  readonly clock?: Clock;
  /** Journal segment size in bytes (see limits.segmentBytes). */
  readonly segmentBytes?: number;
  /** Default retries of `transaction()` on OCC_CONFLICT (default 4). */
  readonly retries?: number;
  /**
   * PartiQL typing mode: "strict" (the default) raises TYPE_ERROR for a type error such as
   * `1 + 'a'`; "permissive" makes such an expression MISSING instead.
   */
  readonly typingMode?: EvalMode;
}

export interface TransactionOptions {
  /** Retries on OCC_CONFLICT before the conflict is rethrown (default: the ledger's, 4). */
  readonly retries?: number;
}

/** What `ledger.verify()` checked, and the first thing that did not hold. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly blocks: number;
  readonly revisions: number;
  readonly documents: number;
  /** The digest recomputed from every block hash (undefined for an empty ledger). */
  readonly digest?: Digest;
  readonly problem?: { readonly sequenceNo: number; readonly message: string };
}

/** What open found in the journal. */
export interface OpenInfo {
  readonly blocks: number;
  /**
   * The last frame of the journal failed its checks and was zeroed. `torn: true`: it looks like a
   * write a crash cut short, whose transaction was never acknowledged. `torn: false`: it was
   * damaged after it was written (every sector of it landed, or the file was cut inside it), so an
   * acknowledged transaction may be gone: treat it as an alarm. Its bytes were saved first to `savedAs`, a file beside the
   * segment in the ledger directory. Damage anywhere before the last frame fails the open with
   * JOURNAL_CORRUPT.
   */
  readonly truncatedTail?: {
    readonly file: string;
    readonly offset: number;
    readonly bytes: number;
    readonly torn: boolean;
    readonly savedAs?: string;
  };
}

const DEFAULT_RETRIES = 4;

/** A ledger's store: for the engine's tests (fault injection, direct planner calls), not an API. */
export let storeOf: (ledger: Ledger) => Store;

export class Ledger {
  static {
    storeOf = (ledger) => ledger.#store;
  }

  readonly #active = new Set<Transaction>();
  #closed = false;
  #closing: Promise<void> | undefined;

  readonly #journal: Journal;
  readonly #lock: { release(): void };
  readonly #store: Store;
  readonly #tree: DigestTree;
  readonly #committer: Committer;
  readonly #retries: number;
  readonly #typingMode: EvalMode;

  private constructor(
    readonly dir: string,
    journal: Journal,
    lock: { release(): void },
    store: Store,
    tree: DigestTree,
    committer: Committer,
    retries: number,
    typingMode: EvalMode,
    /** What open found: block count and any torn tail it truncated. */
    readonly openInfo: OpenInfo,
  ) {
    this.#journal = journal;
    this.#lock = lock;
    this.#store = store;
    this.#tree = tree;
    this.#committer = committer;
    this.#retries = retries;
    this.#typingMode = typingMode;
    this.#host = {
      store,
      nowMillis: () => committer.nextMillis(),
      commit: (t) => committer.commit(t),
      finished: (t) => this.#active.delete(t as Transaction),
    };
    // An auto-commit read's transaction: nothing to record, nothing it may commit.
    this.#readHost = {
      ...this.#host,
      commit: () => Promise.reject(new LedgerError("INVALID_ARGUMENT", "an auto-commit read cannot write")),
      untracked: true,
    };
    this.#commitClock = () => committer.now();
  }

  /** What every transaction of this ledger shares (one object, not closures per transaction). */
  readonly #host: TransactionHost;
  readonly #readHost: TransactionHost;
  readonly #commitClock: () => IonTimestamp;

  /** Opens (creating if needed) the ledger in `dir`. Fails with LEDGER_LOCKED if it is open elsewhere. */
  static async open(dir: string, options: LedgerOptions = {}): Promise<Ledger> {
    if (typeof dir !== "string" || dir.length === 0) throw new LedgerError("INVALID_ARGUMENT", "Ledger.open needs a directory path");
    // A lone surrogate has no UTF-8 form: the runtime writes U+FFFD in its place, so "s\uD800" and
    // "s\uDBFF" opened one and the same directory. A NUL cannot be in a path at all.
    if (!(dir as string & { isWellFormed(): boolean }).isWellFormed() || dir.includes("\0")) {
      throw new LedgerError("INVALID_ARGUMENT", "Ledger.open: the directory path holds a lone surrogate or a NUL, which no file name can");
    }
    options = readOptions(options, ["fs", "clock", "segmentBytes", "retries", "typingMode"], "Ledger.open");
    checkOptions(options, "Ledger.open");
    if (options.fs !== undefined && (options.fs === null || typeof options.fs !== "object")) {
      throw new LedgerError("INVALID_ARGUMENT", "Ledger.open: fs must be a FileLayer object");
    }
    if (options.clock !== undefined && typeof options.clock !== "function") {
      throw new LedgerError("INVALID_ARGUMENT", "Ledger.open: clock must be a function returning epoch milliseconds");
    }
    const typingMode = options.typingMode ?? "strict";
    if (typingMode !== "strict" && typingMode !== "permissive") {
      throw new LedgerError("INVALID_ARGUMENT", `typingMode is "strict" or "permissive", not ${JSON.stringify(typingMode)}`);
    }
    // Before the lock, which creates the directory: refused options leave no trace on disk.
    Journal.checkOptions({ segmentBytes: options.segmentBytes });
    const lock = acquireLock(dir, options.fs);
    try {
      // Repairs (a torn tail, the manifest, a half-created segment) wait for the replay: an open
      // that fails on the hash chain leaves every file as it found it.
      const { journal, records, report } = Journal.open(dir, { fs: options.fs, segmentBytes: options.segmentBytes, deferRepairs: true });
      const tree = new DigestTree();
      const store = new Store((sequenceNo, at) => readBlock(journal, tree, sequenceNo, at));
      try {
        replay(records, journal.strandId, store, tree);
      } catch (e) {
        journal.close();
        throw e;
      }
      journal.completeOpen();
      const holder: { ledger?: Ledger } = {};
      const committer = new Committer(
        store,
        tree,
        journal,
        options.clock ?? systemClock,
        () => holder.ledger!.#active.size,
        () => holder.ledger!.#oldestSnapshot(),
      );
      const ledger = new Ledger(dir, journal, lock, store, tree, committer, options.retries ?? DEFAULT_RETRIES, typingMode, {
        blocks: store.blocks.size,
        truncatedTail: report.truncatedTail,
      });
      holder.ledger = ledger;
      return ledger;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** The journal's strand id (every block address carries it). */
  get strandId(): string {
    return this.#journal.strandId;
  }

  /** Starts a transaction at the current snapshot. Commit with `tx.commit()`, or `tx.abort()`. */
  begin(): Transaction {
    this.#checkOpen();
    const tx: Transaction = new Transaction(this.#host, this.#typingMode, this.#commitClock);
    this.#active.add(tx);
    return tx;
  }


  /**
   * Runs `fn` in a transaction and commits it. On OCC_CONFLICT the whole function runs again on a
   * fresh snapshot, after a jittered backoff, up to `retries` times; any other error aborts and is
   * rethrown at once. So `fn` may run more than once: keep side effects outside it. That
   * includes work on the ledger itself: `ledger.execute` or another `ledger.transaction` called
   * inside `fn` is a transaction of its own, which commits (once per run of `fn`) whether or not
   * this one does; use `tx` for everything that belongs to this transaction.
   *
   * @example
   * ```ts
   * // A read-modify-write: if another transaction changes the car after the read, this one
   * // conflicts at commit and runs again on the newer snapshot.
   * await ledger.transaction(async (tx) => {
   *   const [car] = await tx.execute("SELECT * FROM cars WHERE VIN = ?", "123456789");
   *   await tx.execute("UPDATE cars SET Mileage = ? WHERE VIN = ?", car.Mileage + 120, "123456789");
   * }, { retries: 8 });
   * ```
   */
  async transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options: TransactionOptions = {}): Promise<T> {
    if (typeof fn !== "function") throw new LedgerError("INVALID_ARGUMENT", "transaction() needs a function to run in the transaction");
    options = readOptions(options, ["retries"], "transaction()");
    checkOptions(options, "transaction()");
    const retries = options.retries ?? this.#retries;
    for (let attempt = 0;; attempt++) {
      const tx = this.begin();
      tx.markManaged();
      try {
        const result = await fn(tx);
        if (tx.isActive) await tx.commit();
        // A commit the callback started without awaiting it: its outcome is the transaction's.
        else if (tx.commitInFlight !== undefined) await tx.commitInFlight;
        else if (tx.abortedByClose) {
          // Returning `result` would claim a commit that never happened.
          throw new LedgerError("LEDGER_CLOSED", "the ledger was closed before the transaction committed");
        }
        return result;
      } catch (e) {
        // A commit the callback started before it failed may have gone through: running the
        // callback again would then make its writes twice. Only its own conflict is retried.
        const started = tx.commitInFlight;
        if (started !== undefined) {
          const committed = await started.then(() => true, () => false);
          if (committed) throw e;
        }
        tx.abort();
        if (!isLedgerError(e, "OCC_CONFLICT") || attempt >= retries) throw e instanceof TypeError ? uncallable(fn, e) : e;
        await backoff(attempt);
      }
    }
  }

  /**
   * Runs one PartiQL statement in a transaction of its own (retried on OCC_CONFLICT like
   * `transaction()`), and returns its rows as JavaScript values (see `Transaction.execute`;
   * `executeIon` returns exact Ion values).
   *
   * @example
   * ```ts
   * await ledger.execute("CREATE TABLE cars");
   * await ledger.execute("INSERT INTO cars ?", { VIN: "123456789", Owner: "Maria Garcia" });
   * const rows = await ledger.execute("SELECT * FROM cars WHERE VIN = ?", "123456789");
   * rows[0].Owner; // "Maria Garcia"
   * ```
   */
  async execute<Row = any>(statement: string, ...params: unknown[]): Promise<Row[]> {
    const rows = this.#autoPoint(statement, params);
    if (rows !== undefined) return rows.map((v) => toJS(v) as Row);
    const run = async (tx: Transaction) => (await executeShared(tx, statement, params)).map((v) => toJS(v) as Row);
    if (this.#readsOnly(statement)) return this.#autoRead(run);
    return this.transaction(run);
  }

  /** Like `execute`, but returns the rows as exact Ion values. */
  async executeIon(statement: string, ...params: unknown[]): Promise<IonValue[]> {
    return this.executeIonWith(statement, params);
  }

  /**
   * `executeIon` with the parameters as one array, for statements with very many of them:
   * spreading tens of thousands of arguments overflows the call stack (Deno's V8 refuses about
   * 125,000), before the engine could say anything.
   *
   * @example
   * ```ts
   * const rows = await ledger.executeIonWith(`SELECT * FROM cars WHERE VIN IN (${vins.map(() => "?").join(", ")})`, vins);
   * ```
   */
  async executeIonWith(statement: string, params: readonly unknown[]): Promise<IonValue[]> {
    if (!Array.isArray(params)) throw new LedgerError("INVALID_ARGUMENT", "executeIonWith() takes the parameters as an array");
    const rows = this.#autoPoint(statement, params);
    // Rows are copies (their values are the store's own; see ion/copy.ts), registered as the
    // engine's values, so passing one back (`tx.insert(t, row)`) keeps it exact instead of
    // storing its {kind, fields} shape as a document.
    if (rows !== undefined) return rows.map((v) => handOutCopy(toIon(v)!));
    const run = async (tx: Transaction) => (await executeShared(tx, statement, params)).map(handOutCopy);
    if (this.#readsOnly(statement)) return this.#autoRead(run);
    return this.transaction(run);
  }

  /**
   * An auto-commit point query answered from the store without a transaction (see
   * autoPointQuery), or undefined for the transactional path. query.point, full config: from
   * ~93k queries/s (ratio 0.31) through `transaction()` to ~283k–306k (ratio 0.93–1.02).
   */
  #autoPoint(statement: string, params: readonly unknown[]): IonStruct[] | undefined {
    this.#checkOpen();
    return autoPointQuery(this.#store, statement, params);
  }

  /** Whether an auto-commit statement only reads (errors are left to the transactional path to throw). */
  #readsOnly(statement: string): boolean {
    try {
      return isQuery(statement);
    } catch {
      return false;
    }
  }

  /**
   * Runs an auto-commit query in an untracked transaction: it cannot conflict (it writes
   * nothing), so there is no OCC read set to keep, no statement to record and nothing to commit.
   */
  async #autoRead<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const tx: Transaction = new Transaction(this.#readHost, this.#typingMode, this.#commitClock);
    this.#active.add(tx);
    try {
      return await fn(tx);
    } finally {
      tx.abort();
    }
  }

  /** The current digest: the root over every block hash, and the tip's address. */
  async getDigest(): Promise<Digest> {
    this.#checkOpen();
    const tip = this.#store.tip;
    if (tip < 0) throw new LedgerError("INVALID_ARGUMENT", "the ledger has no blocks yet, so it has no digest");
    // A copy: the root of a power-of-two tree is a node of the digest tree itself.
    return { digest: this.#tree.root(tip + 1).slice(), digestTipAddress: { strandId: this.strandId, sequenceNo: tip } };
  }

  /** A block and its proof against the digest at `digestTipAddress` (default: the current tip). */
  async getBlock(args: { blockAddress: BlockAddress; digestTipAddress?: BlockAddress }): Promise<{ block: Block; proof: Uint8Array[] }> {
    this.#checkOpen();
    const a = evidenceArgs(args, "getBlock");
    const sequenceNo = this.#sequenceNoOf(a.blockAddress, "blockAddress");
    const tip = this.#tipOf(a.digestTipAddress, sequenceNo);
    // Read back from the journal (but the newest) and checked against the digest tree.
    const block = this.#store.blocks.block(sequenceNo);
    // Copies: the block and the proof's hashes are the ledger's own (ledger/copy.ts).
    return { block: copyBlock(block), proof: copyProof(blockProof(this.#tree, sequenceNo, tip)) };
  }

  /** A document's revision in a block, and its proof against the digest at `digestTipAddress`. */
  async getRevision(
    args: { blockAddress: BlockAddress; documentId: string; digestTipAddress?: BlockAddress },
  ): Promise<{ revision: Revision; proof: Uint8Array[] }> {
    this.#checkOpen();
    const a = evidenceArgs(args, "getRevision");
    const sequenceNo = this.#sequenceNoOf(a.blockAddress, "blockAddress");
    const documentId = a.documentId;
    if (typeof documentId !== "string") throw new LedgerError("INVALID_ARGUMENT", "documentId must be a document id string");
    // The store's revision is the block's own (Store.apply), and the directory keeps the hashes
    // of its block that the proof needs: no read of the block.
    const revision = revisionIn(this.#store.docs.get(documentId)?.revisions, sequenceNo);
    if (revision === undefined) {
      throw new LedgerError("DOCUMENT_NOT_FOUND", `block ${sequenceNo} has no revision of document ${documentId}`, {
        documentId,
      });
    }
    const tip = this.#tipOf(a.digestTipAddress, sequenceNo);
    const blocks = this.#store.blocks;
    const proof = revisionProofOf({
      sequenceNo,
      revisionHashes: blocks.revisionHashesOf(sequenceNo),
      entriesHashList: blocks.entriesHashListOf(sequenceNo),
      previousBlockHash: sequenceNo === 0 ? new Uint8Array(0) : this.#tree.leaf(sequenceNo - 1),
    }, revision.index, this.#tree, tip);
    return { revision: copyRevision(revision), proof: copyProof(proof) };
  }

  /**
   * Re-hashes the whole journal: every revision, entries and block hash, the chain of previous
   * hashes, sequence numbers, per-document versions, commit-time order and the digest tree.
   * Reports what it checked and the first thing that does not hold.
   */
  async verify(): Promise<VerifyReport> {
    this.#checkOpen();
    // Read the journal back from disk, so damage done to the files since open is found too.
    let blocks: Block[];
    try {
      // As decoded: verify hashes the structs read, not ones rebuilt from their source.
      blocks = this.#journal.readAll().map((r) => decodeRecord(r, undefined, true));
    } catch (e) {
      if (!isLedgerError(e, "JOURNAL_CORRUPT")) throw e;
      return { ok: false, blocks: 0, revisions: 0, documents: 0, problem: { sequenceNo: -1, message: e.message } };
    }
    const report = verifyBlocks(blocks, this.strandId);
    if (!report.ok) return report;
    const tip = this.#store.tip;
    if (blocks.length !== tip + 1) {
      return { ...report, ok: false, problem: { sequenceNo: blocks.length, message: `the journal holds ${blocks.length} blocks; ${tip + 1} were committed` } };
    }
    if (tip >= 0 && !hashEquals(report.digest!.digest, this.#tree.root(tip + 1))) {
      return { ...report, ok: false, problem: { sequenceNo: tip, message: "the journal's digest differs from the digest the ledger has published" } };
    }
    return report;
  }

  /**
   * Waits for commits in flight, then releases the journal and the lock. Idempotent: every call
   * returns the first call's promise, so awaiting any of them means the directory is free.
   */
  close(): Promise<void> {
    return this.#closing ??= this.#closeOnce();
  }

  async #closeOnce(): Promise<void> {
    this.#closed = true;
    await this.#committer.drain();
    for (const tx of [...this.#active]) tx.abortForClose();
    this.#journal.close();
    this.#lock.release();
  }

  #oldestSnapshot(): number {
    let oldest = Infinity;
    for (const tx of this.#active) oldest = Math.min(oldest, snapshotOf(tx));
    return oldest;
  }

  #checkOpen(): void {
    if (this.#closed) throw new LedgerError("LEDGER_CLOSED", "the ledger is closed");
    // Memory no longer follows the journal (a block half published): nothing read is trustworthy.
    const failed = this.#committer.failed;
    if (failed !== undefined) throw failed;
  }

  /** The sequence number of a published block's address; INVALID_ARGUMENT for anything else. */
  #sequenceNoOf(address: BlockAddress | undefined, what: string): number {
    if (
      address === null || typeof address !== "object" || typeof address.strandId !== "string" ||
      !Number.isSafeInteger(address.sequenceNo)
    ) {
      throw new LedgerError("INVALID_ARGUMENT", `${what} must be {strandId, sequenceNo}`);
    }
    if (address.strandId !== this.strandId) {
      throw new LedgerError("INVALID_ARGUMENT", `${what} names strand ${address.strandId}; this ledger's is ${this.strandId}`);
    }
    const sequenceNo = address.sequenceNo;
    if (sequenceNo < 0 || sequenceNo > this.#store.tip) throw new LedgerError("INVALID_ARGUMENT", `${what}: no block ${sequenceNo}`);
    return sequenceNo;
  }

  #tipOf(digestTipAddress: BlockAddress | undefined, atLeast: number): number {
    if (digestTipAddress === undefined) return this.#store.tip;
    const tip = this.#sequenceNoOf(digestTipAddress, "digestTipAddress");
    if (tip < atLeast) {
      throw new LedgerError("INVALID_ARGUMENT", `digestTipAddress ${tip} precedes block ${atLeast}: a digest covers only earlier blocks`);
    }
    return tip;
  }
}

/** Rebuilds state from the journal's records, checking the chain as it goes. */
function replay(records: readonly JournalRecord[], strandId: string, store: Store, tree: DigestTree): void {
  let previous: Block | undefined;
  const rules = new TableRules((id) => store.docs.get(id)?.tableId);
  for (const rec of records) {
    let block: Block;
    try {
      block = decodeRecord(rec, previous);
      const expected = previous === undefined ? 0 : previous.blockAddress.sequenceNo + 1;
      if (block.blockAddress.sequenceNo !== expected) throw new Error(`block ${block.blockAddress.sequenceNo} where ${expected} was due`);
      if (block.blockAddress.strandId !== strandId) throw new Error(`block of strand ${block.blockAddress.strandId}`);
      if (!hashEquals(block.previousBlockHash, previous?.blockHash ?? new Uint8Array(0))) {
        throw new Error(`block ${expected}'s previousBlockHash is not block ${expected - 1}'s hash`);
      }
      // The directory and the digest tree hold hashes as 32-byte slots (hash-column.ts).
      const shape = hashShapeProblem(block);
      if (shape !== undefined) throw new Error(shape);
      const tables = documentTables(block);
      const broken = rules.check(block, tables);
      if (broken !== undefined) throw new Error(broken);
      store.apply(block, { segment: rec.segmentNo, offset: rec.offset, length: rec.bytes.length }, tables);
      tree.append(block.blockHash);
    } catch (e) {
      throw corruptRecord(rec, e);
    }
    previous = block;
    // No transaction runs yet: every replaced revision can be packed, and is, in batches, so a
    // long history never stands in memory as structs.
    if (store.supersededCount >= REPLAY_PACK_BATCH) store.packSuperseded(Infinity);
  }
  store.packSuperseded(Infinity);
}

/** Replaced revisions replay leaves as structs before packing them (see replay). */
const REPLAY_PACK_BATCH = 4096;

/**
 * Published block `sequenceNo`, read back from the journal `at` (BlockDirectory). It must be the
 * block that was published: its address, its hash the digest tree's leaf, every hash inside it
 * matching what it holds, and its unhashed fields matching its revisions' metadata (what
 * verifyBlock would check). Otherwise the file changed since: JOURNAL_CORRUPT, as verify() says.
 */
function readBlock(journal: Journal, tree: DigestTree, sequenceNo: number, at: BlockLocation): Block {
  const rec: JournalRecord = {
    bytes: journal.readRecord(at.segment, at.offset, at.length),
    segment: segmentFileName(at.segment),
    segmentNo: at.segment,
    offset: at.offset,
    frame: -1,
  };
  const block = decodeRecord(rec);
  const a = block.blockAddress;
  const problem = a.strandId !== journal.strandId || a.sequenceNo !== sequenceNo
    ? `it holds block ${a.sequenceNo} of strand ${a.strandId}`
    : !hashEquals(block.blockHash, tree.leaf(sequenceNo))
    ? "its blockHash is not the one published"
    // The unhashed fields too (transactionId, blockTimestamp): pinned to the hashed metadata.
    : checkBlockHashes(block) ?? checkBlockFields(block);
  if (problem !== undefined) {
    throw new LedgerError("JOURNAL_CORRUPT", `journal record at ${rec.segment}:${rec.offset} is no longer block ${sequenceNo} as committed: ${problem}`, {
      file: rec.segment,
      offset: rec.offset,
    });
  }
  return block;
}

/** The revision of `revisions` (a document's, in block order) in block `sequenceNo`. */
function revisionIn(revisions: readonly StoredRevision[] | undefined, sequenceNo: number): StoredRevision | undefined {
  if (revisions === undefined) return undefined;
  let lo = 0;
  let hi = revisions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = revisions[mid].sequenceNo;
    if (at === sequenceNo) return revisions[mid];
    if (at < sequenceNo) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function corruptRecord(rec: JournalRecord, e: unknown): LedgerError {
  // One raised below without a place (a catalog document that is no table definition) gets it here.
  if (isLedgerError(e, "JOURNAL_CORRUPT") && e.details.file !== undefined) return e;
  return new LedgerError("JOURNAL_CORRUPT", `journal record at ${rec.segment}:${rec.offset} is not a valid block: ${(e as Error).message}`, {
    file: rec.segment,
    offset: rec.offset,
  }, e);
}

/** A journal record's block. */
function decodeRecord(rec: JournalRecord, previous?: Block, asDecoded = false): Block {
  // The layout Quire writes, read in place; anything else (and every error) by the generic path.
  if (!asDecoded) {
    const block = decodeBlockRecord(rec.bytes, previous);
    if (block !== undefined) return block;
  }
  try {
    const values = decodeBinary(rec.bytes, BLOCK_SYMBOL_CATALOG);
    if (values.length !== 1) throw new Error(`a record holds ${values.length} values`);
    return blockFromIon(values[0], previous, asDecoded);
  } catch (e) {
    throw corruptRecord(rec, e);
  }
}

/** The checks behind `ledger.verify()`, over blocks in journal order. */
export function verifyBlocks(blocks: readonly Block[], strandId: string): VerifyReport {
  const tree = new DigestTree();
  const versions = new Map<string, { version: number; deleted: boolean }>();
  const rules = new TableRules();
  let revisions = 0;
  let lastMillis = -Infinity;
  const fail = (sequenceNo: number, message: string): VerifyReport => ({
    ok: false,
    blocks: sequenceNo,
    revisions,
    documents: versions.size,
    problem: { sequenceNo, message },
  });
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.blockAddress.strandId !== strandId || b.blockAddress.sequenceNo !== i) return fail(i, "block address out of sequence");
    const prev = i === 0 ? new Uint8Array(0) : blocks[i - 1].blockHash;
    if (!hashEquals(b.previousBlockHash, prev)) return fail(i, "previousBlockHash is not the previous block's hash");
    const problem = checkBlockHashes(b) ?? checkBlockFields(b);
    if (problem !== undefined) return fail(i, problem);
    let broken: string | undefined;
    try {
      broken = rules.check(b, documentTables(b));
    } catch (e) {
      broken = `transactionInfo.documents is malformed: ${describeThrown(e)}`;
    }
    if (broken !== undefined) return fail(i, broken);
    const ms = epochMillisOf(b.blockTimestamp);
    if (ms < lastMillis) return fail(i, "blockTimestamp is earlier than the previous block's");
    lastMillis = ms;
    for (const r of b.revisions) {
      revisions++;
      const seen = versions.get(r.metadata.id);
      const expected = seen === undefined ? 0 : seen.version + 1;
      if (seen?.deleted) return fail(i, `document ${r.metadata.id} has a revision after its delete`);
      if (r.metadata.version !== expected) return fail(i, `document ${r.metadata.id} has version ${r.metadata.version}, expected ${expected}`);
      if (r.metadata.txId !== b.transactionId) return fail(i, `revision ${r.metadata.id} names another transaction`);
      versions.set(r.metadata.id, { version: expected, deleted: r.data === undefined });
    }
    tree.append(b.blockHash);
  }
  return {
    ok: true,
    blocks: blocks.length,
    revisions,
    documents: versions.size,
    digest: blocks.length === 0 ? undefined : {
      digest: ownDigest(tree.root()),
      digestTipAddress: { strandId, sequenceNo: blocks.length - 1 },
    },
  };
}

/**
 * getBlock's and getRevision's arguments, read once into plain values: a getter or Proxy trap of
 * the caller's that throws is INVALID_ARGUMENT, not the caller's own exception passed through.
 */
function evidenceArgs(
  args: unknown,
  where: string,
): { blockAddress: BlockAddress | undefined; documentId: unknown; digestTipAddress: BlockAddress | undefined } {
  const address = (v: unknown): BlockAddress | undefined => {
    if (v === undefined || v === null || typeof v !== "object") return v as undefined;
    const a = v as BlockAddress;
    return { strandId: a.strandId, sequenceNo: a.sequenceNo };
  };
  return readingArgument(`${where}: its arguments`, () => {
    if (args === null || typeof args !== "object") throw new LedgerError("INVALID_ARGUMENT", `${where} takes {blockAddress, …}`);
    const o = args as { blockAddress?: unknown; documentId?: unknown; digestTipAddress?: unknown };
    return { blockAddress: address(o.blockAddress), documentId: o.documentId, digestTipAddress: address(o.digestTipAddress) };
  });
}

/** The options object shared by Ledger.open and transaction(): an object, with `retries` a count. */
/**
 * The known fields of an options argument, each read once into a plain object, so a getter or
 * Proxy trap runs once and one that throws is INVALID_ARGUMENT rather than escaping as is.
 */
function readOptions<T extends object>(options: T, keys: readonly (keyof T & string)[], where: string): T {
  if (options === null || typeof options !== "object") {
    throw new LedgerError("INVALID_ARGUMENT", `${where}: options must be an object`);
  }
  // An option the ledger does not know is refused, not ignored: `{ typingmode: "permissive" }`
  // opened a strict ledger without a word. One set to undefined stands for no option at all.
  let own: string[];
  try {
    own = Object.keys(options);
  } catch (e) {
    throw new LedgerError("INVALID_ARGUMENT", `${where}: options could not be read`, {}, e);
  }
  for (const k of own) {
    if ((keys as readonly string[]).includes(k)) continue;
    let v: unknown;
    try {
      v = (options as Record<string, unknown>)[k];
    } catch (e) {
      throw new LedgerError("INVALID_ARGUMENT", `${where}: option ${k} could not be read`, { option: k }, e);
    }
    if (v === undefined) continue;
    throw new LedgerError("INVALID_ARGUMENT", `${where}: unknown option ${JSON.stringify(k)}; the options are ${keys.join(", ")}`, {
      option: k,
    });
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    let v: unknown;
    try {
      v = (options as Record<string, unknown>)[k];
    } catch (e) {
      throw new LedgerError("INVALID_ARGUMENT", `${where}: option ${k} could not be read`, { option: k }, e);
    }
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

function checkOptions(options: unknown, where: string): void {
  if (options === null || typeof options !== "object") {
    throw new LedgerError("INVALID_ARGUMENT", `${where}: options must be an object`);
  }
  const retries = (options as { retries?: unknown }).retries;
  if (retries === undefined) return;
  if (typeof retries !== "number" || !Number.isSafeInteger(retries) || retries < 0) {
    const shown = typeof retries === "number" ? String(retries) : typeof retries;
    throw new LedgerError("INVALID_ARGUMENT", `${where}: retries must be a whole number >= 0, not ${shown}`, {
      retries: shown,
    });
  }
  if (retries > limits.maxRetries) {
    throw new LedgerError("LIMIT_EXCEEDED", `${where}: retries ${retries} exceeds limits.maxRetries (${limits.maxRetries})`, {
      limit: "maxRetries",
      value: retries,
    });
  }
}

/**
 * `e` as INVALID_ARGUMENT when it came from calling `fn` at all: a class (which throws "cannot
 * be invoked without new") or a revoked Proxy passes the typeof check. Any other error, the
 * callback's own TypeErrors included, is the application's and goes back unchanged. Only looked
 * at once a transaction has failed, so the check costs a commit nothing.
 */
function uncallable(fn: Function, e: TypeError): Error {
  let why: string | undefined;
  try {
    Reflect.getPrototypeOf(fn);
    if (/^class\b/.test(Function.prototype.toString.call(fn))) why = "a class, which cannot be called without new";
  } catch {
    why = "a revoked Proxy";
  }
  return why === undefined ? e : new LedgerError("INVALID_ARGUMENT", `transaction() needs a function to run in the transaction, not ${why}`, {}, e);
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
