/**
 * Tokens produced by the lexer. Keywords are not a separate kind: PartiQL has many words that
 * are keywords in one position and names in another (`count`, `value`, `day`, `both`), so every
 * bare word is an `ident` carrying its upper-cased text, and the parser decides by position.
 */
import type { PValue } from "../value.ts";
import type { Span } from "../ast.ts";

export type TokenKind =
  /** A bare word: keyword or regular (case-insensitive) identifier. */
  | "ident"
  /** `"Name"`: a case-sensitive identifier (`""` escapes a quote). */
  | "qident"
  /** `'text'` (`''` escapes a quote). */
  | "string"
  /** A numeric literal; `value` is an Ion int or decimal. */
  | "number"
  /** An Ion literal between backticks; `value` is the parsed Ion value. */
  | "ion"
  /** `?`, numbered from 0 in order of appearance. */
  | "param"
  /** Operators and punctuation; `text` is the canonical spelling (`!=` becomes `<>`). */
  | "punct"
  | "eof";

export interface Token {
  readonly kind: TokenKind;
  /**
   * ident: the word as written; qident/string: the unescaped text; punct: the operator;
   * number: the source text.
   */
  readonly text: string;
  /** ident only: the upper-cased word, for keyword comparison. */
  readonly upper: string;
  /** `@name` / `@"Name"`: the identifier refers to a lexical variable only. */
  readonly lexical: boolean;
  /** number and ion: the literal's value. */
  readonly value?: PValue;
  /** param: its position among the statement's `?`s. */
  readonly index?: number;
  readonly span: Span;
}

/** Punctuation, longest first so the lexer can match greedily. */
export const PUNCTUATION: readonly string[] = [
  "<<", ">>", "||", "<>", "!=", "<=", ">=",
  "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "*", "+", "-", "/", "%", "=", "<", ">",
];

/**
 * Words that cannot be used as a bare identifier or an implicit alias, because they start or
 * continue a clause or an operator. Anything else (function names, date parts, `nulls`, `asc`)
 * stays usable as a name. A quoted identifier is never a keyword.
 */
export const RESERVED: ReadonlySet<string> = new Set([
  "ALL", "AND", "AS", "AT", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "DELETE", "DISTINCT", "DROP",
  "ELSE", "END", "ESCAPE", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FROM", "FULL", "GROUP", "HAVING", "IN",
  "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "LEFT", "LET", "LIKE", "LIMIT", "MISSING", "NOT",
  "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "PIVOT", "REMOVE", "RIGHT", "SELECT", "SET", "THEN",
  "TRUE", "UNDROP", "UNION", "UNPIVOT", "UPDATE", "VALUE", "VALUES", "WHEN", "WHERE",
]);
