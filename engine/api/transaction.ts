/**
 * The transaction applications use: the programmatic operations of the core transaction plus
 * PartiQL's `execute`.
 *
 * @example
 * ```ts
 * await ledger.transaction(async (tx) => {
 *   const [car] = await tx.execute("SELECT * FROM cars WHERE VIN = ?", "123456789");
 *   await tx.execute("UPDATE cars SET Owner = ? WHERE VIN = ?", "Richard Roe", "123456789");
 * });
 * ```
 */
import type { IonTimestamp, IonValue } from "../ion/value.ts";
import { handOutCopy, toJS } from "../ion/js.ts";
import type { EvalMode } from "../partiql/eval/index.ts";
import { execute } from "../query/executor.ts";
import { LedgerError } from "../errors.ts";
import { Transaction as CoreTransaction, type TransactionHost } from "../txn/transaction.ts";

/**
 * A statement's rows as the store's own values, for the engine's callers that convert or copy
 * them anyway (Ledger.execute, execute, executeIon): not a method, since an application that
 * changed such a row would change committed data in memory.
 */
export let executeShared: (tx: Transaction, statement: string, params: readonly unknown[]) => Promise<IonValue[]>;

export class Transaction extends CoreTransaction {
  static {
    executeShared = (tx, statement, params) => execute(tx, statement, params, { mode: tx.#mode, now: tx.#clock });
  }

  readonly #mode: EvalMode;
  readonly #clock: () => IonTimestamp;

  constructor(host: TransactionHost, mode: EvalMode, clock: () => IonTimestamp) {
    super(host);
    this.#mode = mode;
    this.#clock = clock;
    // No own property can be added: the engine calls this object's methods and getters (commit,
    // id, insert from the executor, …), all on the prototype, and an application that shadowed
    // one could make the executor hand it the store's values, or give a block another id. Not
    // Object.freeze: under Bun that cost 64 writers a quarter of their commits/s (A/B in one
    // process, 9 reps: x0.77); preventExtensions measured x1.07, i.e. within the noise.
    Object.preventExtensions(this);
  }

  /**
   * Runs one PartiQL statement in this transaction and returns its rows as JavaScript values
   * (`toJS`: structs become plain objects, decimals ion-js `Decimal`s, timestamps ion-js
   * `Timestamp`s, ints beyond 2^53 `bigint`s). `?` parameters take JavaScript values (converted as
   * by `fromJS`) or documents read from the ledger. Writes return `{documentId}` per document,
   * DDL `{tableId}`. Use `executeIon` for the exact Ion values (symbols, annotations, sexps).
   */
  async execute<Row = any>(statement: string, ...params: unknown[]): Promise<Row[]> {
    return (await executeShared(this, statement, params)).map((v) => toJS(v) as Row);
  }

  /** Like `execute`, but returns the rows as exact Ion values. */
  async executeIon(statement: string, ...params: unknown[]): Promise<IonValue[]> {
    return this.executeIonWith(statement, params);
  }

  /** `executeIon` with the parameters as one array (see `Ledger.executeIonWith`). */
  async executeIonWith(statement: string, params: readonly unknown[]): Promise<IonValue[]> {
    if (!Array.isArray(params)) throw new LedgerError("INVALID_ARGUMENT", "executeIonWith() takes the parameters as an array");
    // Copies, since a row's values are the store's own (see ion/copy.ts), registered as the
    // engine's values: passing a row back (`tx.insert(t, row)`) keeps it exact.
    return (await executeShared(this, statement, params)).map(handOutCopy);
  }

  /**
   * `executeIon` with the parameters as an array (kept under this name for callers of the
   * earlier API): copies, like executeIonWith.
   */
  async executeWith(statement: string, params: readonly unknown[]): Promise<IonValue[]> {
    return this.executeIonWith(statement, params);
  }
}
