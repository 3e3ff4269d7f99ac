/**
 * PartiQL parsing: statement text → AST (engine/partiql/ast.ts).
 *
 * Stages: lexer.ts (text → tokens), parser.ts (tokens → AST), errors.ts (diagnostics). Both
 * entry points throw only LedgerError: PARSE_ERROR with every diagnostic (up to 10) in
 * `details.errors` and a caret snippet of the first, or LIMIT_EXCEEDED for a statement longer
 * than limits.maxStatementLength or nested deeper than limits.maxExpressionDepth.
 *
 * Spans are UTF-16 code-unit offsets into the text (what `text.slice(span.start, span.end)` takes).
 */
import { describeThrown, LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import type { Expr, Statement } from "../ast.ts";
import { Diagnostics, ParseFailure, TooManyErrors } from "./errors.ts";
import { lex } from "./lexer.ts";
import { Parser } from "./parser.ts";
import { deeperThan } from "../walk.ts";

export type { Diagnostic } from "./errors.ts";

/** Parses one statement (a trailing `;` is allowed). */
export function parse(text: string): Statement {
  return run(text, (p) => p.parseTop());
}

/** Parses one expression (a query or any expression), e.g. for tests and tools. */
export function parseExpression(text: string): Expr {
  const stmt = parse(text);
  if (stmt.kind !== "query") {
    const d = new Diagnostics(text);
    d.add(`expected an expression, found a ${stmt.kind.replace("_", " ")} statement`, stmt.span);
    throw d.toError();
  }
  return stmt.query;
}

function run<T>(text: string, f: (p: Parser) => T | undefined): T {
  if (typeof text !== "string") throw new LedgerError("PARSE_ERROR", "statement must be a string", {});
  if (text.length > limits.maxStatementLength) {
    throw new LedgerError(
      "LIMIT_EXCEEDED",
      `statement is ${text.length} characters long; the limit is ${limits.maxStatementLength}`,
      { limit: "maxStatementLength", max: limits.maxStatementLength, length: text.length },
    );
  }
  const diag = new Diagnostics(text);
  let result: T | undefined;
  try {
    const tokens = lex(text, diag);
    result = f(new Parser(tokens, diag));
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    if (!(e instanceof ParseFailure) && !(e instanceof TooManyErrors)) {
      // Depth limits make this unreachable; kept so a runtime with a tiny stack still gets a LedgerError.
      if (e instanceof RangeError) {
        throw new LedgerError("LIMIT_EXCEEDED", "statement is too deeply nested to parse", { limit: "stack" }, e);
      }
      throw new LedgerError("PARSE_ERROR", `internal parser error: ${describeThrown(e)}`, {}, e);
    }
  }
  if (diag.list.length > 0 || result === undefined) {
    if (diag.list.length === 0) diag.add("could not parse the statement", { start: 0, end: text.length });
    throw diag.toError();
  }
  // The nesting count bounds each path the parser recurses down, but operator chains build their
  // trees in a loop, and chains inside parentheses inside chains add up: ((a OR … ) OR … ) with
  // 10 × 450 links parsed into a tree 4,501 deep that overflowed walkAst under Deno. One nesting
  // level makes at most two tree levels ({'a': … } is a struct node and its field), hence 2×.
  if (deeperThan(result, AST_DEPTH_LIMIT)) {
    throw new LedgerError("LIMIT_EXCEEDED", `expression nested deeper than ${limits.maxExpressionDepth} levels (counting each operator of a chain such as a OR b OR c)`, {
      limit: "maxExpressionDepth",
      max: limits.maxExpressionDepth,
    });
  }
  return result;
}

const AST_DEPTH_LIMIT = 2 * limits.maxExpressionDepth + 16;
