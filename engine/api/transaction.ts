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

export class Transaction extends CoreTransaction {
  constructor(host: TransactionHost, private readonly mode: EvalMode, private readonly clock: () => IonTimestamp) {
    super(host);
  }

  /**
   * Runs one PartiQL statement in this transaction and returns its rows as JavaScript values
   * (`toJS`: structs become plain objects, decimals ion-js `Decimal`s, timestamps ion-js
   * `Timestamp`s, ints beyond 2^53 `bigint`s). `?` parameters take JavaScript values (converted as
   * by `fromJS`) or documents read from the ledger. Writes return `{documentId}` per document,
   * DDL `{tableId}`. Use `executeIon` for the exact Ion values (symbols, annotations, sexps).
   */
  async execute<Row = any>(statement: string, ...params: unknown[]): Promise<Row[]> {
    return (await this.executeWith(statement, params)).map((v) => toJS(v) as Row);
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
    return (await this.executeWith(statement, params)).map(handOutCopy);
  }

  /**
   * `executeIon` with the parameters as an array: for the engine's own callers, which must not
   * spread them again (tens of thousands of arguments overflow Deno's stack).
   */
  executeWith(statement: string, params: readonly unknown[]): Promise<IonValue[]> {
    return execute(this, statement, params, { mode: this.mode, now: this.clock });
  }
}
