/**
 * What one evaluation carries besides variables: the mode, positional parameters, the clock,
 * the transaction id, the global bindings, the current nesting depth and per-statement caches.
 */
import type { IonTimestamp } from "../../ion/value.ts";
import type { PValue } from "../value.ts";

export type EvalMode = "strict" | "permissive";

/** Tables and global bindings; a table is a bag. */
export interface Globals {
  get(name: string, caseSensitive: boolean): PValue | undefined;
  /**
   * What a bare FROM source names, looked up before local variables (PartiQL's rule for FROM):
   * the global itself. Defaults to `get`; an UPDATE's per-row scope, whose `get` also answers its
   * row variable, leaves that out here, so `FROM t` inside it is still table t.
   */
  source?(name: string, caseSensitive: boolean): PValue | undefined;
}

export interface EvalOptions {
  mode: EvalMode;
  params?: readonly PValue[];
  /** The clock UTCNOW() reads; defaults to the system clock. */
  now?: () => IonTimestamp;
  /** What TXID() returns. */
  txid?: string;
  /**
   * When true, `.name` on a struct without that field is MISSING even in strict mode. The ledger
   * sets it: documents of one table need not share fields, and QLDB's `WHERE d.Color = 'red'`
   * skips documents without a Color rather than failing. The conformance suite's strict mode
   * (EvalModeError) leaves it false.
   */
  absentFieldIsMissing?: boolean;
  /**
   * When true, the expression is evaluated for one row whose fields the globals expose (an
   * UPDATE or DELETE evaluating its WHERE per document): it starts inside that row's
   * FROM scope, so a name that is neither a variable nor a field of this document is an absent
   * field, as it is in `SELECT … FROM t WHERE x = 1`, not an undefined variable.
   */
  insideRow?: boolean;
  /** Wall time the evaluation may take, in ms; defaults to limits.maxStatementMillis. */
  maxMillis?: number;
  /**
   * When the time is up, as a performance.now() time: given by the ledger's executor, so that
   * every evaluation of one statement shares one deadline (overrides maxMillis).
   */
  deadline?: number;
}

export interface Ctx {
  readonly permissive: boolean;
  readonly globals: Globals;
  readonly params: readonly PValue[];
  readonly now: () => IonTimestamp;
  readonly txid: string | undefined;
  /** See EvalOptions.absentFieldIsMissing. */
  readonly absentFieldIsMissing: boolean;
  /** Current expression nesting depth (see limits.maxExpressionDepth). */
  depth: number;
  /** Compiled LIKE patterns, keyed by pattern + "\u0000" + escape. */
  readonly likeCache: Map<string, unknown>;
}
