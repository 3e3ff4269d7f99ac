/** Tiny AST builders for evaluator tests that must not depend on the parser. */
import type { BinaryOp, Expr, FromSource, PathStep, ProjectItem, Select, TypeName } from "../../../../../engine/partiql/ast.ts";
import type { PValue } from "../../../../../engine/partiql/value.ts";
import { parseText } from "../../../../../engine/ion/text.ts";

const span = { start: 0, end: 0 };

/** An Ion literal from Ion text. */
export const ion = (text: string): Expr => ({ kind: "lit", value: parseText(text)[0], span });
export const lit = (value: PValue): Expr => ({ kind: "lit", value, span });
export const v = (name: string, caseSensitive = false): Expr => ({ kind: "var", name, caseSensitive, lexicalOnly: false, span });
export const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: "binary", op, left, right, span });
export const field = (name: string, caseSensitive = false): PathStep => ({ kind: "field", name, caseSensitive, span });
export const path = (root: Expr, ...steps: PathStep[]): Expr => ({ kind: "path", root, steps, span });
export const call = (name: string, ...args: Expr[]): Expr => ({ kind: "call", name, args, span });
export const type = (name: TypeName["name"]): TypeName => ({ name, span });
export const cast = (value: Expr, t: TypeName["name"]): Expr => ({ kind: "cast", value, type: type(t), span });
export const scan = (expr: Expr, as?: string, at?: string): FromSource => ({ kind: "scan", expr, as, at, span });
export const item = (expr: Expr, alias?: string): ProjectItem => ({ kind: "expr", expr, alias, span });
export function select(p: Partial<Select> & Pick<Select, "projection">): Select {
  return { kind: "select", quantifier: "all", span, ...p };
}
