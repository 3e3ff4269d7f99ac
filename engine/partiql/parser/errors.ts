/**
 * Parse diagnostics: the lexer and parser record problems here instead of throwing at the first
 * one, so a statement with several mistakes reports them together (up to MAX_ERRORS). The public
 * entry points turn the collected diagnostics into one LedgerError PARSE_ERROR whose details
 * carry every error's position and a caret snippet of the first.
 */
import { LedgerError } from "../../errors.ts";
import type { Span } from "../ast.ts";

/** More errors than this are rarely useful and usually cascade from the first few. */
export const MAX_ERRORS = 10;

export interface Diagnostic {
  readonly message: string;
  /** 1-based line and column (columns count UTF-16 code units, like `span`). */
  readonly line: number;
  readonly column: number;
  readonly span: Span;
}

/**
 * Thrown inside the parser after a diagnostic is recorded, to unwind to the nearest recovery
 * point (a list element or a clause). Never escapes the parser.
 */
export class ParseFailure extends Error {
  constructor() {
    super("parse failure");
  }
}

/** Thrown when MAX_ERRORS is reached: unwinds past every recovery point. */
export class TooManyErrors extends Error {
  constructor() {
    super("too many parse errors");
  }
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  /** Line start offsets, computed on the first error only (the happy path never needs them). */
  private lineStarts: number[] | null = null;

  constructor(readonly text: string) {}

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    if (this.lineStarts === null) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** Records an error; throws TooManyErrors once the cap is reached. */
  add(message: string, span: Span): void {
    // Two errors at one place are one mistake seen twice (e.g. by a list and its element).
    const last = this.list[this.list.length - 1];
    if (last && last.span.start === span.start) return;
    const { line, column } = this.position(span.start);
    this.list.push({ message, line, column, span });
    if (this.list.length >= MAX_ERRORS) throw new TooManyErrors();
  }

  /** The source line holding `offset`, with a caret line under its column; long lines are cut to a window. */
  snippet(offset: number): string {
    const t = this.text;
    const lineStart = t.lastIndexOf("\n", offset - 1) + 1;
    let lineEnd = t.indexOf("\n", offset);
    if (lineEnd < 0) lineEnd = t.length;
    const WINDOW = 60;
    const from = Math.max(lineStart, offset - WINDOW);
    const to = Math.min(lineEnd, offset + WINDOW);
    let line = t.slice(from, to).replace(/\r$/, "");
    // Keep tabs in the caret line so the caret lines up under tab-indented text.
    let pad = t.slice(from, offset).replace(/[^\t]/g, " ");
    if (from > lineStart) {
      line = "..." + line;
      pad = "   " + pad;
    }
    if (to < lineEnd) line += "...";
    return `${line}\n${pad}^`;
  }

  /** The PARSE_ERROR for everything recorded so far. */
  toError(): LedgerError {
    const first = this.list[0];
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more error${this.list.length > 2 ? "s" : ""})` : "";
    return new LedgerError(
      "PARSE_ERROR",
      `${first.message} at line ${first.line}, column ${first.column}${more}`,
      {
        line: first.line,
        column: first.column,
        snippet: this.snippet(first.span.start),
        errors: this.list.map((d) => ({ message: d.message, line: d.line, column: d.column, span: d.span })),
      },
    );
  }
}
