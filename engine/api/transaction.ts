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
import type { EvalMode } from "../partiql/eval/index.ts";
import { execute } from "../query/executor.ts";
import { Transaction as CoreTransaction, type TransactionHost } from "../txn/transaction.ts";

export class Transaction extends CoreTransaction {
  constructor(host: TransactionHost, private readonly mode: EvalMode, private readonly clock: () => IonTimestamp) {
    super(host);
  }

  /**
   * Runs one PartiQL statement in this transaction. `?` parameters take JavaScript values
   * (converted as `fromJS` documents) or Ion values read from the ledger. Returns the result rows
   * as Ion values: a query's rows, `{documentId}` per written document, `{tableId}` for DDL.
   */
  execute(statement: string, ...params: unknown[]): Promise<IonValue[]> {
    return execute(this, statement, params, { mode: this.mode, now: this.clock });
  }
}
