/**
 * How the evaluator fails. Every failure is a LedgerError:
 * - TYPE_ERROR: an operand has the wrong type. In permissive mode the failing expression yields
 *   MISSING instead (the evaluator catches TYPE_ERROR at the nearest expression node).
 * - EVALUATION_ERROR: a value is of the right type but unusable (division by zero, a bad
 *   format pattern, an out-of-range argument). Raised in both modes.
 * - VARIABLE_NOT_FOUND / FUNCTION_NOT_FOUND: a name that resolves to nothing. Raised in both modes.
 * - LIMIT_EXCEEDED: nesting deeper than limits.maxExpressionDepth.
 */
import { LedgerError } from "../../errors.ts";
import type { Span } from "../ast.ts";

export function typeError(message: string, span?: Span): LedgerError {
  return new LedgerError("TYPE_ERROR", message, span ? { span } : {});
}

export function evalError(message: string, span?: Span): LedgerError {
  return new LedgerError("EVALUATION_ERROR", message, span ? { span } : {});
}

export function isTypeError(e: unknown): boolean {
  return e instanceof LedgerError && e.code === "TYPE_ERROR";
}
