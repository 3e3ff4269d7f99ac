/** The evaluator's entry point: builds the evaluation context and runs a statement or expression. */
import { describeThrown, LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import type { IonTimestamp } from "../../ion/value.ts";
import type { Expr, QueryStatement } from "../ast.ts";
import type { PStruct, PValue } from "../value.ts";
import type { Ctx, EvalOptions, Globals } from "./context.ts";
import { Env } from "./env.ts";
import { withDeadline } from "./deadline.ts";
import { evalExpr } from "./expr.ts";
import { systemNow } from "./functions/datetime.ts";

/** The scope of EvalOptions.insideRow: a FROM scope binding nothing (the row is in the globals). */
const ROW_SCOPE = Env.empty.bind([], [], true);

/** Evaluates a query statement (or a bare expression) against the global bindings. */
export function evaluate(statement: QueryStatement | Expr, globals: Globals, options: EvalOptions): PValue {
  let now: IonTimestamp | undefined;
  const clock = options.now ?? systemNow;
  const ctx: Ctx = {
    permissive: options.mode === "permissive",
    globals,
    params: options.params ?? [],
    // One statement sees one instant.
    now: () => (now ??= clock()),
    txid: options.txid,
    absentFieldIsMissing: options.absentFieldIsMissing ?? false,
    depth: 0,
    likeCache: new Map(),
  };
  const maxMillis = options.maxMillis ?? limits.maxStatementMillis;
  const deadline = options.deadline ?? performance.now() + maxMillis;
  const expr = statement.kind === "query" ? statement.query : statement;
  try {
    return withDeadline(deadline, maxMillis, () => evalExpr(expr, options.insideRow ? ROW_SCOPE : Env.empty, ctx));
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    if (e instanceof RangeError) {
      // V8 and JSC both say "Maximum call stack size exceeded"; other RangeErrors are values that
      // outgrew the runtime (a string or BigInt too large), which are not about nesting.
      if (/call stack/i.test(e.message)) {
        throw new LedgerError("LIMIT_EXCEEDED", "statement too deeply nested to evaluate", { limit: "stack" }, e);
      }
      throw new LedgerError("LIMIT_EXCEEDED", `a value grew beyond what the runtime can hold (${e.message})`, { limit: "runtime" }, e);
    }
    throw new LedgerError("EVALUATION_ERROR", `internal evaluation failure: ${describeThrown(e)}`, {}, e);
  }
}

/**
 * Global bindings from a record or struct. Lookup is case-insensitive unless `caseSensitive`,
 * preferring an exact match.
 */
export function globalsOf(bindings: Record<string, PValue> | PStruct): Globals {
  const entries: readonly (readonly [string, PValue])[] = isPStruct(bindings) ? bindings.fields : Object.entries(bindings);
  const exact = new Map<string, PValue>();
  const lower = new Map<string, PValue>();
  for (const [k, v] of entries) {
    if (!exact.has(k)) exact.set(k, v);
    const l = k.toLowerCase();
    if (!lower.has(l)) lower.set(l, v);
  }
  return {
    get(name: string, caseSensitive: boolean): PValue | undefined {
      const v = exact.get(name);
      if (v !== undefined || caseSensitive) return v;
      return lower.get(name.toLowerCase());
    },
  };
}

function isPStruct(x: Record<string, PValue> | PStruct): x is PStruct {
  return (x as PStruct).kind === "struct" && Array.isArray((x as PStruct).fields);
}
