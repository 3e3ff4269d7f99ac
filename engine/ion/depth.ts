/**
 * The one place that decides what "too deep" and "too big to walk" mean for an Ion value, so the
 * hasher, the encoders, the decoders and fromJS all reject the same inputs with the same error.
 *
 * Depth counts containers: a top-level scalar or container is depth 1, its children depth 2.
 * Every walker checks before descending, so recursion is bounded by limits.maxValueDepth and a
 * hostile 100k-deep input fails with LIMIT_EXCEEDED instead of a RangeError from the stack.
 */
import { LedgerError } from "../errors.ts";
import { limits } from "../limits.ts";

/** Largest allowed depth (limits.maxValueDepth), cached as a plain number for hot loops. */
export const MAX_DEPTH: number = limits.maxValueDepth;

/** The LIMIT_EXCEEDED error for a value nested deeper than limits.maxValueDepth. */
export function depthError(path?: string): LedgerError {
  return new LedgerError(
    "LIMIT_EXCEEDED",
    `Ion value nested deeper than ${MAX_DEPTH} levels${path ? ` at ${path}` : ""}`,
    path ? { limit: "maxValueDepth", max: MAX_DEPTH, path } : { limit: "maxValueDepth", max: MAX_DEPTH },
  );
}

/**
 * Levels a block puts above each document: the block struct, its revisions list and the
 * revision struct. A document is written into its block at depth DATA_LEVELS_IN_BLOCK + 1.
 */
export const DATA_LEVELS_IN_BLOCK = 3;

/**
 * Deepest document a transaction may write: the block holding it, and the block's Ion text for a
 * third party, must stay within limits.maxValueDepth, or a document fromJS accepted would fail
 * at commit (and a block someone else decoded would be refused).
 */
export const MAX_DOCUMENT_DEPTH: number = MAX_DEPTH - DATA_LEVELS_IN_BLOCK;

/** The LIMIT_EXCEEDED error for a document nested deeper than MAX_DOCUMENT_DEPTH. */
export function documentDepthError(): LedgerError {
  return new LedgerError(
    "LIMIT_EXCEEDED",
    `a document nested deeper than ${MAX_DOCUMENT_DEPTH} levels (its block holds it ${DATA_LEVELS_IN_BLOCK} levels down, within limits.maxValueDepth ${MAX_DEPTH})`,
    { limit: "maxValueDepth", max: MAX_DOCUMENT_DEPTH },
  );
}

/** Largest number of values one value may expand to when walked in full (limits.maxValueNodes). */
export const MAX_NODES: number = limits.maxValueNodes;

/**
 * The LIMIT_EXCEEDED error for a value that expands to more than limits.maxValueNodes values
 * (one that shares subtrees, counted wherever they appear), or, `bytes` given, for a value to be
 * stored whose Ion is at least `bytes.atLeast` bytes, past `bytes.limit` (details.size is that
 * lower bound: the value is not encoded to learn its exact size).
 */
export function expansionError(path?: string, bytes?: { readonly limit: number; readonly atLeast: number }): LedgerError {
  const at = path ? ` at ${path}` : "";
  const where = path ? { path } : {};
  return bytes === undefined
    ? new LedgerError("LIMIT_EXCEEDED", `a value${at} expands to more than ${MAX_NODES} values (shared parts count wherever they appear)`, {
      limit: "maxValueNodes",
      max: MAX_NODES,
      ...where,
    })
    : new LedgerError("LIMIT_EXCEEDED", `a value${at} is at least ${bytes.atLeast} bytes of Ion; the limit is ${bytes.limit}`, {
      limit: "maxDocumentBytes",
      max: bytes.limit,
      size: bytes.atLeast,
      ...where,
    });
}
