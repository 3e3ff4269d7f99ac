/**
 * A generic walk over AST nodes, for the analyses the planner and executor make of a statement
 * (which names it mentions, whether it calls a function, whether an expression is constant).
 * Literal values are data, not syntax, so the walk never enters them; spans are skipped.
 */

/** What a visitor asks of the walk at a node: descend (undefined), skip its children, or stop. */
export type Visit = "skip" | "stop" | void;

/** Calls `f` on each field of a node that may hold syntax: not its span, nothing of a literal. */
function eachChild(node: { readonly kind?: string }, f: (child: unknown) => void): void {
  if (node.kind === "lit") return;
  for (const key in node) if (key !== "span") f((node as Record<string, unknown>)[key]);
}

/** Visits every node object under `root` (depth first); returns true if a visitor said "stop". */
export function walkAst(root: unknown, visit: (node: { readonly kind?: string }) => Visit): boolean {
  let stopped = false;
  const walk = (x: unknown): void => {
    if (stopped || x === null || typeof x !== "object") return;
    if (Array.isArray(x)) {
      for (const item of x) walk(item);
      return;
    }
    const node = x as { readonly kind?: string };
    const verdict = visit(node);
    if (verdict === "stop") {
      stopped = true;
      return;
    }
    if (verdict !== "skip") eachChild(node, walk);
  };
  walk(root);
  return stopped;
}

/**
 * Whether the deepest node under `root` is more than `limit` nodes down, found without recursion
 * (so it is safe on any tree, which is the point: walkAst and the evaluator recurse per level).
 */
export function deeperThan(root: unknown, limit: number): boolean {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const x = stack.pop();
    const d = depths.pop()!;
    if (x === null || typeof x !== "object") continue;
    if (Array.isArray(x)) {
      for (const item of x) {
        stack.push(item);
        depths.push(d);
      }
      continue;
    }
    if (d + 1 > limit) return true;
    eachChild(x as { readonly kind?: string }, (child) => {
      stack.push(child);
      depths.push(d + 1);
    });
  }
  return false;
}
