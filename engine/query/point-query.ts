/**
 * The shape of the commonest statement, `SELECT * FROM t [AS x] WHERE x.f = ?`, recognised once
 * per prepared statement so that, when the planner serves it from an index, the executor can
 * answer it without the general evaluator: the index already returns exactly the rows whose field
 * equals the key, and `SELECT *` over one row is that row.
 *
 * The fast path gives the evaluator's answer or steps aside: a row with several fields matching
 * `f` ignoring case (where PartiQL reports an ambiguity) sends the statement back to the general
 * path. The differential property in tests/property/query.property.test.ts holds it to that.
 */
import type { Expr, Statement } from "../partiql/ast.ts";

export interface PointShape {
  /** The row variable (AS alias, or the table's name). */
  readonly alias: string;
  /** The compared field as written, and whether it was quoted. */
  readonly field: string;
  readonly caseSensitive: boolean;
  /** Whether the field was written bare (`VIN`), which is a field only if no global has the name. */
  readonly bare: boolean;
  /** The value compared with: a parameter or a literal. */
  readonly value: Expr;
}

export function pointShape(s: Statement): PointShape | undefined {
  if (s.kind !== "query" || s.query.kind !== "select") return undefined;
  const q = s.query;
  const from = q.from;
  if (
    q.projection.kind !== "star" || q.quantifier !== "all" || from === undefined || from.kind !== "scan" ||
    from.expr.kind !== "var" || from.expr.lexicalOnly || from.at !== undefined || from.by !== undefined ||
    q.let !== undefined || q.groupBy !== undefined || q.having !== undefined || q.orderBy !== undefined ||
    q.limit !== undefined || q.offset !== undefined || q.where === undefined
  ) {
    return undefined;
  }
  const alias = from.as ?? from.expr.name;
  const w = q.where;
  if (w.kind !== "binary" || w.op !== "=") return undefined;
  for (const [side, other] of [[w.left, w.right], [w.right, w.left]] as const) {
    if (other.kind !== "param" && other.kind !== "lit") continue;
    if (side.kind === "path" && side.root.kind === "var" && side.steps.length === 1 && side.steps[0].kind === "field") {
      const root = side.root;
      const sameAlias = root.caseSensitive ? root.name === alias : root.name.toLowerCase() === alias.toLowerCase();
      if (!sameAlias) continue;
      return { alias, field: side.steps[0].name, caseSensitive: side.steps[0].caseSensitive, bare: false, value: other };
    }
    if (side.kind === "var" && !side.lexicalOnly) {
      const isAlias = side.caseSensitive ? side.name === alias : side.name.toLowerCase() === alias.toLowerCase();
      if (!isAlias) return { alias, field: side.name, caseSensitive: side.caseSensitive, bare: true, value: other };
    }
  }
  return undefined;
}
