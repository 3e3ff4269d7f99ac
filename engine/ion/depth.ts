/**
 * The one place that decides what "too deep" means for an Ion value, so the hasher, the
 * encoders, the decoders and fromJS all reject the same inputs with the same error.
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
