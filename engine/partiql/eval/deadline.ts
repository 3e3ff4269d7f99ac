/**
 * The time limit of the statement being evaluated (limits.maxStatementMillis).
 *
 * Evaluation is synchronous, so the deadline of the evaluation in progress is module state, set
 * by `evaluate` for its duration (restored after, so a nested evaluation cannot extend it).
 * Everything that can take long counts its work here: expressions (evalExpr), the nodes that
 * comparisons, group keys and hashes of values walk (compare.ts), and LIKE's matching steps; the
 * clock is read once per CHECK_EVERY units of work. Outside an evaluation there is no deadline.
 * The ledger's executor gives every evaluation of one statement (an UPDATE evaluates its WHERE
 * once per document) the same deadline.
 */
import { LedgerError } from "../../errors.ts";

/** Units of work between two readings of the clock: about a millisecond of the cheapest work. */
const CHECK_EVERY = 4096;

let deadline = Infinity;
let maxMillis = 0;
let work = 0;

/** Runs `fn` (synchronously) with `at` (a performance.now() time) as its deadline. */
export function withDeadline<T>(at: number, millis: number, fn: () => T): T {
  const saved = deadline, savedMillis = maxMillis;
  // A nested evaluation keeps the earlier of the two deadlines.
  deadline = Math.min(at, saved);
  maxMillis = deadline === saved ? savedMillis : millis;
  try {
    return fn();
  } finally {
    deadline = saved;
    maxMillis = savedMillis;
  }
}

/** Counts `units` of work; past the deadline, LIMIT_EXCEEDED. */
export function tick(units: number): void {
  work += units;
  if (work < CHECK_EVERY) return;
  work = 0;
  checkDeadline(deadline, maxMillis);
}

/**
 * LIMIT_EXCEEDED once `at` (a performance.now() time) has passed: for a statement's work outside
 * its evaluations, such as applying an UPDATE's assignments to a document.
 */
export function checkDeadline(at: number, millis: number): void {
  if (performance.now() > at) {
    throw new LedgerError("LIMIT_EXCEEDED", `the statement ran longer than ${millis} ms (limits.maxStatementMillis)`, {
      limit: "maxStatementMillis",
      max: millis,
    });
  }
}
