/**
 * Which joins can be evaluated as a hash join: an INNER or LEFT join of a table whose ON clause
 * is (or begins with) an equality between an expression over the left side's variables and one
 * over the right side's.
 *
 * A join is otherwise a nested loop: the right source is read again for each left row and ON
 * evaluated for every pair, so joining two tables of n rows costs n² evaluations (two tables of
 * 5,000 cars: 25 million). A hash join reads the right table once, buckets its rows by their key
 * (groupKey, equal for values `=` calls equal), and evaluates ON only for the pairs in the left
 * row's bucket. ON is still evaluated for those pairs, so the result is exactly the nested loop's,
 * in the same order. Where the two could differ, the join is left to the nested loop:
 * - the right source must not depend on the left row: a bare table name, which FROM looks up
 *   globally before any variable (query.ts checks at run time that it names a global);
 * - each side of `=` must name variables of one side only (no subquery, no name that could be a
 *   field of either side's rows), so that it has one value per row of its side;
 * - with conjuncts after the equality, pairs whose key is NULL or MISSING would still evaluate
 *   them in a nested loop (AND does not stop at NULL), which could raise an error: query.ts
 *   falls back to the nested loop when there is such a key;
 * - a key that raises an error (strict mode) fails the nested loop too, but its first error may
 *   be another one: query.ts falls back to the nested loop, which raises what it meets first;
 * - only scalar keys are hashed: `=` on containers costs and fails in ways a group key does not
 *   (two bags compare in quadratic time and can pass limits.maxValueNodes), so a container key
 *   falls back too.
 * Pairs whose keys differ are never evaluated by the hash join, and raise nothing in the nested
 * loop either: there `=` is false and AND stops. A fallback goes on from the left rows already
 * read, so it costs no more than the nested loop alone.
 */
import type { Expr, FromSource, VarRef } from "../ast.ts";
import { walkAst } from "../walk.ts";

export interface EquiJoin {
  /** The side of `=` over the left source's variables. */
  readonly leftKey: Expr;
  /** The side of `=` over the right source's variables. */
  readonly rightKey: Expr;
  /** Whether ON has more than the equality (`a.x = b.y AND …`). */
  readonly more: boolean;
}

type Join = FromSource & { readonly kind: "join" };

const analysed = new WeakMap<Join, EquiJoin | null>();

/**
 * The equality to hash on, or undefined for a nested loop. `variablesOf` gives the variables a
 * FROM source binds. Cached per join node (and the variables asked for only the first time): a
 * join inside a correlated subquery is evaluated once per outer row.
 */
export function equiJoinOf(src: Join, variablesOf: (s: FromSource) => readonly string[]): EquiJoin | undefined {
  let plan = analysed.get(src);
  if (plan === undefined) {
    plan = analyse(src, variablesOf) ?? null;
    analysed.set(src, plan);
  }
  return plan ?? undefined;
}

function analyse(src: Join, variablesOf: (s: FromSource) => readonly string[]): EquiJoin | undefined {
  if (src.type !== "inner" && src.type !== "left") return undefined;
  if (src.right.kind !== "scan" || src.right.expr.kind !== "var" || src.right.expr.lexicalOnly) return undefined;
  if (src.on === undefined) return undefined;
  const leftVars = variablesOf(src.left), rightVars = variablesOf(src.right);
  // The leftmost conjunct of `e1 AND e2 AND …` (which parses as `(e1 AND e2) AND …`).
  let eq: Expr = src.on;
  let more = false;
  while (eq.kind === "binary" && eq.op === "and") {
    eq = eq.left;
    more = true;
  }
  if (eq.kind !== "binary" || eq.op !== "=") return undefined;
  const a = sideOf(eq.left, leftVars, rightVars);
  const b = sideOf(eq.right, leftVars, rightVars);
  if (a === "left" && b === "right") return { leftKey: eq.left, rightKey: eq.right, more };
  if (a === "right" && b === "left") return { leftKey: eq.right, rightKey: eq.left, more };
  return undefined;
}

function names(v: VarRef, vars: readonly string[]): boolean {
  if (v.caseSensitive) return vars.includes(v.name);
  const lower = v.name.toLowerCase();
  return vars.some((n) => n.toLowerCase() === lower);
}

/** The one side whose variables `e` reads, or undefined (both, neither, or a subquery). */
function sideOf(e: Expr, leftVars: readonly string[], rightVars: readonly string[]): "left" | "right" | undefined {
  let side: "left" | "right" | undefined;
  const stopped = walkAst(e, (node) => {
    if (node.kind === "subquery" || node.kind === "select" || node.kind === "setop") return "stop";
    if (node.kind !== "var") return;
    const v = node as VarRef;
    const inLeft = names(v, leftVars), inRight = names(v, rightVars);
    const here = inLeft && !inRight ? "left" : inRight && !inLeft ? "right" : undefined;
    if (here === undefined || (side !== undefined && side !== here)) return "stop";
    side = here;
  });
  return stopped ? undefined : side;
}
