/**
 * The PartiQL evaluator: runs a parsed query (or expression) over PartiQL values in strict or
 * permissive mode. See evaluator.ts for the entry point and the other files for one concept each.
 */
export type { EvalMode, EvalOptions, Globals } from "./context.ts";
export { evaluate, globalsOf } from "./evaluator.ts";
/** PartiQL's `=` on two values (true only when they are equal; NULL/MISSING are never equal). */
export { eqValues } from "./compare.ts";
export { checkDeadline } from "./deadline.ts";
export { AMBIGUOUS, fieldIndex, stepField } from "./path.ts";
