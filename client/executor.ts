/**
 * Where the accessors' statements run: the ledger (each statement its own transaction, or a
 * group in one via `atomically`) or an open transaction (`$transaction`). Every statement goes
 * through `run`, which reports it to the `onStatement` hook first and passes the parameters as
 * exact Ion values.
 *
 * @example
 * ```ts
 * const ex = ledgerExecutor(ledger, (s) => console.log(s.text, s.params));
 * await ex.atomically(async (tx) => { await tx.run({ text: "INSERT INTO cars ?", params: [doc] }); });
 * ```
 */
import { ionLiteral, type IonValue, type Ledger, type Transaction } from "../engine/index.ts";
import type { Statement } from "./partiql.ts";

/** Receives every statement the client runs, before it runs. */
export type StatementHook = (statement: Statement) => void;

export interface Executor {
  /** Runs one statement and returns its rows as Ion values. */
  run(statement: Statement): Promise<IonValue[]>;
  /** Runs `fn` in one transaction (the current one when already inside a transaction). */
  atomically<R>(fn: (ex: Executor) => Promise<R>): Promise<R>;
  /** The ledger underneath (digests and proofs). */
  readonly ledger: Ledger;
}

/**
 * Runs on `target`, asking for exact Ion rows; parameters are Ion values already, passed as one
 * array (a filter's `in` list or history's ids may hold more than a call can spread).
 */
function runIon(target: Ledger | Transaction, statement: Statement): Promise<IonValue[]> {
  return target.executeIonWith(statement.text, statement.params.map((p) => ionLiteral(p)));
}

/** Statements inside one open ledger transaction. */
export function transactionExecutor(ledger: Ledger, tx: Transaction, hook?: StatementHook): Executor {
  const ex: Executor = {
    ledger,
    run(statement) {
      hook?.(statement);
      return runIon(tx, statement);
    },
    atomically: (fn) => fn(ex),
  };
  return ex;
}

/** Statements on the ledger: one transaction each, or one for a group via `atomically` (OCC retried). */
export function ledgerExecutor(ledger: Ledger, hook?: StatementHook, retries?: number): Executor {
  return {
    ledger,
    run(statement) {
      hook?.(statement);
      return runIon(ledger, statement);
    },
    atomically: (fn) => ledger.transaction((tx) => fn(transactionExecutor(ledger, tx, hook)), retries === undefined ? {} : { retries }),
  };
}
